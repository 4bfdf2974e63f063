using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Scanning;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.Scanners.Aws.Tests.Scanning;

public sealed class AwsScannerTests
{
    private static readonly AwsScanScope Scope = new(
        new ScanJob
        {
            TenantId = "tenant-scan",
            AccountId = Guid.NewGuid(),
            ScanId = Guid.NewGuid(),
            Provider = CloudProvider.Aws,
            Trigger = ScanTrigger.Manual,
        },
        new AwsCredentials("AKIAEXAMPLE", "secret"), ["us-east-1"], null!);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sources_run_side_by_side_and_each_reports_its_own_outcome()
    {
        var bothStarted = new TaskCompletionSource();
        var started = 0;
        async Task<SourceSummary> Run(string source, bool complete)
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            return new SourceSummary { Source = source, Complete = complete, Findings = 1, Reason = complete ? null : "partial" };
        }

        var summaries = await AwsScanner.ScanSourcesAsync(
            [new FakeSource("aws.securityhub", _ => Run("aws.securityhub", true)), new FakeSource("aws.guardduty", _ => Run("aws.guardduty", false))],
            Scope, Ct);

        summaries.Select(s => (s.Source, s.Complete)).ShouldBe([("aws.securityhub", true), ("aws.guardduty", false)]);
    }

    [Fact]
    public async Task Rejected_credentials_in_one_source_stop_the_others_and_fail_the_scan_with_that_reason()
    {
        var otherStopped = false;
        var slow = new FakeSource("aws.securityhub", async ct =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                otherStopped = true;
                throw;
            }

            return null!;
        });
        var failing = new FakeSource("aws.guardduty", async _ =>
        {
            await Task.Yield();
            throw new ScanFailedException("AWS rejected the account's credentials in us-east-1 (InvalidSignatureException: no).");
        });

        var error = await Should.ThrowAsync<ScanFailedException>(AwsScanner.ScanSourcesAsync([slow, failing], Scope, Ct));

        error.Message.ShouldContain("InvalidSignatureException");
        otherStopped.ShouldBeTrue();
    }

    private sealed class FakeSource(string source, Func<CancellationToken, Task<SourceSummary>> scan) : IAwsFindingSource
    {
        public string Source => source;

        public Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct) => scan(ct);
    }
}
