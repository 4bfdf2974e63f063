using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core.Publishing;

namespace OffloadSecurity.Scanners.Core.Tests.Publishing;

public sealed class FindingBatcherTests : IAsyncLifetime
{
    private static readonly ScanJob Job = new()
    {
        TenantId = "tenant-a",
        AccountId = Guid.NewGuid(),
        ScanId = Guid.NewGuid(),
        Provider = CloudProvider.Aws,
        Trigger = ScanTrigger.Manual,
    };

    private readonly ServiceProvider _provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(true);
    private ITestHarness _harness = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task Publishes_at_most_500_findings_per_batch_with_consecutive_indexes()
    {
        var batcher = new FindingBatcher(_harness.Bus, Job, "aws.securityhub", TimeProvider.System);

        for (var i = 0; i < 1234; i++)
        {
            await batcher.AddAsync(Finding(i, rawBytes: 200), Ct);
        }

        await batcher.FlushAsync(Ct);

        var batches = await Published();
        batches.Select(b => b.Findings.Count).ShouldBe([500, 500, 234]);
        batches.Select(b => b.BatchIndex).ShouldBe([0, 1, 2]);
        batcher.Published.ShouldBe(1234);
        batcher.Batches.ShouldBe(3);
        batches.ShouldAllBe(b => b.TenantId == Job.TenantId && b.ScanId == Job.ScanId && b.Source == "aws.securityhub");
    }

    [Fact]
    public async Task Keeps_each_batch_under_one_mebibyte()
    {
        var batcher = new FindingBatcher(_harness.Bus, Job, "aws.securityhub", TimeProvider.System);

        for (var i = 0; i < 100; i++)
        {
            await batcher.AddAsync(Finding(i, rawBytes: 60_000), Ct);
        }

        await batcher.FlushAsync(Ct);

        var batches = await Published();
        batches.Sum(b => b.Findings.Count).ShouldBe(100);
        batches.Count.ShouldBeGreaterThan(5);
        batches.ShouldAllBe(b => b.Findings.Sum(f => f.RawJson.Length) < FindingBatcher.MaxBytes);
    }

    [Fact]
    public async Task Publishes_nothing_for_a_source_without_findings()
    {
        var batcher = new FindingBatcher(_harness.Bus, Job, "aws.securityhub", TimeProvider.System);

        await batcher.FlushAsync(Ct);

        batcher.Batches.ShouldBe(0);
        (await _harness.Published.Any<FindingsObserved>(Ct)).ShouldBeFalse();
    }

    private async Task<List<FindingsObserved>> Published()
    {
        (await _harness.Published.Any<FindingsObserved>(Ct)).ShouldBeTrue();
        return [.. _harness.Published.Select<FindingsObserved>(Ct).Select(m => m.Context.Message).OrderBy(m => m.BatchIndex)];
    }

    private static NormalizedFinding Finding(int i, int rawBytes) => new()
    {
        Fingerprint = "fp" + i,
        Class = FindingClass.Compliance,
        Severity = Severity.Low,
        SeverityId = 2,
        State = ObservedState.Open,
        Title = "t",
        Provider = CloudProvider.Aws,
        Source = "aws.securityhub",
        NativeId = "n" + i,
        Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "b" },
        RawJson = new string('x', rawBytes),
    };
}
