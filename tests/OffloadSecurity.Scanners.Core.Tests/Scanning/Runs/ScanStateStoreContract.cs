using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core.Scanning.Runs;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Core.Tests.Scanning.Runs;

/// <summary>What every scan state store must do, run against SQLite here and MongoDB where one is reachable.</summary>
public abstract class ScanStateStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, 123, TimeSpan.Zero);
    private IScanStateStore? _store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IScanStateStore Store => _store ??= CreateStore();

    /// <summary>A new, empty store (skips the test when its backend is unreachable).</summary>
    protected abstract IScanStateStore CreateStore();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Keeps_every_field_of_a_run_and_refuses_a_second_run_with_the_same_id()
    {
        await Store.InitializeAsync(Ct);
        var run = Run("tenant-a", owner: "scanner-1", lease: T0.AddMinutes(1)) with { Regions = ["eu-west-1", "us-east-1"], Trigger = ScanTrigger.Scheduled };

        (await Store.TryAddRunAsync(run, Ct)).ShouldBeTrue();
        (await Store.TryAddRunAsync(run with { Owner = "scanner-2" }, Ct)).ShouldBeFalse();

        var found = await Store.FindRunAsync(run.ScanId, Ct);
        found.ShouldNotBeNull();
        found.ShouldBeEquivalentTo(run with { Regions = found.Regions });
        found.Regions.ShouldBe(["eu-west-1", "us-east-1"]);
    }

    [Fact]
    public async Task Only_the_owner_starts_a_run_and_not_once_it_is_cancelled_or_ended()
    {
        await Store.InitializeAsync(Ct);
        var mine = await AddAsync(Run("tenant-a", "scanner-1", T0.AddMinutes(1)));
        var cancelled = await AddAsync(Run("tenant-a", "scanner-1", T0.AddMinutes(1)));
        var ended = await AddAsync(Run("tenant-b", "scanner-1", T0.AddMinutes(1)));
        await Store.RequestCancelAsync("tenant-a", cancelled.AccountId, Ct);
        await Store.FinishRunAsync(ended.ScanId, ScanRunState.Completed, Ct);

        (await Store.StartRunAsync(mine.ScanId, "scanner-2", T0.AddMinutes(2), Ct)).ShouldBeFalse();
        (await Store.StartRunAsync(mine.ScanId, "scanner-1", T0.AddMinutes(2), Ct)).ShouldBeTrue();
        (await Store.FindRunAsync(mine.ScanId, Ct))!.State.ShouldBe(ScanRunState.Running);
        (await Store.StartRunAsync(cancelled.ScanId, "scanner-1", T0.AddMinutes(2), Ct)).ShouldBeFalse();
        (await Store.StartRunAsync(ended.ScanId, "scanner-1", T0.AddMinutes(2), Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Heartbeat_extends_the_owners_active_leases_and_names_the_cancelled_runs()
    {
        await Store.InitializeAsync(Ct);
        var running = await AddAsync(Run("tenant-a", "scanner-1", T0.AddSeconds(30)));
        var cancelled = await AddAsync(Run("tenant-a", "scanner-1", T0.AddSeconds(30)));
        var others = await AddAsync(Run("tenant-a", "scanner-2", T0.AddSeconds(30)));
        var done = await AddAsync(Run("tenant-a", "scanner-1", T0.AddSeconds(30)));
        await Store.FinishRunAsync(done.ScanId, ScanRunState.Failed, Ct);
        await Store.RequestCancelAsync("tenant-a", cancelled.AccountId, Ct);

        var toCancel = await Store.HeartbeatAsync("scanner-1", T0.AddMinutes(5), Ct);

        toCancel.ShouldBe([cancelled.ScanId]);
        (await Store.FindRunAsync(running.ScanId, Ct))!.LeaseUntil.ShouldBe(T0.AddMinutes(5));
        (await Store.FindRunAsync(others.ScanId, Ct))!.LeaseUntil.ShouldBe(T0.AddSeconds(30));
        (await Store.FindRunAsync(done.ScanId, Ct))!.LeaseUntil.ShouldBe(T0.AddSeconds(30));
    }

    [Fact]
    public async Task Claims_only_active_runs_whose_lease_ran_out()
    {
        await Store.InitializeAsync(Ct);
        var abandoned = await AddAsync(Run("tenant-a", "dead-scanner", T0.AddSeconds(-1)));
        var alive = await AddAsync(Run("tenant-a", "live-scanner", T0.AddMinutes(1)));
        var ended = await AddAsync(Run("tenant-a", "dead-scanner", T0.AddSeconds(-1)));
        await Store.FinishRunAsync(ended.ScanId, ScanRunState.Completed, Ct);

        var claimed = await Store.ClaimAbandonedAsync("scanner-3", T0, T0.AddMinutes(1), 10, Ct);

        claimed.Select(r => r.ScanId).ShouldBe([abandoned.ScanId]);
        claimed[0].Owner.ShouldBe("scanner-3");
        (await Store.FindRunAsync(abandoned.ScanId, Ct))!.Owner.ShouldBe("scanner-3");
        (await Store.FindRunAsync(alive.ScanId, Ct))!.Owner.ShouldBe("live-scanner");
        (await Store.ClaimAbandonedAsync("scanner-4", T0, T0.AddMinutes(1), 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_scanners_claiming_at_once_never_take_the_same_run()
    {
        await Store.InitializeAsync(Ct);
        var runs = new List<ScanRun>();
        for (var i = 0; i < 20; i++)
        {
            runs.Add(await AddAsync(Run("tenant-a", "dead-scanner", T0.AddSeconds(-i - 1))));
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Task.Run(async () => await Store.ClaimAbandonedAsync($"scanner-{i}", T0, T0.AddMinutes(1), 20, Ct), Ct)));

        var all = claims.SelectMany(c => c.Select(r => r.ScanId)).ToList();
        all.Count.ShouldBe(20);
        all.Distinct().Count().ShouldBe(20);
    }

    [Fact]
    public async Task Cancel_reaches_only_the_accounts_active_runs_in_its_tenant()
    {
        await Store.InitializeAsync(Ct);
        var account = Guid.NewGuid();
        var active = await AddAsync(Run("tenant-a", "scanner-1", T0.AddMinutes(1)) with { AccountId = account });
        var ended = await AddAsync(Run("tenant-a", "scanner-1", T0.AddMinutes(1)) with { AccountId = account });
        await Store.FinishRunAsync(ended.ScanId, ScanRunState.Completed, Ct);
        var otherTenant = await AddAsync(Run("tenant-b", "scanner-1", T0.AddMinutes(1)) with { AccountId = account });

        var asked = await Store.RequestCancelAsync("tenant-a", account, Ct);

        asked.Select(r => r.ScanId).ShouldBe([active.ScanId]);
        (await Store.FindRunAsync(active.ScanId, Ct))!.CancelRequested.ShouldBeTrue();
        (await Store.FindRunAsync(otherTenant.ScanId, Ct))!.CancelRequested.ShouldBeFalse();
    }

    [Fact]
    public async Task Keeps_checkpoints_until_the_run_ends()
    {
        await Store.InitializeAsync(Ct);
        var run = await AddAsync(Run("tenant-a", "scanner-1", T0.AddMinutes(1)));
        var checkpoint = new SourceCheckpoint
        {
            ScanId = run.ScanId,
            Source = "aws.securityhub",
            StartedAt = T0,
            Since = T0.AddDays(-1),
            Batches = 3,
            Findings = 1200,
            Unreadable = 1,
            Regions = new Dictionary<string, RegionCheckpoint>
            {
                ["eu-west-1"] = new() { NextToken = "page-13" },
                ["us-east-1"] = new() { Done = true, Problems = ["us-east-1: AccessDenied"] },
            },
        };

        await Store.SaveCheckpointAsync(checkpoint, Ct);
        await Store.SaveCheckpointAsync(checkpoint with { Findings = 1300 }, Ct);
        var found = await Store.GetCheckpointAsync(run.ScanId, "aws.securityhub", Ct);

        found.ShouldNotBeNull();
        found.Findings.ShouldBe(1300);
        found.Batches.ShouldBe(3);
        found.Since.ShouldBe(T0.AddDays(-1));
        found.Regions["eu-west-1"].NextToken.ShouldBe("page-13");
        found.Regions["us-east-1"].Done.ShouldBeTrue();
        found.Regions["us-east-1"].Problems.ShouldBe(["us-east-1: AccessDenied"]);
        (await Store.GetCheckpointAsync(run.ScanId, "aws.guardduty", Ct)).ShouldBeNull();

        await Store.FinishRunAsync(run.ScanId, ScanRunState.Completed, Ct);
        (await Store.GetCheckpointAsync(run.ScanId, "aws.securityhub", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Keeps_cursors_per_tenant_account_and_source()
    {
        await Store.InitializeAsync(Ct);
        var account = Guid.NewGuid();
        var cursor = new SourceCursor
        {
            TenantId = "tenant-a",
            AccountId = account,
            Source = "aws.securityhub",
            LastFullPassAt = T0,
            RegionsReadSince = new Dictionary<string, DateTimeOffset> { ["eu-west-1"] = T0.AddHours(1) },
        };

        await Store.SaveCursorAsync(cursor, Ct);
        await Store.SaveCursorAsync(cursor with { LastFullPassAt = T0.AddHours(2) }, Ct);

        var found = await Store.GetCursorAsync("tenant-a", account, "aws.securityhub", Ct);
        found.ShouldNotBeNull();
        found.LastFullPassAt.ShouldBe(T0.AddHours(2));
        found.RegionsReadSince["eu-west-1"].ShouldBe(T0.AddHours(1));
        (await Store.GetCursorAsync("tenant-b", account, "aws.securityhub", Ct)).ShouldBeNull();
        (await Store.GetCursorAsync("tenant-a", account, "aws.guardduty", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Forgets_a_deleted_account_and_prunes_old_ended_runs()
    {
        await Store.InitializeAsync(Ct);
        var account = Guid.NewGuid();
        var deleted = await AddAsync(Run("tenant-a", "scanner-1", T0.AddMinutes(1)) with { AccountId = account });
        await Store.SaveCursorAsync(new SourceCursor { TenantId = "tenant-a", AccountId = account, Source = "aws.securityhub", LastFullPassAt = T0 }, Ct);
        var old = await AddAsync(Run("tenant-a", "scanner-1", T0) with { CreatedAt = T0.AddDays(-8) });
        await Store.FinishRunAsync(old.ScanId, ScanRunState.Completed, Ct);
        var oldButActive = await AddAsync(Run("tenant-a", "scanner-1", T0) with { CreatedAt = T0.AddDays(-8) });

        await Store.DeleteAccountAsync("tenant-a", account, Ct);
        var pruned = await Store.PruneAsync(T0.AddDays(-7), Ct);

        (await Store.FindRunAsync(deleted.ScanId, Ct)).ShouldBeNull();
        (await Store.GetCursorAsync("tenant-a", account, "aws.securityhub", Ct)).ShouldBeNull();
        pruned.ShouldBe(1);
        (await Store.FindRunAsync(old.ScanId, Ct)).ShouldBeNull();
        (await Store.FindRunAsync(oldButActive.ScanId, Ct)).ShouldNotBeNull();
    }

    private async Task<ScanRun> AddAsync(ScanRun run)
    {
        (await Store.TryAddRunAsync(run, Ct)).ShouldBeTrue();
        return run;
    }

    private static ScanRun Run(string tenantId, string owner, DateTimeOffset lease) => new()
    {
        ScanId = Guid.NewGuid(),
        TenantId = tenantId,
        AccountId = Guid.NewGuid(),
        Provider = CloudProvider.Aws,
        Trigger = ScanTrigger.Manual,
        State = ScanRunState.Queued,
        Owner = owner,
        LeaseUntil = lease,
        CreatedAt = T0,
    };
}

public sealed class SqliteScanStateStoreContract : ScanStateStoreContract
{
    private readonly TempDirectory _dir = new();

    protected override IScanStateStore CreateStore() => new SqliteScanStateStore(new SqliteDatabase(_dir.File("scanner.db")));

    public override ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The same contract on a real MongoDB; skipped, with the reason, where none is reachable.</summary>
public sealed class MongoScanStateStoreContract(MongoDbFixture mongo) : ScanStateStoreContract, IClassFixture<MongoDbFixture>
{
    private readonly string _database = MongoDbServer.NewDatabaseName();
    private MongoClient? _client;

    protected override IScanStateStore CreateStore()
    {
        _client = new MongoClient(mongo.Server.RequireConnectionString());
        return new MongoScanStateStore(_client.GetDatabase(_database));
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
