using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The standalone inventory: one SQLite file, upserts by (tenant, fingerprint). Writes are serialized in-process
/// (SQLite has one writer), and everything that needs no lock (JSON, hashing, OCSF) happens outside it.
/// </summary>
public sealed class SqliteInventoryStore(SqliteDatabase database, TimeProvider? time = null) : IInventoryStore
{
    private const int SchemaVersion = 2;
    private const string Resolved = nameof(FindingStatus.Resolved);
    private const string RecordColumns =
        "fingerprint, account_id, status, first_seen, last_seen, resolved_at, last_scan_id, " +
        "workflow_state, workflow_note, workflow_by, workflow_at, workflow_expires_at, body";

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private SqliteConnection? _writer;

    /// <summary>
    /// The one connection that writes, used under <see cref="_writeLock"/>. It stays open so its page cache (sized for
    /// the indexes of a large tenant) survives between batches.
    /// </summary>
    private async Task<SqliteConnection> WriterAsync(CancellationToken ct)
    {
        if (_writer is null)
        {
            var connection = await database.OpenAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384", cancellationToken: ct));
            _writer = connection;
        }

        return _writer;
    }

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA user_version", cancellationToken: ct));
        var hasFindings = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'findings'", cancellationToken: ct)) > 0;
        if (hasFindings && version < SchemaVersion)
        {
            // Version 1 (the first release) had no workflow, title, resource id or content hash columns.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                ALTER TABLE findings ADD COLUMN title TEXT NOT NULL DEFAULT '';
                ALTER TABLE findings ADD COLUMN resource_id TEXT NOT NULL DEFAULT '';
                ALTER TABLE findings ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
                ALTER TABLE findings ADD COLUMN workflow_state TEXT;
                ALTER TABLE findings ADD COLUMN workflow_note TEXT;
                ALTER TABLE findings ADD COLUMN workflow_by TEXT;
                ALTER TABLE findings ADD COLUMN workflow_at TEXT;
                ALTER TABLE findings ADD COLUMN workflow_expires_at TEXT;
                UPDATE findings SET title = json_extract(body, '$.title'), resource_id = json_extract(body, '$.resource.id');
                """, cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            CREATE TABLE IF NOT EXISTS findings (
                tenant_id      TEXT NOT NULL,
                fingerprint    TEXT NOT NULL,
                account_id     TEXT NOT NULL,
                source         TEXT NOT NULL,
                provider       TEXT NOT NULL,
                severity_id    INTEGER NOT NULL,
                status         TEXT NOT NULL,
                observed_state TEXT NOT NULL,
                region         TEXT,
                resource_type  TEXT NOT NULL,
                first_seen     TEXT NOT NULL,
                last_seen      TEXT NOT NULL,
                resolved_at    TEXT,
                last_scan_id   TEXT NOT NULL,
                body           TEXT NOT NULL,
                raw_json       TEXT NOT NULL,
                title          TEXT NOT NULL DEFAULT '',
                resource_id    TEXT NOT NULL DEFAULT '',
                content_hash   TEXT NOT NULL DEFAULT '',
                workflow_state TEXT,
                workflow_note  TEXT,
                workflow_by    TEXT,
                workflow_at    TEXT,
                workflow_expires_at TEXT,
                PRIMARY KEY (tenant_id, fingerprint)
            );
            CREATE INDEX IF NOT EXISTS ix_findings_page ON findings (tenant_id, severity_id DESC, fingerprint);
            CREATE INDEX IF NOT EXISTS ix_findings_scan ON findings (tenant_id, account_id, source, last_scan_id);
            CREATE INDEX IF NOT EXISTS ix_findings_last_seen ON findings (tenant_id, last_seen, fingerprint);
            CREATE INDEX IF NOT EXISTS ix_findings_first_seen ON findings (tenant_id, first_seen, fingerprint);
            CREATE INDEX IF NOT EXISTS ix_findings_summary
                ON findings (tenant_id, provider, account_id, severity_id, status, workflow_state, workflow_expires_at);
            CREATE TABLE IF NOT EXISTS finding_refs (
                tenant_id   TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                kind        TEXT NOT NULL, -- 'c' compliance requirement, 'v' vulnerability id
                ref         TEXT NOT NULL,
                PRIMARY KEY (tenant_id, fingerprint, kind, ref)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ix_finding_refs_ref ON finding_refs (tenant_id, kind, ref, fingerprint);
            CREATE TABLE IF NOT EXISTS finding_history (
                tenant_id   TEXT NOT NULL,
                account_id  TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                at          TEXT NOT NULL,
                transition  TEXT NOT NULL,
                from_status TEXT,
                to_status   TEXT NOT NULL,
                actor       TEXT NOT NULL,
                note        TEXT
            );
            CREATE INDEX IF NOT EXISTS ix_finding_history ON finding_history (tenant_id, fingerprint, at);
            CREATE TABLE IF NOT EXISTS posture_daily (
                tenant_id   TEXT NOT NULL,
                account_id  TEXT NOT NULL,
                day         TEXT NOT NULL,
                severity_id INTEGER NOT NULL,
                opened      INTEGER NOT NULL DEFAULT 0,
                resolved    INTEGER NOT NULL DEFAULT 0,
                net         INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, account_id, day, severity_id)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS scan_batches (
                tenant_id   TEXT NOT NULL,
                scan_id     TEXT NOT NULL,
                source      TEXT NOT NULL,
                batch_index INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, scan_id, source, batch_index)
            );
            CREATE TABLE IF NOT EXISTS source_scans (
                tenant_id   TEXT NOT NULL,
                scan_id     TEXT NOT NULL,
                source      TEXT NOT NULL,
                account_id  TEXT NOT NULL,
                complete    INTEGER NOT NULL,
                batch_count INTEGER NOT NULL,
                started_at  TEXT NOT NULL,
                finished_at TEXT NOT NULL,
                resolved    INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, scan_id, source)
            );
            PRAGMA user_version = {SchemaVersion};
            """, cancellationToken: ct));
    }

    public Task PingAsync(CancellationToken ct) => database.PingAsync(ct);

    // ---------------------------------------------------------------- ingest

    public async Task<IReadOnlyList<FindingDelta>> IngestAsync(FindingsObserved batch, CancellationToken ct)
    {
        var seenAt = Time(batch.ObservedAt);
        var scanId = batch.ScanId.ToString();
        var accountId = batch.AccountId.ToString();
        var incoming = new Dictionary<string, Prepared>(batch.Findings.Count, StringComparer.Ordinal);
        foreach (var finding in batch.Findings)
        {
            incoming[finding.Fingerprint] = Prepare(finding);
        }

        var pending = new List<PendingChange>();
        List<PendingChange> resolvedByScan;
        await _writeLock.WaitAsync(ct);
        try
        {
            var connection = await WriterAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var existing = await LoadStatesAsync(connection, tx, batch.TenantId, incoming.Keys, ct);
            using var writer = new IngestWriter(connection, tx, batch.TenantId, accountId, scanId, seenAt);
            var daily = new DailyCounts();
            var day = Day(batch.ObservedAt);
            foreach (var p in incoming.Values)
            {
                var f = p.Finding;
                var closed = f.State == ObservedState.Closed;
                if (!existing.TryGetValue(f.Fingerprint, out var old))
                {
                    var status = closed ? Resolved : nameof(FindingStatus.New);
                    var resolvedAt = closed ? seenAt : null;
                    await writer.UpsertAsync(p, status, seenAt, resolvedAt, ct);
                    await writer.InsertRefsAsync(p, ct);
                    if (!closed)
                    {
                        daily.Open(day, f.SeverityId);
                    }

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

                await writer.UpsertAsync(p, newStatus, old.FirstSeen, newResolvedAt, ct);
                if (contentChanged)
                {
                    await writer.DeleteRefsAsync(f.Fingerprint, ct);
                    await writer.InsertRefsAsync(p, ct);
                }

                var wasOpen = old.Status != Resolved;
                var isOpen = newStatus != Resolved;
                if (wasOpen && !isOpen)
                {
                    daily.Resolve(day, old.SeverityId);
                }
                else if (!wasOpen && isOpen)
                {
                    daily.Open(day, f.SeverityId);
                }
                else if (isOpen && old.SeverityId != f.SeverityId)
                {
                    daily.Move(day, old.SeverityId, f.SeverityId);
                }

                if (kind is FindingChangeKind.Resolved or FindingChangeKind.Reopened)
                {
                    await writer.HistoryAsync(f.Fingerprint, seenAt, kind.Value.ToString(), old.Status, newStatus, "scan:" + scanId, null, ct);
                }

                if (kind is not null)
                {
                    pending.Add(new PendingChange(kind.Value, batch.AccountId, f, null,
                        old with { Status = newStatus, LastSeen = seenAt, LastScanId = scanId, ResolvedAt = newResolvedAt }));
                }
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT OR IGNORE INTO scan_batches (tenant_id, scan_id, source, batch_index) VALUES (@TenantId, @ScanId, @Source, @BatchIndex)",
                new { batch.TenantId, ScanId = scanId, batch.Source, batch.BatchIndex }, tx, cancellationToken: ct));
            resolvedByScan = await ResolveIfScanFinishedAsync(connection, tx, batch.TenantId, batch.ScanId, batch.Source, daily, ct);
            await daily.SaveAsync(connection, tx, batch.TenantId, accountId, ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }

        var now = _time.GetUtcNow();
        return [.. pending.Concat(resolvedByScan).Select(c => c.ToDelta(batch.TenantId, now))];
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
            resolved = await ResolveIfScanFinishedAsync(connection, tx, completed.TenantId, completed.ScanId, completed.Source, daily, ct);
            await daily.SaveAsync(connection, tx, completed.TenantId, completed.AccountId.ToString(), ct);
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
        SqliteConnection connection, SqliteTransaction tx, string tenantId, Guid scanId, string source, DailyCounts daily, CancellationToken ct)
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
                $"SELECT {RecordColumns}, raw_json, severity_id FROM findings {Missing}", missingArgs, tx, cancellationToken: ct)))
            {
                var accountId = Guid.Parse(scan.AccountId);
                var day = Day(DateTimeOffset.Parse(scan.FinishedAt, CultureInfo.InvariantCulture));
                while (await reader.ReadAsync(ct))
                {
                    var state = ReadState(reader);
                    var finding = JsonSerializer.Deserialize<NormalizedFinding>(reader.GetString(12), Json)!;
                    daily.Resolve(day, state.SeverityId);
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

    private static async Task<Dictionary<string, RowState>> LoadStatesAsync(
        SqliteConnection connection, SqliteTransaction tx, string tenantId, IEnumerable<string> fingerprints, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            """
            SELECT fingerprint, status, content_hash, first_seen, last_seen, resolved_at, last_scan_id, severity_id,
                   workflow_state, workflow_note, workflow_by, workflow_at, workflow_expires_at
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
                Nullable(reader, 8), Nullable(reader, 9), Nullable(reader, 10), Nullable(reader, 11), Nullable(reader, 12));
            states[state.Fingerprint] = state;
        }

        return states;
    }

    private static Prepared Prepare(NormalizedFinding finding)
    {
        // The body holds what the API shows; the provider's UpdatedAt is left out so a re-scan that only bumps it
        // is not a change. The hash of the body decides "updated".
        var body = JsonSerializer.SerializeToUtf8Bytes(finding with { RawJson = "", UpdatedAt = null }, Json);
        var hash = Convert.ToHexString(SHA256.HashData(body).AsSpan(0, 16));
        return new Prepared(finding, Encoding.UTF8.GetString(body), hash);
    }

    // ---------------------------------------------------------------- workflow

    public async Task<FindingDelta?> SetWorkflowAsync(string tenantId, string fingerprint, WorkflowChange change, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        FindingRecord record;
        string raw;
        await _writeLock.WaitAsync(ct);
        try
        {
            var connection = await WriterAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            FindingRecord before;
            await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                $"SELECT {RecordColumns}, raw_json FROM findings WHERE tenant_id = @tenantId AND fingerprint = @fingerprint",
                new { tenantId, fingerprint }, tx, cancellationToken: ct)))
            {
                if (!await reader.ReadAsync(ct))
                {
                    return null;
                }

                before = ReadRecord(reader, now);
                raw = reader.GetString(13);
            }

            var workflow = change.State == WorkflowState.None
                ? null
                : new FindingWorkflow { State = change.State, Note = change.Note, By = change.Actor, At = now, ExpiresAt = change.ExpiresAt };
            record = before with { Workflow = workflow };
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE findings SET workflow_state = @State, workflow_note = @Note, workflow_by = @By, workflow_at = @At, workflow_expires_at = @ExpiresAt
                 WHERE tenant_id = @tenantId AND fingerprint = @fingerprint
                """,
                new
                {
                    tenantId,
                    fingerprint,
                    State = workflow?.State.ToString(),
                    workflow?.Note,
                    workflow?.By,
                    At = workflow is null ? null : Time(now),
                    ExpiresAt = workflow?.ExpiresAt is { } expires ? Time(expires) : null,
                }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO finding_history (tenant_id, account_id, fingerprint, at, transition, from_status, to_status, actor, note)
                VALUES (@tenantId, @AccountId, @fingerprint, @At, @Transition, @From, @To, @Actor, @Note)
                """,
                new
                {
                    tenantId,
                    AccountId = before.AccountId.ToString(),
                    fingerprint,
                    At = Time(now),
                    Transition = change.State == WorkflowState.None ? "WorkflowCleared" : change.State.ToString(),
                    From = before.EffectiveStatus,
                    To = record.EffectiveStatus,
                    change.Actor,
                    change.Note,
                }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }

        return new FindingDelta(record.AccountId, new FindingChange
        {
            Fingerprint = fingerprint,
            Kind = FindingChangeKind.Workflow,
            OcsfJson = OcsfMapper.ToJson(tenantId, record, raw, FindingChangeKind.Workflow, now),
        });
    }

    // ---------------------------------------------------------------- queries

    public async Task<FindingPage> QueryAsync(string tenantId, FindingQuery query, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var (sql, args) = BuildQuery(tenantId, query, now, RecordColumns, paged: true);
        await using var connection = await database.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        var page = new List<FindingRecord>(Math.Min(query.Limit, 500));
        string? next = null;
        while (await reader.ReadAsync(ct))
        {
            if (page.Count == query.Limit)
            {
                next = Cursor(query.Sort, page[^1]);
                break;
            }

            page.Add(ReadRecord(reader, now));
        }

        return new FindingPage(page, next);
    }

    public async IAsyncEnumerable<ExportedFinding> ExportAsync(string tenantId, FindingQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var (sql, args) = BuildQuery(tenantId, query with { Cursor = null }, now, RecordColumns + ", raw_json", paged: false);
        await using var connection = await database.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            yield return new ExportedFinding(ReadRecord(reader, now), reader.GetString(13));
        }
    }

    private static (string Sql, DynamicParameters Args) BuildQuery(string tenantId, FindingQuery query, DateTimeOffset now, string columns, bool paged)
    {
        var sql = new StringBuilder($"SELECT {columns} FROM findings WHERE tenant_id = @tenantId");
        var args = new DynamicParameters(new { tenantId, limit = query.Limit + 1, now = Time(now) });
        void Filter(string clause, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(clause);
                args.Add(name, value);
            }
        }

        Filter("severity_id = @severity", "severity", (int?)query.Severity);
        Filter("status = @status", "status", query.Status?.ToString());
        Filter("provider = @provider", "provider", query.Provider?.ToString());
        Filter("account_id = @accountId", "accountId", query.AccountId?.ToString());
        Filter("source = @source", "source", query.Source);
        Filter("region = @region", "region", query.Region);
        Filter("resource_type = @resourceType", "resourceType", query.ResourceType);
        Filter("fingerprint IN (SELECT fingerprint FROM finding_refs WHERE tenant_id = @tenantId AND kind = 'c' AND ref = @compliance)",
            "compliance", query.Compliance);
        Filter("fingerprint IN (SELECT fingerprint FROM finding_refs WHERE tenant_id = @tenantId AND kind = 'v' AND ref = @cve)",
            "cve", query.Cve);
        Filter(@"(title LIKE @text ESCAPE '\' OR resource_id LIKE @text ESCAPE '\')", "text",
            query.Text is null ? null : "%" + query.Text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%");
        if (query.Workflow is { } workflow)
        {
            Filter(workflow == WorkflowState.None
                ? "(workflow_state IS NULL OR workflow_expires_at <= @now)"
                : "(workflow_state = @workflow AND (workflow_expires_at IS NULL OR workflow_expires_at > @now))",
                "workflow", workflow.ToString());
        }

        var (column, descending, fingerprintDescending) = SortColumns(query.Sort);
        if (paged && FindingCursor.TryDecode(query.Cursor, out var after))
        {
            sql.Append($" AND ({column} {(descending ? "<" : ">")} @afterKey OR ({column} = @afterKey AND fingerprint {(fingerprintDescending ? "<" : ">")} @afterFingerprint))");
            args.Add("afterKey", query.Sort is FindingSort.SeverityAsc or FindingSort.SeverityDesc
                ? int.Parse(after.Key, CultureInfo.InvariantCulture)
                : after.Key);
            args.Add("afterFingerprint", after.Fingerprint);
        }

        sql.Append($" ORDER BY {column} {(descending ? "DESC" : "ASC")}, fingerprint {(fingerprintDescending ? "DESC" : "ASC")}");
        if (paged)
        {
            sql.Append(" LIMIT @limit");
        }

        return (sql.ToString(), args);
    }

    /// <summary>Each order is the exact reverse of its opposite, so one index serves both directions.</summary>
    private static (string Column, bool Descending, bool FingerprintDescending) SortColumns(FindingSort sort) => sort switch
    {
        FindingSort.SeverityAsc => ("severity_id", false, true),
        FindingSort.LastSeenDesc => ("last_seen", true, true),
        FindingSort.LastSeenAsc => ("last_seen", false, false),
        FindingSort.FirstSeenDesc => ("first_seen", true, true),
        FindingSort.FirstSeenAsc => ("first_seen", false, false),
        _ => ("severity_id", true, false),
    };

    private static string Cursor(FindingSort sort, FindingRecord last) => FindingCursor.Encode(sort, sort switch
    {
        FindingSort.SeverityAsc or FindingSort.SeverityDesc => last.SeverityId.ToString(CultureInfo.InvariantCulture),
        FindingSort.LastSeenAsc or FindingSort.LastSeenDesc => Time(last.LastSeen),
        _ => Time(last.FirstSeen),
    }, last.Fingerprint);

    public async Task<FindingRecord?> FindAsync(string tenantId, string fingerprint, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        FindingRecord record;
        string? expiresAt;
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT {RecordColumns} FROM findings WHERE tenant_id = @tenantId AND fingerprint = @fingerprint",
            new { tenantId, fingerprint }, cancellationToken: ct)))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            record = ReadRecord(reader, now);
            expiresAt = Nullable(reader, 11);
        }

        var history = new List<FindingHistoryEntry>
        {
            new() { At = record.FirstSeen, Transition = "Created", To = nameof(FindingStatus.New), Actor = "scan" },
        };
        history.AddRange((await connection.QueryAsync<HistoryRow>(new CommandDefinition(
            """
            SELECT at, transition, from_status, to_status, actor, note FROM finding_history
             WHERE tenant_id = @tenantId AND fingerprint = @fingerprint ORDER BY at, rowid
            """, new { tenantId, fingerprint }, cancellationToken: ct)))
            .Select(h => new FindingHistoryEntry
            {
                At = DateTimeOffset.Parse(h.At, CultureInfo.InvariantCulture),
                Transition = h.Transition,
                From = h.FromStatus,
                To = h.ToStatus,
                Actor = h.Actor,
                Note = h.Note,
            }));
        if (expiresAt is not null && record.Workflow is null && history.Count > 1 && history[^1].Transition == nameof(WorkflowState.RiskAccepted))
        {
            history.Add(new FindingHistoryEntry
            {
                At = DateTimeOffset.Parse(expiresAt, CultureInfo.InvariantCulture),
                Transition = "RiskAcceptanceExpired",
                From = nameof(WorkflowState.RiskAccepted),
                To = record.EffectiveStatus,
                Actor = "system",
            });
        }

        return record with { History = history };
    }

    // ---------------------------------------------------------------- posture

    public async Task<PostureSummary> SummarizeAsync(string tenantId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition(
            """
            SELECT provider, account_id, severity_id,
                   CASE WHEN status <> 'Resolved' AND workflow_state IS NOT NULL
                             AND (workflow_expires_at IS NULL OR workflow_expires_at > @now)
                        THEN workflow_state ELSE status END AS effective_status,
                   COUNT(*) AS count
              FROM findings INDEXED BY ix_findings_summary
             WHERE tenant_id = @tenantId
             GROUP BY provider, account_id, severity_id, effective_status
            """, new { tenantId, now = Time(_time.GetUtcNow()) }, cancellationToken: ct));
        var counts = rows.Select(r => new PostureCount(
            Enum.Parse<CloudProvider>(r.Provider), Guid.Parse(r.AccountId), (Severity)r.SeverityId, r.EffectiveStatus, r.Count)).ToList();
        return new PostureSummary
        {
            Score = PostureScore.Compute(counts),
            Total = counts.Sum(c => c.Count),
            Open = counts.Where(c => PostureScore.IsOpen(c.Status)).Sum(c => c.Count),
            OpenBySeverity = Enum.GetValues<Severity>().ToDictionary(
                s => s.ToString(), s => counts.Where(c => c.Severity == s && PostureScore.IsOpen(c.Status)).Sum(c => c.Count)),
            ByStatus = counts.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
            Counts = counts,
        };
    }

    /// <summary>
    /// Open findings at the end of each day, replayed backwards from today's count with the per-day net changes the
    /// ingest records (created open or reopened +1, resolved −1, severity moved −1/+1): exact, and cheap at any size.
    /// </summary>
    public async Task<PostureTrend> TrendAsync(string tenantId, int days, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        await using var connection = await database.OpenAsync(ct);
        var openNow = (await connection.QueryAsync<(long SeverityId, long Count)>(new CommandDefinition(
            "SELECT severity_id, COUNT(*) FROM findings INDEXED BY ix_findings_summary WHERE tenant_id = @tenantId AND status <> 'Resolved' GROUP BY severity_id",
            new { tenantId }, cancellationToken: ct))).ToDictionary(r => (int)r.SeverityId, r => r.Count);
        var changes = (await connection.QueryAsync<DailyRow>(new CommandDefinition(
            """
            SELECT day, severity_id, SUM(opened) AS opened, SUM(resolved) AS resolved, SUM(net) AS net
              FROM posture_daily WHERE tenant_id = @tenantId AND day >= @first
             GROUP BY day, severity_id
            """, new { tenantId, first = first.ToString("O", CultureInfo.InvariantCulture) }, cancellationToken: ct))).ToList();

        var open = Enum.GetValues<Severity>().ToDictionary(s => (int)s, s => openNow.GetValueOrDefault((int)s));
        var result = new List<PostureTrendDay>(days);
        for (var day = today; day >= first; day = day.AddDays(-1))
        {
            var key = day.ToString("O", CultureInfo.InvariantCulture);
            var ofDay = changes.Where(c => c.Day == key).ToList();
            result.Add(new PostureTrendDay(
                day,
                open.Values.Sum(),
                open.ToDictionary(kv => ((Severity)kv.Key).ToString(), kv => kv.Value),
                ofDay.Sum(c => c.Opened),
                ofDay.Sum(c => c.Resolved)));
            foreach (var change in ofDay)
            {
                open[(int)change.SeverityId] = open.GetValueOrDefault((int)change.SeverityId) - change.Net;
            }
        }

        result.Reverse();
        return new PostureTrend(result);
    }

    // ---------------------------------------------------------------- account deletion

    public async Task<int> DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var args = new { tenantId, accountId = accountId.ToString() };
        await _writeLock.WaitAsync(ct);
        try
        {
            var connection = await WriterAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM finding_refs WHERE tenant_id = @tenantId
                   AND fingerprint IN (SELECT fingerprint FROM findings WHERE tenant_id = @tenantId AND account_id = @accountId);
                DELETE FROM finding_history WHERE tenant_id = @tenantId AND account_id = @accountId;
                DELETE FROM posture_daily WHERE tenant_id = @tenantId AND account_id = @accountId;
                DELETE FROM scan_batches WHERE tenant_id = @tenantId
                   AND scan_id IN (SELECT scan_id FROM source_scans WHERE tenant_id = @tenantId AND account_id = @accountId);
                DELETE FROM source_scans WHERE tenant_id = @tenantId AND account_id = @accountId;
                """, args, tx, cancellationToken: ct));
            var removed = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM findings WHERE tenant_id = @tenantId AND account_id = @accountId", args, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return removed;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ---------------------------------------------------------------- rows

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).ToString("O", CultureInfo.InvariantCulture);

    private static string? Nullable(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset At(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>Reads the <see cref="RecordColumns"/> (ordinals 0..12).</summary>
    private static FindingRecord ReadRecord(DbDataReader reader, DateTimeOffset now) =>
        ToRecord(JsonSerializer.Deserialize<NormalizedFinding>(reader.GetString(12), Json)!, ReadState(reader), Guid.Parse(reader.GetString(1)), now);

    private static RowState ReadState(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(2), "", reader.GetString(3), reader.GetString(4), Nullable(reader, 5), reader.GetString(6),
        reader.FieldCount > 14 ? reader.GetInt32(14) : 0,
        Nullable(reader, 7), Nullable(reader, 8), Nullable(reader, 9), Nullable(reader, 10), Nullable(reader, 11));

    private static FindingRecord ToRecord(NormalizedFinding f, RowState s, Guid accountId, DateTimeOffset now)
    {
        FindingWorkflow? workflow = null;
        if (s.WorkflowState is not null)
        {
            var expires = s.WorkflowExpiresAt is null ? (DateTimeOffset?)null : At(s.WorkflowExpiresAt);
            if (expires is null || expires > now)
            {
                workflow = new FindingWorkflow
                {
                    State = Enum.Parse<WorkflowState>(s.WorkflowState),
                    Note = s.WorkflowNote,
                    By = s.WorkflowBy ?? "",
                    At = s.WorkflowAt is null ? now : At(s.WorkflowAt),
                    ExpiresAt = expires,
                };
            }
        }

        return new FindingRecord
        {
            Fingerprint = f.Fingerprint,
            AccountId = accountId,
            Status = Enum.Parse<FindingStatus>(s.Status),
            Class = f.Class,
            Severity = f.Severity,
            SeverityId = f.SeverityId,
            Title = f.Title,
            Description = f.Description,
            Remediation = f.Remediation,
            RemediationUrl = f.RemediationUrl,
            Provider = f.Provider,
            CloudAccountId = f.CloudAccountId,
            Region = f.Region,
            Source = f.Source,
            NativeId = f.NativeId,
            ProductName = f.ProductName,
            Resource = f.Resource,
            Compliance = f.Compliance,
            Vulnerabilities = f.Vulnerabilities,
            FirstSeen = At(s.FirstSeen),
            LastSeen = At(s.LastSeen),
            ResolvedAt = s.ResolvedAt is null ? null : At(s.ResolvedAt),
            LastScanId = Guid.Parse(s.LastScanId),
            Workflow = workflow,
        };
    }

    private sealed record Prepared(NormalizedFinding Finding, string Body, string Hash);

    private sealed record RowState(
        string Fingerprint, string Status, string Hash, string FirstSeen, string LastSeen, string? ResolvedAt, string LastScanId, int SeverityId,
        string? WorkflowState, string? WorkflowNote, string? WorkflowBy, string? WorkflowAt, string? WorkflowExpiresAt);

    /// <summary>A change decided inside the transaction; its OCSF JSON is rendered after the commit, outside the lock.</summary>
    private sealed record PendingChange(
        FindingChangeKind Kind, Guid AccountId, NormalizedFinding Finding, string? RawJson, RowState State, string? Previous = null)
    {
        public FindingDelta ToDelta(string tenantId, DateTimeOffset now)
        {
            var record = ToRecord(Finding, State, AccountId, now);
            return new FindingDelta(AccountId, new FindingChange
            {
                Fingerprint = Finding.Fingerprint,
                Kind = Kind,
                OcsfJson = OcsfMapper.ToJson(tenantId, record, RawJson ?? Finding.RawJson, Kind, now),
            });
        }
    }

    /// <summary>Prepared statements of the ingest, reused for every row of a batch.</summary>
    private sealed class IngestWriter : IDisposable
    {
        private readonly SqliteCommand _upsert;
        private readonly SqliteCommand _insertRef;
        private readonly SqliteCommand _deleteRefs;
        private readonly SqliteCommand _history;
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _tx;
        private readonly string _tenantId;

        public IngestWriter(SqliteConnection connection, SqliteTransaction tx, string tenantId, string accountId, string scanId, string seenAt)
        {
            _connection = connection;
            _tx = tx;
            _tenantId = tenantId;
            _upsert = Command(
                """
                INSERT INTO findings (tenant_id, fingerprint, account_id, source, provider, severity_id, status, observed_state,
                                      region, resource_type, first_seen, last_seen, resolved_at, last_scan_id, body, raw_json,
                                      title, resource_id, content_hash)
                VALUES ($tenant, $fingerprint, $account, $source, $provider, $severity, $status, $observed,
                        $region, $resourceType, $firstSeen, $seenAt, $resolvedAt, $scan, $body, $raw, $title, $resourceId, $hash)
                ON CONFLICT (tenant_id, fingerprint) DO UPDATE SET
                    severity_id = excluded.severity_id, status = excluded.status, observed_state = excluded.observed_state,
                    region = excluded.region, resource_type = excluded.resource_type, first_seen = excluded.first_seen,
                    last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, last_scan_id = excluded.last_scan_id,
                    body = excluded.body, raw_json = excluded.raw_json, title = excluded.title, resource_id = excluded.resource_id,
                    content_hash = excluded.content_hash
                """,
                "$fingerprint", "$source", "$provider", "$severity", "$status", "$observed", "$region", "$resourceType",
                "$firstSeen", "$resolvedAt", "$body", "$raw", "$title", "$resourceId", "$hash");
            _upsert.Parameters.AddWithValue("$account", accountId);
            _upsert.Parameters.AddWithValue("$seenAt", seenAt);
            _upsert.Parameters.AddWithValue("$scan", scanId);
            _insertRef = Command("INSERT OR IGNORE INTO finding_refs (tenant_id, fingerprint, kind, ref) VALUES ($tenant, $fingerprint, $kind, $ref)",
                "$fingerprint", "$kind", "$ref");
            _deleteRefs = Command("DELETE FROM finding_refs WHERE tenant_id = $tenant AND fingerprint = $fingerprint", "$fingerprint");
            _history = Command(
                """
                INSERT INTO finding_history (tenant_id, account_id, fingerprint, at, transition, from_status, to_status, actor, note)
                VALUES ($tenant, $account, $fingerprint, $at, $transition, $from, $to, $actor, $note)
                """, "$fingerprint", "$at", "$transition", "$from", "$to", "$actor", "$note");
            _history.Parameters.AddWithValue("$account", accountId);
        }

        private SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.Transaction = _tx;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$tenant", _tenantId);
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

        public Task<int> UpsertAsync(Prepared p, string status, string firstSeen, string? resolvedAt, CancellationToken ct)
        {
            var f = p.Finding;
            var ps = _upsert.Parameters;
            ps["$fingerprint"].Value = f.Fingerprint;
            ps["$source"].Value = f.Source;
            ps["$provider"].Value = f.Provider.ToString();
            ps["$severity"].Value = f.SeverityId;
            ps["$status"].Value = status;
            ps["$observed"].Value = f.State.ToString();
            ps["$region"].Value = (object?)f.Region ?? DBNull.Value;
            ps["$resourceType"].Value = f.Resource.Type;
            ps["$firstSeen"].Value = firstSeen;
            ps["$resolvedAt"].Value = (object?)resolvedAt ?? DBNull.Value;
            ps["$body"].Value = p.Body;
            ps["$raw"].Value = f.RawJson;
            ps["$title"].Value = f.Title;
            ps["$resourceId"].Value = f.Resource.Id;
            ps["$hash"].Value = p.Hash;
            return _upsert.ExecuteNonQueryAsync(ct);
        }

        public async Task InsertRefsAsync(Prepared p, CancellationToken ct)
        {
            foreach (var compliance in p.Finding.Compliance)
            {
                await InsertRefAsync(p.Finding.Fingerprint, "c", compliance.Requirement, ct);
            }

            foreach (var vulnerability in p.Finding.Vulnerabilities)
            {
                await InsertRefAsync(p.Finding.Fingerprint, "v", vulnerability.Id, ct);
            }
        }

        private Task<int> InsertRefAsync(string fingerprint, string kind, string reference, CancellationToken ct)
        {
            _insertRef.Parameters["$fingerprint"].Value = fingerprint;
            _insertRef.Parameters["$kind"].Value = kind;
            _insertRef.Parameters["$ref"].Value = reference;
            return _insertRef.ExecuteNonQueryAsync(ct);
        }

        public Task<int> DeleteRefsAsync(string fingerprint, CancellationToken ct)
        {
            _deleteRefs.Parameters["$fingerprint"].Value = fingerprint;
            return _deleteRefs.ExecuteNonQueryAsync(ct);
        }

        public Task<int> HistoryAsync(string fingerprint, string at, string transition, string? from, string to, string actor, string? note, CancellationToken ct)
        {
            var ps = _history.Parameters;
            ps["$fingerprint"].Value = fingerprint;
            ps["$at"].Value = at;
            ps["$transition"].Value = transition;
            ps["$from"].Value = (object?)from ?? DBNull.Value;
            ps["$to"].Value = to;
            ps["$actor"].Value = actor;
            ps["$note"].Value = (object?)note ?? DBNull.Value;
            return _history.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Per (day, severity) changes of the open count, added to <c>posture_daily</c> in the ingest's transaction.</summary>
    private sealed class DailyCounts
    {
        private readonly Dictionary<(string Day, int Severity), (long Opened, long Resolved, long Net)> _counts = [];

        public void Open(string day, int severity) => Add(day, severity, 1, 0, 1);

        public void Resolve(string day, int severity) => Add(day, severity, 0, 1, -1);

        public void Move(string day, int from, int to)
        {
            Add(day, from, 0, 0, -1);
            Add(day, to, 0, 0, 1);
        }

        private void Add(string day, int severity, long opened, long resolved, long net)
        {
            var current = _counts.GetValueOrDefault((day, severity));
            _counts[(day, severity)] = (current.Opened + opened, current.Resolved + resolved, current.Net + net);
        }

        public async Task SaveAsync(SqliteConnection connection, SqliteTransaction tx, string tenantId, string accountId, CancellationToken ct)
        {
            if (_counts.Count == 0)
            {
                return;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO posture_daily (tenant_id, account_id, day, severity_id, opened, resolved, net)
                VALUES (@tenantId, @accountId, @Day, @Severity, @Opened, @Resolved, @Net)
                ON CONFLICT (tenant_id, account_id, day, severity_id) DO UPDATE SET
                    opened = opened + excluded.opened, resolved = resolved + excluded.resolved, net = net + excluded.net
                """,
                _counts.Select(kv => new
                {
                    tenantId,
                    accountId,
                    kv.Key.Day,
                    kv.Key.Severity,
                    kv.Value.Opened,
                    kv.Value.Resolved,
                    kv.Value.Net,
                }), tx, cancellationToken: ct));
        }
    }

    private sealed record SourceScanRow
    {
        public string AccountId { get; init; } = "";
        public bool Complete { get; init; }
        public long BatchCount { get; init; }
        public string StartedAt { get; init; } = "";
        public string FinishedAt { get; init; } = "";
        public long Received { get; init; }
    }

    private sealed record HistoryRow
    {
        public string At { get; init; } = "";
        public string Transition { get; init; } = "";
        public string? FromStatus { get; init; }
        public string ToStatus { get; init; } = "";
        public string Actor { get; init; } = "";
        public string? Note { get; init; }
    }

    private sealed record SummaryRow
    {
        public string Provider { get; init; } = "";
        public string AccountId { get; init; } = "";
        public long SeverityId { get; init; }
        public string EffectiveStatus { get; init; } = "";
        public long Count { get; init; }
    }

    private sealed record DailyRow
    {
        public string Day { get; init; } = "";
        public long SeverityId { get; init; }
        public long Opened { get; init; }
        public long Resolved { get; init; }
        public long Net { get; init; }
    }
}
