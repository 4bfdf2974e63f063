using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core.Scanning.Runs;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Core.Tests.Scanning;

public sealed class ScanWorkerTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly ServiceProvider _provider;
    private ITestHarness _harness = null!;

    public ScanWorkerTests()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new ScanningOptions
            {
                ScanTimeout = TimeSpan.FromSeconds(2),
                MaxConcurrentScans = 1,
                LeaseDuration = TimeSpan.FromSeconds(3),
                HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            })
            .AddSingleton<IScanStateStore>(new SqliteScanStateStore(new SqliteDatabase(_dir.File("scanner.db"))))
            .AddSingleton<ScannerInstance>()
            .AddSingleton<RunningScans>()
            .AddSingleton<ScanQueue>()
            .AddSingleton<ScriptedScanner.Seen>()
            .AddScoped<IProviderScanner, ScriptedScanner>()
            .AddSingleton<IHostedService, ScanWorker>()
            .AddSingleton<ScanLeaseKeeper>()
            .AddSingleton<IHostedService>(sp => sp.GetRequiredService<ScanLeaseKeeper>());
        // The harness waits out a quiet bus before answering "not published": longer than the scan timeout above.
        services.Configure<TestHarnessOptions>(o => o.TestInactivityTimeout = TimeSpan.FromSeconds(5));
        _provider = services.AddMassTransitTestHarness(bus => bus.AddConsumer<CancelScanConsumer>()).BuildServiceProvider(true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _provider.GetRequiredService<IScanStateStore>().InitializeAsync(Ct);
        _harness = _provider.GetRequiredService<ITestHarness>();

        // Starts the bus and every hosted service (the worker and the lease keeper) once.
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("ok", null)]
    [InlineData("credentials rejected", "credentials rejected")]
    [InlineData("crash", "The scanner hit an unexpected error")]
    [InlineData("hang", "did not finish within")]
    public async Task Every_scan_ends_completed_or_failed_with_a_reason(string script, string? failure)
    {
        var job = await Enqueue(script);

        (await _harness.Published.Any<ScanStarted>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
        if (failure is null)
        {
            (await _harness.Published.Any<ScanCompleted>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
            (await _harness.Published.Any<ScanFailed>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeFalse();
        }
        else
        {
            (await _harness.Published.Any<ScanFailed>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
            _harness.Published.Select<ScanFailed>(Ct).Single(m => m.Context.Message.ScanId == job.ScanId).Context.Message.Reason.ShouldContain(failure);
        }
    }

    [Fact]
    public async Task A_failed_scan_does_not_stop_the_next_one()
    {
        await Enqueue("crash");
        var next = await Enqueue("ok");

        (await _harness.Published.Any<ScanCompleted>(m => m.Context.Message.ScanId == next.ScanId, Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_user_cancelling_a_running_scan_ends_it_with_ScanCancelled_not_a_failure()
    {
        var job = await Enqueue("wait for cancel");
        await Started(job);

        await _harness.Bus.Publish(new CancelScan { TenantId = job.TenantId, AccountId = job.AccountId, RequestedBy = "admin", RequestedAt = DateTimeOffset.UtcNow }, Ct);

        (await _harness.Published.Any<ScanCancelled>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
        (await _harness.Published.Any<ScanFailed>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeFalse();
        (await _harness.Published.Any<ScanCompleted>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeFalse();
        var run = await Eventually.Until(() => Runs.FindRunAsync(job.ScanId, Ct), r => r?.State == ScanRunState.Cancelled, "the run to end cancelled");
        run!.CancelRequested.ShouldBeTrue();
    }

    [Fact]
    public async Task A_scan_cancelled_while_queued_never_starts()
    {
        var busy = await Enqueue("wait for cancel");
        await Started(busy);
        var queued = await Enqueue("ok");

        await _harness.Bus.Publish(new CancelScan { TenantId = queued.TenantId, AccountId = queued.AccountId, RequestedBy = "admin", RequestedAt = DateTimeOffset.UtcNow }, Ct);
        (await _harness.Published.Any<ScanCancelled>(m => m.Context.Message.ScanId == queued.ScanId, Ct)).ShouldBeTrue();
        await _harness.Bus.Publish(new CancelScan { TenantId = busy.TenantId, AccountId = busy.AccountId, RequestedBy = "admin", RequestedAt = DateTimeOffset.UtcNow }, Ct);
        (await _harness.Published.Any<ScanCancelled>(m => m.Context.Message.ScanId == busy.ScanId, Ct)).ShouldBeTrue();

        await Eventually.Until(() => Runs.FindRunAsync(queued.ScanId, Ct), r => r?.State == ScanRunState.Cancelled, "the queued run to end cancelled");
        (await _harness.Published.Any<ScanStarted>(m => m.Context.Message.ScanId == queued.ScanId, Ct)).ShouldBeFalse();
        _provider.GetRequiredService<ScriptedScanner.Seen>().Jobs.ShouldNotContain(j => j.ScanId == queued.ScanId);
    }

    [Fact]
    public async Task A_scan_whose_scanner_died_is_claimed_and_resumed_once_its_lease_runs_out()
    {
        var now = DateTimeOffset.UtcNow;
        var orphan = new ScanRun
        {
            ScanId = Guid.NewGuid(),
            TenantId = "ok",
            AccountId = Guid.NewGuid(),
            Provider = CloudProvider.Aws,
            Trigger = ScanTrigger.Scheduled,
            Regions = ["eu-west-1"],
            State = ScanRunState.Running,
            Owner = "a scanner that crashed",
            LeaseUntil = now.AddSeconds(2),
            CreatedAt = now.AddMinutes(-3),
        };
        (await Runs.TryAddRunAsync(orphan, Ct)).ShouldBeTrue();

        await Task.Delay(300, Ct);
        (await Runs.FindRunAsync(orphan.ScanId, Ct))!.Owner.ShouldBe("a scanner that crashed", "its lease had not run out yet");
        await Eventually.Until(() => Runs.FindRunAsync(orphan.ScanId, Ct), r => r?.State == ScanRunState.Completed, "the orphaned run to be resumed and completed");

        var resumed = _provider.GetRequiredService<ScriptedScanner.Seen>().Jobs.Single(j => j.ScanId == orphan.ScanId);
        resumed.Resumed.ShouldBeTrue();
        resumed.Regions.ShouldBe(["eu-west-1"]);
        (await _harness.Published.Any<ScanCompleted>(m => m.Context.Message.ScanId == orphan.ScanId, Ct)).ShouldBeTrue();
        (await _harness.Published.Any<ScanStarted>(m => m.Context.Message.ScanId == orphan.ScanId, Ct)).ShouldBeFalse("a resumed scan had started already");
    }

    [Fact]
    public async Task A_redelivered_scan_request_is_not_run_twice()
    {
        var job = await Enqueue("ok");
        (await _provider.GetRequiredService<ScanQueue>().EnqueueAsync(job, Ct)).ShouldBeFalse();

        await Eventually.Until(() => Runs.FindRunAsync(job.ScanId, Ct), r => r?.State == ScanRunState.Completed, "the run to complete");
        _provider.GetRequiredService<ScriptedScanner.Seen>().Jobs.Count(j => j.ScanId == job.ScanId).ShouldBe(1);
    }

    /// <summary>Waits until a scanner has the job (the harness's Any waits out a quiet bus, longer than these scans last).</summary>
    private Task Started(ScanJob job) => Eventually.Until(
        () => Task.FromResult(_provider.GetRequiredService<ScriptedScanner.Seen>().Jobs.Any(j => j.ScanId == job.ScanId)), seen => seen, "the scan to start");

    private IScanStateStore Runs => _provider.GetRequiredService<IScanStateStore>();

    private async Task<ScanJob> Enqueue(string script)
    {
        var job = new ScanJob
        {
            TenantId = script,
            AccountId = Guid.NewGuid(),
            ScanId = Guid.NewGuid(),
            Provider = CloudProvider.Aws,
            Trigger = ScanTrigger.Manual,
        };
        await _provider.GetRequiredService<ScanQueue>().EnqueueAsync(job, Ct);
        return job;
    }

    /// <summary>A provider scanner whose behaviour the tenant id names: the worker is under test, not a cloud.</summary>
    private sealed class ScriptedScanner(ScriptedScanner.Seen seen) : IProviderScanner
    {
        public CloudProvider Provider => CloudProvider.Aws;

        public async Task<IReadOnlyList<SourceSummary>> ScanAsync(ScanJob job, IPublishEndpoint publish, CancellationToken ct)
        {
            seen.Jobs.Add(job);
            switch (job.TenantId)
            {
                case "wait for cancel":
                    await Task.Delay(Timeout.Infinite, ct);
                    break;
                case "credentials rejected":
                    throw new ScanFailedException("credentials rejected");
                case "crash":
                    throw new InvalidOperationException("boom");
                case "hang":
                    await Task.Delay(Timeout.Infinite, ct);
                    break;
            }

            return [new SourceSummary { Source = "test", Complete = true, Findings = 0 }];
        }

        /// <summary>Every job a scanner was given.</summary>
        public sealed class Seen
        {
            public System.Collections.Concurrent.ConcurrentBag<ScanJob> Jobs { get; } = [];
        }
    }
}
