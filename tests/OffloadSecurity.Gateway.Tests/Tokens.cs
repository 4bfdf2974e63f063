using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Gateway.Tests;

/// <summary>Tokens the platform must accept, and every kind of bad token it must refuse.</summary>
public static class Tokens
{
    public static string Valid(string tenant, string role) => TestAuth.Token(tenant, role);

    /// <summary>Right claims, signed with a key the platform does not know.</summary>
    public static string Forged(string tenant) => Create(tenant, [Roles.TenantAdmin], key: new SymmetricSecurityKey(new byte[32]));

    public static string Expired(string tenant) =>
        Create(tenant, [Roles.TenantAdmin], notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddHours(-1));

    public static string NotYetValid(string tenant) =>
        Create(tenant, [Roles.TenantAdmin], notBefore: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2));

    public static string WrongAudience(string tenant) => Create(tenant, [Roles.TenantAdmin], audience: "another-api");

    public static string WrongIssuer(string tenant) => Create(tenant, [Roles.TenantAdmin], issuer: "https://attacker.example");

    public static string WithoutTenant() => Create(null, [Roles.TenantAdmin]);

    public static string WithoutRole(string tenant) => Create(tenant, []);

    /// <summary>An unsigned token (<c>alg: none</c>) with an admin's claims.</summary>
    public static string AlgNone(string tenant)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(
            $$"""{"sub":"mallory","tenant":"{{tenant}}","role":"tenant-admin","iss":"{{TestAuth.Options.Issuer}}","aud":"{{TestAuth.Options.Audience}}","iat":{{now}},"nbf":{{now}},"exp":{{now + 600}}}""");
        return $"{header}.{payload}.";
    }

    /// <summary>A valid token's payload swapped for one naming another tenant, keeping the original signature.</summary>
    public static string TamperedTenant(string tenant, string otherTenant)
    {
        var parts = Valid(tenant, Roles.TenantAdmin).Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace($"\"{tenant}\"", $"\"{otherTenant}\"", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    public const string Malformed = "this-is-not-a-jwt";

    private static string Create(
        string? tenant, string[] roles, SecurityKey? key = null, string? audience = null, string? issuer = null,
        DateTime? notBefore = null, DateTime? expires = null)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, "user@" + tenant) };
        if (tenant is not null)
        {
            claims.Add(new Claim(OffloadClaims.Tenant, tenant));
        }

        claims.AddRange(roles.Select(role => new Claim(OffloadClaims.Role, role)));
        var from = notBefore ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? TestAuth.Options.Issuer,
            Audience = audience ?? TestAuth.Options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = from,
            NotBefore = from,
            Expires = expires ?? from.AddMinutes(30),
            SigningCredentials = new SigningCredentials(key ?? new SymmetricSecurityKey(Convert.FromBase64String(TestAuth.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
