namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// A registry as given (<c>docker.io</c>, <c>ghcr.io</c>, <c>registry.example.com:5000</c>, <c>https://host/path</c>):
/// <see cref="Registry"/> to show, <see cref="Url"/> the https URL to call.
/// </summary>
public sealed record RegistryTarget(string Registry, string Url)
{
    public const string Field = "registry.registry";
    public const int MaxLength = 255;

    /// <summary>The https URL to check for <paramref name="registry"/> (a host name gets https://), or null when it is not one.</summary>
    public static string? UrlOf(string? registry)
    {
        var value = string.IsNullOrWhiteSpace(registry) ? RegistryConnection.DockerHub : registry.Trim();
        if (value.Length > MaxLength)
        {
            return null;
        }

        return value.Contains("://", StringComparison.Ordinal) ? value : "https://" + value;
    }

    /// <summary>The target of an https URL that has passed the outbound URL check.</summary>
    public static RegistryTarget From(Uri url)
    {
        var host = url.HostNameType == UriHostNameType.IPv6 ? url.Host : url.IdnHost.TrimEnd('.').ToLowerInvariant();
        var port = url.IsDefaultPort ? "" : ":" + url.Port;
        var display = host + port + url.AbsolutePath.TrimEnd('/');
        return new RegistryTarget(display, "https://" + display);
    }
}
