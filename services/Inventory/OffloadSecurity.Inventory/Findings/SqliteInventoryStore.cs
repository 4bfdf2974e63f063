using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The standalone inventory: one SQLite file, upserts by (tenant, fingerprint). Writes are serialized in-process
/// (SQLite has one writer), and everything that needs no lock (JSON, hashing, OCSF) happens outside it.
/// </summary>
public sealed partial class SqliteInventoryStore(SqliteDatabase database, TimeProvider? time = null) : IInventoryStore
{
    private const int SchemaVersion = 4;
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
    /// the indexes of a large tenant) survives between batches. Its checkpoints copy the log back every 256 MiB of log:
    /// an index page that several transactions changed is copied once, not once per 64 MiB.
    /// </summary>
    private async Task<SqliteConnection> WriterAsync(CancellationToken ct)
    {
        if (_writer is null)
        {
            var connection = await database.OpenAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 65536", cancellationToken: ct));
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
        if (hasFindings && version < 2)
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

        if (hasFindings && version < 3)
        {
            await MigrateToVersion3Async(connection, ct);
        }

        if (hasFindings && version < 4)
        {
            await MigrateToVersion4Async(connection, ct);
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
            CREATE INDEX IF NOT EXISTS ix_findings_workflow_expiry
                ON findings (tenant_id, workflow_expires_at) WHERE workflow_expires_at IS NOT NULL;
            CREATE INDEX IF NOT EXISTS ix_findings_resource ON findings (tenant_id, resource_id);
            CREATE INDEX IF NOT EXISTS ix_findings_acceptance_expiry
                ON findings (workflow_expires_at) WHERE workflow_state = 'RiskAccepted' AND workflow_expires_at IS NOT NULL;
            {RefsTable}
            {CountsTable}
            CREATE TABLE IF NOT EXISTS finding_history (
                tenant_id   TEXT NOT NULL,
                account_id  TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                at          TEXT NOT NULL,
                transition  TEXT NOT NULL,
                from_status TEXT,
                to_status   TEXT NOT NULL,
                actor       TEXT NOT NULL,
                note        TEXT,
                workflow_by TEXT,
                workflow_at TEXT,
                workflow_expires_at TEXT
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

    /// <summary>Compliance and vulnerability ids, one B-tree: found by id, and a finding's own through its stored body.</summary>
    private const string RefsTable =
        """
        CREATE TABLE IF NOT EXISTS finding_refs (
            tenant_id   TEXT NOT NULL,
            kind        TEXT NOT NULL, -- 'c' compliance requirement, 'v' vulnerability id
            ref         TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            PRIMARY KEY (tenant_id, kind, ref, fingerprint)
        ) WITHOUT ROWID;
        """;

    /// <summary>How many findings have each (provider, account, severity, status, stored analyst state); '' is no state.</summary>
    private const string CountsTable =
        """
        CREATE TABLE IF NOT EXISTS posture_counts (
            tenant_id      TEXT NOT NULL,
            provider       TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            severity_id    INTEGER NOT NULL,
            status         TEXT NOT NULL,
            workflow_state TEXT NOT NULL,
            count          INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, provider, account_id, severity_id, status, workflow_state)
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// Version 2 kept references in two B-trees and summarized by scanning an index of every finding. Version 3 keeps
    /// one B-tree of references and maintained posture counts, built here once from the findings.
    /// </summary>
    private static async Task MigrateToVersion3Async(SqliteConnection connection, CancellationToken ct)
    {
        var hasRefs = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'finding_refs'", cancellationToken: ct)) > 0;
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        if (hasRefs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                ALTER TABLE finding_refs RENAME TO finding_refs_v2;
                DROP INDEX IF EXISTS ix_finding_refs_ref;
                """, transaction: tx, cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(RefsTable + CountsTable, transaction: tx, cancellationToken: ct));
        if (hasRefs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT OR IGNORE INTO finding_refs (tenant_id, kind, ref, fingerprint)
                SELECT tenant_id, kind, ref, fingerprint FROM finding_refs_v2;
                DROP TABLE finding_refs_v2;
                """, transaction: tx, cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            DROP INDEX IF EXISTS ix_findings_summary;
            DELETE FROM posture_counts;
            INSERT INTO posture_counts (tenant_id, provider, account_id, severity_id, status, workflow_state, count)
            SELECT tenant_id, provider, account_id, severity_id, status, COALESCE(workflow_state, ''), COUNT(*)
              FROM findings GROUP BY tenant_id, provider, account_id, severity_id, status, COALESCE(workflow_state, '');
            """, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Version 4: a RiskAcceptanceExpired history entry keeps the acceptance that lapsed (its note in <c>note</c>, who,
    /// when and until when in three new columns). The resource-id and expiry-sweep indexes are created with the schema.
    /// </summary>
    private static async Task MigrateToVersion4Async(SqliteConnection connection, CancellationToken ct)
    {
        var columns = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM pragma_table_info('finding_history')", cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        if (columns.Count == 0)
        {
            return; // no history table yet: it is created with its version 4 columns
        }

        foreach (var column in new[] { "workflow_by", "workflow_at", "workflow_expires_at" }.Where(c => !columns.Contains(c)))
        {
            await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE finding_history ADD COLUMN {column} TEXT", cancellationToken: ct));
        }
    }

    public Task PingAsync(CancellationToken ct) => database.PingAsync(ct);

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
            RowState stored;
            string provider;
            await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                $"SELECT {RecordColumns}, raw_json, severity_id, provider FROM findings WHERE tenant_id = @tenantId AND fingerprint = @fingerprint",
                new { tenantId, fingerprint }, tx, cancellationToken: ct)))
            {
                if (!await reader.ReadAsync(ct))
                {
                    return null;
                }

                before = ReadRecord(reader, now);
                stored = ReadState(reader);
                raw = reader.GetString(13);
                provider = reader.GetString(15);
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
            var counts = new PostureCounts();
            var account = before.AccountId.ToString();
            counts.Add(tenantId, provider, account, stored.SeverityId, stored.Status, stored.WorkflowState, -1);
            counts.Add(tenantId, provider, account, stored.SeverityId, stored.Status, workflow?.State.ToString(), 1);
            await counts.SaveAsync(connection, tx, ct);
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
        await using var connection = await database.OpenAsync(ct);
        var (sql, args) = BuildQuery(tenantId, query, now, RecordColumns, paged: true, await RareReferenceAsync(connection, tenantId, query, ct));
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
        await using var connection = await database.OpenAsync(ct);
        var (sql, args) = BuildQuery(
            tenantId, query with { Cursor = null }, now, RecordColumns + ", raw_json", paged: false, await RareReferenceAsync(connection, tenantId, query, ct));
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            yield return new ExportedFinding(ReadRecord(reader, now), reader.GetString(13));
        }
    }

    /// <summary>
    /// A compliance or CVE filter matches through <c>finding_refs</c>. When few findings match (a rare CVE), the query
    /// starts from those references and sorts what they find; when many match (a common control), it walks the sort
    /// order and looks each finding's reference up, stopping at the end of the page. Either way a page costs about a
    /// page, not the tenant. Returns the reference to start from, or null to walk the sort order.
    /// </summary>
    private static async Task<(char Kind, string Ref)?> RareReferenceAsync(SqliteConnection connection, string tenantId, FindingQuery query, CancellationToken ct)
    {
        if (query.Compliance is null && query.Cve is null)
        {
            return null;
        }

        // Starting from m references costs about m row reads; walking the order about (100 × n / m) lookups.
        var findings = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(SUM(count), 0) FROM posture_counts WHERE tenant_id = @tenantId", new { tenantId }, cancellationToken: ct));
        var rare = Math.Max(1000, (long)Math.Sqrt(100.0 * findings));
        (char Kind, string Ref)? start = null;
        var fewest = long.MaxValue;
        foreach (var (kind, reference) in new[] { ('c', query.Compliance), ('v', query.Cve) })
        {
            if (reference is null)
            {
                continue;
            }

            var matches = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM (SELECT 1 FROM finding_refs WHERE tenant_id = @tenantId AND kind = @kind AND ref = @reference LIMIT @cap)",
                new { tenantId, kind = kind.ToString(), reference, cap = rare + 1 }, cancellationToken: ct));
            if (matches < fewest)
            {
                (start, fewest) = ((kind, reference), matches);
            }
        }

