using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Throttling;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.SecurityHub;

/// <summary>The real client with its call policy against a sandbox that throttles and fails like AWS does.</summary>
public sealed class ThrottlingTests : IAsyncLifetime
{
    private const string Region = "us-west-2";
    private static readonly SandboxAwsAccount Account = SandboxServer.Account("777788889999", findings: 1600);
    private readonly HttpClient _http = new();
    private readonly ApiRateLimiters _limiters = new();
    private SandboxServer _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _limiters.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task A_throttling_storm_with_server_errors_slows_the_read_but_loses_nothing()
    {
        Start(("Sandbox:Throttling:ThrottleEveryNth", "2"), ("Sandbox:Throttling:ServerErrorEveryNth", "5"));
        var expected = ActiveFindingCount();

        var ids = await ReadAll(new AwsRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) });

        ids.Count.ShouldBe(expected);
        ids.Distinct().Count().ShouldBe(expected);
        Throttling().Throttled.ShouldBeGreaterThan(5);
    }

    [Fact]
    public async Task Pages_within_the_documented_rate_are_never_throttled()
    {
        Start(("Sandbox:Throttling:GetFindingsPerSecond", "3"), ("Sandbox:Throttling:GetFindingsBurst", "6"));

        var ids = await ReadAll(new AwsRetryOptions());

        ids.Count.ShouldBe(ActiveFindingCount());
        Throttling().Throttled.ShouldBe(0);
    }

    [Fact]
    public async Task Without_its_call_policy_the_client_runs_into_the_limit()
    {
        Start(("Sandbox:Throttling:GetFindingsPerSecond", "3"), ("Sandbox:Throttling:GetFindingsBurst", "6"));
        var client = new SecurityHubClient(_http, Endpoints());

        var error = await Should.ThrowAsync<AwsServiceException>(client.GetFindingsAsync(Account.Credentials(), Region, null, Ct).ToListAsync(Ct).AsTask());

        error.IsThrottling.ShouldBeTrue();
        error.ErrorCode.ShouldBe("LimitExceededException");
    }

    private async Task<List<string?>> ReadAll(AwsRetryOptions retry)
    {
        var policy = new AwsCallPolicy(_limiters, retry, TimeProvider.System, NullLogger<AwsCallPolicy>.Instance);
        var client = new SecurityHubClient(_http, Endpoints(), policy: policy);
        var pages = await client.GetFindingsAsync(Account.Credentials(), Region, null, Ct).ToListAsync(Ct);
        return [.. pages.SelectMany(p => p.Findings).Select(f => f.GetProperty("Id").GetString())];
    }

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

    private SandboxThrottling Throttling() => _sandbox.Services.GetRequiredService<SandboxThrottling>();

    private IOptions<AwsEndpointOptions> Endpoints() => Options.Create(new AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() });

    private static int ActiveFindingCount() =>
        Enumerable.Range(0, Account.SecurityHubFindings).Count(i => FindingGenerator.RecordState(Account.AccountId, Region, i) == "ACTIVE");
}
