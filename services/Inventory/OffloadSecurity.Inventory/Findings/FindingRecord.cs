using System.Text.Json.Serialization;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>Where a finding is in its life, as the inventory tracks it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingStatus>))]
public enum FindingStatus
{
    New,
    Active,
    Resolved,
    Reopened,
}

/// <summary>An analyst's decision about a finding. Kept across re-scans; independent of the scan life cycle.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkflowState>))]
public enum WorkflowState
{
    /// <summary>No decision (or a risk acceptance that has expired): the finding counts as open.</summary>
    None,
    Acknowledged,
    Suppressed,
    RiskAccepted,
}

/// <summary>The analyst state in force: who decided what, when, and until when.</summary>
public sealed record FindingWorkflow
{
    public required WorkflowState State { get; init; }
    public string? Note { get; init; }
    public required string By { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>When a risk acceptance lapses; afterwards the finding is active again.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>One status transition of a finding: life cycle (by a scan) or workflow (by an analyst).</summary>
public sealed record FindingHistoryEntry
{
    public required DateTimeOffset At { get; init; }
    /// <summary>Created, Resolved, Reopened, Acknowledged, Suppressed, RiskAccepted, WorkflowCleared, RiskAcceptanceExpired.</summary>
    public required string Transition { get; init; }
    public string? From { get; init; }
    public required string To { get; init; }
    /// <summary>The analyst (token subject) or <c>scan:{id}</c> / <c>system</c>.</summary>
    public required string Actor { get; init; }
    public string? Note { get; init; }
    /// <summary>
    /// On a <c>RiskAcceptanceExpired</c> entry: the risk acceptance that lapsed, as the analyst gave it (note, who, when,
    /// and its expiry).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FindingWorkflow? Acceptance { get; init; }

    public const string RiskAcceptanceExpired = nameof(RiskAcceptanceExpired);

    /// <summary>
    /// The entry of a risk acceptance that lapsed: at its expiry, by <c>system</c>, from what the finding counted as while
    /// accepted (RiskAccepted, or Resolved) to what it counts as now, with the acceptance and its note.
    /// </summary>
    public static FindingHistoryEntry ForExpiredAcceptance(FindingRecord after, FindingWorkflow acceptance) => new()
    {
        At = acceptance.ExpiresAt ?? acceptance.At,
        Transition = RiskAcceptanceExpired,
        From = after.Status == FindingStatus.Resolved ? nameof(FindingStatus.Resolved) : nameof(WorkflowState.RiskAccepted),
        To = after.EffectiveStatus,
        Actor = "system",
        Note = acceptance.Note,
        Acceptance = acceptance,
    };
}

/// <summary>A finding as the API shows it: the normalized finding plus its life cycle.</summary>
public sealed record FindingRecord
{
    public required string Fingerprint { get; init; }
    public required Guid AccountId { get; init; }
    public required FindingStatus Status { get; init; }
    public required FindingClass Class { get; init; }
    public required Severity Severity { get; init; }
    public required int SeverityId { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Remediation { get; init; }
    public string? RemediationUrl { get; init; }
    public required CloudProvider Provider { get; init; }
    public string? CloudAccountId { get; init; }
    public string? Region { get; init; }
    public required string Source { get; init; }
    public required string NativeId { get; init; }
    public string? ProductName { get; init; }
    public required ResourceRef Resource { get; init; }
    public IReadOnlyList<ComplianceRef> Compliance { get; init; } = [];
    public IReadOnlyList<VulnerabilityRef> Vulnerabilities { get; init; } = [];
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public required Guid LastScanId { get; init; }
    /// <summary>The analyst state in force; null when there is none or a risk acceptance has expired.</summary>
    public FindingWorkflow? Workflow { get; init; }
    /// <summary>Status transitions, oldest first; only on <c>GET /api/findings/{fingerprint}</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<FindingHistoryEntry>? History { get; init; }

    /// <summary>
    /// What the finding counts as in summaries and OCSF: Resolved when resolved; else the analyst state in force;
    /// else its life-cycle status.
    /// </summary>
    [JsonIgnore]
    public string EffectiveStatus => Status == FindingStatus.Resolved || Workflow is null
        ? Status.ToString()
        : Workflow.State.ToString();
}

/// <summary>Sort orders of <c>GET /api/findings</c>; every one ends with the fingerprint, so keyset paging is total.</summary>
public enum FindingSort
{
    SeverityDesc,
    SeverityAsc,
    LastSeenDesc,
    LastSeenAsc,
    FirstSeenDesc,
    FirstSeenAsc,
}

/// <summary>Filters of <c>GET /api/findings</c> and the export; every one optional.</summary>
public sealed record FindingQuery
{
    public Severity? Severity { get; init; }
    public FindingStatus? Status { get; init; }
    /// <summary>The analyst state in force; <see cref="WorkflowState.None"/> finds findings without one.</summary>
    public WorkflowState? Workflow { get; init; }
    public CloudProvider? Provider { get; init; }
    public Guid? AccountId { get; init; }
    public string? Source { get; init; }
    public string? Region { get; init; }
    public string? ResourceType { get; init; }
    /// <summary>Exact (case-sensitive) resource id as the scanner normalized it: an ARN, an Azure resource id, a GCP name.</summary>
    public string? ResourceId { get; init; }
    /// <summary>Exact compliance requirement, e.g. <c>CIS AWS Foundations 2.9</c>.</summary>
    public string? Compliance { get; init; }
    /// <summary>Exact vulnerability id, e.g. <c>CVE-2024-3094</c>.</summary>
    public string? Cve { get; init; }
    /// <summary>Case-insensitive substring of the title or the resource id.</summary>
    public string? Text { get; init; }
    public FindingSort Sort { get; init; } = FindingSort.SeverityDesc;
    public int Limit { get; init; } = 100;
    /// <summary>Opaque cursor from the previous page.</summary>
    public string? Cursor { get; init; }
}

public sealed record FindingPage(IReadOnlyList<FindingRecord> Items, string? NextCursor);

/// <summary>What an analyst asks for through <c>POST /api/findings/{fingerprint}/workflow</c>, validated.</summary>
public sealed record WorkflowChange(WorkflowState State, string? Note, string Actor, DateTimeOffset? ExpiresAt);

/// <summary>A change the store made, with the account it belongs to, ready to publish.</summary>
public sealed record FindingDelta(Guid AccountId, FindingChange Change);

/// <summary>A risk acceptance that this call of <see cref="IInventoryStore.ExpireRiskAcceptancesAsync"/> ended, ready to publish.</summary>
public sealed record ExpiredAcceptance(string TenantId, FindingDelta Delta);

/// <summary>
/// One batch of <see cref="IInventoryStore.ExpireRiskAcceptancesAsync"/>: the acceptances this call ended (only these are
/// its to publish), and how many lapsed acceptances it read; fewer than asked for means none were left.
/// </summary>
public sealed record AcceptanceExpiryBatch(IReadOnlyList<ExpiredAcceptance> Expired, int Examined);
