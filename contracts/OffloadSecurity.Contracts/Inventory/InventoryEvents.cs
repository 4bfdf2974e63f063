namespace OffloadSecurity.Contracts.Inventory;

/// <summary>A cloud resource seen by a scan.</summary>
public sealed record ObservedAsset
{
    public required string Fingerprint { get; init; }
    public required CloudProvider Provider { get; init; }
    public required string Type { get; init; }
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? Region { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public string? RawJson { get; init; }
}

/// <summary>A container image in a registry, with its digest.</summary>
public sealed record ObservedImage
{
    public required string Fingerprint { get; init; }
    public required string Registry { get; init; }
    public required string Repository { get; init; }
    public required string Digest { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateTimeOffset? PushedAt { get; init; }
}

/// <summary>A Kubernetes workload (Deployment, DaemonSet, ...).</summary>
public sealed record ObservedWorkload
{
    public required string Fingerprint { get; init; }
    public required string Cluster { get; init; }
    public required string Namespace { get; init; }
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];
}

public sealed record AssetsObserved
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required string Source { get; init; }
    public required DateTimeOffset ObservedAt { get; init; }
    public required IReadOnlyList<ObservedAsset> Assets { get; init; }
}

public sealed record ImagesObserved
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required string Source { get; init; }
    public required DateTimeOffset ObservedAt { get; init; }
    public required IReadOnlyList<ObservedImage> Images { get; init; }
}

public sealed record WorkloadsObserved
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required string Source { get; init; }
    public required DateTimeOffset ObservedAt { get; init; }
    public required IReadOnlyList<ObservedWorkload> Workloads { get; init; }
}
