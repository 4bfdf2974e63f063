using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The inventory's domain operations. Every one is tenant-scoped; each backend implements them natively.
/// The writing operations return the changes they made (after the commit), so callers publish deltas only.
/// </summary>
public interface IInventoryStore : IStoreLifecycle
{
    /// <summary>
    /// Upserts a batch by fingerprint (idempotent: a redelivered batch changes nothing and returns no change) and
    /// records that the batch arrived. Once every batch of a completed source scan is in, findings that scan did
    /// not see are resolved. Returns what was created, updated (a meaningful field changed), resolved or reopened.
    /// </summary>
    Task<IReadOnlyList<FindingDelta>> IngestAsync(FindingsObserved batch, CancellationToken ct);

    /// <summary>Records that a source scan ended; resolves what it missed once all its batches are in.</summary>
    Task<IReadOnlyList<FindingDelta>> CompleteSourceScanAsync(SourceScanCompleted completed, CancellationToken ct);

    Task<FindingPage> QueryAsync(string tenantId, FindingQuery query, CancellationToken ct);

    /// <summary>One finding with its history of status transitions.</summary>
    Task<FindingRecord?> FindAsync(string tenantId, string fingerprint, CancellationToken ct);

    /// <summary>Every finding matching the filters (limit and cursor ignored), read row by row: constant memory.</summary>
    IAsyncEnumerable<ExportedFinding> ExportAsync(string tenantId, FindingQuery query, CancellationToken ct);

    /// <summary>Sets (or clears, with <see cref="WorkflowState.None"/>) the analyst state; null when there is no such finding.</summary>
    Task<FindingDelta?> SetWorkflowAsync(string tenantId, string fingerprint, WorkflowChange change, CancellationToken ct);

    /// <summary>
    /// Ends risk acceptances that have lapsed (expiry at or before <paramref name="now"/>), in every tenant: reads at most
    /// <paramref name="limit"/> of them, earliest expiry first, and moves each back to its life-cycle status with a
    /// conditional write that applies only if the finding still holds the acceptance that was read, recording a
    /// <c>RiskAcceptanceExpired</c> history entry with that acceptance. Of concurrent callers (two inventory instances),
    /// exactly one ends each acceptance: it alone gets the change back, to publish; an acceptance renewed or cleared
    /// meanwhile is left alone. The one operation that is not tenant-scoped: it finds work, every write is per finding.
    /// </summary>
    Task<AcceptanceExpiryBatch> ExpireRiskAcceptancesAsync(DateTimeOffset now, int limit, CancellationToken ct);

    Task<PostureSummary> SummarizeAsync(string tenantId, CancellationToken ct);

    Task<PostureTrend> TrendAsync(string tenantId, int days, CancellationToken ct);

    /// <summary>Removes everything the inventory holds about one account of one tenant; returns the findings removed.</summary>
    Task<int> DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct);
}

/// <summary>A finding with the provider's raw JSON, as the export writes it.</summary>
public sealed record ExportedFinding(FindingRecord Finding, string RawJson);
