using System.Globalization;
using System.Text.Json;
using Dapper;
using OffloadSecurity.Contracts;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Credentials.Accounts;

public sealed class SqliteAccountStore(SqliteDatabase database) : IAccountStore
{
    // Times the store compares in SQL are written in one fixed-width UTC format, so text order is time order.
    private const string SortableTime = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static readonly (string Name, string Definition)[] AddedColumns =
    [
        ("sync_interval_minutes", $"INTEGER NOT NULL DEFAULT {Account.DefaultSyncIntervalMinutes}"),
        ("next_sync_at", "TEXT"),
        ("connected_as", "TEXT"),
    ];

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS accounts (
                tenant_id         TEXT NOT NULL,
                id                TEXT NOT NULL,
                provider          TEXT NOT NULL,
                display_name      TEXT NOT NULL,
                regions           TEXT NOT NULL,
                settings          TEXT NOT NULL,
                secret            BLOB,
                status            TEXT NOT NULL,
                status_message    TEXT,
                last_scan_id      TEXT,
                status_changed_at TEXT,
                last_synced_at    TEXT,
                created_at        TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE IF NOT EXISTS leases (
                name       TEXT PRIMARY KEY,
                holder     TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            """, cancellationToken: ct));

        // Databases made before scheduling existed get the new columns in place.
        var existing = (await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM pragma_table_info('accounts')", cancellationToken: ct))).ToHashSet();
        foreach (var (name, definition) in AddedColumns.Where(c => !existing.Contains(c.Name)))
        {
            await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE accounts ADD COLUMN {name} {definition}", cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE INDEX IF NOT EXISTS accounts_next_sync ON accounts (next_sync_at) WHERE next_sync_at IS NOT NULL", cancellationToken: ct));
    }

    public Task PingAsync(CancellationToken ct) => database.PingAsync(ct);

    public async Task AddAsync(Account account, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO accounts (tenant_id, id, provider, display_name, regions, settings, secret, status, created_at,
                                  sync_interval_minutes, next_sync_at, connected_as)
            VALUES (@TenantId, @Id, @Provider, @DisplayName, @Regions, @SettingsJson, @Secret, @Status, @CreatedAt,
                    @SyncIntervalMinutes, @NextSyncAt, @ConnectedAs)
            """,
            new
            {
                account.TenantId,
                Id = account.Id.ToString(),
                Provider = account.Provider.ToString(),
                account.DisplayName,
                Regions = JsonSerializer.Serialize(account.Regions),
                account.SettingsJson,
                account.Secret,
                Status = account.Status.ToString(),
                CreatedAt = account.CreatedAt.ToString("O"),
                account.SyncIntervalMinutes,
                NextSyncAt = Sortable(account.NextSyncAt),
                account.ConnectedAs,
            },
            cancellationToken: ct));
    }

    public async Task<Account?> FindAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT * FROM accounts WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id = accountId.ToString() },
            cancellationToken: ct));
        return row?.ToAccount();
    }

    public async Task<IReadOnlyList<Account>> ListAsync(string tenantId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT * FROM accounts WHERE tenant_id = @tenantId ORDER BY created_at, id",
            new { tenantId },
            cancellationToken: ct));
        return [.. rows.Select(r => r.ToAccount())];
    }

    public async Task<bool> ApplyStatusAsync(string tenantId, Guid accountId, StatusChange change, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE accounts
               SET status = @Status, status_message = @Message, last_scan_id = @ScanId, status_changed_at = @At,
                   last_synced_at = CASE WHEN @Status = 'Synced' THEN @At ELSE last_synced_at END
             WHERE tenant_id = @tenantId AND id = @id AND status <> 'Disconnected'
               AND (status_changed_at IS NULL OR status_changed_at <= @At)
            """,
            new
            {
                tenantId,
                id = accountId.ToString(),
                Status = change.Status.ToString(),
                change.Message,
                ScanId = change.ScanId.ToString(),
                At = change.At.UtcDateTime.ToString("O"),
            },
            cancellationToken: ct));
        return changed == 1;
    }

    public async Task<Account?> UpdateAsync(string tenantId, Guid accountId, AccountChanges changes, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // A new interval counts from now, but never pushes a due sync further than the old schedule had it.
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            UPDATE accounts
               SET display_name = COALESCE(@DisplayName, display_name),
                   regions = COALESCE(@Regions, regions),
                   sync_interval_minutes = COALESCE(@Interval, sync_interval_minutes),
                   next_sync_at = CASE WHEN @Interval IS NULL OR next_sync_at IS NULL THEN next_sync_at
                                       ELSE MIN(next_sync_at, @NextIfChanged) END
             WHERE tenant_id = @tenantId AND id = @id
            RETURNING *
            """,
            new
            {
                tenantId,
                id = accountId.ToString(),
                changes.DisplayName,
                Regions = changes.Regions is null ? null : JsonSerializer.Serialize(changes.Regions),
                Interval = changes.SyncIntervalMinutes,
                NextIfChanged = Sortable(now.AddMinutes(changes.SyncIntervalMinutes ?? 0)),
            },
            cancellationToken: ct));
        return rows.SingleOrDefault()?.ToAccount();
    }

    public async Task<Account?> DisconnectAsync(string tenantId, Guid accountId, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            UPDATE accounts
               SET secret = NULL, status = 'Disconnected', status_message = NULL, next_sync_at = NULL,
                   status_changed_at = CASE WHEN status = 'Disconnected' THEN status_changed_at ELSE @At END
             WHERE tenant_id = @tenantId AND id = @id
            RETURNING *
            """,
            new { tenantId, id = accountId.ToString(), At = at.UtcDateTime.ToString("O") },
            cancellationToken: ct));
        return rows.SingleOrDefault()?.ToAccount();
    }

    public async Task<bool> DeleteAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM accounts WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id = accountId.ToString() },
            cancellationToken: ct)) == 1;
    }

    public async Task<int> RewrapAllAsync(Func<string, Guid, byte[], byte[]?> rewrap, CancellationToken ct)
    {
        const int BatchSize = 200;
        var rewritten = 0;
        var after = (Tenant: "", Id: "");
        while (true)
        {
            List<SecretRow> batch;
            await using (var connection = await database.OpenAsync(ct))
            {
                batch = [.. await connection.QueryAsync<SecretRow>(new CommandDefinition(
                    """
                    SELECT tenant_id, id, secret FROM accounts
                     WHERE secret IS NOT NULL AND (tenant_id > @Tenant OR (tenant_id = @Tenant AND id > @Id))
                     ORDER BY tenant_id, id LIMIT @BatchSize
                    """,
                    new { after.Tenant, after.Id, BatchSize },
                    cancellationToken: ct))];
            }

            if (batch.Count == 0)
            {
                return rewritten;
            }

            foreach (var row in batch)
            {
                if (rewrap(row.TenantId, Guid.Parse(row.Id), row.Secret) is not { } replacement)
                {
                    continue;
                }

                // Compare-and-swap: a secret removed (disconnect) or replaced meanwhile is not brought back.
                await using var connection = await database.OpenAsync(ct);
                rewritten += await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE accounts SET secret = @replacement WHERE tenant_id = @TenantId AND id = @Id AND secret = @Secret",
                    new { replacement, row.TenantId, row.Id, row.Secret },
                    cancellationToken: ct));
            }

            after = (batch[^1].TenantId, batch[^1].Id);
        }
    }

    public async Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @Until)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at <= @Now
            """,
            new { name, holder, Until = Sortable(now + duration), Now = Sortable(now) },
            cancellationToken: ct));
        return changed == 1;
    }

    public async Task<IReadOnlyList<Account>> ClaimDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // BEGIN IMMEDIATE: the claim and the move of next_sync_at are one write, serialized across processes.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var due = (await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT * FROM accounts
             WHERE next_sync_at IS NOT NULL AND next_sync_at <= @Now AND secret IS NOT NULL AND status <> 'Disconnected'
             ORDER BY next_sync_at LIMIT @limit
            """,
            new { Now = Sortable(now), limit }, transaction, cancellationToken: ct))).ToList();
        foreach (var row in due)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE accounts SET next_sync_at = @Next WHERE tenant_id = @TenantId AND id = @Id",
                new { Next = Sortable(now.AddMinutes(row.SyncIntervalMinutes)), row.TenantId, row.Id }, transaction, cancellationToken: ct));
        }

        await transaction.CommitAsync(ct);
        return [.. due.Select(r => r.ToAccount())];
    }

    private static string? Sortable(DateTimeOffset? time) => time?.UtcDateTime.ToString(SortableTime, CultureInfo.InvariantCulture);

    private sealed record SecretRow
    {
        public string TenantId { get; init; } = "";
        public string Id { get; init; } = "";
        public byte[] Secret { get; init; } = [];
    }

    // One table row (snake_case columns map to these names); SQLite keeps text, so conversions happen here in one place.
    private sealed record Row
    {
        public string TenantId { get; init; } = "";
        public string Id { get; init; } = "";
        public string Provider { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string Regions { get; init; } = "[]";
        public string Settings { get; init; } = "{}";
        public byte[]? Secret { get; init; }
        public string Status { get; init; } = "";
        public string? StatusMessage { get; init; }
        public string? LastScanId { get; init; }
        public string? StatusChangedAt { get; init; }
        public string? LastSyncedAt { get; init; }
        public string CreatedAt { get; init; } = "";
        public long SyncIntervalMinutes { get; init; } = Account.DefaultSyncIntervalMinutes;
        public string? NextSyncAt { get; init; }
        public string? ConnectedAs { get; init; }

        public Account ToAccount() => new()
        {
            TenantId = TenantId,
            Id = Guid.Parse(Id),
            Provider = Enum.Parse<CloudProvider>(Provider),
            DisplayName = DisplayName,
            Regions = JsonSerializer.Deserialize<string[]>(Regions) ?? [],
            SettingsJson = Settings,
            Secret = Secret,
            Status = Enum.Parse<SyncStatus>(Status),
            StatusMessage = StatusMessage,
            LastScanId = LastScanId is null ? null : Guid.Parse(LastScanId),
            StatusChangedAt = Parse(StatusChangedAt),
            LastSyncedAt = Parse(LastSyncedAt),
            CreatedAt = DateTimeOffset.Parse(CreatedAt, CultureInfo.InvariantCulture),
            SyncIntervalMinutes = (int)SyncIntervalMinutes,
            NextSyncAt = Parse(NextSyncAt),
            ConnectedAs = ConnectedAs,
        };

        private static DateTimeOffset? Parse(string? text) =>
            text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
