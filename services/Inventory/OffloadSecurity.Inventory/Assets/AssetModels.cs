using System.Text.Json.Serialization;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// A cloud resource as the inventory keeps it: one per (tenant, resource id), whatever account or scan saw it last.
/// <see cref="Id"/> is the opaque, URL-safe key of <c>GET /api/assets/{id}</c>; <see cref="ResourceId"/> is the
/// provider's id (an ARN, an Azure resource id, a GCP full resource name), which findings name in their resource.
/// </summary>
public sealed record AssetRecord
{
    public required string Id { get; init; }
    public required Guid AccountId { get; init; }
    public required CloudProvider Provider { get; init; }
    public required string Type { get; init; }
    public required string ResourceId { get; init; }
    public string? Name { get; init; }
    public string? Region { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>The scanner source that reported it last (<c>aws.ec2</c>, ...).</summary>
    public required string Source { get; init; }
    /// <summary>The scanner's fingerprint of the record, as last received.</summary>
    public required string Fingerprint { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    /// <summary>The newest observation; an older batch delivered late never moves it back.</summary>
    public required DateTimeOffset LastSeen { get; init; }
    public required Guid LastScanId { get; init; }
    /// <summary>The provider's JSON for the resource, as received; only on <c>GET /api/assets/{id}</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RawJson { get; init; }
}

/// <summary>A container image: one per (tenant, registry, repository, digest).</summary>
public sealed record ImageRecord
{
    public required string Id { get; init; }
    public required Guid AccountId { get; init; }
    public required string Registry { get; init; }
    public required string Repository { get; init; }
    public required string Digest { get; init; }
    /// <summary><c>registry/repository@digest</c>.</summary>
    public required string Reference { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateTimeOffset? PushedAt { get; init; }
    public required string Source { get; init; }
    public required string Fingerprint { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public required Guid LastScanId { get; init; }
}

/// <summary>A Kubernetes workload: one per (tenant, cluster, namespace, kind, name).</summary>
public sealed record WorkloadRecord
{
    public required string Id { get; init; }
    public required Guid AccountId { get; init; }
    public required string Cluster { get; init; }
    /// <summary>Empty for a cluster-scoped object.</summary>
    public required string Namespace { get; init; }
    public required string Kind { get; init; }
    public required string Name { get; init; }
    /// <summary>
    /// <c>cluster/namespace/kind/name</c> (<c>cluster/kind/name</c> when cluster-scoped): the resource id a finding about
    /// this workload carries (see <see cref="AssetKeys.WorkloadResourceId"/>).
    /// </summary>
    public required string ResourceId { get; init; }
    /// <summary>The image references its pod template runs, as the cluster reports them.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];
    public required string Source { get; init; }
    public required string Fingerprint { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public required Guid LastScanId { get; init; }
}

/// <summary>A cluster as its workloads describe it.</summary>
public sealed record ClusterSummary
{
    public required string Name { get; init; }
    public required long Workloads { get; init; }
    /// <summary>Distinct namespaces with a workload (cluster-scoped objects are not in one).</summary>
    public required long Namespaces { get; init; }
    /// <summary>Workloads per kind (Deployment, DaemonSet, ...).</summary>
    public required IReadOnlyDictionary<string, long> Kinds { get; init; }
    /// <summary>The connected accounts whose scans reported its workloads.</summary>
    public required IReadOnlyList<Guid> AccountIds { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
}

/// <summary>One page of a list, and the cursor of the next (null on the last page).</summary>
public sealed record ItemPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Filters of <c>GET /api/assets</c>; every one optional, all exact but <see cref="Text"/>.</summary>
public sealed record AssetQuery
{
    public CloudProvider? Provider { get; init; }
    public Guid? AccountId { get; init; }
    public string? Type { get; init; }
    public string? Region { get; init; }
    public string? ResourceId { get; init; }
    /// <summary>Case-insensitive substring of the name or the resource id.</summary>
    public string? Text { get; init; }
    public int Limit { get; init; } = 100;
    public string? Cursor { get; init; }
}

/// <summary>Filters of <c>GET /api/images</c>.</summary>
public sealed record ImageQuery
{
    public Guid? AccountId { get; init; }
    public string? Registry { get; init; }
    public string? Repository { get; init; }
    /// <summary>One of the image's tags, exactly.</summary>
    public string? Tag { get; init; }
    public string? Digest { get; init; }
    /// <summary>Case-insensitive substring of <c>registry/repository@digest</c>.</summary>
    public string? Text { get; init; }
    public int Limit { get; init; } = 100;
    public string? Cursor { get; init; }
}

/// <summary>Filters of <c>GET /api/workloads</c>.</summary>
public sealed record WorkloadQuery
{
    public Guid? AccountId { get; init; }
    public string? Cluster { get; init; }
    public string? Namespace { get; init; }
    public string? Kind { get; init; }
    /// <summary>Case-insensitive substring of <c>cluster/namespace/kind/name</c>.</summary>
    public string? Text { get; init; }
    public int Limit { get; init; } = 100;
    public string? Cursor { get; init; }
}

/// <summary>What <see cref="IAssetStore.DeleteAccountAsync"/> removed.</summary>
public sealed record AssetsRemoved(int Assets, int Images, int Workloads);

/// <summary>A finding that touches an asset, image or workload, as a detail page lists it.</summary>
public sealed record RelatedFinding
{
    public required string Fingerprint { get; init; }
    public required string Title { get; init; }
    public required FindingClass Class { get; init; }
    public required Severity Severity { get; init; }
    /// <summary>The effective status: the analyst state in force, else the life-cycle status.</summary>
    public required string Status { get; init; }
    public required string Source { get; init; }
    public required string ResourceId { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
}

/// <summary>A vulnerability in an image, as the open vulnerability findings on the image report it.</summary>
public sealed record ImageVulnerability
{
    public required string Id { get; init; }
    public required Severity Severity { get; init; }
    public double? CvssScore { get; init; }
    public string? Package { get; init; }
    public string? InstalledVersion { get; init; }
    public string? FixedVersion { get; init; }
    /// <summary>The finding that reports it.</summary>
    public required string Fingerprint { get; init; }
}

/// <summary><c>GET /api/assets/{id}</c>: the asset, its raw JSON, and the open findings on it.</summary>
/// <param name="Findings">The open findings on its resource id, most severe first, at most 200.</param>
/// <param name="FindingsTruncated">More are open: <c>GET /api/findings?resourceId=...</c> pages through all of them.</param>
public sealed record AssetDetail(AssetRecord Asset, IReadOnlyList<RelatedFinding> Findings, bool FindingsTruncated);

/// <summary><c>GET /api/images/{id}</c>: the image, its CVEs, and the open findings on it.</summary>
public sealed record ImageDetail(ImageRecord Image, IReadOnlyList<ImageVulnerability> Vulnerabilities, IReadOnlyList<RelatedFinding> Findings, bool FindingsTruncated);

/// <summary><c>GET /api/workloads/{id}</c>: the workload, the stored images it runs (by digest), and the open findings on it.</summary>
public sealed record WorkloadDetail(WorkloadRecord Workload, IReadOnlyList<ImageRecord> Images, IReadOnlyList<RelatedFinding> Findings, bool FindingsTruncated);

/// <summary><c>GET /api/clusters</c>.</summary>
public sealed record ClusterList(IReadOnlyList<ClusterSummary> Items);
