using MassTransit.Testing;
using OffloadSecurity.CloudSandbox.Aws.GuardDuty;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>
/// The real AWS scanner (broker client, Security Hub, GuardDuty and ECR sources, clients, call policy) against the real
/// sandbox, publishing to MassTransit's in-memory test harness.
/// </summary>
public sealed class AwsScannerAgainstSandboxTests : IAsyncLifetime
{
    private const string Denied = "eu-west-1";
    private const string Disabled = "ap-southeast-2";
    private static readonly SandboxAwsAccount Account = Configure(SandboxServer.Account("909090909090", findings: 120, guardDutyFindings: 140));
    private ScannerHarness _scanner = null!;
    private SandboxServer _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _scanner = await ScannerHarness.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _scanner.DisposeAsync();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    [Fact]
    public async Task Access_denied_on_guardduty_in_one_region_makes_that_source_partial_while_the_rest_completes()
    {
        Start();
        var job = Job("us-east-1", Denied);

        var summaries = await _scanner.Scanner(_sandbox, Account).ScanAsync(job, _scanner.Bus.Bus, Ct);

        var guardDuty = summaries.Single(s => s.Source == "aws.guardduty");
        guardDuty.Complete.ShouldBeFalse();
        guardDuty.Reason.ShouldNotBeNull();
        guardDuty.Reason.ShouldStartWith($"{Denied}: AccessDeniedException: ");
        guardDuty.Findings.ShouldBe(NotArchivedGuardDuty("us-east-1"));
        summaries.Single(s => s.Source == "aws.securityhub")
            .ShouldBe(new SourceSummary { Source = "aws.securityhub", Complete = true, Findings = ActiveSecurityHub("us-east-1", Denied) });

        var completed = await _scanner.SourceScansCompleted(job);
        (completed["aws.guardduty"].Complete, completed["aws.guardduty"].FindingCount).ShouldBe((false, guardDuty.Findings));
        completed["aws.securityhub"].Complete.ShouldBeTrue();
        (await _scanner.Findings(job, "aws.guardduty")).Select(f => f.Region).Distinct().ShouldBe(["us-east-1"]);
    }

    [Fact]
    public async Task A_region_without_a_detector_is_nothing_to_report_and_the_source_stays_complete()
    {
        Start();
        var job = Job(Disabled);

        var summaries = await _scanner.Scanner(_sandbox, Account).ScanAsync(job, _scanner.Bus.Bus, Ct);

        summaries.Single(s => s.Source == "aws.guardduty")
            .ShouldBe(new SourceSummary { Source = "aws.guardduty", Complete = true, Findings = 0 });
        var completed = (await _scanner.SourceScansCompleted(job))["aws.guardduty"];
        (completed.Complete, completed.FindingCount, completed.BatchCount).ShouldBe((true, 0, 0));
    }

    [Fact]
    public async Task GuardDuty_findings_arrive_normalized_in_their_own_batches()
    {
        Start();
        var job = Job("us-east-1");

        await _scanner.Scanner(_sandbox, Account).ScanAsync(job, _scanner.Bus.Bus, Ct);

        var findings = await _scanner.Findings(job, "aws.guardduty");
        findings.Count.ShouldBe(NotArchivedGuardDuty("us-east-1"));
        findings.Select(f => f.Fingerprint).Distinct().Count().ShouldBe(findings.Count);
        findings.ShouldAllBe(f => f.Class == FindingClass.Detection && f.State == ObservedState.Open && f.CloudAccountId == Account.AccountId);
        findings.ShouldAllBe(f => f.NativeId.StartsWith($"arn:aws:guardduty:us-east-1:{Account.AccountId}:detector/", StringComparison.Ordinal));
        findings.ShouldContain(f => f.IsSample);
        findings.ShouldContain(f => !f.IsSample);
        findings.Select(f => f.Severity).Distinct().ShouldBe([Severity.Low, Severity.Medium, Severity.High, Severity.Critical], ignoreOrder: true);
        findings.Select(f => f.Resource.Type).Distinct()
            .ShouldBe(["AwsEc2Instance", "AwsIamAccessKey", "AwsS3Bucket", "AwsEksCluster", "AwsAccount"], ignoreOrder: true);
        (await _scanner.Findings(job, "aws.securityhub")).Count.ShouldBe(ActiveSecurityHub("us-east-1"));
    }

    [Fact]
    public async Task A_throttling_storm_with_server_errors_slows_both_sources_but_both_complete()
    {
        Start(("Sandbox:Throttling:ThrottleEveryNth", "3"), ("Sandbox:Throttling:ServerErrorEveryNth", "7"));
        var job = Job("us-east-1", Disabled);

        var summaries = await _scanner.Scanner(_sandbox, Account, retry: new AwsRetryOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(5),
            MaxDelay = TimeSpan.FromMilliseconds(50),
        }).ScanAsync(job, _scanner.Bus.Bus, Ct);

        summaries.ShouldAllBe(s => s.Complete);
        summaries.Single(s => s.Source == "aws.guardduty").Findings.ShouldBe(NotArchivedGuardDuty("us-east-1"));
        summaries.Single(s => s.Source == "aws.securityhub").Findings.ShouldBe(ActiveSecurityHub("us-east-1", Disabled));
    }

    [Fact]
    public async Task Credentials_aws_rejects_fail_the_whole_scan()
    {
        Start();

        var error = await Should.ThrowAsync<ScanFailedException>(
            _scanner.Scanner(_sandbox, Account, "not-the-secret").ScanAsync(Job("us-east-1"), _scanner.Bus.Bus, Ct));

        error.Message.ShouldContain("InvalidSignatureException");
        error.Message.ShouldNotContain("not-the-secret");
    }

    private static SandboxAwsAccount Configure(SandboxAwsAccount account)
    {
        account.GuardDutyAccessDeniedRegions.Add(Denied);
        account.GuardDutyDisabledRegions.Add(Disabled);
        return account;
    }

    private static ScanJob Job(params string[] regions) => ScannerHarness.Job(regions);

    private static int NotArchivedGuardDuty(string region) =>
        Enumerable.Range(0, Account.GuardDutyFindings).Count(i => !GuardDutyFindingGenerator.IsArchived(Account.AccountId, region, i));

    private static int ActiveSecurityHub(params string[] regions) => regions.Sum(region =>
        Enumerable.Range(0, Account.SecurityHubFindings).Count(i => FindingGenerator.RecordState(Account.AccountId, region, i) == "ACTIVE"));

    private void Start(params (string Key, string Value)[] settings)
    {
        _sandbox = new SandboxServer(Account)
        {
            ConfigureHost = web =>
            {
                foreach (var (key, value) in settings)
                {
                    web.UseSetting(key, value);
                }
            },
        };
        _ = _sandbox.Address;
    }
}
