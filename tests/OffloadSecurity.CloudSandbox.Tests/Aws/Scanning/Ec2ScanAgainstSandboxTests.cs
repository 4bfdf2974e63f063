using OffloadSecurity.CloudSandbox.Aws.Ec2;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Assets;
using OffloadSecurity.Scanners.Aws.Assets.Ec2;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>
/// The scanner's EC2 source (AWSSDK.EC2 against the sandbox's query-protocol EC2): security groups and instances
/// observed, our security group checks, paging, throttling and denied regions.
/// </summary>
public sealed class Ec2ScanAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "us-west-2";
    private const string Denied = "eu-north-1";
    private AssetSources _sources = null!;
    private SandboxServer? _sandbox;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sources = await AssetSources.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _sources.DisposeAsync();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    [Fact]
    public async Task Flags_security_groups_open_to_the_world_on_admin_ports()
    {
        var account = Ec2Account("414141414141", groups: Ec2Generator.Templates.Length, instances: 0);
        var job = ScannerHarness.Job(Region);

        var summary = await ScanAsync(account, job);

        var findings = await _sources.Findings(job, Ec2Source.SourceName);
        var flagged = findings.Where(f => f.NativeId.StartsWith("OFFLOAD-AWS-EC2-001/", StringComparison.Ordinal)).Select(f => f.Resource.Name).ToList();
        flagged.ShouldBe(["ssh-open", "rdp-ipv6", "all-traffic-open", "wide-port-range"], ignoreOrder: true);
        flagged.ShouldNotContain("ssh-internal", "22 from 10.0.0.0/8 is not the internet");
        flagged.ShouldNotContain("web-public", "443 from 0.0.0.0/0 is not an administration port");
        flagged.ShouldNotContain("icmp-open", "ICMP has no ports");
        findings.Where(f => f.NativeId.StartsWith("OFFLOAD-AWS-EC2-002/", StringComparison.Ordinal)).Select(f => f.Resource.Name)
            .ShouldBe(["all-traffic-open", "wide-port-range", "postgres-public"], ignoreOrder: true);
        var ssh = findings.Single(f => f.Resource.Name == "ssh-open");
        ssh.Compliance.Select(c => c.Requirement).ShouldBe([SecurityGroupChecks.CisIpv4]);
        findings.Single(f => f.Resource.Name == "rdp-ipv6").Compliance.Select(c => c.Requirement).ShouldBe([SecurityGroupChecks.CisIpv6]);
        (ssh.Class, ssh.Severity, ssh.State, ssh.Source, ssh.ProductName, ssh.Region, ssh.CloudAccountId)
            .ShouldBe((FindingClass.Compliance, Severity.High, ObservedState.Open, "aws.ec2", "Offload Security", Region, account.AccountId));
        ssh.RemediationUrl.ShouldNotBeNull().ShouldStartWith("https://docs.aws.amazon.com/");
        ssh.Resource.Id.ShouldStartWith($"arn:aws:ec2:{Region}:{account.AccountId}:security-group/sg-");
        summary.Complete.ShouldBeTrue();
        summary.Findings.ShouldBe(findings.Count);
    }

    [Fact]
    public async Task Security_groups_and_live_instances_are_published_as_assets_with_their_tags()
    {
        var account = Ec2Account("424242424242", groups: 4, instances: 12);
        var job = ScannerHarness.Job(Region);

        await ScanAsync(account, job);

        var assets = await _sources.Assets(job, Ec2Source.SourceName);
        var instances = Ec2Generator.Instances(account, Region).Where(i => i.State != "terminated").ToList();
        assets.Count(a => a.Type == Ec2Assets.InstanceType).ShouldBe(instances.Count);
        assets.Count(a => a.Type == SecurityGroupChecks.ResourceType).ShouldBe(4);
        var first = instances[0];
        var asset = assets.Single(a => a.Id == $"arn:aws:ec2:{Region}:{account.AccountId}:instance/{first.InstanceId}");
        (asset.Name, asset.Region, asset.Provider).ShouldBe((first.Tags["Name"], Region, CloudProvider.Aws));
        asset.Tags.ShouldBe(first.Tags);
        asset.Fingerprint.ShouldBe(AssetFingerprint.For(job.TenantId, CloudProvider.Aws, asset.Id));
        asset.RawJson.ShouldNotBeNull().ShouldContain(first.InstanceType);
        assets.ShouldNotContain(a => a.Id.EndsWith(Ec2Generator.InstanceAt(account, Region, 9).InstanceId, StringComparison.Ordinal), "instance 9 is terminated");
        assets.Select(a => a.Fingerprint).Distinct().Count().ShouldBe(assets.Count);
    }

    [Fact]
    public async Task Multi_page_results_are_read_to_the_end_in_batches()
    {
        var account = Ec2Account("434343434343", groups: 57, instances: 1203);
        var job = ScannerHarness.Job(Region);

        var summary = await ScanAsync(account, job, new AssetScanOptions { Ec2PageSize = 5 });

        var batches = await _sources.AssetBatches(job, Ec2Source.SourceName);
        batches.ShouldAllBe(b => b.Assets.Count <= AssetBatcher.MaxItems);
        var assets = batches.SelectMany(b => b.Assets).ToList();
        assets.Count(a => a.Type == SecurityGroupChecks.ResourceType).ShouldBe(57);
        assets.Count(a => a.Type == Ec2Assets.InstanceType).ShouldBe(Ec2Generator.Instances(account, Region).Count(i => i.State != "terminated"));
        assets.Select(a => a.Id).Distinct().Count().ShouldBe(assets.Count);
        summary.Complete.ShouldBeTrue();
    }

    [Fact]
    public async Task A_throttling_storm_slows_the_read_but_loses_nothing()
    {
        var account = Ec2Account("444444444444", groups: 30, instances: 40);
        var job = ScannerHarness.Job(Region);

        var summary = await ScanAsync(account, job, new AssetScanOptions { Ec2PageSize = 5 },
            ("Sandbox:Throttling:ThrottleEveryNth", "2"), ("Sandbox:Throttling:ServerErrorEveryNth", "5"));

        summary.Complete.ShouldBeTrue();
        // A region whose call failed past its retries is read again from the start: repeats are allowed (the inventory
        // keeps assets and findings by fingerprint), losses are not.
        var assets = await _sources.Assets(job, Ec2Source.SourceName);
        assets.DistinctBy(a => a.Fingerprint).Count().ShouldBe(30 + Ec2Generator.Instances(account, Region).Count(i => i.State != "terminated"));
        var findings = await _sources.Findings(job, Ec2Source.SourceName);
        findings.DistinctBy(f => f.Fingerprint).Count().ShouldBe(Ec2Generator.SecurityGroups(account, Region).Count(g => g.Template.OpensAdminPorts)
            + Ec2Generator.SecurityGroups(account, Region).Count(g => g.Template.OpensDataStorePorts));
    }

    [Fact]
    public async Task Access_denied_in_one_region_makes_the_source_partial_while_the_other_region_is_read()
    {
        var account = Ec2Account("454545454545", groups: 11, instances: 3);
        account.Ec2AccessDeniedRegions.Add(Denied);
        var job = ScannerHarness.Job(Denied, Region);

        var summary = await ScanAsync(account, job);

        summary.Complete.ShouldBeFalse();
        summary.Reason.ShouldNotBeNull().ShouldStartWith($"{Denied}: UnauthorizedOperation: ");
        (await _sources.Completed(job, Ec2Source.SourceName)).Complete.ShouldBeFalse();
        var assets = await _sources.Assets(job, Ec2Source.SourceName);
        assets.ShouldAllBe(a => a.Region == Region);
        assets.Count(a => a.Type == SecurityGroupChecks.ResourceType).ShouldBe(11);
        (await _sources.Findings(job, Ec2Source.SourceName)).Count.ShouldBe(7);
    }

    [Fact]
    public async Task Rejected_credentials_fail_the_scan()
    {
        var account = Ec2Account("464646464646", groups: 2, instances: 0);
        _sandbox = new SandboxServer(account);
        var job = ScannerHarness.Job(Region);
        var scope = _sources.Scope(account, job) with { Credentials = new Scanners.Aws.Signing.AwsCredentials(account.AccessKeyId, "wrong-secret") };

        var failure = await Should.ThrowAsync<Scanners.Core.ScanFailedException>(_sources.Ec2(_sandbox).ScanAsync(scope, Ct));

        failure.Message.ShouldContain("AuthFailure");
    }

    private static SandboxAwsAccount Ec2Account(string accountId, int groups, int instances)
    {
        var account = SandboxServer.Account(accountId, findings: 0);
        account.Ec2SecurityGroups = groups;
        account.Ec2Instances = instances;
        return account;
    }

    private async Task<Contracts.Scanning.SourceSummary> ScanAsync(
        SandboxAwsAccount account, Scanners.Core.ScanJob job, AssetScanOptions? options = null, params (string Key, string Value)[] settings)
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
        return await _sources.Ec2(_sandbox, options).ScanAsync(_sources.Scope(account, job), Ct);
    }
}
