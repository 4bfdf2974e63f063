using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.CloudSandbox.Aws;
using OffloadSecurity.CloudSandbox.Aws.S3;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Assets;
using OffloadSecurity.Scanners.Aws.Assets.S3;
using OffloadSecurity.Scanners.Aws.Scanning;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>
/// The scanner's S3 source (AWSSDK.S3 against the sandbox's REST-XML S3, tags from the Tagging API): buckets observed
/// with their tags, our bucket checks, a fixed bucket resolved by the next complete scan, paging, throttling, denied regions.
/// </summary>
public sealed class S3ScanAgainstSandboxTests : IAsyncLifetime
{
    private const string Home = "us-east-1";
    private const string Other = "eu-west-2";
    private const string OutOfScope = "ap-south-1";
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
    public async Task Flags_public_buckets_and_buckets_without_default_encryption()
    {
        var account = S3Account("515151515151", buckets: 12, Home, Other);
        var job = ScannerHarness.Job(Home, Other);

        var summary = await ScanAsync(account, job);

        var buckets = S3Generator.Buckets(account).ToList();
        var findings = await _sources.Findings(job, S3Source.SourceName);
        findings.Where(f => f.NativeId.StartsWith("OFFLOAD-AWS-S3-001/", StringComparison.Ordinal)).Select(f => f.Resource.Name)
            .ShouldBe(buckets.Where(b => b.IsPublic).Select(b => b.Name), ignoreOrder: true);
        findings.Where(f => f.NativeId.StartsWith("OFFLOAD-AWS-S3-002/", StringComparison.Ordinal)).Select(f => f.Resource.Name)
            .ShouldBe(buckets.Where(b => b.Encryption is null).Select(b => b.Name), ignoreOrder: true);
        findings.ShouldNotContain(f => f.Resource.Name!.Contains("partner-drop", StringComparison.Ordinal), "RestrictPublicBuckets neutralises its public policy");
        var shared = findings.First(f => f.Resource.Name!.Contains("shared-downloads", StringComparison.Ordinal));
        (shared.Severity, shared.Class, shared.Resource.Type).ShouldBe((Severity.Critical, FindingClass.Compliance, "AwsS3Bucket"));
        shared.Description.ShouldNotBeNull().ShouldContain("AllUsers");
        findings.ShouldAllBe(f => f.Resource.Id == "arn:aws:s3:::" + f.Resource.Name && f.Source == "aws.s3");
        findings.Select(f => f.Region).Distinct().ShouldBe([Home, Other], ignoreOrder: true);
        summary.Complete.ShouldBeTrue();
    }

    [Fact]
    public async Task Buckets_are_published_with_their_tags_from_the_Tagging_API()
    {
        var account = S3Account("525252525252", buckets: 9, Home, OutOfScope, Other);
        var job = ScannerHarness.Job(Home, Other);

        await ScanAsync(account, job);

        var assets = await _sources.Assets(job, S3Source.SourceName);
        var expected = S3Generator.Buckets(account).Where(b => b.Region != OutOfScope).ToList();
        assets.Select(a => a.Name).ShouldBe(expected.Select(b => b.Name), ignoreOrder: true);
        foreach (var bucket in expected)
        {
            var asset = assets.Single(a => a.Name == bucket.Name);
            (asset.Id, asset.Region, asset.Type).ShouldBe(($"arn:aws:s3:::{bucket.Name}", bucket.Region, "AwsS3Bucket"));
            asset.Tags.ShouldBe(bucket.Tags);
        }

        assets.ShouldContain(a => a.Tags.Count > 0);
        assets.ShouldContain(a => a.Tags.Count == 0);
        var findings = await _sources.Findings(job, S3Source.SourceName);
        findings.ShouldAllBe(f => f.Resource.Tags.Count == assets.Single(a => a.Id == f.Resource.Id).Tags.Count);
    }

