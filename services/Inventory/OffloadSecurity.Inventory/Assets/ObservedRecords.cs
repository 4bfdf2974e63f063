using OffloadSecurity.Contracts.Inventory;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// A batch as the records it describes, keyed and de-duplicated (the last occurrence of a key in a batch wins), with
/// first- and last-seen at the batch's observation time. Both stores write exactly these.
/// </summary>
internal static class ObservedRecords
{
    public static IReadOnlyList<AssetRecord> Of(AssetsObserved batch) => Distinct(batch.Assets.Select(a => new AssetRecord
    {
        Id = AssetKeys.Asset(a.Id),
        AccountId = batch.AccountId,
        Provider = a.Provider,
        Type = a.Type,
        ResourceId = a.Id,
        Name = a.Name,
        Region = a.Region,
        Tags = a.Tags,
        Source = batch.Source,
        Fingerprint = a.Fingerprint,
        FirstSeen = batch.ObservedAt,
        LastSeen = batch.ObservedAt,
        LastScanId = batch.ScanId,
        RawJson = a.RawJson,
    }), a => a.Id);

    public static IReadOnlyList<ImageRecord> Of(ImagesObserved batch) => Distinct(batch.Images.Select(i => new ImageRecord
    {
        Id = AssetKeys.Image(i.Registry, i.Repository, i.Digest),
        AccountId = batch.AccountId,
        Registry = i.Registry,
        Repository = i.Repository,
        Digest = i.Digest,
        Reference = AssetKeys.ImageReference(i.Registry, i.Repository, i.Digest),
        Tags = i.Tags,
        PushedAt = i.PushedAt,
        Source = batch.Source,
        Fingerprint = i.Fingerprint,
        FirstSeen = batch.ObservedAt,
        LastSeen = batch.ObservedAt,
        LastScanId = batch.ScanId,
    }), i => i.Id);

    public static IReadOnlyList<WorkloadRecord> Of(WorkloadsObserved batch) => Distinct(batch.Workloads.Select(w => new WorkloadRecord
    {
        Id = AssetKeys.Workload(w.Cluster, w.Namespace, w.Kind, w.Name),
        AccountId = batch.AccountId,
        Cluster = w.Cluster,
        Namespace = w.Namespace,
        Kind = w.Kind,
        Name = w.Name,
        ResourceId = AssetKeys.WorkloadResourceId(w.Cluster, w.Namespace, w.Kind, w.Name),
        Images = w.Images,
        Source = batch.Source,
        Fingerprint = w.Fingerprint,
        FirstSeen = batch.ObservedAt,
        LastSeen = batch.ObservedAt,
        LastScanId = batch.ScanId,
    }), w => w.Id);

    private static List<T> Distinct<T>(IEnumerable<T> records, Func<T, string> key)
    {
        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            byKey[key(record)] = record;
        }

        return [.. byKey.Values];
    }
}

/// <summary>One group of workloads (same cluster, namespace, kind and account) as the stores count them.</summary>
internal sealed record WorkloadGroup(string Cluster, string Namespace, string Kind, Guid AccountId, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

internal static class ClusterRollup
{
    /// <summary>The clusters of <paramref name="groups"/>, by name.</summary>
    public static IReadOnlyList<ClusterSummary> Of(IEnumerable<WorkloadGroup> groups) =>
    [
        .. groups.GroupBy(g => g.Cluster, StringComparer.Ordinal)
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ClusterSummary
            {
                Name = c.Key,
                Workloads = c.Sum(g => g.Count),
                Namespaces = c.Where(g => g.Namespace.Length > 0).Select(g => g.Namespace).Distinct(StringComparer.Ordinal).LongCount(),
                Kinds = c.GroupBy(g => g.Kind, StringComparer.Ordinal).OrderBy(k => k.Key, StringComparer.Ordinal)
                    .ToDictionary(k => k.Key, k => k.Sum(g => g.Count), StringComparer.Ordinal),
                AccountIds = [.. c.Select(g => g.AccountId).Distinct().Order()],
                FirstSeen = c.Min(g => g.FirstSeen),
                LastSeen = c.Max(g => g.LastSeen),
            }),
    ];
}
