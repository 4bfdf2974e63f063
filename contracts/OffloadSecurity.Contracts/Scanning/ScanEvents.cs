using System.Text.Json.Serialization;

namespace OffloadSecurity.Contracts.Scanning;

[JsonConverter(typeof(JsonStringEnumConverter<ScanTrigger>))]
public enum ScanTrigger
{
    Initial,
    Scheduled,
    Manual,
}

/// <summary>A scan of one account was asked for (on connect, by the schedule, or by a user).</summary>
public sealed record ScanRequested
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required CloudProvider Provider { get; init; }
    public required ScanTrigger Trigger { get; init; }
    public IReadOnlyList<string> Regions { get; init; } = [];
    public required DateTimeOffset RequestedAt { get; init; }
}

public sealed record ScanStarted
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
}

/// <summary>Per-source outcome of a scan, as shown on the account card.</summary>
public sealed record SourceSummary
{
    public required string Source { get; init; }
    public required bool Complete { get; init; }
    public required int Findings { get; init; }
    /// <summary>Why the source is partial (access denied, not enabled, ...); null when complete.</summary>
    public string? Reason { get; init; }
}

public sealed record ScanCompleted
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public IReadOnlyList<SourceSummary> Sources { get; init; } = [];
    public required DateTimeOffset CompletedAt { get; init; }
}

public sealed record ScanFailed
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    /// <summary>What went wrong, in words a tenant admin can act on. Never contains a secret.</summary>
    public required string Reason { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
}

/// <summary>
/// One source of one scan has been fully read. The inventory resolves findings missing from a
/// <em>complete</em> scan of that source only; a partial one resolves nothing.
/// </summary>
public sealed record SourceScanCompleted
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required string Source { get; init; }
    public required bool Complete { get; init; }
    public required int FindingCount { get; init; }
    public required int BatchCount { get; init; }
    public required DateTimeOffset ScanStartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}