        return fewest <= rare ? start : null;
    }

    /// <summary>The list's and the export's SQL (internal: tests read its query plan).</summary>
    internal static (string Sql, DynamicParameters Args) BuildQuery(
        string tenantId, FindingQuery query, DateTimeOffset now, string columns, bool paged, (char Kind, string Ref)? startFrom)
    {
        // Starting from a reference: its fingerprints drive the join (CROSS JOIN keeps that order), the page is sorted after.
        // A resource's findings are few: found through their index and sorted, never by walking the tenant in sort order
        // (which the planner would otherwise pick for a LIMIT).
        var from = startFrom is { } start
            ? $"""
              (SELECT fingerprint AS matched_fingerprint FROM finding_refs
                WHERE tenant_id = @tenantId AND kind = '{start.Kind}' AND ref = @{(start.Kind == 'c' ? "compliance" : "cve")}) AS matched
              CROSS JOIN findings ON findings.tenant_id = @tenantId AND findings.fingerprint = matched.matched_fingerprint
              """
            : query.ResourceId is null ? "findings" : "findings INDEXED BY ix_findings_resource";
        var sql = new StringBuilder($"SELECT {columns} FROM {from} WHERE tenant_id = @tenantId");
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
        Filter("resource_id = @resourceId", "resourceId", query.ResourceId);
        void Reference(char kind, string name, string? value)
        {
            if (startFrom?.Kind == kind)
            {
                args.Add(name, value);
                return;
            }

            Filter($"EXISTS (SELECT 1 FROM finding_refs r WHERE r.tenant_id = @tenantId AND r.kind = '{kind}' AND r.ref = @{name} AND r.fingerprint = findings.fingerprint)",
                name, value);
        }

        Reference('c', "compliance", query.Compliance);
        Reference('v', "cve", query.Cve);
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
        RowState stored;
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT {RecordColumns} FROM findings WHERE tenant_id = @tenantId AND fingerprint = @fingerprint",
            new { tenantId, fingerprint }, cancellationToken: ct)))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            record = ReadRecord(reader, now);
            stored = ReadState(reader);
        }

        var history = new List<FindingHistoryEntry>
        {
            new() { At = record.FirstSeen, Transition = "Created", To = nameof(FindingStatus.New), Actor = "scan" },
        };
        history.AddRange((await connection.QueryAsync<HistoryRow>(new CommandDefinition(
            """
            SELECT at, transition, from_status, to_status, actor, note, workflow_by, workflow_at, workflow_expires_at FROM finding_history
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
                Acceptance = h.WorkflowBy is null || h.WorkflowAt is null ? null : new FindingWorkflow
                {
                    State = WorkflowState.RiskAccepted,
                    Note = h.Note,
                    By = h.WorkflowBy,
                    At = At(h.WorkflowAt),
                    ExpiresAt = h.WorkflowExpiresAt is null ? null : At(h.WorkflowExpiresAt),
                },
            }));
        if (stored.WorkflowExpiresAt is not null && record.Workflow is null && history.Count > 1
            && history[^1].Transition == nameof(WorkflowState.RiskAccepted))
        {
            // Lapsed, and the expiry sweep has not ended it yet: shown as it will be recorded.
            history.Add(ExpiryEntry(record, stored));
        }

        return record with { History = history };
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
                DELETE FROM posture_counts WHERE tenant_id = @tenantId AND account_id = @accountId;
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

    /// <summary>A finding ready to store: its body as UTF-8 JSON (what the API shows) and the hash of that body.</summary>
    private sealed record Prepared(NormalizedFinding Finding, byte[] Body, string Hash);

    private sealed record RowState(
        string Fingerprint, string Status, string Hash, string FirstSeen, string LastSeen, string? ResolvedAt, string LastScanId, int SeverityId,
        string? WorkflowState, string? WorkflowNote, string? WorkflowBy, string? WorkflowAt, string? WorkflowExpiresAt,
        string? Provider = null, string? AccountId = null);

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
        public string? WorkflowBy { get; init; }
        public string? WorkflowAt { get; init; }
        public string? WorkflowExpiresAt { get; init; }
    }
}
