using System.Text.RegularExpressions;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The open findings that touch an asset, image or workload, read through the findings store's exact, indexed
/// <see cref="FindingQuery.ResourceId"/> filter: page after page of the resource's own findings (most severe first),
/// keeping those open (not resolved, suppressed or risk-accepted: as the posture summary counts them). No other finding
/// is read, so nothing is missed however many findings mention the resource. The detail shows at most
/// <see cref="MaxFindings"/>; past that it says it is truncated, and <c>GET /api/findings?resourceId=...</c> pages
/// through them all.
/// </summary>
public static partial class RelatedFindings
{
    public const int MaxFindings = 200;
    private const int PageSize = 500;

    public sealed record Result(IReadOnlyList<FindingRecord> Findings, bool Truncated)
    {
        public IReadOnlyList<RelatedFinding> Summaries => [.. Findings.Select(Summary)];
    }

    /// <summary>Open findings whose resource id is exactly <paramref name="resourceId"/>.</summary>
    public static Task<Result> OnResourceAsync(IInventoryStore findings, string tenantId, string resourceId, CancellationToken ct) =>
        FindAsync(findings, tenantId, [resourceId], ct);

    /// <summary>Open findings on an image: those whose resource id is one of <see cref="ImageResourceIds"/>.</summary>
    public static Task<Result> OnImageAsync(IInventoryStore findings, string tenantId, ImageRecord image, CancellationToken ct) =>
        FindAsync(findings, tenantId, ImageResourceIds(image), ct);

    /// <summary>
    /// The resource ids a finding about an image carries: its reference (<c>registry/repository@digest</c>); and, in an
    /// ECR registry (<c>{account}.dkr.ecr.{region}.amazonaws.com</c>), the image ARN that ECR scans, Inspector and
    /// Security Hub give (<c>arn:aws:ecr:{region}:{account}:repository/{repository}/{digest}</c>, in the registry's
    /// partition and in <c>aws</c>, as the ECR normalizer writes it) and the region-less <c>{account}/{repository}@{digest}</c>.
    /// </summary>
    public static IReadOnlyList<string> ImageResourceIds(ImageRecord image)
    {
        var ids = new List<string> { image.Reference };
        if (EcrRegistryHost().Match(image.Registry) is { Success: true } ecr)
        {
            var account = ecr.Groups["account"].Value;
            var region = ecr.Groups["region"].Value;
            var partition = ecr.Groups["cn"].Success ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";
            foreach (var arnPartition in new[] { partition, "aws" })
            {
                ids.Add($"arn:{arnPartition}:ecr:{region}:{account}:repository/{image.Repository}/{image.Digest}");
            }

            ids.Add($"{account}/{image.Repository}@{image.Digest}");
        }

        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"^(?<account>[0-9]{12})\.dkr\.ecr(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?<cn>\.cn)?$", RegexOptions.CultureInvariant)]
    private static partial Regex EcrRegistryHost();

    /// <summary>The vulnerabilities the open findings of an image report: one per (CVE, package), most severe first.</summary>
    public static IReadOnlyList<ImageVulnerability> Vulnerabilities(IEnumerable<FindingRecord> findings) =>
    [
        .. findings
            .SelectMany(f => f.Vulnerabilities.Select(v => new ImageVulnerability
            {
                Id = v.Id,
                Severity = f.Severity,
                CvssScore = v.CvssScore,
                Package = v.Package,
                InstalledVersion = v.InstalledVersion,
                FixedVersion = v.FixedVersion,
                Fingerprint = f.Fingerprint,
            }))
            .GroupBy(v => (v.Id, v.Package))
            .Select(g => g.OrderByDescending(v => v.Severity).ThenByDescending(v => v.CvssScore ?? -1).ThenBy(v => v.Fingerprint, StringComparer.Ordinal).First())
            .OrderByDescending(v => v.Severity)
            .ThenByDescending(v => v.CvssScore ?? -1)
            .ThenBy(v => v.Id, StringComparer.Ordinal)
            .ThenBy(v => v.Package, StringComparer.Ordinal),
    ];

    public static RelatedFinding Summary(FindingRecord f) => new()
    {
        Fingerprint = f.Fingerprint,
        Title = f.Title,
        Class = f.Class,
        Severity = f.Severity,
        Status = f.EffectiveStatus,
        Source = f.Source,
        ResourceId = f.Resource.Id,
        LastSeen = f.LastSeen,
    };

    /// <summary>
    /// Each id's findings, page by page, most severe first; each id stops once it has more open findings than are shown
    /// (the most severe <see cref="MaxFindings"/> of all ids are among those), then all are merged in the list's order.
    /// </summary>
    private static async Task<Result> FindAsync(IInventoryStore findings, string tenantId, IReadOnlyList<string> resourceIds, CancellationToken ct)
    {
        var open = new List<FindingRecord>();
        foreach (var resourceId in resourceIds)
        {
            var query = new FindingQuery { ResourceId = resourceId, Sort = FindingSort.SeverityDesc, Limit = PageSize };
            for (var kept = 0; kept <= MaxFindings;)
            {
                var page = await findings.QueryAsync(tenantId, query, ct);
                foreach (var finding in page.Items.Where(f => PostureScore.IsOpen(f.EffectiveStatus)))
                {
                    open.Add(finding);
                    kept++;
                }

                if (page.NextCursor is null)
                {
                    break;
                }

                query = query with { Cursor = page.NextCursor };
            }
        }

        var ordered = open.DistinctBy(f => f.Fingerprint, StringComparer.Ordinal)
            .OrderByDescending(f => f.SeverityId)
            .ThenBy(f => f.Fingerprint, StringComparer.Ordinal)
            .ToList();
        return new Result([.. ordered.Take(MaxFindings)], ordered.Count > MaxFindings);
    }
}
