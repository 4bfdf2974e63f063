using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests.Scheduling;

public sealed class SchedulingStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly SqliteAccountStore _store;

    public SchedulingStoreTests() => _store = new SqliteAccountStore(new SqliteDatabase(_dir.File("credentials.db")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_lease_belongs_to_one_holder_until_it_expires()
    {
        await _store.InitializeAsync(Ct);
        var ttl = TimeSpan.FromMinutes(3);

        (await _store.TryAcquireLeaseAsync("scheduler", "a", ttl, T0, Ct)).ShouldBeTrue();
        (await _store.TryAcquireLeaseAsync("scheduler", "b", ttl, T0.AddMinutes(1), Ct)).ShouldBeFalse();
        (await _store.TryAcquireLeaseAsync("scheduler", "a", ttl, T0.AddMinutes(2), Ct)).ShouldBeTrue();
        (await _store.TryAcquireLeaseAsync("scheduler", "b", ttl, T0.AddMinutes(4), Ct)).ShouldBeFalse();
        (await _store.TryAcquireLeaseAsync("scheduler", "b", ttl, T0.AddMinutes(5), Ct)).ShouldBeTrue();
        (await _store.TryAcquireLeaseAsync("scheduler", "a", ttl, T0.AddMinutes(6), Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_due_account_is_claimed_once_per_interval_and_disconnected_ones_never()
    {
        await _store.InitializeAsync(Ct);
        var due = await Add("t", T0.AddMinutes(-1), interval: 360);
        await Add("t", T0.AddMinutes(10), interval: 360);
        var disconnected = await Add("t", T0.AddMinutes(-5), interval: 360);
        await _store.DisconnectAsync("t", disconnected.Id, T0, Ct);

        var first = await _store.ClaimDueAsync(T0, 100, Ct);
        var again = await _store.ClaimDueAsync(T0.AddMinutes(1), 100, Ct);
        var nextRound = await _store.ClaimDueAsync(T0.AddHours(6), 100, Ct);

        first.Select(a => a.Id).ShouldBe([due.Id]);
        again.ShouldBeEmpty();
        nextRound.Select(a => a.Id).ShouldContain(due.Id);
        (await _store.FindAsync("t", due.Id, Ct))!.NextSyncAt.ShouldBe(T0.AddHours(12));
    }

    [Fact]
    public async Task A_shorter_interval_brings_the_next_sync_forward()
    {
        await _store.InitializeAsync(Ct);
        var account = await Add("t", T0.AddHours(6), interval: 360);

        var updated = await _store.UpdateAsync("t", account.Id, new AccountChanges(null, null, 30), T0, Ct);

        updated!.SyncIntervalMinutes.ShouldBe(30);
        updated.NextSyncAt.ShouldBe(T0.AddMinutes(30));
    }

    private async Task<Account> Add(string tenant, DateTimeOffset nextSync, int interval)
    {
        var account = new Account
        {
            Id = Guid.NewGuid(),
            TenantId = tenant,
            Provider = CloudProvider.Aws,
            DisplayName = "a",
            SettingsJson = "{}",
            Secret = [1],
            CreatedAt = T0.AddDays(-1),
            NextSyncAt = nextSync,
            SyncIntervalMinutes = interval,
        };
        await _store.AddAsync(account, Ct);
        return account;
    }

    public void Dispose() => _dir.Dispose();
}
