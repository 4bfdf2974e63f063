using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The standalone asset inventory: its own SQLite file (so its writes never wait on the findings ingest), one table per
/// kind of record, each keyed by (tenant_id, id). A batch is one transaction of <c>INSERT ... ON CONFLICT DO UPDATE</c>
/// statements whose update keeps the newest observation: content and last-seen only from a batch at least as new as
/// the stored one, first-seen the earliest. Times are stored as fixed-width UTC ISO-8601 text, so text order is time order.
/// </summary>
public sealed class SqliteAssetStore(SqliteDatabase database) : IAssetStore
{
    private const int SchemaVersion = 1;

    private const string AssetColumns =
        "id, account_id, fingerprint, source, last_scan_id, first_seen, last_seen, provider, type, resource_id, name, region, tags";
    private const string ImageColumns =
        "id, account_id, fingerprint, source, last_scan_id, first_seen, last_seen, registry, repository, digest, reference, tags, pushed_at";
    private const string WorkloadColumns =
        "id, account_id, fingerprint, source, last_scan_id, first_seen, last_seen, cluster, namespace, kind, name, resource_id, images";

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>Columns every table has besides (tenant_id, id, first_seen, last_seen): they follow the newest observation.</summary>
    private static readonly string[] Provenance = ["account_id", "fingerprint", "source", "last_scan_id"];

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            CREATE TABLE IF NOT EXISTS assets (
                tenant_id    TEXT NOT NULL,
                id           TEXT NOT NULL,
                account_id   TEXT NOT NULL,
                fingerprint  TEXT NOT NULL,
                source       TEXT NOT NULL,
                last_scan_id TEXT NOT NULL,
                first_seen   TEXT NOT NULL,
                last_seen    TEXT NOT NULL,
                provider     TEXT NOT NULL,
                type         TEXT NOT NULL,
                resource_id  TEXT NOT NULL,
                name         TEXT,
                region       TEXT,
                tags         TEXT NOT NULL, -- JSON object
                raw_json     TEXT,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX IF NOT EXISTS ix_assets_page ON assets (tenant_id, resource_id, id);
            CREATE INDEX IF NOT EXISTS ix_assets_account ON assets (tenant_id, account_id);
            CREATE TABLE IF NOT EXISTS images (
                tenant_id    TEXT NOT NULL,
                id           TEXT NOT NULL,
                account_id   TEXT NOT NULL,
                fingerprint  TEXT NOT NULL,
                source       TEXT NOT NULL,
                last_scan_id TEXT NOT NULL,
                first_seen   TEXT NOT NULL,
                last_seen    TEXT NOT NULL,
                registry     TEXT NOT NULL,
                repository   TEXT NOT NULL,
                digest       TEXT NOT NULL,
                reference    TEXT NOT NULL,
                tags         TEXT NOT NULL, -- JSON array
                pushed_at    TEXT,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX IF NOT EXISTS ix_images_page ON images (tenant_id, reference, id);
            CREATE INDEX IF NOT EXISTS ix_images_account ON images (tenant_id, account_id);
            CREATE INDEX IF NOT EXISTS ix_images_digest ON images (tenant_id, digest);
            CREATE TABLE IF NOT EXISTS workloads (
                tenant_id    TEXT NOT NULL,
                id           TEXT NOT NULL,
                account_id   TEXT NOT NULL,
                fingerprint  TEXT NOT NULL,
                source       TEXT NOT NULL,
                last_scan_id TEXT NOT NULL,
                first_seen   TEXT NOT NULL,
                last_seen    TEXT NOT NULL,
                cluster      TEXT NOT NULL,
                namespace    TEXT NOT NULL,
                kind         TEXT NOT NULL,
                name         TEXT NOT NULL,
                resource_id  TEXT NOT NULL,
                images       TEXT NOT NULL, -- JSON array
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX IF NOT EXISTS ix_workloads_page ON workloads (tenant_id, resource_id, id);
            CREATE INDEX IF NOT EXISTS ix_workloads_account ON workloads (tenant_id, account_id);
            CREATE INDEX IF NOT EXISTS ix_workloads_cluster ON workloads (tenant_id, cluster, namespace, kind);
            PRAGMA user_version = {SchemaVersion};
            """, cancellationToken: ct));
    }

    public Task PingAsync(CancellationToken ct) => database.PingAsync(ct);

    // ---------------------------------------------------------------- upserts

    public Task<int> UpsertAssetsAsync(AssetsObserved batch, CancellationToken ct) =>
        UpsertAsync("assets", batch.TenantId, ["provider", "type", "resource_id", "name", "region", "tags", "raw_json"],
            ObservedRecords.Of(batch).Select(a => new Row(a.Id, a.AccountId, a.Fingerprint, a.Source, a.LastScanId, a.LastSeen,
                [a.Provider.ToString(), a.Type, a.ResourceId, a.Name, a.Region, JsonSerializer.Serialize(a.Tags, Json), a.RawJson])).ToList(), ct);

    public Task<int> UpsertImagesAsync(ImagesObserved batch, CancellationToken ct) =>
        UpsertAsync("images", batch.TenantId, ["registry", "repository", "digest", "reference", "tags", "pushed_at"],
            ObservedRecords.Of(batch).Select(i => new Row(i.Id, i.AccountId, i.Fingerprint, i.Source, i.LastScanId, i.LastSeen,
                [i.Registry, i.Repository, i.Digest, i.Reference, JsonSerializer.Serialize(i.Tags, Json), i.PushedAt is { } pushed ? Time(pushed) : null])).ToList(), ct);

    public Task<int> UpsertWorkloadsAsync(WorkloadsObserved batch, CancellationToken ct) =>
        UpsertAsync("workloads", batch.TenantId, ["cluster", "namespace", "kind", "name", "resource_id", "images"],
            ObservedRecords.Of(batch).Select(w => new Row(w.Id, w.AccountId, w.Fingerprint, w.Source, w.LastScanId, w.LastSeen,
                [w.Cluster, w.Namespace, w.Kind, w.Name, w.ResourceId, JsonSerializer.Serialize(w.Images, Json)])).ToList(), ct);

    /// <summary>One record to write: its key, provenance, observation time and content (in the order of the content columns).</summary>
    private sealed record Row(string Id, Guid AccountId, string Fingerprint, string Source, Guid ScanId, DateTimeOffset SeenAt, object?[] Content);

    private async Task<int> UpsertAsync(string table, string tenantId, string[] content, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        string[] followNewest = [.. Provenance, .. content];
        var sql =
            $"""
            INSERT INTO {table} (tenant_id, id, first_seen, last_seen, {string.Join(", ", followNewest)})
            VALUES ($tenant_id, $id, $seen, $seen, {string.Join(", ", followNewest.Select(c => "$" + c))})
            ON CONFLICT (tenant_id, id) DO UPDATE SET
                first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen),
                {string.Join(",\n    ", followNewest.Select(c => $"{c} = CASE WHEN excluded.last_seen >= last_seen THEN excluded.{c} ELSE {c} END"))}
            """;

        await _writeLock.WaitAsync(ct);
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var existing = (await connection.QueryAsync<string>(new CommandDefinition(
                $"SELECT id FROM {table} WHERE tenant_id = @tenantId AND id IN (SELECT value FROM json_each(@ids))",
                new { tenantId, ids = JsonSerializer.Serialize(rows.Select(r => r.Id)) }, tx, cancellationToken: ct))).Count();

            await using var upsert = connection.CreateCommand();
            upsert.Transaction = tx;
            upsert.CommandText = sql;
            upsert.Parameters.AddWithValue("$tenant_id", tenantId);
            var parameters = new[] { "$id", "$seen" }.Concat(followNewest.Select(c => "$" + c))
                .Select(name => upsert.Parameters.Add(new SqliteParameter { ParameterName = name }))
                .ToArray();
            foreach (var row in rows)
            {
                object?[] values = [row.Id, Time(row.SeenAt), row.AccountId.ToString(), row.Fingerprint, row.Source, row.ScanId.ToString(), .. row.Content];
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = values[i] ?? DBNull.Value;
                }

                await upsert.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
            return rows.Count - existing;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ---------------------------------------------------------------- queries

    public async Task<ItemPage<AssetRecord>> QueryAssetsAsync(string tenantId, AssetQuery query, CancellationToken ct)
    {
        var select = new Select(tenantId, AssetColumns, "assets");
        select.Filter("provider = @provider", "provider", query.Provider?.ToString());
        select.Filter("account_id = @accountId", "accountId", query.AccountId?.ToString());
        select.Filter("type = @type", "type", query.Type);
        select.Filter("region = @region", "region", query.Region);
        select.Filter("resource_id = @resourceId", "resourceId", query.ResourceId);
        select.Contains(["name", "resource_id"], query.Text);
        var rows = await select.PageAsync<AssetRow>(database, AssetCursor.Assets, "resource_id", query.Cursor, query.Limit, ct);
        return Page(rows, query.Limit, ToRecord, a => AssetCursor.Encode(AssetCursor.Assets, a.ResourceId, a.Id));
    }

    public async Task<AssetRecord?> FindAssetAsync(string tenantId, string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<AssetRow>(new CommandDefinition(
            $"SELECT {AssetColumns}, raw_json FROM assets WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<ItemPage<ImageRecord>> QueryImagesAsync(string tenantId, ImageQuery query, CancellationToken ct)
    {
        var select = new Select(tenantId, ImageColumns, "images");
        select.Filter("account_id = @accountId", "accountId", query.AccountId?.ToString());
        select.Filter("registry = @registry", "registry", query.Registry);
        select.Filter("repository = @repository", "repository", query.Repository);
        select.Filter("digest = @digest", "digest", query.Digest);
        select.Filter("EXISTS (SELECT 1 FROM json_each(images.tags) WHERE value = @tag)", "tag", query.Tag);
        select.Contains(["reference"], query.Text);
        var rows = await select.PageAsync<ImageRow>(database, AssetCursor.Images, "reference", query.Cursor, query.Limit, ct);
        return Page(rows, query.Limit, ToRecord, i => AssetCursor.Encode(AssetCursor.Images, i.Reference, i.Id));
    }

    public async Task<ImageRecord?> FindImageAsync(string tenantId, string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ImageRow>(new CommandDefinition(
            $"SELECT {ImageColumns} FROM images WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<ItemPage<WorkloadRecord>> QueryWorkloadsAsync(string tenantId, WorkloadQuery query, CancellationToken ct)
    {
        var select = new Select(tenantId, WorkloadColumns, "workloads");
        select.Filter("account_id = @accountId", "accountId", query.AccountId?.ToString());
        select.Filter("cluster = @cluster", "cluster", query.Cluster);
        select.Filter("namespace = @namespace", "namespace", query.Namespace);
        select.Filter("kind = @kind", "kind", query.Kind);
        select.Contains(["resource_id"], query.Text);
        var rows = await select.PageAsync<WorkloadRow>(database, AssetCursor.Workloads, "resource_id", query.Cursor, query.Limit, ct);
        return Page(rows, query.Limit, ToRecord, w => AssetCursor.Encode(AssetCursor.Workloads, w.ResourceId, w.Id));
    }

    public async Task<WorkloadRecord?> FindWorkloadAsync(string tenantId, string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<WorkloadRow>(new CommandDefinition(
            $"SELECT {WorkloadColumns} FROM workloads WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<IReadOnlyList<ClusterSummary>> ClustersAsync(string tenantId, Guid? accountId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<GroupRow>(new CommandDefinition(
            $"""
            SELECT cluster, namespace, kind, account_id, COUNT(*) AS count, MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen
              FROM workloads
             WHERE tenant_id = @tenantId{(accountId is null ? "" : " AND account_id = @accountId")}
             GROUP BY cluster, namespace, kind, account_id
            """, new { tenantId, accountId = accountId?.ToString() }, cancellationToken: ct));
        return ClusterRollup.Of(rows.Select(r => new WorkloadGroup(r.Cluster, r.Namespace, r.Kind, Guid.Parse(r.AccountId), r.Count, At(r.FirstSeen), At(r.LastSeen))));
    }

    public async Task<AssetsRemoved> DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var args = new { tenantId, accountId = accountId.ToString() };
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            async Task<int> Delete(string table) => await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {table} WHERE tenant_id = @tenantId AND account_id = @accountId", args, tx, cancellationToken: ct));
            var removed = new AssetsRemoved(await Delete("assets"), await Delete("images"), await Delete("workloads"));
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

    private static DateTimeOffset At(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static ItemPage<TRecord> Page<TRow, TRecord>(List<TRow> rows, int limit, Func<TRow, TRecord> read, Func<TRecord, string> cursor)
    {
        var items = rows.Take(limit).Select(read).ToList();
        return new ItemPage<TRecord>(items, rows.Count > limit ? cursor(items[^1]) : null);
    }

    private static AssetRecord ToRecord(AssetRow r) => new()
    {
        Id = r.Id,
        AccountId = Guid.Parse(r.AccountId),
        Provider = Enum.Parse<CloudProvider>(r.Provider),
        Type = r.Type,
        ResourceId = r.ResourceId,
        Name = r.Name,
        Region = r.Region,
        Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.Tags, Json) ?? [],
        Source = r.Source,
        Fingerprint = r.Fingerprint,
        FirstSeen = At(r.FirstSeen),
        LastSeen = At(r.LastSeen),
        LastScanId = Guid.Parse(r.LastScanId),
        RawJson = r.RawJson,
    };

    private static ImageRecord ToRecord(ImageRow r) => new()
    {
        Id = r.Id,
        AccountId = Guid.Parse(r.AccountId),
        Registry = r.Registry,
        Repository = r.Repository,
        Digest = r.Digest,
        Reference = r.Reference,
        Tags = JsonSerializer.Deserialize<List<string>>(r.Tags, Json) ?? [],
        PushedAt = r.PushedAt is null ? null : At(r.PushedAt),
        Source = r.Source,
        Fingerprint = r.Fingerprint,
        FirstSeen = At(r.FirstSeen),
        LastSeen = At(r.LastSeen),
        LastScanId = Guid.Parse(r.LastScanId),
    };

    private static WorkloadRecord ToRecord(WorkloadRow r) => new()
    {
        Id = r.Id,
        AccountId = Guid.Parse(r.AccountId),
        Cluster = r.Cluster,
        Namespace = r.Namespace,
        Kind = r.Kind,
        Name = r.Name,
        ResourceId = r.ResourceId,
        Images = JsonSerializer.Deserialize<List<string>>(r.Images, Json) ?? [],
        Source = r.Source,
        Fingerprint = r.Fingerprint,
        FirstSeen = At(r.FirstSeen),
        LastSeen = At(r.LastSeen),
        LastScanId = Guid.Parse(r.LastScanId),
    };

    /// <summary>A tenant-scoped <c>SELECT</c> of one list: filters, then the keyset predicate, order and limit.</summary>
    private sealed class Select(string tenantId, string columns, string table)
    {
        private readonly StringBuilder _sql = new($"SELECT {columns} FROM {table} WHERE tenant_id = @tenantId");
        private readonly DynamicParameters _args = new(new { tenantId });

        public void Filter(string clause, string name, string? value)
        {
            if (value is not null)
            {
                _sql.Append(" AND ").Append(clause);
                _args.Add(name, value);
            }
        }

        /// <summary>Case-insensitive (ASCII) substring of any of <paramref name="columns"/>, matched literally.</summary>
        public void Contains(string[] columns, string? text)
        {
            if (text is null)
            {
                return;
            }

            _sql.Append(" AND (").Append(string.Join(" OR ", columns.Select(c => $@"{c} LIKE @text ESCAPE '\'"))).Append(')');
            _args.Add("text", "%" + text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%");
        }

        public async Task<List<TRow>> PageAsync<TRow>(SqliteDatabase database, string list, string sortColumn, string? cursor, int limit, CancellationToken ct)
        {
            if (AssetCursor.TryDecode(list, cursor, out var after))
            {
                _sql.Append($" AND ({sortColumn} > @afterKey OR ({sortColumn} = @afterKey AND id > @afterId))");
                _args.Add("afterKey", after.SortKey);
                _args.Add("afterId", after.Id);
            }

            _sql.Append($" ORDER BY {sortColumn}, id LIMIT @limit");
            _args.Add("limit", limit + 1);
            await using var connection = await database.OpenAsync(ct);
            return [.. await connection.QueryAsync<TRow>(new CommandDefinition(_sql.ToString(), _args, cancellationToken: ct))];
        }
    }

    private sealed record AssetRow
    {
        public string Id { get; init; } = "";
        public string AccountId { get; init; } = "";
        public string Fingerprint { get; init; } = "";
        public string Source { get; init; } = "";
        public string LastScanId { get; init; } = "";
        public string FirstSeen { get; init; } = "";
        public string LastSeen { get; init; } = "";
        public string Provider { get; init; } = "";
        public string Type { get; init; } = "";
        public string ResourceId { get; init; } = "";
        public string? Name { get; init; }
        public string? Region { get; init; }
        public string Tags { get; init; } = "{}";
        public string? RawJson { get; init; }
    }

    private sealed record ImageRow
    {
        public string Id { get; init; } = "";
        public string AccountId { get; init; } = "";
        public string Fingerprint { get; init; } = "";
        public string Source { get; init; } = "";
        public string LastScanId { get; init; } = "";
        public string FirstSeen { get; init; } = "";
        public string LastSeen { get; init; } = "";
        public string Registry { get; init; } = "";
        public string Repository { get; init; } = "";
        public string Digest { get; init; } = "";
        public string Reference { get; init; } = "";
        public string Tags { get; init; } = "[]";
        public string? PushedAt { get; init; }
    }

    private sealed record WorkloadRow
    {
        public string Id { get; init; } = "";
        public string AccountId { get; init; } = "";
        public string Fingerprint { get; init; } = "";
        public string Source { get; init; } = "";
        public string LastScanId { get; init; } = "";
        public string FirstSeen { get; init; } = "";
        public string LastSeen { get; init; } = "";
        public string Cluster { get; init; } = "";
        public string Namespace { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Name { get; init; } = "";
        public string ResourceId { get; init; } = "";
        public string Images { get; init; } = "[]";
    }

    private sealed record GroupRow
    {
        public string Cluster { get; init; } = "";
        public string Namespace { get; init; } = "";
        public string Kind { get; init; } = "";
        public string AccountId { get; init; } = "";
        public long Count { get; init; }
        public string FirstSeen { get; init; } = "";
        public string LastSeen { get; init; } = "";
    }
}
