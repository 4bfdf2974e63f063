using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests.Accounts;

public sealed class SqliteAccountStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly SqliteAccountStore _store;

    public SqliteAccountStoreTests() => _store = new SqliteAccountStore(new SqliteDatabase(_dir.File("credentials.db")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_status_older_than_the_current_one_is_ignored()
    {
        var account = await AddAccountAsync("tenant-a");
        var scan = Guid.NewGuid();

        (await _store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(scan, SyncStatus.Error, "denied", T0.AddSeconds(5)), Ct)).ShouldBeTrue();
        (await _store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(scan, SyncStatus.Syncing, null, T0.AddSeconds(1)), Ct)).ShouldBeFalse();

        var stored = await _store.FindAsync("tenant-a", account.Id, Ct);
        stored!.Status.ShouldBe(SyncStatus.Error);
        stored.StatusMessage.ShouldBe("denied");
    }

    [Fact]
    public async Task A_status_for_another_tenant_changes_nothing()
    {
        var account = await AddAccountAsync("tenant-a");

        (await _store.ApplyStatusAsync("tenant-b", account.Id, new StatusChange(Guid.NewGuid(), SyncStatus.Error, "x", T0), Ct)).ShouldBeFalse();

        (await _store.FindAsync("tenant-a", account.Id, Ct))!.Status.ShouldBe(SyncStatus.Pending);
        (await _store.FindAsync("tenant-b", account.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Synced_records_when_the_account_last_synced()
    {
        var account = await AddAccountAsync("tenant-a");

        await _store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(Guid.NewGuid(), SyncStatus.Synced, null, T0.AddMinutes(3)), Ct);

        (await _store.FindAsync("tenant-a", account.Id, Ct))!.LastSyncedAt.ShouldBe(T0.AddMinutes(3));
    }

    private async Task<Account> AddAccountAsync(string tenant)
    {
        await _store.InitializeAsync(Ct);
        var account = new Account
        {
            Id = Guid.NewGuid(),
            TenantId = tenant,
            Provider = CloudProvider.Aws,
            DisplayName = "prod",
            SettingsJson = "{}",
            Secret = [1, 2, 3],
            CreatedAt = T0,
        };
        await _store.AddAsync(account, Ct);
        return account;
    }

    public void Dispose() => _dir.Dispose();
}
