using System.Text.Json.Serialization;

namespace OffloadSecurity.Contracts.Findings;

/// <summary>
/// A batch of findings one scan observed from one source (at most 500 items and 1 MiB).
/// </summary>
public sealed record FindingsObserved
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required string Source { get; init; }
    /// <summary>0-based position of this batch within the scan of <see cref="Source"/>.</summary>
    public required int BatchIndex { get; init; }
    public required DateTimeOffset ObservedAt { get; init; }
    public required IReadOnlyList<NormalizedFinding> Findings { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<FindingChangeKind>))]
public enum FindingChangeKind
{
    Created,
    Updated,
    Resolved,
    Reopened,
    Workflow,
}

/// <summary>One finding's change, with the OCSF JSON a SIEM can take as is.</summary>
public sealed record FindingChange
{
    public required string Fingerprint { get; init; }
    public required FindingChangeKind Kind { get; init; }
    public required string OcsfJson { get; init; }
}

/// <summary>Inventory → SIEM consumers: deltas only, on a fanout exchange.</summary>
public sealed record FindingsChanged
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
    public required IReadOnlyList<FindingChange> Changes { get; init; }
}
