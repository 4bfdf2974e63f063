using System.Net;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Scanning;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.Scanners.Aws.Tests.Scanning;

public sealed class SourceRunTests : IAsyncLifetime
{
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
    public async Task A_source_read_without_problems_is_complete_and_says_so_on_the_bus()
    {
        var run = NewRun(out var scope);
        await run.ReadRegionAsync("us-east-1", () => run.AddAsync(Finding("a"), Ct), Ct);

        var summary = await run.CompleteAsync(Ct);

        summary.ShouldBe(new SourceSummary { Source = "aws.test", Complete = true, Findings = 1 });
        var completed = await Completed(scope);
        (completed.Complete, completed.FindingCount, completed.BatchCount).ShouldBe((true, 1, 1));
        (await _harness.Published.Any<FindingsObserved>(m => m.Context.Message.ScanId == scope.Job.ScanId && m.Context.Message.Source == "aws.test", Ct))
            .ShouldBeTrue();
    }

    [Fact]
    public async Task Access_denied_in_one_region_makes_the_source_partial_with_the_reason_and_the_other_regions_are_still_read()
    {
        var run = NewRun(out var scope);

        await run.ReadRegionAsync("eu-west-1", () => throw AwsServiceException.Parse(HttpStatusCode.Forbidden, "AccessDeniedException",
            "{\"message\":\"User is not authorized to perform: guardduty:ListDetectors\"}"), Ct);
        await run.ReadRegionAsync("us-east-1", () => run.AddAsync(Finding("a"), Ct), Ct);
        var summary = await run.CompleteAsync(Ct);

        summary.Complete.ShouldBeFalse();
        summary.Findings.ShouldBe(1);
        summary.Reason.ShouldBe("eu-west-1: AccessDeniedException: User is not authorized to perform: guardduty:ListDetectors");
        (await Completed(scope)).Complete.ShouldBeFalse();
    }

    [Fact]
    public async Task Rejected_credentials_fail_the_whole_scan()
    {
        var run = NewRun(out _);

        var error = await Should.ThrowAsync<ScanFailedException>(run.ReadRegionAsync("us-east-1",
            () => throw AwsServiceException.Parse(HttpStatusCode.Forbidden, "UnrecognizedClientException", "{\"message\":\"bad token\"}"), Ct));

        error.Message.ShouldBe("AWS rejected the account's credentials in us-east-1 (UnrecognizedClientException: bad token).");
    }

    [Fact]
    public async Task An_unreachable_or_silent_region_makes_the_source_partial()
    {
        var run = NewRun(out _);

        await run.ReadRegionAsync("us-east-1", () => throw new HttpRequestException("Connection refused"), Ct);
        await run.ReadRegionAsync("eu-west-1", () => throw new TaskCanceledException("timeout"), Ct);
        var summary = await run.CompleteAsync(Ct);

        summary.Reason.ShouldBe("us-east-1: the service could not be reached (Connection refused); eu-west-1: the service did not answer in time");
    }

    [Fact]
    public async Task Unreadable_findings_make_the_source_partial_and_are_counted()
    {
        var run = NewRun(out _);
        run.Unreadable("us-east-1", "no id");
        run.Unreadable("us-east-1", "no id");

        var summary = await run.CompleteAsync(Ct);

        (summary.Complete, summary.Reason).ShouldBe((false, "2 findings could not be read"));
    }

    [Fact]
    public async Task The_scan_being_stopped_is_not_taken_for_a_timeout()
    {
        var run = NewRun(out _);
        using var stopped = new CancellationTokenSource();
        await stopped.CancelAsync();

        await Should.ThrowAsync<TaskCanceledException>(run.ReadRegionAsync("us-east-1", () => throw new TaskCanceledException(), stopped.Token));
    }

    private SourceRun NewRun(out AwsScanScope scope)
    {
        var job = new ScanJob
        {
            TenantId = "tenant-run",
            AccountId = Guid.NewGuid(),
            ScanId = Guid.NewGuid(),
            Provider = CloudProvider.Aws,
            Trigger = ScanTrigger.Manual,
        };
        scope = new AwsScanScope(job, new AwsCredentials("AKIAEXAMPLE", "secret"), ["us-east-1"], _harness.Bus);
        return new SourceRun(scope, "aws.test", TimeProvider.System, NullLogger.Instance);
    }

    private async Task<SourceScanCompleted> Completed(AwsScanScope scope)
    {
        (await _harness.Published.Any<SourceScanCompleted>(m => m.Context.Message.ScanId == scope.Job.ScanId, Ct)).ShouldBeTrue();
        return _harness.Published.Select<SourceScanCompleted>(Ct).Single(m => m.Context.Message.ScanId == scope.Job.ScanId).Context.Message;
    }

    private static NormalizedFinding Finding(string id) => new()
    {
        Fingerprint = "fp-" + id,
        Class = FindingClass.Detection,
        Severity = Severity.Low,
        SeverityId = 2,
        State = ObservedState.Open,
        Title = "t",
        Provider = CloudProvider.Aws,
        Source = "aws.test",
        NativeId = id,
        Resource = new ResourceRef { Type = "AwsAccount", Id = "AWS::::Account:1" },
        RawJson = "{}",
    };
}
