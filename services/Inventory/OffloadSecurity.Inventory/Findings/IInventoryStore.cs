using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The inventory's domain operations. Every one is tenant-scoped; each backend implements them natively.
/// </summary>
public interface IInventoryStore : IStoreLifecycle
{

    /// <summary>
    /// Upserts a batch by fingerprint (idempotent: a redelivered batch changes nothing) and records that the
    /// batch arrived. Once every batch of a completed source scan is in, findings that scan did not see are resolved.
    /// </summary>
    Task IngestAsync(FindingsObserved batch, CancellationToken ct);

    /// <summary>Records that a source scan ended; resolves what it missed once all its batches are in.</summary>
    Task CompleteSourceScanAsync(SourceScanCompleted completed, CancellationToken ct);

    Task<FindingPage> QueryAsync(string tenantId, FindingQuery query, CancellationToken ct);
    Task<FindingRecord?> FindAsync(string tenantId, string fingerprint, CancellationToken ct);
}
