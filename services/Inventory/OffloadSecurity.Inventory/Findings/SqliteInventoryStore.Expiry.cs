using Dapper;
using Microsoft.Data.Sqlite;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Risk acceptances that lapse. Reads and summaries already treat a lapsed acceptance as gone; the sweep makes that
/// stored (and publishable): each lapsed acceptance is cleared by an <c>UPDATE</c> whose <c>WHERE</c> repeats the
/// acceptance that was read, inside a write transaction (SQLite's one writer, across processes too). A second instance
/// sweeping the same file waits for the first one's transaction and then matches nothing: only the writer whose update
/// changed the row returns the change, so it is published once.
/// </summary>
public sealed partial class SqliteInventoryStore
{
    /// <summary>The lapsed acceptances of every tenant, earliest expiry first (internal: tests read its query plan).</summary>
    internal const string LapsedAcceptancesSql =
        """
        SELECT tenant_id, fingerprint, workflow_note, workflow_by, workflow_at, workflow_expires_at FROM findings
         WHERE workflow_state = 'RiskAccepted' AND workflow_expires_at IS NOT NULL AND workflow_expires_at <= @now
         ORDER BY workflow_expires_at LIMIT @limit
        """;

    public async Task<AcceptanceExpiryBatch> ExpireRiskAcceptancesAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        List<LapsedRow> lapsed;
        await using (var reader = await database.OpenAsync(ct))
        {
            // Across tenants by design (a partial index holds only the acceptances): every write below names its tenant.
            lapsed = [.. await reader.QueryAsync<LapsedRow>(new CommandDefinition(LapsedAcceptancesSql, new { now = Time(now), limit }, cancellationToken: ct))];
        }

        if (lapsed.Count == 0)
        {
            return new AcceptanceExpiryBatch([], 0);
        }

        var ended = new List<(LapsedRow Lapsed, FindingRecord Record, string Raw)>(lapsed.Count);
        await _writeLock.WaitAsync(ct);
        try
        {
            var connection = await WriterAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var counts = new PostureCounts();
            foreach (var candidate in lapsed)
            {
                await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                    $"""
                    UPDATE findings SET workflow_state = NULL, workflow_note = NULL, workflow_by = NULL, workflow_at = NULL, workflow_expires_at = NULL
                     WHERE tenant_id = @TenantId AND fingerprint = @Fingerprint AND workflow_state = 'RiskAccepted'
                       AND workflow_expires_at = @WorkflowExpiresAt AND workflow_note IS @WorkflowNote
                       AND workflow_by IS @WorkflowBy AND workflow_at IS @WorkflowAt
                    RETURNING {RecordColumns}, raw_json, severity_id, provider
                    """, candidate, tx, cancellationToken: ct));
                if (!await reader.ReadAsync(ct))
                {
                    continue; // renewed, cleared or already ended by another writer: not ours to publish
                }

                var record = ReadRecord(reader, now);
                var state = ReadState(reader);
                ended.Add((candidate, record, reader.GetString(13)));
                var account = record.AccountId.ToString();
                counts.Add(candidate.TenantId, reader.GetString(15), account, state.SeverityId, state.Status, nameof(WorkflowState.RiskAccepted), -1);
                counts.Add(candidate.TenantId, reader.GetString(15), account, state.SeverityId, state.Status, null, 1);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO finding_history (tenant_id, account_id, fingerprint, at, transition, from_status, to_status, actor, note,
                                             workflow_by, workflow_at, workflow_expires_at)
                VALUES (@TenantId, @AccountId, @Fingerprint, @At, @Transition, @From, @To, @Actor, @Note, @WorkflowBy, @WorkflowAt, @WorkflowExpiresAt)
                """,
                ended.Select(e => (e.Lapsed, e.Record, Entry: ExpiryEntry(e.Record, e.Lapsed.AsState()))).Select(e => new
                {
                    e.Lapsed.TenantId,
                    AccountId = e.Record.AccountId.ToString(),
                    e.Lapsed.Fingerprint,
                    At = Time(e.Entry.At),
                    e.Entry.Transition,
                    e.Entry.From,
                    e.Entry.To,
                    e.Entry.Actor,
                    e.Entry.Note,
                    WorkflowBy = e.Entry.Acceptance!.By,
                    WorkflowAt = Time(e.Entry.Acceptance.At),
                    WorkflowExpiresAt = e.Lapsed.WorkflowExpiresAt,
                }), tx, cancellationToken: ct));
            await counts.SaveAsync(connection, tx, ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }

        return new AcceptanceExpiryBatch(
            [
                .. ended.Select(e => new ExpiredAcceptance(e.Lapsed.TenantId, new FindingDelta(e.Record.AccountId, new FindingChange
                {
                    Fingerprint = e.Lapsed.Fingerprint,
                    Kind = FindingChangeKind.Workflow,
                    OcsfJson = OcsfMapper.ToJson(e.Lapsed.TenantId, e.Record, e.Raw, FindingChangeKind.Workflow, now),
                }))),
            ],
            lapsed.Count);
    }

    /// <summary>The history entry of a lapsed acceptance (<paramref name="acceptance"/> holds its stored columns).</summary>
    private static FindingHistoryEntry ExpiryEntry(FindingRecord after, RowState acceptance)
    {
        var expires = At(acceptance.WorkflowExpiresAt!);
        return FindingHistoryEntry.ForExpiredAcceptance(after, new FindingWorkflow
        {
            State = WorkflowState.RiskAccepted,
            Note = acceptance.WorkflowNote,
            By = acceptance.WorkflowBy ?? "",
            At = acceptance.WorkflowAt is null ? expires : At(acceptance.WorkflowAt),
            ExpiresAt = expires,
        });
    }

    private sealed record LapsedRow
    {
        public string TenantId { get; init; } = "";
        public string Fingerprint { get; init; } = "";
        public string? WorkflowNote { get; init; }
        public string? WorkflowBy { get; init; }
        public string? WorkflowAt { get; init; }
        public string WorkflowExpiresAt { get; init; } = "";

        public RowState AsState() => new(
            Fingerprint, "", "", "", "", null, "", 0, nameof(WorkflowState.RiskAccepted), WorkflowNote, WorkflowBy, WorkflowAt, WorkflowExpiresAt);
    }
}