    [Fact]
    public async Task A_bucket_fixed_between_two_complete_scans_is_no_longer_reported()
    {
        var account = S3Account("535353535353", buckets: 6, Home);
        var first = ScannerHarness.Job(Home);
        await ScanAsync(account, first);
        var public1 = S3Generator.BucketAt(account, 1);
        var unencrypted = S3Generator.BucketAt(account, 2);
        var before = await _sources.Findings(first, S3Source.SourceName);
        before.Select(f => f.Resource.Name).ShouldContain(public1.Name);
        before.Select(f => f.Resource.Name).ShouldContain(unencrypted.Name);

        var control = _sandbox!.Services.GetRequiredService<SandboxControl>();
        control.BlockS3PublicAccess(account.AccessKeyId, public1.Name);
        control.EncryptS3Bucket(account.AccessKeyId, unencrypted.Name);
        var second = first with { ScanId = Guid.NewGuid() };
        var summary = await _sources.S3(_sandbox).ScanAsync(_sources.Scope(account, second), Ct);

        summary.Complete.ShouldBeTrue();
        var completed = await _sources.Completed(second, S3Source.SourceName);
        completed.Complete.ShouldBeTrue("a complete scan lets the inventory resolve the findings it no longer reports");
        var after = await _sources.Findings(second, S3Source.SourceName);
        after.Select(f => f.Fingerprint).ShouldBeSubsetOf(before.Select(f => f.Fingerprint));
        before.Select(f => f.Fingerprint).Except(after.Select(f => f.Fingerprint))
            .ShouldBe(before.Where(f => f.Resource.Name == public1.Name || f.Resource.Name == unencrypted.Name).Select(f => f.Fingerprint), ignoreOrder: true);
        after.ShouldAllBe(f => before.Single(b => b.Fingerprint == f.Fingerprint).RawJson == f.RawJson, "an unchanged bucket's finding does not change");
    }

    [Fact]
    public async Task Multi_page_listings_and_tags_are_read_to_the_end()
    {
        var account = S3Account("545454545454", buckets: 23, Home);
        var job = ScannerHarness.Job(Home);

        var summary = await ScanAsync(account, job, new AssetScanOptions { S3PageSize = 4, TaggingPageSize = 3 });

        summary.Complete.ShouldBeTrue();
        var assets = await _sources.Assets(job, S3Source.SourceName);
        assets.Count.ShouldBe(23);
        assets.Count(a => a.Tags.Count > 0).ShouldBe(S3Generator.Buckets(account).Count(b => b.Tags.Count > 0));
    }

    [Fact]
    public async Task A_throttling_storm_slows_the_read_but_loses_nothing()
    {
        var account = S3Account("555555555555", buckets: 18, Home, Other);
        var job = ScannerHarness.Job(Home, Other);

        var summary = await ScanAsync(account, job, new AssetScanOptions { S3PageSize = 5, TaggingPageSize = 2 },
            ("Sandbox:Throttling:ThrottleEveryNth", "2"), ("Sandbox:Throttling:ServerErrorEveryNth", "5"));

        summary.Complete.ShouldBeTrue();
        // A region whose call failed past its retries is read again from the start: repeats are allowed (the inventory
        // keeps assets by fingerprint), losses are not.
        (await _sources.Assets(job, S3Source.SourceName)).DistinctBy(a => a.Fingerprint).Count().ShouldBe(18);
        (await _sources.Findings(job, S3Source.SourceName)).DistinctBy(f => f.Fingerprint).Count()
            .ShouldBe(S3Generator.Buckets(account).Count(b => b.IsPublic) + S3Generator.Buckets(account).Count(b => b.Encryption is null));
    }

    [Fact]
    public async Task Access_denied_in_one_region_makes_the_source_partial_while_the_other_region_is_read()
    {
        var account = S3Account("565656565656", buckets: 12, Home, Other);
        account.S3AccessDeniedRegions.Add(Other);
        var job = ScannerHarness.Job(Home, Other);

        var summary = await ScanAsync(account, job);

        summary.Complete.ShouldBeFalse();
        summary.Reason.ShouldNotBeNull().ShouldStartWith($"{Other}: AccessDenied: ");
        (await _sources.Completed(job, S3Source.SourceName)).Complete.ShouldBeFalse();
        var assets = await _sources.Assets(job, S3Source.SourceName);
        assets.Select(a => a.Name).ShouldBe(S3Generator.Buckets(account).Where(b => b.Region == Home).Select(b => b.Name), ignoreOrder: true);
    }

