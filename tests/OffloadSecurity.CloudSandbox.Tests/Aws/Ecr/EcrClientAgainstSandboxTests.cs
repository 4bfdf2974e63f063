using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.Ecr;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Ecr;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Ecr;

/// <summary>The real <see cref="EcrClient"/> with its call policy against the real sandbox on a loopback port.</summary>
public sealed class EcrClientAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "ca-central-1";
    private static readonly SandboxAwsAccount Account = Registry();
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();
    private readonly ApiRateLimiters _limiters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _limiters.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task More_repositories_than_a_page_are_all_read()
    {
        var repositories = await Client().DescribeRepositoriesAsync(Account.Credentials(), Region, Ct).ToListAsync(Ct);

        repositories.Count.ShouldBe(130);
        repositories.Select(r => r.Name).ShouldBe(EcrGenerator.Repositories(Account, Region).Select(r => r.Name));
        repositories.ShouldAllBe(r => r.RegistryId == Account.AccountId && r.RegistryHost(Region) == $"{Account.AccountId}.dkr.ecr.{Region}.amazonaws.com");
    }

    [Fact]
    public async Task Images_and_their_scan_pages_come_back_as_the_registry_holds_them()
    {
        var client = Client();
        var repository = (await client.DescribeRepositoriesAsync(Account.Credentials(), Region, Ct).ToListAsync(Ct))[2];
        var expected = EcrGenerator.Images(Account, Region, EcrGenerator.RepositoryAt(Account.AccountId, Region, 2)).ToList();

        var images = await client.DescribeImagesAsync(Account.Credentials(), Region, repository, Ct).ToListAsync(Ct);

        images.Select(i => (i.Digest, string.Join(',', i.Tags))).ShouldBe(expected.Select(i => (i.Digest, string.Join(',', i.Tags))));
        foreach (var (image, generated) in images.Zip(expected).Where(p => p.Second.ScanStatus is not null))
        {
            var pages = await client.DescribeImageScanFindingsAsync(Account.Credentials(), Region, image, Ct).ToListAsync(Ct);
            pages.ShouldAllBe(p => p.Status == "ACTIVE");
            pages.SelectMany(p => p.EnhancedFindings).Count().ShouldBe(generated.Vulnerabilities.Count);
        }
    }

    [Fact]
    public async Task An_image_never_scanned_is_a_ScanNotFoundException()
    {
        var generated = EcrGenerator.Repositories(Account, Region).SelectMany(r => EcrGenerator.Images(Account, Region, r)).First(i => i.ScanStatus is null);
        var image = new EcrImage(Account.AccountId, generated.Repository.Name, generated.Digest, generated.Tags, null, null);

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client().DescribeImageScanFindingsAsync(Account.Credentials(), Region, image, Ct).ToListAsync(Ct).AsTask());

        error.ErrorCode.ShouldBe("ScanNotFoundException");
    }

    private static SandboxAwsAccount Registry()
    {
        var account = SandboxServer.Account("363636363636", findings: 0);
        account.EcrRepositories = 130;
        account.EcrImagesPerRepository = 3;
        return account;
    }

    private EcrClient Client() => new(_http, Options.Create(new AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() }),
        policy: new AwsCallPolicy(_limiters, new AwsRetryOptions(), TimeProvider.System, NullLogger<AwsCallPolicy>.Instance));
}
