using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OffloadSecurity.ServiceDefaults.Auth;

/// <summary>
/// The standalone mode's own token issuer: signs short-lived JWTs with the local HMAC key. Distributed
/// deployments use an OIDC authority instead and never hold this key.
/// </summary>
public sealed class LocalTokenIssuer(AuthOptions options)
{
    public static string NewSigningKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Issue(string subject, string tenantId, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, subject), new(OffloadClaims.Tenant, tenantId) };
        claims.AddRange(roles.Select(role => new Claim(OffloadClaims.Role, role)));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256),
        });
    }

    internal static SymmetricSecurityKey SigningKey(AuthOptions options)
    {
        var bytes = Convert.FromBase64String(options.SigningKey
            ?? throw new InvalidOperationException("Auth:SigningKey is not set."));
        return bytes.Length >= 32
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes (base64).");
    }
}
