using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Tests.Aws.Sts;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Scanning.Runs;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>
/// Long scans in real conditions, against the sandbox: short-lived credentials running out mid-scan, a scanner
/// stopping half-way and resuming from its checkpoint, and scheduled scans reading only what changed.
/// </summary>
public sealed class ScanResilienceAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private const string Second = "eu-west-1";
    private readonly TempDirectory _data = new();
    private readonly SqliteScanStateStore _runs;
    private ScannerHarness _scanner = null!;
    private SandboxServer? _sandbox;

    public ScanResilienceAgainstSandboxTests() => _runs = new SqliteScanStateStore(new SqliteDatabase(_data.File("scanner.db")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _scanner = await ScannerHarness.StartAsync();
        await _runs.InitializeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _scanner.DisposeAsync();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task Credentials_that_expire_mid_scan_are_renewed_before_they_run_out()
    {
        // 2-second sessions; 1,200 findings in each of two regions take about 4 s at GetFindings' 3 requests per second.
        var account = ShortSessionAccount("616161616161", findings: 1200);
        using var sts = new StsClient(Start(account).Address);
        var broker = new SessionBroker(sts, account);
        var job = Job(ScanTrigger.Manual, Region, Second);

        var summaries = await _scanner.Scanner(_sandbox!, account, issue: broker.IssueAsync, runs: _runs).ScanAsync(job, _scanner.Bus.Bus, Ct);

        var securityHub = summaries.Single(s => s.Source == "aws.securityhub");
        securityHub.ShouldBe(new SourceSummary { Source = "aws.securityhub", Complete = true, Findings = Active(account, Region, Second) });
        broker.Issued.ShouldBeGreaterThanOrEqualTo(2, "the scan outlived its first 2-second session");
    }

    [Fact]
    public async Task Credentials_AWS_says_have_expired_are_renewed_and_the_call_made_again()
    {
        // No renewal margin: the scanner only learns of the expiry from AWS's ExpiredTokenException.
        var account = ShortSessionAccount("626262626262", findings: 1200);
        using var sts = new StsClient(Start(account).Address);
        var broker = new SessionBroker(sts, account);
        var job = Job(ScanTrigger.Manual, Region, Second);
        var options = new ScanningOptions { CredentialRefreshMargin = TimeSpan.Zero };

        var summaries = await _scanner.Scanner(_sandbox!, account, issue: broker.IssueAsync, runs: _runs, options: options)
            .ScanAsync(job, _scanner.Bus.Bus, Ct);

        summaries.Single(s => s.Source == "aws.securityhub").ShouldBe(
            new SourceSummary { Source = "aws.securityhub", Complete = true, Findings = Active(account, Region, Second) });
        broker.Issued.ShouldBeGreaterThanOrEqualTo(2, "each renewal followed an ExpiredTokenException");
    }

    [Fact]
    public async Task A_scan_stopped_half_way_resumes_from_its_checkpoint_instead_of_starting_over()
    {
        var account = SandboxServer.Account("636363636363", findings: 1500);
        Start(account);
        var job = Job(ScanTrigger.Manual, Region);
        var options = new ScanningOptions { CheckpointEveryFindings = 100 };
        var total = Active(account, Region);

        // The scanner "dies" once its checkpoint holds a few pages: its batches so far are published, its checkpoint saved.
        using (var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var scan = _scanner.Scanner(_sandbox!, account, runs: _runs, options: options).ScanAsync(job, _scanner.Bus.Bus, crash.Token);
            await Eventually.Until(
                () => _runs.GetCheckpointAsync(job.ScanId, "aws.securityhub", Ct), c => c?.Findings >= 200, "a checkpoint of a few pages");
            await crash.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => scan);
        }

        var checkpoint = await _runs.GetCheckpointAsync(job.ScanId, "aws.securityhub", Ct);
        checkpoint.ShouldNotBeNull();
        checkpoint.Findings.ShouldBeInRange(1, total - 1);
        checkpoint.Regions[Region].NextToken.ShouldNotBeNull();
        var beforeCrash = Published(job).Sum(b => b.Findings.Count);

        var summaries = await _scanner.Scanner(_sandbox!, account, runs: _runs, options: options)
            .ScanAsync(job with { Resumed = true }, _scanner.Bus.Bus, Ct);

        summaries.Single(s => s.Source == "aws.securityhub").ShouldBe(new SourceSummary { Source = "aws.securityhub", Complete = true, Findings = total });
        var batches = Published(job);
        var findings = batches.SelectMany(b => b.Findings).ToList();
        findings.Select(f => f.Fingerprint).Distinct().Count().ShouldBe(total);
        (findings.Count - beforeCrash).ShouldBeLessThan(total, "the resumed scan read on from its checkpoint, not from the start");
        // Other sources may have finished before the crash; only Security Hub's completion is asserted here.
        var completed = _scanner.Bus.Published.Select<SourceScanCompleted>(Ct)
            .Select(m => m.Context.Message).Single(m => m.ScanId == job.ScanId && m.Source == "aws.securityhub");
        (completed.Complete, completed.FindingCount).ShouldBe((true, total));
        batches.Select(b => b.BatchIndex).Distinct().Order().ShouldBe(Enumerable.Range(0, completed.BatchCount),
            "batch numbers go on where they stopped, so the inventory knows when it has every batch");
    }

    [Fact]
    public async Task A_scheduled_scan_reads_only_what_changed_since_the_last_complete_read()
    {
        var account = SandboxServer.Account("646464646464", findings: 300);
        Start(account);
        var first = Job(ScanTrigger.Initial, Region);
        await _scanner.Scanner(_sandbox!, account, runs: _runs).ScanAsync(first, _scanner.Bus.Bus, Ct);
        var firstRead = await _scanner.Findings(first, "aws.securityhub");

        // In AWS meanwhile: five findings updated, two open ones archived (resolved by their owners). The first read
        // lists the active findings in the sandbox's order, so its k-th finding is the k-th active index.
        var activity = _sandbox!.Services.GetRequiredService<SecurityHubActivity>();
        var active = Enumerable.Range(0, account.SecurityHubFindings)
            .Where(i => FindingGenerator.RecordState(account.AccountId, Region, i) == "ACTIVE").ToList();
        firstRead.Count.ShouldBe(active.Count);
        foreach (var index in active.Take(5))
        {
            activity.Update(account.AccountId, Region, index);
        }

        var archived = Enumerable.Range(5, active.Count - 5).Where(k => firstRead[k].State == ObservedState.Open).Take(2).ToList();
        foreach (var k in archived)
        {
            activity.Archive(account.AccountId, Region, active[k]);
        }

        var scheduled = Job(ScanTrigger.Scheduled, Region);
        var summaries = await _scanner.Scanner(_sandbox, account, runs: _runs).ScanAsync(scheduled, _scanner.Bus.Bus, Ct);

        summaries.Single(s => s.Source == "aws.securityhub").ShouldBe(
            new SourceSummary { Source = "aws.securityhub", Complete = false, Incremental = true, Findings = 7 });
        var completed = (await _scanner.SourceScansCompleted(scheduled))["aws.securityhub"];
        (completed.Complete, completed.Incremental, completed.Reason).ShouldBe((false, true, null));
        var findings = (await _scanner.Findings(scheduled, "aws.securityhub")).ToDictionary(f => f.Fingerprint);
        foreach (var k in archived)
        {
            findings[firstRead[k].Fingerprint].State.ShouldBe(ObservedState.Closed, "archived findings arrive closed, so the inventory resolves them");
        }

        active.Take(5).Select((_, k) => firstRead[k].Fingerprint).ShouldBeSubsetOf(findings.Keys);

        // Once the full pass is due, a scheduled scan reads everything again and may resolve what vanished.
        var due = Job(ScanTrigger.Scheduled, Region);
        var full = await _scanner.Scanner(_sandbox, account, runs: _runs, options: new ScanningOptions { FullPassInterval = TimeSpan.Zero })
            .ScanAsync(due, _scanner.Bus.Bus, Ct);
        full.Single(s => s.Source == "aws.securityhub").ShouldBe(
            new SourceSummary { Source = "aws.securityhub", Complete = true, Findings = Active(account, Region) - 2 });
    }

    private List<FindingsObserved> Published(ScanJob job) =>
    [
        .. _scanner.Bus.Published.Select<FindingsObserved>(Ct)
            .Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId && m.Source == "aws.securityhub"),
    ];

    private SandboxServer Start(SandboxAwsAccount account)
    {
        _sandbox = new SandboxServer(account);
        _ = _sandbox.Address;
        return _sandbox;
    }

    private static SandboxAwsAccount ShortSessionAccount(string accountId, int findings)
    {
        var account = SandboxServer.Account(accountId, findings);
        account.MaxSessionSeconds = 2;
        return account;
    }

    private static int Active(SandboxAwsAccount account, params string[] regions) => regions.Sum(region =>
        Enumerable.Range(0, account.SecurityHubFindings).Count(i => FindingGenerator.RecordState(account.AccountId, region, i) == "ACTIVE"));

    private static ScanJob Job(ScanTrigger trigger, params string[] regions) => new()
    {
        TenantId = "tenant-resilience",
        AccountId = Guid.Parse("6e6e6e6e-0000-4000-8000-000000000001"),
        ScanId = Guid.NewGuid(),
        Provider = CloudProvider.Aws,
        Trigger = trigger,
        Regions = regions,
    };

    /// <summary>The credentials service's broker in miniature: a new sandbox STS session (GetSessionToken) per request.</summary>
    private sealed class SessionBroker(StsClient sts, SandboxAwsAccount account)
    {
        private int _issued;

        public int Issued => _issued;

        public async Task<AwsScanCredentials> IssueAsync(CancellationToken ct)
        {
            var (status, body) = await sts.CallAsync(
                new AwsCredentials(account.AccessKeyId, account.SecretAccessKey), "GetSessionToken", ("DurationSeconds", "900"));
            status.ShouldBe(System.Net.HttpStatusCode.OK);
            var (credentials, expiration) = StsClient.Credentials(body);
            Interlocked.Increment(ref _issued);
            return new AwsScanCredentials
            {
                AccessKeyId = credentials.AccessKeyId,
                SecretAccessKey = credentials.SecretAccessKey,
                SessionToken = credentials.SessionToken,
                ExpiresAt = expiration,
            };
        }
    }
}
