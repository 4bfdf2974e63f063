using System.Text.RegularExpressions;

namespace OffloadSecurity.Scanners.Aws.AwsApi;

/// <summary>
/// Where AWS services are called. With <see cref="ServiceUrl"/> set (e.g. the cloud sandbox,
/// <c>http://127.0.0.1:4566</c>) every service is called there; otherwise the real regional endpoint.
/// </summary>
public sealed partial class AwsEndpointOptions
{
    public const string SectionName = "Aws:Endpoints";

    public string? ServiceUrl { get; set; }

    /// <summary>The base address for <paramref name="endpointPrefix"/> (e.g. <c>securityhub</c>) in <paramref name="region"/>.</summary>
    public Uri Resolve(string endpointPrefix, string region)
    {
        if (!RegionPattern().IsMatch(region))
        {
            throw new ArgumentException($"'{region}' is not an AWS region name.", nameof(region));
        }

        return string.IsNullOrWhiteSpace(ServiceUrl)
            ? new Uri($"https://{endpointPrefix}.{region}.amazonaws.com/")
            : new Uri(ServiceUrl.TrimEnd('/') + "/");
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
