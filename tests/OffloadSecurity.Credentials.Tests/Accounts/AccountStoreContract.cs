using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests.Accounts;

/// <summary>
/// What every account store must do, whatever keeps the data. Run against SQLite files here and against MongoDB
/// wherever one is reachable. Times are whole milliseconds, the precision both stores keep.
/// </summary>
public abstract class AccountStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, 123, TimeSpan.Zero);
    private IAccountStore? _store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IAccountStore Store => _store ??= CreateStore();

    /// <summary>A new, empty store (skips the test when its backend is unreachable).</summary>
    protected abstract IAccountStore CreateStore();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Keeps_every_field_of_an_account()
    {
        var account = await AddAsync("tenant-a", a => a with
        {
            Provider = CloudProvider.Azure,
            Regions = ["westeurope", "northeurope"],
            SettingsJson = """{"tenantId":"t","clientId":"c"}""",
            Secret = [0, 1, 2, 250, 255],
            StatusMessage = null,
            SyncIntervalMinutes = 45,
            NextSyncAt = T0.AddMinutes(45),
            ConnectedAs = "app 0000",
        });

        var stored = await Store.FindAsync("tenant-a", account.Id, Ct);

        // Field by field, lists and bytes by content.
        System.Text.Json.JsonSerializer.Serialize(stored).ShouldBe(System.Text.Json.JsonSerializer.Serialize(account));
    }

    [Fact]
    public async Task Lists_only_the_tenants_own_accounts_in_the_order_they_were_connected()
    {
        var second = await AddAsync("tenant-a", a => a with { CreatedAt = T0.AddMinutes(2) });
        var first = await AddAsync("tenant-a", a => a with { CreatedAt = T0.AddMinutes(1) });
        var other = await AddAsync("tenant-b");

        (await Store.ListAsync("tenant-a", Ct)).Select(a => a.Id).ShouldBe([first.Id, second.Id]);
        (await Store.ListAsync("tenant-b", Ct)).Select(a => a.Id).ShouldBe([other.Id]);
        (await Store.FindAsync("tenant-b", first.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_status_older_than_the_current_one_is_ignored()
    {
        var account = await AddAsync("tenant-a");
        var scan = Guid.NewGuid();

        (await Store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(scan, SyncStatus.Error, "denied", T0.AddSeconds(5)), Ct)).ShouldBeTrue();
        (await Store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(scan, SyncStatus.Syncing, null, T0.AddSeconds(1)), Ct)).ShouldBeFalse();

        var stored = await Store.FindAsync("tenant-a", account.Id, Ct);
        stored!.Status.ShouldBe(SyncStatus.Error);
        stored.StatusMessage.ShouldBe("denied");
        stored.LastScanId.ShouldBe(scan);
    }

    [Fact]
    public async Task A_status_for_another_tenant_changes_nothing()
    {
        var account = await AddAsync("tenant-a");

        (await Store.ApplyStatusAsync("tenant-b", account.Id, new StatusChange(Guid.NewGuid(), SyncStatus.Error, "x", T0), Ct)).ShouldBeFalse();

        (await Store.FindAsync("tenant-a", account.Id, Ct))!.Status.ShouldBe(SyncStatus.Pending);
    }

    [Fact]
    public async Task Synced_records_when_the_account_last_synced()
    {
        var account = await AddAsync("tenant-a");

        await Store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(Guid.NewGuid(), SyncStatus.Synced, null, T0.AddMinutes(3)), Ct);
        await Store.ApplyStatusAsync("tenant-a", account.Id, new StatusChange(Guid.NewGuid(), SyncStatus.Syncing, null, T0.AddMinutes(4)), Ct);

        var stored = await Store.FindAsync("tenant-a", account.Id, Ct);
        stored!.LastSyncedAt.ShouldBe(T0.AddMinutes(3));
        stored.Status.ShouldBe(SyncStatus.Syncing);
    }

    [Fact]
    public async Task Updates_only_the_given_fields_of_the_tenants_own_account()
    {
        var account = await AddAsync("tenant-a", a => a with { Regions = ["us-east-1"] });

        (await Store.UpdateAsync("tenant-b", account.Id, new AccountChanges("stolen", null, null), T0, Ct)).ShouldBeNull();
        var renamed = await Store.UpdateAsync("tenant-a", account.Id, new AccountChanges("Production", null, null), T0, Ct);
        var moved = await Store.UpdateAsync("tenant-a", account.Id, new AccountChanges(null, ["eu-west-1", "eu-central-1"], null), T0, Ct);

        renamed!.DisplayName.ShouldBe("Production");
        renamed.Regions.ShouldBe(["us-east-1"]);
        moved!.DisplayName.ShouldBe("Production");
        moved.Regions.ShouldBe(["eu-west-1", "eu-central-1"]);
    }

    [Fact]
    public async Task A_shorter_interval_brings_the_next_sync_forward_and_a_longer_one_never_delays_it()
    {
        var account = await AddAsync("t", a => a with { NextSyncAt = T0.AddHours(6), SyncIntervalMinutes = 360 });

        var shorter = await Store.UpdateAsync("t", account.Id, new AccountChanges(null, null, 30), T0, Ct);
        var longer = await Store.UpdateAsync("t", account.Id, new AccountChanges(null, null, 720), T0, Ct);

        shorter!.NextSyncAt.ShouldBe(T0.AddMinutes(30));
        longer!.SyncIntervalMinutes.ShouldBe(720);
        longer.NextSyncAt.ShouldBe(T0.AddMinutes(30));
    }

    [Fact]
    public async Task Disconnect_removes_the_secret_and_the_schedule_and_keeps_the_first_disconnect_time()
    {
        var account = await AddAsync("t", a => a with { NextSyncAt = T0.AddHours(1) });

        var first = await Store.DisconnectAsync("t", account.Id, T0.AddMinutes(1), Ct);
        var again = await Store.DisconnectAsync("t", account.Id, T0.AddMinutes(9), Ct);
        var ignored = await Store.ApplyStatusAsync("t", account.Id, new StatusChange(Guid.NewGuid(), SyncStatus.Synced, null, T0.AddMinutes(10)), Ct);

        first!.Secret.ShouldBeNull();
        first.Status.ShouldBe(SyncStatus.Disconnected);
        first.NextSyncAt.ShouldBeNull();
        again!.StatusChangedAt.ShouldBe(T0.AddMinutes(1));
        ignored.ShouldBeFalse();
        (await Store.DisconnectAsync("other-tenant", account.Id, T0, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Delete_removes_only_the_tenants_own_account()
    {
        var account = await AddAsync("t");

        (await Store.DeleteAsync("other-tenant", account.Id, Ct)).ShouldBeFalse();
        (await Store.DeleteAsync("t", account.Id, Ct)).ShouldBeTrue();
        (await Store.DeleteAsync("t", account.Id, Ct)).ShouldBeFalse();
        (await Store.FindAsync("t", account.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Rewrap_replaces_every_secret_but_never_brings_back_one_removed_meanwhile()
    {
        var kept = await AddAsync("t1", a => a with { Secret = [1] });
        var other = await AddAsync("t2", a => a with { Secret = [2] });
        var removed = await AddAsync("t2", a => a with { Secret = [3] });

        var count = await Store.RewrapAllAsync((tenant, id, secret) =>
        {
            if (id == removed.Id)
            {
                // The account is disconnected while rotation holds its old envelope.
                Store.DisconnectAsync(tenant, id, T0, Ct).GetAwaiter().GetResult();
            }

            return [.. secret, 99];
        }, Ct);

        count.ShouldBe(2);
        (await Store.FindAsync("t1", kept.Id, Ct))!.Secret.ShouldBe([1, 99]);
        (await Store.FindAsync("t2", other.Id, Ct))!.Secret.ShouldBe([2, 99]);
        (await Store.FindAsync("t2", removed.Id, Ct))!.Secret.ShouldBeNull();
    }

    [Fact]
    public async Task A_lease_belongs_to_one_holder_until_it_expires()
    {
        await Store.InitializeAsync(Ct);
        var ttl = TimeSpan.FromMinutes(3);

        (await Store.TryAcquireLeaseAsync("scheduler", "a", ttl, T0, Ct)).ShouldBeTrue();
        (await Store.TryAcquireLeaseAsync("scheduler", "b", ttl, T0.AddMinutes(1), Ct)).ShouldBeFalse();
        (await Store.TryAcquireLeaseAsync("scheduler", "a", ttl, T0.AddMinutes(2), Ct)).ShouldBeTrue();
        (await Store.TryAcquireLeaseAsync("scheduler", "b", ttl, T0.AddMinutes(4), Ct)).ShouldBeFalse();
        (await Store.TryAcquireLeaseAsync("scheduler", "b", ttl, T0.AddMinutes(5), Ct)).ShouldBeTrue();
        (await Store.TryAcquireLeaseAsync("scheduler", "a", ttl, T0.AddMinutes(6), Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_due_account_is_claimed_once_per_interval_and_disconnected_ones_never()
    {
        var due = await AddAsync("t", a => a with { NextSyncAt = T0.AddMinutes(-1), SyncIntervalMinutes = 360 });
        await AddAsync("t", a => a with { NextSyncAt = T0.AddMinutes(10), SyncIntervalMinutes = 360 });
        var disconnected = await AddAsync("t", a => a with { NextSyncAt = T0.AddMinutes(-5), SyncIntervalMinutes = 360 });
        await Store.DisconnectAsync("t", disconnected.Id, T0, Ct);

        var first = await Store.ClaimDueAsync(T0, 100, Ct);
        var again = await Store.ClaimDueAsync(T0.AddMinutes(1), 100, Ct);
        var nextRound = await Store.ClaimDueAsync(T0.AddHours(6), 100, Ct);

        first.Select(a => a.Id).ShouldBe([due.Id]);
        again.ShouldBeEmpty();
        nextRound.Select(a => a.Id).ShouldContain(due.Id);
        (await Store.FindAsync("t", due.Id, Ct))!.NextSyncAt.ShouldBe(T0.AddHours(12));
    }

    [Fact]
    public async Task Concurrent_claims_never_take_the_same_account_twice()
    {
        var accounts = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            accounts.Add((await AddAsync("t", a => a with { NextSyncAt = T0.AddMinutes(-i) })).Id);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.ClaimDueAsync(T0, 10, Ct), Ct)));

        var claimed = claims.SelectMany(c => c).Select(a => a.Id).ToList();
        claimed.Count.ShouldBe(30);
        claimed.ShouldBeUnique();
        claimed.ShouldBe(accounts, ignoreOrder: true);
    }

    private async Task<Account> AddAsync(string tenant, Func<Account, Account>? shape = null)
    {
        await Store.InitializeAsync(Ct);
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
        account = shape?.Invoke(account) ?? account;
        await Store.AddAsync(account, Ct);
        return account;
    }
}

public sealed class SqliteAccountStoreContract : AccountStoreContract
{
    private readonly TempDirectory _dir = new();

    protected override IAccountStore CreateStore() => new SqliteAccountStore(new SqliteDatabase(_dir.File("credentials.db")));

    public override ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The same contract on a real MongoDB; skipped, with the reason, where none is reachable.</summary>
public sealed class MongoAccountStoreContract(MongoDbFixture mongo) : AccountStoreContract, IClassFixture<MongoDbFixture>
{
    private readonly string _database = MongoDbServer.NewDatabaseName();
    private MongoClient? _client;

    protected override IAccountStore CreateStore()
    {
        _client = new MongoClient(mongo.Server.RequireConnectionString());
        return new MongoAccountStore(_client.GetDatabase(_database));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DropDatabaseAsync(_database);
            _client.Dispose();
        }
    }
}
