namespace OffloadSecurity.ServiceDefaults.Auth;

/// <summary>
/// Configuration section <c>Auth</c>. Either an OIDC <see cref="Authority"/> (distributed mode: tokens are
/// validated against its JWKS) or a local issuer's <see cref="SigningKey"/> (standalone and tests).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>An OIDC issuer whose discovery document and JWKS sign tokens (distributed mode).</summary>
    public string? Authority { get; set; }

    /// <summary>Whether the authority's metadata must come over HTTPS. Only a loopback test authority turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public string Audience { get; set; } = "offload";
    public string Issuer { get; set; } = "offload-local";

    /// <summary>Base64 HMAC-SHA256 key of the local issuer, at least 32 bytes. Never logged.</summary>
    public string? SigningKey { get; set; }

    public override string ToString() => $"Authority={Authority}, Audience={Audience}, Issuer={Issuer}, SigningKey=***";
}
