using System.Net.Http.Headers;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Testing;

/// <summary>Tokens for tests, signed by a local issuer whose key is made per test run.</summary>
public static class TestAuth
{
    public static readonly string SigningKey = LocalTokenIssuer.NewSigningKey();

    public static AuthOptions Options { get; } = new() { SigningKey = SigningKey };

    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:SigningKey"] = SigningKey,
        ["Auth:Issuer"] = Options.Issuer,
        ["Auth:Audience"] = Options.Audience,
    };

    public static string Token(string tenantId, params string[] roles) =>
        new LocalTokenIssuer(Options).Issue("user@" + tenantId, tenantId, roles.Length == 0 ? [Roles.TenantAdmin] : roles, TimeSpan.FromMinutes(30));

    public static HttpClient WithToken(this HttpClient client, string tenantId, params string[] roles)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(tenantId, roles));
        return client;
    }
}
