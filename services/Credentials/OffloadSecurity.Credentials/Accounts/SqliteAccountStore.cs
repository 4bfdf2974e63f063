using System.Text.Json;
using Dapper;
using OffloadSecurity.Contracts;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Credentials.Accounts;

public sealed class SqliteAccountStore(SqliteDatabase database) : IAccountStore
{
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
            """, cancellationToken: ct));
    }

    public Task PingAsync(CancellationToken ct) => database.PingAsync(ct);

    public async Task AddAsync(Account account, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO accounts (tenant_id, id, provider, display_name, regions, settings, secret, status, created_at)
            VALUES (@TenantId, @Id, @Provider, @DisplayName, @Regions, @SettingsJson, @Secret, @Status, @CreatedAt)
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
            StatusChangedAt = StatusChangedAt is null ? null : DateTimeOffset.Parse(StatusChangedAt),
            LastSyncedAt = LastSyncedAt is null ? null : DateTimeOffset.Parse(LastSyncedAt),
            CreatedAt = DateTimeOffset.Parse(CreatedAt),
        };
    }
}
