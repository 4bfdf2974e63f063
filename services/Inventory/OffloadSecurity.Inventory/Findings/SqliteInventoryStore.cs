using System.Data.Common;
using System.Text;
using System.Text.Json;
using Dapper;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>The standalone inventory: one SQLite file, upserts by (tenant, fingerprint).</summary>
public sealed class SqliteInventoryStore(SqliteDatabase database) : IInventoryStore
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
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
                PRIMARY KEY (tenant_id, fingerprint)
            );
            CREATE INDEX IF NOT EXISTS ix_findings_page ON findings (tenant_id, severity_id DESC, fingerprint);
            CREATE INDEX IF NOT EXISTS ix_findings_scan ON findings (tenant_id, account_id, source, last_scan_id);
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
            """, cancellationToken: ct));
    }

    public Task PingAsync(CancellationToken ct) => database.PingAsync(ct);

    public async Task IngestAsync(FindingsObserved batch, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seenAt = Time(batch.ObservedAt);
        var rows = batch.Findings.Select(f => new
        {
            batch.TenantId,
            f.Fingerprint,
            AccountId = batch.AccountId.ToString(),
            f.Source,
            Provider = f.Provider.ToString(),
            f.SeverityId,
            Status = f.State == ObservedState.Closed ? nameof(FindingStatus.Resolved) : nameof(FindingStatus.New),
            ObservedState = f.State.ToString(),
            f.Region,
            ResourceType = f.Resource.Type,
            SeenAt = seenAt,
            ResolvedAt = f.State == ObservedState.Closed ? seenAt : null,
            ScanId = batch.ScanId.ToString(),
            Body = JsonSerializer.Serialize(f with { RawJson = "" }, Json),
            f.RawJson,
        });

        // A record only moves forward: an older observation (redelivered or out of order) never overwrites a newer one.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO findings (tenant_id, fingerprint, account_id, source, provider, severity_id, status, observed_state,
                                  region, resource_type, first_seen, last_seen, resolved_at, last_scan_id, body, raw_json)
            VALUES (@TenantId, @Fingerprint, @AccountId, @Source, @Provider, @SeverityId, @Status, @ObservedState,
                    @Region, @ResourceType, @SeenAt, @SeenAt, @ResolvedAt, @ScanId, @Body, @RawJson)
            ON CONFLICT (tenant_id, fingerprint) DO UPDATE SET
                status = CASE
                    WHEN excluded.observed_state = 'Closed' THEN 'Resolved'
                    WHEN findings.status = 'Resolved' THEN 'Reopened'
                    WHEN findings.status = 'New' AND findings.last_scan_id <> excluded.last_scan_id THEN 'Active'
                    ELSE findings.status END,
                resolved_at = CASE WHEN excluded.observed_state = 'Closed' THEN COALESCE(findings.resolved_at, excluded.last_seen) END,
                severity_id = excluded.severity_id,
                observed_state = excluded.observed_state,
                region = excluded.region,
                resource_type = excluded.resource_type,
                first_seen = MIN(findings.first_seen, excluded.first_seen),
                last_seen = excluded.last_seen,
                last_scan_id = excluded.last_scan_id,
                body = excluded.body,
                raw_json = excluded.raw_json
            WHERE excluded.last_seen >= findings.last_seen
            """, rows, tx, cancellationToken: ct));

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO scan_batches (tenant_id, scan_id, source, batch_index) VALUES (@TenantId, @ScanId, @Source, @BatchIndex)",
            new { batch.TenantId, ScanId = batch.ScanId.ToString(), batch.Source, batch.BatchIndex }, tx, cancellationToken: ct));
        await ResolveIfScanFinishedAsync(connection, tx, batch.TenantId, batch.ScanId, batch.Source, ct);
        await tx.CommitAsync(ct);
    }

    public async Task CompleteSourceScanAsync(SourceScanCompleted completed, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
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
        await ResolveIfScanFinishedAsync(connection, tx, completed.TenantId, completed.ScanId, completed.Source, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Batches and the completion may arrive in any order; whichever arrives last resolves the findings a
    /// complete scan did not see. A partial scan resolves nothing.
    /// </summary>
    private static async Task ResolveIfScanFinishedAsync(
        DbConnection connection, DbTransaction tx, string tenantId, Guid scanId, string source, CancellationToken ct)
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
            return;
        }

        if (scan.Complete)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE findings SET status = 'Resolved', resolved_at = @FinishedAt
                 WHERE tenant_id = @tenantId AND account_id = @AccountId AND source = @source
                   AND last_scan_id <> @scanId AND status <> 'Resolved' AND last_seen < @StartedAt
                """,
                new { tenantId, source, scanId = scanId.ToString(), scan.AccountId, scan.FinishedAt, scan.StartedAt }, tx, cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE source_scans SET resolved = 1 WHERE tenant_id = @tenantId AND scan_id = @scanId AND source = @source",
            args, tx, cancellationToken: ct));
    }

    public async Task<FindingPage> QueryAsync(string tenantId, FindingQuery query, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT * FROM findings WHERE tenant_id = @tenantId");
        var args = new DynamicParameters(new { tenantId, limit = query.Limit + 1 });
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
        if (FindingCursor.TryDecode(query.Cursor, out var after))
        {
            sql.Append(" AND (severity_id < @afterSeverity OR (severity_id = @afterSeverity AND fingerprint > @afterFingerprint))");
            args.Add("afterSeverity", after.SeverityId);
            args.Add("afterFingerprint", after.Fingerprint);
        }

        sql.Append(" ORDER BY severity_id DESC, fingerprint LIMIT @limit");
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<FindingRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: ct))).ToList();
        var page = rows.Take(query.Limit).Select(r => r.ToRecord()).ToList();
        var next = rows.Count > query.Limit ? FindingCursor.Encode(page[^1].SeverityId, page[^1].Fingerprint) : null;
        return new FindingPage(page, next);
    }

    public async Task<FindingRecord?> FindAsync(string tenantId, string fingerprint, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<FindingRow>(new CommandDefinition(
            "SELECT * FROM findings WHERE tenant_id = @tenantId AND fingerprint = @fingerprint",
            new { tenantId, fingerprint }, cancellationToken: ct));
        return row?.ToRecord();
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O");

    private sealed record SourceScanRow
    {
        public string AccountId { get; init; } = "";
        public bool Complete { get; init; }
        public long BatchCount { get; init; }
        public string StartedAt { get; init; } = "";
        public string FinishedAt { get; init; } = "";
        public long Received { get; init; }
    }

    private sealed record FindingRow
    {
        public string AccountId { get; init; } = "";
        public string Status { get; init; } = "";
        public string FirstSeen { get; init; } = "";
        public string LastSeen { get; init; } = "";
        public string? ResolvedAt { get; init; }
        public string LastScanId { get; init; } = "";
        public string Body { get; init; } = "";

        public FindingRecord ToRecord()
        {
            var f = JsonSerializer.Deserialize<NormalizedFinding>(Body, Json)!;
            return new FindingRecord
            {
                Fingerprint = f.Fingerprint,
                AccountId = Guid.Parse(AccountId),
                Status = Enum.Parse<FindingStatus>(Status),
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
                Resource = f.Resource,
                Compliance = f.Compliance,
                Vulnerabilities = f.Vulnerabilities,
                FirstSeen = DateTimeOffset.Parse(FirstSeen),
                LastSeen = DateTimeOffset.Parse(LastSeen),
                ResolvedAt = ResolvedAt is null ? null : DateTimeOffset.Parse(ResolvedAt),
                LastScanId = Guid.Parse(LastScanId),
            };
        }
    }
}
