using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using SQLitePCL;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The ingest path. Batches that arrive while another transaction is writing queue up and are written together in the
/// next transaction (group commit): SQLite has one writer, and its cost per row falls steeply with the rows per
/// transaction (each transaction rewrites every index page it touched). Each batch is still decided exactly as if it
/// were alone: in arrival order, against the rows the batches before it wrote. A batch that fails takes no other batch
/// down with it: the group is then written again one batch per transaction.
/// </summary>
public sealed partial class SqliteInventoryStore
{
    /// <summary>At most this many batches (of at most 500 findings) share one transaction.</summary>
    private const int MaxBatchesPerTransaction = 16;

    private readonly ConcurrentQueue<IngestWork> _ingestQueue = new();

    public async Task<IReadOnlyList<FindingDelta>> IngestAsync(FindingsObserved batch, CancellationToken ct)
    {
        // Everything that needs no lock (the stored body, its hash) happens before queueing.
        var work = new IngestWork(batch, Prepare(batch));
        _ingestQueue.Enqueue(work);
        var locked = false;
        try
        {
            await _writeLock.WaitAsync(ct);
            locked = true;
        }
        catch (OperationCanceledException) when (work.TryAbandon())
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another writer has already taken this batch into its transaction: its outcome follows.
        }

        if (locked)
        {
            try
            {
                while (work.IsQueued)
                {
                    await WriteQueuedAsync();
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }

        var changes = await work.Outcome;
        var now = _time.GetUtcNow();
        return [.. changes.Select(c => c.ToDelta(batch.TenantId, now))];
    }

    /// <summary>
    /// Takes the queued batches (oldest first) and writes them in one transaction. Runs under the write lock, and
    /// without the caller's cancellation: the batches of other callers ride along.
    /// </summary>
    private async Task WriteQueuedAsync()
    {
        var group = new List<IngestWork>(MaxBatchesPerTransaction);
        while (group.Count < MaxBatchesPerTransaction && _ingestQueue.TryDequeue(out var next))
        {
            if (next.TryClaim())
            {
                group.Add(next);
            }
        }

        if (group.Count == 0)
        {
            return;
        }

        List<List<PendingChange>> outcomes;
        try
        {
            outcomes = await WriteGroupAsync(group);
        }
        catch (Exception) when (group.Count > 1)
        {
            // One bad batch must not fail the others: each again, in a transaction of its own.
            foreach (var work in group)
            {
                try
                {
                    work.Complete((await WriteGroupAsync([work]))[0]);
                }
                catch (Exception e)
                {
                    work.Fail(e);
                }
            }

            return;
        }
        catch (Exception e)
        {
            group[0].Fail(e);
            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            group[i].Complete(outcomes[i]);
        }
    }

    private async Task<List<List<PendingChange>>> WriteGroupAsync(IReadOnlyList<IngestWork> group)
    {
        var ct = CancellationToken.None;
        var connection = await WriterAsync(ct);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        using var writer = new IngestWriter(connection, tx);
        var daily = new DailyCounts();
        var counts = new PostureCounts();
        var outcomes = new List<List<PendingChange>>(group.Count);
        foreach (var work in group)
        {
            outcomes.Add(await IngestBatchAsync(connection, tx, writer, work, daily, counts, ct));
        }

        await daily.SaveAsync(connection, tx, ct);
        await counts.SaveAsync(connection, tx, ct);
        await tx.CommitAsync(ct);
        return outcomes;
    }

    /// <summary>
    /// One batch: reads the stored state of all its fingerprints in one query, decides every delta in memory, and
    /// writes only what changed (a redelivered batch writes nothing but its arrival).
    /// </summary>
    private static async Task<List<PendingChange>> IngestBatchAsync(
        SqliteConnection connection, SqliteTransaction tx, IngestWriter writer, IngestWork work, DailyCounts daily, PostureCounts counts, CancellationToken ct)
    {
        var batch = work.Batch;
        var tenantId = batch.TenantId;
        var seenAt = Time(batch.ObservedAt);
        var scanId = batch.ScanId.ToString();
        var accountId = batch.AccountId.ToString();
        var day = Day(batch.ObservedAt);
        var existing = await LoadStatesAsync(connection, tx, tenantId, work.Findings.Keys, ct);
        var pending = new List<PendingChange>();
        foreach (var p in work.Findings.Values)
        {
            var f = p.Finding;
            var closed = f.State == ObservedState.Closed;
            if (!existing.TryGetValue(f.Fingerprint, out var old))
            {
                var status = closed ? Resolved : nameof(FindingStatus.New);
                var resolvedAt = closed ? seenAt : null;
                writer.Upsert(tenantId, accountId, scanId, seenAt, p, status, seenAt, resolvedAt);
                writer.InsertRefs(tenantId, p);
                if (!closed)
                {
                    daily.Open(tenantId, accountId, day, f.SeverityId);
                }

                counts.Add(tenantId, f.Provider.ToString(), accountId, f.SeverityId, status, null, 1);
                pending.Add(new PendingChange(FindingChangeKind.Created, batch.AccountId, f, null,
                    new RowState(f.Fingerprint, status, p.Hash, seenAt, seenAt, resolvedAt, scanId, f.SeverityId, null, null, null, null, null)));
                continue;
            }

            if (string.CompareOrdinal(seenAt, old.LastSeen) < 0
                || (old.Status == Resolved && old.ResolvedAt is { } resolvedSince && string.CompareOrdinal(seenAt, resolvedSince) < 0))
            {
                // An older observation (out of order or redelivered late) never moves a finding back: not to older
                // content, and not to open when a later scan (or the provider) resolved it after that observation.
                continue;
            }

            FindingChangeKind? kind = null;
            string newStatus;
            var newResolvedAt = old.ResolvedAt;
            if (closed)
            {
                newStatus = Resolved;
                newResolvedAt ??= seenAt;
                kind = old.Status == Resolved ? null : FindingChangeKind.Resolved;
            }
            else if (old.Status == Resolved)
            {
                newStatus = nameof(FindingStatus.Reopened);
                newResolvedAt = null;
                kind = FindingChangeKind.Reopened;
            }
            else
            {
                newStatus = old.Status == nameof(FindingStatus.New) && old.LastScanId != scanId ? nameof(FindingStatus.Active) : old.Status;
            }

            var contentChanged = old.Hash != p.Hash;
            kind ??= contentChanged ? FindingChangeKind.Updated : null;
            if (!contentChanged && newStatus == old.Status && old.LastSeen == seenAt && old.LastScanId == scanId)
            {
                continue; // identical input: nothing to write, nothing to publish
            }

            if (contentChanged)
            {
                await writer.DeleteRefsAsync(tenantId, f.Fingerprint, ct); // reads the stored body: before the upsert
            }

            writer.Upsert(tenantId, accountId, scanId, seenAt, p, newStatus, old.FirstSeen, newResolvedAt);
            if (contentChanged)
            {
                writer.InsertRefs(tenantId, p);
            }

            var wasOpen = old.Status != Resolved;
            var isOpen = newStatus != Resolved;
            if (wasOpen && !isOpen)
            {
                daily.Resolve(tenantId, accountId, day, old.SeverityId);
            }
            else if (!wasOpen && isOpen)
            {
                daily.Open(tenantId, accountId, day, f.SeverityId);
            }
            else if (isOpen && old.SeverityId != f.SeverityId)
            {
                daily.Move(tenantId, accountId, day, old.SeverityId, f.SeverityId);
            }

            if (newStatus != old.Status || f.SeverityId != old.SeverityId)
            {
                counts.Add(tenantId, old.Provider!, old.AccountId!, old.SeverityId, old.Status, old.WorkflowState, -1);
                counts.Add(tenantId, old.Provider!, old.AccountId!, f.SeverityId, newStatus, old.WorkflowState, 1);
            }

            if (kind is FindingChangeKind.Resolved or FindingChangeKind.Reopened)
            {
                await writer.HistoryAsync(tenantId, accountId, f.Fingerprint, seenAt, kind.Value.ToString(), old.Status, newStatus, "scan:" + scanId, ct);
            }

            if (kind is not null)
            {
                pending.Add(new PendingChange(kind.Value, batch.AccountId, f, null,
                    old with { Status = newStatus, LastSeen = seenAt, LastScanId = scanId, ResolvedAt = newResolvedAt, SeverityId = f.SeverityId }));
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO scan_batches (tenant_id, scan_id, source, batch_index) VALUES (@TenantId, @ScanId, @Source, @BatchIndex)",
            new { batch.TenantId, ScanId = scanId, batch.Source, batch.BatchIndex }, tx, cancellationToken: ct));
        pending.AddRange(await ResolveIfScanFinishedAsync(connection, tx, tenantId, batch.ScanId, batch.Source, daily, counts, ct));
        return pending;
    }

    public async Task<IReadOnlyList<FindingDelta>> CompleteSourceScanAsync(SourceScanCompleted completed, CancellationToken ct)
    {
        List<PendingChange> resolved;
        await _writeLock.WaitAsync(ct);
        try
        {
            var connection = await WriterAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT OR IGNORE INTO source_scans (tenant_id, scan_id, source, account_id, complete, batch_count, started_at, finished_at)
                VALUES (@TenantId, @ScanId, @Source, @AccountId, @Complete, @BatchCount, @StartedAt, @FinishedAt)
                """,
                new
                {
                    completed.TenantId,
                    ScanId = completed.ScanId.ToString(),
                    completed.Source,
                    AccountId = completed.AccountId.ToString(),
                    completed.Complete,
                    completed.BatchCount,
                    StartedAt = Time(completed.ScanStartedAt),
                    FinishedAt = Time(completed.CompletedAt),
                }, tx, cancellationToken: ct));
            var daily = new DailyCounts();
            var counts = new PostureCounts();
            resolved = await ResolveIfScanFinishedAsync(connection, tx, completed.TenantId, completed.ScanId, completed.Source, daily, counts, ct);
            await daily.SaveAsync(connection, tx, ct);
            await counts.SaveAsync(connection, tx, ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }

        var now = _time.GetUtcNow();
        return [.. resolved.Select(c => c.ToDelta(completed.TenantId, now))];
    }

    /// <summary>
    /// Batches and the completion may arrive in any order; whichever arrives last resolves the findings a
    /// complete scan did not see. A partial scan resolves nothing.
    /// </summary>
    private static async Task<List<PendingChange>> ResolveIfScanFinishedAsync(
        SqliteConnection connection, SqliteTransaction tx, string tenantId, Guid scanId, string source, DailyCounts daily, PostureCounts counts,
        CancellationToken ct)
    {
        var args = new { tenantId, scanId = scanId.ToString(), source };
        var scan = await connection.QuerySingleOrDefaultAsync<SourceScanRow>(new CommandDefinition(
            """
            SELECT account_id, complete, batch_count, started_at, finished_at,
                   (SELECT COUNT(*) FROM scan_batches b WHERE b.tenant_id = s.tenant_id AND b.scan_id = s.scan_id AND b.source = s.source) AS received
              FROM source_scans s
             WHERE tenant_id = @tenantId AND scan_id = @scanId AND source = @source AND resolved = 0
            """, args, tx, cancellationToken: ct));
        if (scan is null || scan.Received < scan.BatchCount)
        {
            return [];
        }

        var changes = new List<PendingChange>();
        if (scan.Complete)
        {
            const string Missing =
                """
                 WHERE tenant_id = @tenantId AND account_id = @AccountId AND source = @source
                   AND last_scan_id <> @scanId AND status <> 'Resolved' AND last_seen < @StartedAt
                """;
            var missingArgs = new { tenantId, source, scanId = scanId.ToString(), scan.AccountId, scan.FinishedAt, scan.StartedAt };
            await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                $"SELECT {RecordColumns}, raw_json, severity_id, provider FROM findings {Missing}", missingArgs, tx, cancellationToken: ct)))
            {
                var accountId = Guid.Parse(scan.AccountId);
                var day = Day(DateTimeOffset.Parse(scan.FinishedAt, CultureInfo.InvariantCulture));
                while (await reader.ReadAsync(ct))
                {
                    var state = ReadState(reader);
                    var provider = reader.GetString(15);
                    var finding = JsonSerializer.Deserialize<NormalizedFinding>(reader.GetString(12), Json)!;
                    daily.Resolve(tenantId, scan.AccountId, day, state.SeverityId);
                    counts.Add(tenantId, provider, scan.AccountId, state.SeverityId, state.Status, state.WorkflowState, -1);
                    counts.Add(tenantId, provider, scan.AccountId, state.SeverityId, Resolved, state.WorkflowState, 1);
                    changes.Add(new PendingChange(FindingChangeKind.Resolved, accountId, finding, reader.GetString(13),
                        state with { Status = Resolved, ResolvedAt = scan.FinishedAt }, state.Status));
                }
            }

            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE findings SET status = 'Resolved', resolved_at = @FinishedAt {Missing}", missingArgs, tx, cancellationToken: ct));
            await using var history = connection.CreateCommand();
            history.Transaction = tx;
            history.CommandText =
                """
                INSERT INTO finding_history (tenant_id, account_id, fingerprint, at, transition, from_status, to_status, actor)
                VALUES ($tenant, $account, $fingerprint, $at, 'Resolved', $from, 'Resolved', $actor)
                """;
            var fingerprint = history.Parameters.Add("$fingerprint", SqliteType.Text);
            var from = history.Parameters.Add("$from", SqliteType.Text);
            history.Parameters.AddWithValue("$tenant", tenantId);
            history.Parameters.AddWithValue("$account", scan.AccountId);
            history.Parameters.AddWithValue("$at", scan.FinishedAt);
            history.Parameters.AddWithValue("$actor", "scan:" + scanId);
            foreach (var change in changes)
            {
                fingerprint.Value = change.Finding.Fingerprint;
                from.Value = change.Previous;
                await history.ExecuteNonQueryAsync(ct);
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE source_scans SET resolved = 1 WHERE tenant_id = @tenantId AND scan_id = @scanId AND source = @source",
            args, tx, cancellationToken: ct));
        return changes;
    }

    /// <summary>The stored state of a batch's fingerprints, in one query.</summary>
    private static async Task<Dictionary<string, RowState>> LoadStatesAsync(
        SqliteConnection connection, SqliteTransaction tx, string tenantId, IEnumerable<string> fingerprints, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            """
            SELECT fingerprint, status, content_hash, first_seen, last_seen, resolved_at, last_scan_id, severity_id,
                   workflow_state, workflow_note, workflow_by, workflow_at, workflow_expires_at, provider, account_id
              FROM findings WHERE tenant_id = $tenant AND fingerprint IN (SELECT value FROM json_each($fingerprints))
            """;
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$fingerprints", JsonSerializer.Serialize(fingerprints));
        var states = new Dictionary<string, RowState>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var state = new RowState(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Nullable(reader, 5), reader.GetString(6), reader.GetInt32(7),
                Nullable(reader, 8), Nullable(reader, 9), Nullable(reader, 10), Nullable(reader, 11), Nullable(reader, 12),
                reader.GetString(13), reader.GetString(14));
            states[state.Fingerprint] = state;
        }

        return states;
    }

    /// <summary>The batch by fingerprint (the last of duplicates wins), each with its stored body and content hash.</summary>
    private static Dictionary<string, Prepared> Prepare(FindingsObserved batch)
    {
        var incoming = new Dictionary<string, Prepared>(batch.Findings.Count, StringComparer.Ordinal);
        foreach (var finding in batch.Findings)
        {
            // The body holds what the API shows; the provider's UpdatedAt is left out so a re-scan that only bumps it
            // is not a change. The hash of the body decides "updated".
            var body = JsonSerializer.SerializeToUtf8Bytes(finding with { RawJson = "", UpdatedAt = null }, Json);
            var hash = Convert.ToHexString(SHA256.HashData(body).AsSpan(0, 16));
            incoming[finding.Fingerprint] = new Prepared(finding, body, hash);
        }

        return incoming;
    }

    /// <summary>A queued batch: claimed by exactly one writer, or abandoned by its caller before any writer took it.</summary>
    private sealed class IngestWork(FindingsObserved batch, Dictionary<string, Prepared> findings)
    {
        private const int Queued = 0;
        private const int Claimed = 1;
        private const int Abandoned = 2;
        private readonly TaskCompletionSource<List<PendingChange>> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public FindingsObserved Batch { get; } = batch;

        public Dictionary<string, Prepared> Findings { get; } = findings;

        public Task<List<PendingChange>> Outcome => _outcome.Task;

        public bool IsQueued => Volatile.Read(ref _state) == Queued;

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;

        public void Complete(List<PendingChange> changes) => _outcome.TrySetResult(changes);

        public void Fail(Exception error) => _outcome.TrySetException(error);
    }

    /// <summary>
    /// Prepared statements of the ingest, reused for every row of a transaction. The two that run for every finding are
    /// bound by position on the connection's own handle: Microsoft.Data.Sqlite would look every parameter up by name
    /// on every execution, which costs about half as much as the insert itself.
    /// </summary>
    private sealed class IngestWriter : IDisposable
    {
        private readonly RawStatement _upsert;
        private readonly RawStatement _insertRef;
        private readonly SqliteCommand _deleteRefs;
        private readonly SqliteCommand _history;

        public IngestWriter(SqliteConnection connection, SqliteTransaction tx)
        {
            _upsert = new RawStatement(connection,
                """
                INSERT INTO findings (tenant_id, fingerprint, account_id, source, provider, severity_id, status, observed_state,
                                      region, resource_type, first_seen, last_seen, resolved_at, last_scan_id, body, raw_json,
                                      title, resource_id, content_hash)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
                ON CONFLICT (tenant_id, fingerprint) DO UPDATE SET
                    severity_id = excluded.severity_id, status = excluded.status, observed_state = excluded.observed_state,
                    region = excluded.region, resource_type = excluded.resource_type, first_seen = excluded.first_seen,
                    last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, last_scan_id = excluded.last_scan_id,
                    body = excluded.body, raw_json = excluded.raw_json, title = excluded.title, resource_id = excluded.resource_id,
                    content_hash = excluded.content_hash
                """);
            _insertRef = new RawStatement(connection,
                "INSERT OR IGNORE INTO finding_refs (tenant_id, kind, ref, fingerprint) VALUES (?1, ?2, ?3, ?4)");
            // finding_refs is keyed by (tenant, kind, ref, fingerprint) only: a finding's old references are found
            // through its stored body, so the ingest maintains one B-tree for them instead of two.
            _deleteRefs = Command(connection, tx,
                """
                DELETE FROM finding_refs WHERE tenant_id = $tenant AND kind = 'c' AND fingerprint = $fingerprint AND ref IN
                    (SELECT json_extract(c.value, '$.requirement') FROM findings f, json_each(f.body, '$.compliance') c
                      WHERE f.tenant_id = $tenant AND f.fingerprint = $fingerprint);
                DELETE FROM finding_refs WHERE tenant_id = $tenant AND kind = 'v' AND fingerprint = $fingerprint AND ref IN
                    (SELECT json_extract(v.value, '$.id') FROM findings f, json_each(f.body, '$.vulnerabilities') v
                      WHERE f.tenant_id = $tenant AND f.fingerprint = $fingerprint);
                """,
                "$tenant", "$fingerprint");
            _history = Command(connection, tx,
                """
                INSERT INTO finding_history (tenant_id, account_id, fingerprint, at, transition, from_status, to_status, actor)
                VALUES ($tenant, $account, $fingerprint, $at, $transition, $from, $to, $actor)
                """, "$tenant", "$account", "$fingerprint", "$at", "$transition", "$from", "$to", "$actor");
        }

        private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            return command;
        }

        public void Dispose()
        {
            _upsert.Dispose();
            _insertRef.Dispose();
            _deleteRefs.Dispose();
            _history.Dispose();
        }

        public void Upsert(string tenantId, string accountId, string scanId, string seenAt, Prepared p, string status, string firstSeen, string? resolvedAt)
        {
            var f = p.Finding;
            var s = _upsert;
            s.Text(1, tenantId);
            s.Text(2, f.Fingerprint);
            s.Text(3, accountId);
            s.Text(4, f.Source);
            s.Text(5, f.Provider.ToString());
            s.Integer(6, f.SeverityId);
            s.Text(7, status);
            s.Text(8, f.State.ToString());
            s.Text(9, f.Region);
            s.Text(10, f.Resource.Type);
            s.Text(11, firstSeen);
            s.Text(12, seenAt);
            s.Text(13, resolvedAt);
            s.Text(14, scanId);
            s.Text(15, p.Body);
            s.Text(16, f.RawJson);
            s.Text(17, f.Title);
            s.Text(18, f.Resource.Id);
            s.Text(19, p.Hash);
            s.Execute();
        }

        public void InsertRefs(string tenantId, Prepared p)
        {
            foreach (var compliance in p.Finding.Compliance)
            {
                InsertRef(tenantId, p.Finding.Fingerprint, "c", compliance.Requirement);
            }

            foreach (var vulnerability in p.Finding.Vulnerabilities)
            {
                InsertRef(tenantId, p.Finding.Fingerprint, "v", vulnerability.Id);
            }
        }

        private void InsertRef(string tenantId, string fingerprint, string kind, string reference)
        {
            _insertRef.Text(1, tenantId);
            _insertRef.Text(2, kind);
            _insertRef.Text(3, reference);
            _insertRef.Text(4, fingerprint);
            _insertRef.Execute();
        }

        /// <summary>Removes the references the stored body of a finding names; call it before the body is replaced.</summary>
        public Task<int> DeleteRefsAsync(string tenantId, string fingerprint, CancellationToken ct)
        {
            _deleteRefs.Parameters[0].Value = tenantId;
            _deleteRefs.Parameters[1].Value = fingerprint;
            return _deleteRefs.ExecuteNonQueryAsync(ct);
        }

        public Task<int> HistoryAsync(
            string tenantId, string accountId, string fingerprint, string at, string transition, string? from, string to, string actor, CancellationToken ct)
        {
            var ps = _history.Parameters;
            ps[0].Value = tenantId;
            ps[1].Value = accountId;
            ps[2].Value = fingerprint;
            ps[3].Value = at;
            ps[4].Value = transition;
            ps[5].Value = (object?)from ?? DBNull.Value;
            ps[6].Value = to;
            ps[7].Value = actor;
            return _history.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// One statement prepared on the connection's handle, bound by position (<c>?1</c>, <c>?2</c>, ...). It runs inside
    /// whatever transaction the connection has open, and is reset after every execution.
    /// </summary>
    private sealed class RawStatement : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;
        private byte[] _utf8 = new byte[4096];

        public RawStatement(SqliteConnection connection, string sql)
        {
            _db = connection.Handle!;
            Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        }

        /// <summary>Binds a string through one reused UTF-8 buffer (SQLite copies the bytes it is given).</summary>
        public void Text(int index, string? value)
        {
            if (value is null)
            {
                Check(raw.sqlite3_bind_null(_statement, index));
                return;
            }

            if (value.Length == 0)
            {
                Check(raw.sqlite3_bind_text(_statement, index, string.Empty)); // an empty span would bind NULL
                return;
            }

            var length = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (length > _utf8.Length)
            {
                _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
            }

            var written = Encoding.UTF8.GetBytes(value, _utf8);
            Check(raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, written)));
        }

        /// <summary>Binds UTF-8 text as is: no round trip through a .NET string.</summary>
        public void Text(int index, byte[] utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8.AsSpan()));

        public void Integer(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

        public void Execute()
        {
            var rc = raw.sqlite3_step(_statement);
            raw.sqlite3_reset(_statement);
            if (rc is not raw.SQLITE_DONE and not raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }

        public void Dispose() => _statement.Dispose();
    }

    /// <summary>Per (tenant, account, day, severity) changes of the open count, added to <c>posture_daily</c> in the writing transaction.</summary>
    private sealed class DailyCounts
    {
        private readonly Dictionary<(string Tenant, string Account, string Day, int Severity), (long Opened, long Resolved, long Net)> _counts = [];

        public void Open(string tenantId, string accountId, string day, int severity) => Add(tenantId, accountId, day, severity, 1, 0, 1);

        public void Resolve(string tenantId, string accountId, string day, int severity) => Add(tenantId, accountId, day, severity, 0, 1, -1);

        public void Move(string tenantId, string accountId, string day, int from, int to)
        {
            Add(tenantId, accountId, day, from, 0, 0, -1);
            Add(tenantId, accountId, day, to, 0, 0, 1);
        }

        private void Add(string tenantId, string accountId, string day, int severity, long opened, long resolved, long net)
        {
            var key = (tenantId, accountId, day, severity);
            var current = _counts.GetValueOrDefault(key);
            _counts[key] = (current.Opened + opened, current.Resolved + resolved, current.Net + net);
        }

        public async Task SaveAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
        {
            if (_counts.Count == 0)
            {
                return;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO posture_daily (tenant_id, account_id, day, severity_id, opened, resolved, net)
                VALUES (@Tenant, @Account, @Day, @Severity, @Opened, @Resolved, @Net)
                ON CONFLICT (tenant_id, account_id, day, severity_id) DO UPDATE SET
                    opened = opened + excluded.opened, resolved = resolved + excluded.resolved, net = net + excluded.net
                """,
                _counts.Select(kv => new
                {
                    kv.Key.Tenant,
                    kv.Key.Account,
                    kv.Key.Day,
                    kv.Key.Severity,
                    kv.Value.Opened,
                    kv.Value.Resolved,
                    kv.Value.Net,
                }), tx, cancellationToken: ct));
        }
    }
}