    [Fact]
    public async Task Tags_denied_in_one_region_make_the_source_partial_and_skip_that_regions_buckets()
    {
        var account = S3Account("575757575757", buckets: 8, Home, Other);
        account.TaggingAccessDeniedRegions.Add(Other);
        var job = ScannerHarness.Job(Home, Other);

        var summary = await ScanAsync(account, job);

        summary.Complete.ShouldBeFalse();
        summary.Reason.ShouldNotBeNull().ShouldStartWith($"{Other}: AccessDeniedException: ");
        (await _sources.Assets(job, S3Source.SourceName)).ShouldAllBe(a => a.Region == Home);
    }

    [Fact]
    public async Task The_bucket_region_comes_from_GetBucketLocation_when_the_listing_does_not_say()
    {
        var account = S3Account("585858585858", buckets: 3, Home, Other);
        _sandbox = new SandboxServer(account);
        using var reader = new S3Reader(new Scanners.Aws.Assets.Sdk.AwsSdkClientFactory(
            Microsoft.Extensions.Options.Options.Create(new Scanners.Aws.AwsApi.AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() })),
            new AssetScanOptions());

        var regions = new List<string>();
        foreach (var bucket in S3Generator.Buckets(account))
        {
            regions.Add(await reader.GetBucketRegionAsync(account.Credentials(), Other, bucket.Name, Ct));
        }

        regions.ShouldBe(S3Generator.Buckets(account).Select(b => b.Region));
    }

    [Fact]
    public async Task Both_asset_sources_run_side_by_side_as_the_scanner_runs_them()
    {
        var account = S3Account("595959595959", buckets: 6, Home);
        account.Ec2SecurityGroups = 11;
        account.Ec2Instances = 4;
        var job = ScannerHarness.Job(Home);
        _sandbox = new SandboxServer(account);
        IAwsFindingSource[] sources = [_sources.Ec2(_sandbox), _sources.S3(_sandbox)];

        var summaries = await AwsScanner.ScanSourcesAsync(sources, _sources.Scope(account, job), Ct);

        summaries.Select(s => (s.Source, s.Complete)).ShouldBe([("aws.ec2", true), ("aws.s3", true)], ignoreOrder: true);
        (await _sources.Findings(job, "aws.ec2")).Count.ShouldBe(7);
        (await _sources.Findings(job, "aws.s3")).Count.ShouldBe(3);
    }

    [Fact]
    public async Task Temporary_credentials_sign_with_their_session_token()
    {
        var account = S3Account("505050505050", buckets: 6, Home);
        account.Ec2SecurityGroups = 3;
        _sandbox = new SandboxServer(account);
        using var sts = new Sts.StsClient(_sandbox.Address);
        var (status, body) = await sts.CallAsync(account.Credentials(), "GetSessionToken");
        status.ShouldBe(System.Net.HttpStatusCode.OK);
        var (session, _) = Sts.StsClient.Credentials(body);
        var job = ScannerHarness.Job(Home);
        var scope = _sources.Scope(account, job) with { Credentials = session };

        var s3 = await _sources.S3(_sandbox).ScanAsync(scope, Ct);
        var ec2 = await _sources.Ec2(_sandbox).ScanAsync(scope, Ct);

        (s3.Complete, s3.Findings, ec2.Complete, ec2.Findings).ShouldBe((true, 3, true, 1));
    }

    [Fact]
    public async Task Rejected_credentials_fail_the_scan()
    {
        var account = S3Account("515050505051", buckets: 2, Home);
        _sandbox = new SandboxServer(account);
        var job = ScannerHarness.Job(Home);
        var scope = _sources.Scope(account, job) with { Credentials = new Scanners.Aws.Signing.AwsCredentials(account.AccessKeyId, "wrong-secret") };

        var failure = await Should.ThrowAsync<Scanners.Core.ScanFailedException>(_sources.S3(_sandbox).ScanAsync(scope, Ct));

        failure.Message.ShouldContain("rejected the account's credentials");
    }

    private static SandboxAwsAccount S3Account(string accountId, int buckets, params string[] regions)
    {
        var account = SandboxServer.Account(accountId, findings: 0);
        account.S3Buckets = buckets;
        account.S3BucketRegions.AddRange(regions);
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
        return await _sources.S3(_sandbox, options).ScanAsync(_sources.Scope(account, job), Ct);
    }
}
