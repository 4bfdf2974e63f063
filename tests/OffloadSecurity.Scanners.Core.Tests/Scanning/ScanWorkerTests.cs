using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core.Tests.Scanning;

public sealed class ScanWorkerTests : IAsyncLifetime
{
    private readonly ServiceProvider _provider;
    private ITestHarness _harness = null!;

    public ScanWorkerTests()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new ScanningOptions { ScanTimeout = TimeSpan.FromSeconds(2) })
            .AddSingleton<ScanQueue>()
            .AddScoped<IProviderScanner, ScriptedScanner>()
            .AddSingleton<IHostedService, ScanWorker>();
        // The harness waits out a quiet bus before answering "not published": longer than the scan timeout above.
        services.Configure<TestHarnessOptions>(o => o.TestInactivityTimeout = TimeSpan.FromSeconds(5));
        _provider = services.AddMassTransitTestHarness().BuildServiceProvider(true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
        foreach (var hosted in _provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
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
    private sealed class ScriptedScanner : IProviderScanner
    {
        public CloudProvider Provider => CloudProvider.Aws;

        public async Task<IReadOnlyList<SourceSummary>> ScanAsync(ScanJob job, IPublishEndpoint publish, CancellationToken ct)
        {
            switch (job.TenantId)
            {
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
    }
}
