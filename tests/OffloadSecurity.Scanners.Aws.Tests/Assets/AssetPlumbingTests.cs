using System.Net;
using Amazon.Runtime;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Scanners.Aws.Assets;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.Scanners.Aws.Tests.Assets;

public sealed class AssetPlumbingTests : IAsyncLifetime
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
    public async Task Assets_are_published_in_batches_of_at_most_500()
    {
        var job = new ScanJob { TenantId = "t", AccountId = Guid.NewGuid(), ScanId = Guid.NewGuid(), Provider = CloudProvider.Aws, Trigger = Contracts.Scanning.ScanTrigger.Manual };
        var batcher = new AssetBatcher(_harness.Bus, job, "aws.ec2", TimeProvider.System);

        for (var i = 0; i < 1201; i++)
        {
            await batcher.AddAsync(Asset($"arn:aws:ec2:us-east-1:111122223333:instance/i-{i:00000000000000000}", rawJson: "{}"), Ct);
        }

        await batcher.FlushAsync(Ct);

        var batches = _harness.Published.Select<AssetsObserved>(Ct).Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId).ToList();
        batches.Select(b => b.Assets.Count).ShouldBe([500, 500, 201], ignoreOrder: true);
        batches.ShouldAllBe(b => b.Source == "aws.ec2" && b.TenantId == "t" && b.AccountId == job.AccountId);
        (batcher.Published, batcher.Batches).ShouldBe((1201, 3));
    }

    [Fact]
    public async Task Large_assets_close_a_batch_before_it_reaches_one_MiB()
    {
        var job = new ScanJob { TenantId = "t", AccountId = Guid.NewGuid(), ScanId = Guid.NewGuid(), Provider = CloudProvider.Aws, Trigger = Contracts.Scanning.ScanTrigger.Manual };
        var batcher = new AssetBatcher(_harness.Bus, job, "aws.s3", TimeProvider.System);

        for (var i = 0; i < 30; i++)
        {
            await batcher.AddAsync(Asset($"arn:aws:s3:::bucket-{i}", rawJson: new string('x', 100_000)), Ct);
        }

        await batcher.FlushAsync(Ct);

        var batches = _harness.Published.Select<AssetsObserved>(Ct).Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId).ToList();
        batches.Sum(b => b.Assets.Count).ShouldBe(30);
        batches.ShouldAllBe(b => b.Assets.Sum(a => a.RawJson!.Length) < AssetBatcher.MaxBytes);
    }

    [Fact]
    public void The_asset_fingerprint_is_stable_and_tenant_scoped()
    {
        var id = "arn:aws:s3:::reports";

        AssetFingerprint.For("t1", CloudProvider.Aws, id).ShouldBe(AssetFingerprint.For("t1", CloudProvider.Aws, id));
        AssetFingerprint.For("t1", CloudProvider.Aws, id).ShouldNotBe(AssetFingerprint.For("t2", CloudProvider.Aws, id));
        AssetFingerprint.For("t1", CloudProvider.Aws, id).Length.ShouldBe(32);
    }

    [Theory]
    [InlineData("RequestLimitExceeded", 503, true, false)]
    [InlineData("SlowDown", 503, true, false)]
    [InlineData("AuthFailure", 401, false, true)]
    [InlineData("SignatureDoesNotMatch", 403, false, true)]
    [InlineData("InvalidAccessKeyId", 403, false, true)]
    [InlineData("UnauthorizedOperation", 403, false, false)]
    [InlineData("AccessDenied", 403, false, false)]
    public void SDK_errors_keep_their_AWS_code_so_they_are_retried_or_failed_as_ours(string code, int status, bool throttling, bool rejected)
    {
        var sdk = new AmazonServiceException("AWS said no AKIAABCDEFGHIJKLMNOP", null, ErrorType.Sender, code, "req-1", (HttpStatusCode)status);

        var translated = SdkErrors.Translate(sdk);

        (translated.ErrorCode, (int)translated.StatusCode, translated.IsThrottling, translated.IsAuthenticationFailure).ShouldBe((code, status, throttling, rejected));
        translated.Message.ShouldNotContain("AKIAABCDEFGHIJKLMNOP");
    }

    [Fact]
    public async Task SDK_faults_without_an_answer_become_network_errors()
    {
        await Should.ThrowAsync<HttpRequestException>(SdkErrors.CallAsync<int>(() =>
            throw new AmazonClientException("connection refused", new HttpRequestException("refused"))));
        await Should.ThrowAsync<AwsServiceException>(SdkErrors.CallAsync<int>(() =>
            throw new AmazonServiceException("denied", null, ErrorType.Sender, "AccessDenied", "r", HttpStatusCode.Forbidden)));
    }

    [Fact]
    public void Page_sizes_are_clamped_to_what_each_API_accepts()
    {
        var clamped = new AssetScanOptions { Ec2PageSize = 1, S3PageSize = 50_000, TaggingPageSize = 500 }.Clamped();

        (clamped.Ec2PageSize, clamped.S3PageSize, clamped.TaggingPageSize).ShouldBe((5, 10_000, 100));
    }

    [Fact]
    public void Every_check_has_a_documented_id()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "aws-checks.md"));

        foreach (var check in Scanners.Aws.Assets.Checks.AwsChecks.All)
        {
            doc.ShouldContain(check.Id);
            doc.ShouldContain(check.RemediationUrl);
        }
    }

    private static ObservedAsset Asset(string id, string rawJson) => new()
    {
        Fingerprint = AssetFingerprint.For("t", CloudProvider.Aws, id),
        Provider = CloudProvider.Aws,
        Type = "AwsEc2Instance",
        Id = id,
        RawJson = rawJson,
    };

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}
