using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Gateway.Tests;

/// <summary>
/// Distributed mode: tokens come from an OIDC authority, whose signing keys the platform reads from its discovery
/// document and JWKS. Here a loopback authority publishes one RSA key; the gateway trusts exactly what it signs.
/// </summary>
public sealed class OidcAuthorityTests : IAsyncLifetime
{
    private const string KeyId = "offload-test-key-1";
    private readonly RSA _authorityKey = RSA.Create(2048);
    private LoopbackApp _authority = null!;
    private LoopbackApp _backend = null!;
    private ServiceHost<GatewayEntryPoint> _gateway = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Issuer => _authority.Url.ToString().TrimEnd('/');

    public async ValueTask InitializeAsync()
    {
        var publicKey = _authorityKey.ExportParameters(includePrivateParameters: false);
        _authority = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/.well-known/openid-configuration", (HttpContext http) => Results.Json(new
            {
                issuer = $"{http.Request.Scheme}://{http.Request.Host}",
                jwks_uri = $"{http.Request.Scheme}://{http.Request.Host}/jwks",
                id_token_signing_alg_values_supported = new[] { "RS256" },
            }));
            app.MapGet("/jwks", () => Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(publicKey.Modulus), e = Base64UrlEncoder.Encode(publicKey.Exponent) },
                },
            }));
        });
        _backend = await LoopbackApp.StartAsync(app => app.MapGet("/api/findings", () => "reached the inventory"));
        _gateway = new ServiceHost<GatewayEntryPoint>(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Issuer,
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audience"] = "offload",
            ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = _backend.Url.ToString(),
            ["ReverseProxy:Clusters:credentials:Destinations:primary:Address"] = _backend.Url.ToString(),
        });
        _client = new HttpClient { BaseAddress = _gateway.Start() };
    }

    [Fact]
    public async Task Accepts_a_token_signed_by_the_authoritys_published_key()
    {
        using var response = await GetFindingsAsync(Token(new RsaSecurityKey(_authorityKey) { KeyId = KeyId }));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("reached the inventory");
    }

    [Fact]
    public async Task Refuses_a_token_signed_by_another_key_under_the_same_key_id()
    {
        using var impostor = RSA.Create(2048);
        using var response = await GetFindingsAsync(Token(new RsaSecurityKey(impostor) { KeyId = KeyId }));
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refuses_a_locally_issued_token_once_an_authority_is_configured()
    {
        using var response = await GetFindingsAsync(TestAuth.Token("tenant-a", Roles.Analyst));
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refuses_a_token_of_the_right_key_for_another_issuer_or_audience()
    {
        var key = new RsaSecurityKey(_authorityKey) { KeyId = KeyId };
        using (var response = await GetFindingsAsync(Token(key, issuer: "https://login.attacker.example")))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var response = await GetFindingsAsync(Token(key, audience: "some-other-api")))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task Refuses_an_unsigned_token_with_the_authoritys_claims()
    {
        var signed = Token(new RsaSecurityKey(_authorityKey) { KeyId = KeyId }).Split('.');
        var header = Base64UrlEncoder.Encode($$"""{"alg":"none","kid":"{{KeyId}}","typ":"JWT"}""");
        using var response = await GetFindingsAsync($"{header}.{signed[1]}.");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private string Token(SecurityKey key, string? issuer = null, string audience = "offload") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "analyst@tenant-a"), new Claim(OffloadClaims.Tenant, "tenant-a"), new Claim(OffloadClaims.Role, Roles.Analyst)]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    private Task<HttpResponseMessage> GetFindingsAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/findings");
        request.Headers.Authorization = new("Bearer", token);
        return _client.SendAsync(request, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
        _authorityKey.Dispose();
    }
}
