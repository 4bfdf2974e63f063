using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>
/// What the scanners keep between processes: scan runs with their owner and lease, each source's checkpoint, and
/// the incremental cursors. SQLite for one machine (<c>scanner.db</c>), MongoDB when scanners run side by side.
/// Every method that touches one account takes its tenant; run ids are random and only ever come from the store.
/// </summary>
public interface IScanStateStore : IStoreLifecycle
{
    /// <summary>Records a new run; false when a run with that id exists already (a redelivered request).</summary>
    Task<bool> TryAddRunAsync(ScanRun run, CancellationToken ct);

    Task<ScanRun?> FindRunAsync(Guid scanId, CancellationToken ct);

    /// <summary>
    /// Marks the run running under <paramref name="owner"/>; false when it is not this owner's any more, was
    /// cancelled, or has ended.
    /// </summary>
    Task<bool> StartRunAsync(Guid scanId, string owner, DateTimeOffset leaseUntil, CancellationToken ct);

    /// <summary>Ends the run (completed, failed or cancelled); its checkpoints are no longer needed.</summary>
    Task FinishRunAsync(Guid scanId, ScanRunState state, CancellationToken ct);

    /// <summary>Extends the lease of every active run of <paramref name="owner"/>; returns those a user asked to cancel.</summary>
    Task<IReadOnlyList<Guid>> HeartbeatAsync(string owner, DateTimeOffset leaseUntil, CancellationToken ct);

    /// <summary>
    /// Takes over up to <paramref name="max"/> active runs whose lease ran out before <paramref name="now"/> (their
    /// scanner died), for <paramref name="owner"/>. Two scanners never claim the same run.
    /// </summary>
    Task<IReadOnlyList<ScanRun>> ClaimAbandonedAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct);

    /// <summary>Asks every active run of the account to stop; returns the runs asked.</summary>
    Task<IReadOnlyList<ScanRun>> RequestCancelAsync(string tenantId, Guid accountId, CancellationToken ct);

    Task<SourceCheckpoint?> GetCheckpointAsync(Guid scanId, string source, CancellationToken ct);

    Task SaveCheckpointAsync(SourceCheckpoint checkpoint, CancellationToken ct);

    Task<SourceCursor?> GetCursorAsync(string tenantId, Guid accountId, string source, CancellationToken ct);

    Task SaveCursorAsync(SourceCursor cursor, CancellationToken ct);

    /// <summary>Forgets the account's runs, checkpoints and cursors (the account was deleted).</summary>
    Task DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct);

    /// <summary>Deletes ended runs (and their checkpoints) created before <paramref name="before"/>.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct);
}
