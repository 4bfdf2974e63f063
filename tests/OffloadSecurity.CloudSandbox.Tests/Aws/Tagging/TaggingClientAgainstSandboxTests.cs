using System.Net;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.Ec2;
using OffloadSecurity.CloudSandbox.Aws.S3;
using OffloadSecurity.Scanners.Aws.Assets.Tagging;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Tagging;

/// <summary>The Tagging client (built from service-2.json) against the sandbox's Resource Groups Tagging API.</summary>
public sealed class TaggingClientAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "eu-central-1";
    private static readonly SandboxAwsAccount Account = Configure(SandboxServer.Account("636363636363", findings: 0));
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task GetResources_pages_to_the_end_and_returns_the_tags_of_the_regions_buckets()
    {
        var pages = await Client().GetResourcesAsync(Account.Credentials(), Region, ["s3"], 2, Ct).ToListAsync(Ct);

        var expected = S3Generator.Buckets(Account).Where(b => b.Region == Region && b.Tags.Count > 0).ToList();
        pages.Count.ShouldBe((expected.Count + 1) / 2);
        pages[^1].PaginationToken.ShouldBeNull("the last page's empty token ends paging");
        var resources = pages.SelectMany(p => p.Resources).ToList();
        resources.Select(r => r.ResourceArn).ShouldBe(expected.Select(b => b.Arn));
        resources[0].Tags.ShouldBe(expected[0].Tags);
    }

    [Fact]
    public async Task Resource_type_filters_select_the_service_or_the_type()
    {
        var client = Client();

        var groups = await client.GetResourcesPageAsync(Account.Credentials(), Region, ["ec2:security-group"], null, 100, Ct);
        var ec2 = await client.GetResourcesPageAsync(Account.Credentials(), Region, ["ec2"], null, 100, Ct);

        groups.Resources.ShouldAllBe(r => r.ResourceArn.Contains(":security-group/", StringComparison.Ordinal));
        groups.Resources.Count.ShouldBe(Ec2Generator.SecurityGroups(Account, Region).Count(g => g.Tags.Count > 0));
        ec2.Resources.Count.ShouldBe(groups.Resources.Count + Ec2Generator.Instances(Account, Region).Count(i => i.State != "terminated"));
    }

    [Fact]
    public async Task Rejects_a_bad_signature()
    {
        var error = await Should.ThrowAsync<AwsServiceException>(
            Client().GetResourcesPageAsync(new AwsCredentials(Account.AccessKeyId, "not-the-secret"), Region, ["s3"], null, 10, Ct));

        (error.StatusCode, error.ErrorCode, error.IsAuthenticationFailure).ShouldBe((HttpStatusCode.Forbidden, "InvalidSignatureException", true));
    }

    [Fact]
    public async Task Throttled_pages_are_retried_by_the_call_policy()
    {
        await using var sandbox = new SandboxServer(Account) { ConfigureHost = web => web.UseSetting("Sandbox:Throttling:ThrottleEveryNth", "2") };
        using var limiters = new Scanners.Core.RateLimiting.ApiRateLimiters();
        var policy = new AwsCallPolicy(limiters, new AwsRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AwsCallPolicy>.Instance);
        var client = new TaggingClient(_http, Options.Create(new AwsEndpointOptions { ServiceUrl = sandbox.Address.ToString() }), policy: policy);

        var pages = await client.GetResourcesAsync(Account.Credentials(), Region, ["s3"], 1, Ct).ToListAsync(Ct);

        pages.SelectMany(p => p.Resources).Count().ShouldBe(S3Generator.Buckets(Account).Count(b => b.Region == Region && b.Tags.Count > 0));
    }

    private TaggingClient Client() => new(_http, Options.Create(new AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() }));

    private static SandboxAwsAccount Configure(SandboxAwsAccount account)
    {
        account.S3Buckets = 14;
        account.S3BucketRegions.AddRange(["us-east-1", Region]);
        account.Ec2SecurityGroups = 5;
        account.Ec2Instances = 4;
        return account;
    }
}
