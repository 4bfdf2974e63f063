using OffloadSecurity.CloudSandbox.Aws.Ecr;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.AwsApi;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>The scanner's ECR source against the sandbox's registry: images observed, image scan findings, partial reads.</summary>
public sealed class EcrScanAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "us-east-2";
    private const string Denied = "eu-west-2";
    private ScannerHarness _scanner = null!;
    private SandboxServer? _sandbox;

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
    public async Task Every_image_is_observed_and_every_scanned_images_findings_arrive_as_vulnerabilities()
    {
        var account = Registry("313131313131", repositories: 7, images: 3);
        var job = ScannerHarness.Job(Region);

        var summaries = await Scan(account, job);

        var expected = Images(account, Region).ToList();
        var images = await _scanner.Images(job);
        images.Select(i => i.Digest).ShouldBe(expected.Select(i => i.Digest), ignoreOrder: true);
        images.ShouldAllBe(i => i.Registry == $"{account.AccountId}.dkr.ecr.{Region}.amazonaws.com" && i.Fingerprint.Length == 32);
        images.Single(i => i.Digest == expected[^1].Digest).Tags.ShouldContain("latest");

        var findings = await _scanner.Findings(job, "aws.ecr");
        findings.Count.ShouldBe(expected.Where(i => i.ScanStatus is "COMPLETE" or "ACTIVE").Sum(i => i.Vulnerabilities.Count));
        findings.ShouldAllBe(f => f.Class == FindingClass.Vulnerability && f.Resource.Type == "AwsEcrContainerImage" && f.State == ObservedState.Open);
        findings.Select(f => f.Fingerprint).Distinct().Count().ShouldBe(findings.Count);
        findings.Select(f => f.Resource.Id).Distinct()
            .ShouldBeSubsetOf(images.Select(i => $"arn:aws:ecr:{Region}:{account.AccountId}:repository/{i.Repository}/{i.Digest}"));
        findings.Select(f => f.ProductName).Distinct().ShouldBe(["Amazon ECR", "Inspector"], ignoreOrder: true);
        findings.ShouldContain(f => f.Severity == Severity.Informational, "UNTRIAGED enhanced findings are kept as informational");
        findings.ShouldAllBe(f => f.Vulnerabilities.Count > 0 && f.Vulnerabilities[0].Package != null && f.Vulnerabilities[0].InstalledVersion != null);
        summaries.Single(s => s.Source == "aws.ecr").Complete.ShouldBeTrue();
        (await _scanner.SourceScansCompleted(job))["aws.ecr"].FindingCount.ShouldBe(findings.Count);
    }

    [Fact]
    public async Task Scans_still_running_leave_the_source_partial_while_the_other_findings_arrive()
    {
        var account = Registry("323232323232", repositories: 3, images: 3);
        account.EcrScansInProgress = 2;
        var job = ScannerHarness.Job(Region);

        var summary = (await Scan(account, job)).Single(s => s.Source == "aws.ecr");

        summary.Complete.ShouldBeFalse();
        summary.Reason.ShouldBe($"{Region}: 2 image scans are IN_PROGRESS, their findings unknown");
        summary.Findings.ShouldBe(Images(account, Region).Where(i => i.ScanStatus is "COMPLETE" or "ACTIVE").Sum(i => i.Vulnerabilities.Count));
        (await _scanner.SourceScansCompleted(job))["aws.ecr"].Complete.ShouldBeFalse();
    }

    [Fact]
    public async Task Access_denied_on_ECR_in_one_region_makes_ECR_partial_and_the_other_region_is_read()
    {
        var account = Registry("333333333333", repositories: 2, images: 2);
        account.EcrAccessDeniedRegions.Add(Denied);
        var job = ScannerHarness.Job(Denied, Region);

        var summaries = await Scan(account, job);

        var ecr = summaries.Single(s => s.Source == "aws.ecr");
        ecr.Complete.ShouldBeFalse();
        ecr.Reason.ShouldNotBeNull();
        ecr.Reason.ShouldStartWith($"{Denied}: AccessDeniedException: ");
        (await _scanner.Images(job)).Count.ShouldBe(4);
        summaries.Where(s => s.Source != "aws.ecr").ShouldAllBe(s => s.Complete);
    }

    [Fact]
    public async Task A_throttling_storm_slows_the_registry_read_but_loses_nothing()
    {
        var account = Registry("343434343434", repositories: 4, images: 3);
        var job = ScannerHarness.Job(Region);

        var summary = (await Scan(account, job, ("Sandbox:Throttling:ThrottleEveryNth", "2"), ("Sandbox:Throttling:ServerErrorEveryNth", "5")))
            .Single(s => s.Source == "aws.ecr");

        summary.Complete.ShouldBeTrue();
        summary.Findings.ShouldBe(Images(account, Region).Where(i => i.ScanStatus is "COMPLETE" or "ACTIVE").Sum(i => i.Vulnerabilities.Count));
        (await _scanner.Images(job)).Count.ShouldBe(12);
    }

    private static SandboxAwsAccount Registry(string accountId, int repositories, int images)
    {
        var account = SandboxServer.Account(accountId, findings: 0);
        account.EcrRepositories = repositories;
        account.EcrImagesPerRepository = images;
        return account;
    }

    private static IEnumerable<EcrGenerator.Image> Images(SandboxAwsAccount account, string region) =>
        EcrGenerator.Repositories(account, region).SelectMany(r => EcrGenerator.Images(account, region, r));

    private async Task<IReadOnlyList<Contracts.Scanning.SourceSummary>> Scan(
        SandboxAwsAccount account, Scanners.Core.ScanJob job, params (string Key, string Value)[] settings)
    {
        _sandbox = new SandboxServer(account)
        {
            ConfigureHost = web =>
            {
                foreach (var (key, value) in settings)
                {
                    web.UseSetting(key, value);
                }
            },
        };
        var retry = new AwsRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) };
        return await _scanner.Scanner(_sandbox, account, retry: retry).ScanAsync(job, _scanner.Bus.Bus, Ct);
    }
}
