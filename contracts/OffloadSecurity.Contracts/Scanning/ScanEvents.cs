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

    /// <summary>
    /// The source read only what changed since its previous read (e.g. Security Hub by UpdatedAt). Such a read is
    /// never <see cref="Complete"/> (it cannot show what vanished) without being partial: nothing went wrong.
    /// </summary>
    public bool Incremental { get; init; }
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

    /// <summary>Why the source is partial, in words a tenant admin can act on; null when complete or incremental.</summary>
    public string? Reason { get; init; }

    /// <summary>Only what changed since the previous read was asked for: not complete, yet not partial either.</summary>
    public bool Incremental { get; init; }
}

/// <summary>
/// A user asks to stop the account's running (or queued) scan. Whichever scanner holds it stops at its next page,
/// keeps what it published (nothing is resolved: the scan never completes) and publishes <see cref="ScanCancelled"/>.
/// </summary>
public sealed record CancelScan
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    /// <summary>Who asked (the user's subject), for the account's log.</summary>
    public required string RequestedBy { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}

public sealed record ScanCancelled
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required DateTimeOffset CancelledAt { get; init; }
}
