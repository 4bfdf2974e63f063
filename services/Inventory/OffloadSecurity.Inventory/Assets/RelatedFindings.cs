using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The open findings that touch an asset, image or workload, read through the findings store's own query.
/// <para>
/// <see cref="FindingQuery"/> has no exact resource-id filter, so this narrows with its text filter (a case-insensitive
/// substring of the title or the resource id), keeps the findings whose resource really matches, and drops those not
/// open (resolved, suppressed, risk-accepted: as the posture summary counts them). At most <see cref="MaxScanned"/>
/// candidates are read and <see cref="MaxFindings"/> kept, most severe first; past either bound the list says it is
/// truncated. An exact, indexed <c>ResourceId</c> filter on <see cref="FindingQuery"/> would make this one query.
/// </para>
/// </summary>
public static class RelatedFindings
{
    public const int MaxFindings = 200;
    public const int MaxScanned = 2000;
    private const int PageSize = 500;

    public sealed record Result(IReadOnlyList<FindingRecord> Findings, bool Truncated)
    {
        public IReadOnlyList<RelatedFinding> Summaries => [.. Findings.Select(Summary)];
    }

    /// <summary>Open findings whose resource id is <paramref name="resourceId"/> (case-insensitive: Azure ids vary in case).</summary>
    public static Task<Result> OnResourceAsync(IInventoryStore findings, string tenantId, string resourceId, CancellationToken ct) =>
        FindAsync(findings, tenantId, resourceId, r => string.Equals(r.Id, resourceId, StringComparison.OrdinalIgnoreCase), ct);

    /// <summary>Open findings on an image: their resource id is its reference or names its digest (an ECR image ARN does).</summary>
    public static Task<Result> OnImageAsync(IInventoryStore findings, string tenantId, ImageRecord image, CancellationToken ct) =>
        FindAsync(findings, tenantId, image.Digest, r =>
            string.Equals(r.Id, image.Reference, StringComparison.OrdinalIgnoreCase)
            || r.Id.Contains(image.Digest, StringComparison.OrdinalIgnoreCase), ct);

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

    private static async Task<Result> FindAsync(
        IInventoryStore findings, string tenantId, string text, Func<ResourceRef, bool> touches, CancellationToken ct)
    {
        var kept = new List<FindingRecord>();
        var query = new FindingQuery { Text = text, Sort = FindingSort.SeverityDesc, Limit = PageSize };
        for (var scanned = 0; scanned < MaxScanned;)
        {
            var page = await findings.QueryAsync(tenantId, query, ct);
            scanned += page.Items.Count;
            foreach (var finding in page.Items)
            {
                if (touches(finding.Resource) && PostureScore.IsOpen(finding.EffectiveStatus))
                {
                    if (kept.Count == MaxFindings)
                    {
                        return new Result(kept, Truncated: true);
                    }

                    kept.Add(finding);
                }
            }

            if (page.NextCursor is null)
            {
                return new Result(kept, Truncated: false);
            }

            query = query with { Cursor = page.NextCursor };
        }

        return new Result(kept, Truncated: true);
    }
}
