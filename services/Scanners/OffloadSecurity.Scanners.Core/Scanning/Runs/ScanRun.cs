using System.Text.Json.Serialization;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

[JsonConverter(typeof(JsonStringEnumConverter<ScanRunState>))]
public enum ScanRunState
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>
/// A scan as the scanners remember it, so it survives the process: who runs it (owner and lease), and whether a user
/// asked to cancel it. A run whose lease ran out while it was queued or running belonged to a scanner that died; the
/// next scanner to notice claims it and resumes it from its checkpoints.
/// </summary>
public sealed record ScanRun
{
    public required Guid ScanId { get; init; }
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required CloudProvider Provider { get; init; }
    public required ScanTrigger Trigger { get; init; }
    public IReadOnlyList<string> Regions { get; init; } = [];
    public required ScanRunState State { get; init; }
    public required string Owner { get; init; }
    public required DateTimeOffset LeaseUntil { get; init; }
    public bool CancelRequested { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    public bool IsActive => State is ScanRunState.Queued or ScanRunState.Running;

    public ScanJob ToJob(bool resumed) => new()
    {
        TenantId = TenantId,
        AccountId = AccountId,
        ScanId = ScanId,
        Provider = Provider,
        Trigger = Trigger,
        Regions = Regions,
        Resumed = resumed,
    };
}

/// <summary>
/// How far one source of a scan got, saved after its findings up to that point were published: the batches and
/// findings published so far, and per region the next page to read (or done, with why it was partial).
/// </summary>
public sealed record SourceCheckpoint
{
    public required Guid ScanId { get; init; }
    public required string Source { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public int Batches { get; init; }
    public int Findings { get; init; }
    public int Unreadable { get; init; }

    /// <summary>Incremental read since this instant (null: a full read). Fixed for the scan, so a resume reads the same set.</summary>
    public DateTimeOffset? Since { get; init; }

    public IReadOnlyDictionary<string, RegionCheckpoint> Regions { get; init; } = new Dictionary<string, RegionCheckpoint>();

    /// <summary>The source finished (its SourceScanCompleted is published): a resumed scan reports this and reads nothing.</summary>
    public SourceSummary? Completed { get; init; }
}

public sealed record RegionCheckpoint
{
    /// <summary>The page to read next (null with <see cref="Done"/> false: from the start).</summary>
    public string? NextToken { get; init; }

    public bool Done { get; init; }

    /// <summary>Why the region was partial, when it was.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}

/// <summary>
/// Where an incremental source stands for an account: per region, when the last complete read started (the next
/// incremental read asks for what changed since then), and when the last full pass over every region completed.
/// </summary>
public sealed record SourceCursor
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required string Source { get; init; }
    public DateTimeOffset? LastFullPassAt { get; init; }
    public IReadOnlyDictionary<string, DateTimeOffset> RegionsReadSince { get; init; } = new Dictionary<string, DateTimeOffset>();
}
