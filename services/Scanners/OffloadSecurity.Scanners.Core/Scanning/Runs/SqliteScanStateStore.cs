using System.Globalization;
using System.Text.Json;
using Dapper;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>The scan state in one SQLite file. Times are stored as ISO-8601 UTC text, which sorts as time.</summary>
public sealed class SqliteScanStateStore(SqliteDatabase database) : IScanStateStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS scan_runs (
                scan_id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                provider TEXT NOT NULL,
                trigger TEXT NOT NULL,
                regions TEXT NOT NULL,
                state TEXT NOT NULL,
                owner TEXT NOT NULL,
                lease_until TEXT NOT NULL,
                cancel_requested INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_scan_runs_active ON scan_runs (state, lease_until);
            CREATE INDEX IF NOT EXISTS ix_scan_runs_account ON scan_runs (tenant_id, account_id);
            CREATE TABLE IF NOT EXISTS source_checkpoints (
                scan_id TEXT NOT NULL,
                source TEXT NOT NULL,
                checkpoint TEXT NOT NULL,
                PRIMARY KEY (scan_id, source));
            CREATE TABLE IF NOT EXISTS source_cursors (
                tenant_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                source TEXT NOT NULL,
                cursor TEXT NOT NULL,
                PRIMARY KEY (tenant_id, account_id, source));
            """, cancellationToken: ct));
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
    }

    public async Task<bool> TryAddRunAsync(ScanRun run, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO scan_runs (scan_id, tenant_id, account_id, provider, trigger, regions, state, owner, lease_until, cancel_requested, created_at)
            VALUES (@ScanId, @TenantId, @AccountId, @Provider, @Trigger, @Regions, @State, @Owner, @LeaseUntil, @CancelRequested, @CreatedAt)
            """,
            new
            {
                ScanId = run.ScanId.ToString(),
                run.TenantId,
                AccountId = run.AccountId.ToString(),
                Provider = run.Provider.ToString(),
                Trigger = run.Trigger.ToString(),
                Regions = JsonSerializer.Serialize(run.Regions, Json),
                State = run.State.ToString(),
                run.Owner,
                LeaseUntil = Time(run.LeaseUntil),
                run.CancelRequested,
                CreatedAt = Time(run.CreatedAt),
            }, cancellationToken: ct)) == 1;
    }

    public async Task<ScanRun?> FindRunAsync(Guid scanId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM scan_runs WHERE scan_id = @scanId", new { scanId = scanId.ToString() }, cancellationToken: ct));
        return row?.ToRun();
    }

    public async Task<bool> StartRunAsync(Guid scanId, string owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scan_runs SET state = 'Running', lease_until = @leaseUntil
             WHERE scan_id = @scanId AND owner = @owner AND state IN ('Queued', 'Running') AND cancel_requested = 0
            """,
            new { scanId = scanId.ToString(), owner, leaseUntil = Time(leaseUntil) }, cancellationToken: ct)) == 1;
    }

    public async Task FinishRunAsync(Guid scanId, ScanRunState state, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var args = new { scanId = scanId.ToString(), state = state.ToString() };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE scan_runs SET state = @state WHERE scan_id = @scanId", args, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM source_checkpoints WHERE scan_id = @scanId", args, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<Guid>> HeartbeatAsync(string owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var cancelled = await connection.QueryAsync<string>(new CommandDefinition(
            """
            UPDATE scan_runs SET lease_until = @leaseUntil
             WHERE owner = @owner AND state IN ('Queued', 'Running')
            RETURNING CASE WHEN cancel_requested = 1 THEN scan_id END
            """,
            new { owner, leaseUntil = Time(leaseUntil) }, cancellationToken: ct));
        return [.. cancelled.OfType<string>().Select(Guid.Parse)];
    }

    public async Task<IReadOnlyList<ScanRun>> ClaimAbandonedAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);

        // One statement: SQLite runs it under the write lock, so two scanners sharing the file never claim one run.
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"""
            UPDATE scan_runs SET owner = @owner, lease_until = @leaseUntil
             WHERE scan_id IN (SELECT scan_id FROM scan_runs
                                WHERE state IN ('Queued', 'Running') AND lease_until < @now
                                ORDER BY lease_until LIMIT @max)
            RETURNING {RunColumns}
            """,
            new { owner, now = Time(now), leaseUntil = Time(leaseUntil), max }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRun())];
    }

    public async Task<IReadOnlyList<ScanRun>> RequestCancelAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"""
            UPDATE scan_runs SET cancel_requested = 1
             WHERE tenant_id = @tenantId AND account_id = @accountId AND state IN ('Queued', 'Running')
            RETURNING {RunColumns}
            """,
            new { tenantId, accountId = accountId.ToString() }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRun())];
    }

    public async Task<SourceCheckpoint?> GetCheckpointAsync(Guid scanId, string source, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT checkpoint FROM source_checkpoints WHERE scan_id = @scanId AND source = @source",
            new { scanId = scanId.ToString(), source }, cancellationToken: ct));
        return json is null ? null : JsonSerializer.Deserialize<SourceCheckpoint>(json, Json);
    }

    public async Task SaveCheckpointAsync(SourceCheckpoint checkpoint, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO source_checkpoints (scan_id, source, checkpoint) VALUES (@scanId, @source, @json)
            ON CONFLICT (scan_id, source) DO UPDATE SET checkpoint = excluded.checkpoint
            """,
            new { scanId = checkpoint.ScanId.ToString(), source = checkpoint.Source, json = JsonSerializer.Serialize(checkpoint, Json) },
            cancellationToken: ct));
    }

    public async Task<SourceCursor?> GetCursorAsync(string tenantId, Guid accountId, string source, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT cursor FROM source_cursors WHERE tenant_id = @tenantId AND account_id = @accountId AND source = @source",
            new { tenantId, accountId = accountId.ToString(), source }, cancellationToken: ct));
        return json is null ? null : JsonSerializer.Deserialize<SourceCursor>(json, Json);
    }

    public async Task SaveCursorAsync(SourceCursor cursor, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO source_cursors (tenant_id, account_id, source, cursor) VALUES (@TenantId, @accountId, @Source, @json)
            ON CONFLICT (tenant_id, account_id, source) DO UPDATE SET cursor = excluded.cursor
            """,
            new { cursor.TenantId, accountId = cursor.AccountId.ToString(), cursor.Source, json = JsonSerializer.Serialize(cursor, Json) },
            cancellationToken: ct));
    }

    public async Task DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var args = new { tenantId, accountId = accountId.ToString() };
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM source_checkpoints
             WHERE scan_id IN (SELECT scan_id FROM scan_runs WHERE tenant_id = @tenantId AND account_id = @accountId);
            DELETE FROM scan_runs WHERE tenant_id = @tenantId AND account_id = @accountId;
            DELETE FROM source_cursors WHERE tenant_id = @tenantId AND account_id = @accountId;
            """, args, cancellationToken: ct));
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var args = new { before = Time(before) };
        const string Ended = "state IN ('Completed', 'Failed', 'Cancelled') AND created_at < @before";
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM source_checkpoints WHERE scan_id IN (SELECT scan_id FROM scan_runs WHERE {Ended})", args, cancellationToken: ct));
        return await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM scan_runs WHERE {Ended}", args, cancellationToken: ct));
    }

    private const string RunColumns = "scan_id, tenant_id, account_id, provider, trigger, regions, state, owner, lease_until, cancel_requested, created_at";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private sealed record RunRow
    {
        public string ScanId { get; init; } = "";
        public string TenantId { get; init; } = "";
        public string AccountId { get; init; } = "";
        public string Provider { get; init; } = "";
        public string Trigger { get; init; } = "";
        public string Regions { get; init; } = "[]";
        public string State { get; init; } = "";
        public string Owner { get; init; } = "";
        public string LeaseUntil { get; init; } = "";
        public bool CancelRequested { get; init; }
        public string CreatedAt { get; init; } = "";

        public ScanRun ToRun() => new()
        {
            ScanId = Guid.Parse(ScanId),
            TenantId = TenantId,
            AccountId = Guid.Parse(AccountId),
            Provider = Enum.Parse<CloudProvider>(Provider),
            Trigger = Enum.Parse<ScanTrigger>(Trigger),
            Regions = JsonSerializer.Deserialize<List<string>>(Regions, Json) ?? [],
            State = Enum.Parse<ScanRunState>(State),
            Owner = Owner,
            LeaseUntil = DateTimeOffset.Parse(LeaseUntil, CultureInfo.InvariantCulture),
            CancelRequested = CancelRequested,
            CreatedAt = DateTimeOffset.Parse(CreatedAt, CultureInfo.InvariantCulture),
        };
    }
}
