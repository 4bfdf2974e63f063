using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.GuardDuty;
using OffloadSecurity.CloudSandbox.Aws.Throttling;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.GuardDuty;

/// <summary>The real <see cref="GuardDutyClient"/>, with and without its call policy, against the real sandbox on a loopback port.</summary>
public sealed class GuardDutyClientAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "us-west-2";
    private static readonly SandboxAwsAccount Account = Configure(SandboxServer.Account("567856785678", findings: 0, guardDutyFindings: 330));
    private readonly CountingHandler _counter = new();
    private readonly ApiRateLimiters _limiters = new();
    private HttpClient _http = null!;
    private SandboxServer _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _http = new HttpClient(_counter);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _limiters.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Every_finding_that_is_not_archived_is_read_over_several_pages_exactly_once()
    {
        Start();
        var client = Client();

        var detector = (await client.ListDetectorsAsync(Account.Credentials(), Region, Ct).ToListAsync(Ct)).ShouldHaveSingleItem();
        var pages = await client.ListFindingsAsync(Account.Credentials(), Region, detector, Ct).ToListAsync(Ct);
        var findings = await client.GetFindingsAsync(Account.Credentials(), Region, detector, [.. pages.SelectMany(p => p.Ids)], Ct);

        var expected = NotArchivedIds();
        pages.Count.ShouldBe((expected.Count + 49) / 50);
        pages.ShouldAllBe(p => p.Ids.Count <= 50);
        pages[^1].NextToken.ShouldBeNull();
        findings.Select(f => f.GetProperty("id").GetString()).ShouldBe(expected);
        findings.ShouldAllBe(f => !f.GetProperty("service").GetProperty("archived").GetBoolean());
    }

    [Fact]
    public async Task GetFindings_of_many_ids_goes_out_in_calls_of_at_most_50()
    {
        Start();
        var ids = Enumerable.Range(0, 130).Select(i => GuardDutyFindingGenerator.FindingId(Account.AccountId, Region, i)).ToList();
        var detector = GuardDutyFindingGenerator.DetectorId(Account.AccountId, Region);

        var findings = await Client().GetFindingsAsync(Account.Credentials(), Region, detector, ids, Ct);

        findings.Select(f => f.GetProperty("id").GetString()).ShouldBe(ids);
        _counter.Requests(r => r.EndsWith("/findings/get", StringComparison.Ordinal)).ShouldBe(3);
        _counter.LargestBody.ShouldBeLessThan(50 * 40 + 100);
    }

    [Fact]
    public async Task A_throttling_storm_with_server_errors_slows_the_read_but_loses_nothing()
    {
        Start(("Sandbox:Throttling:ThrottleEveryNth", "2"), ("Sandbox:Throttling:ServerErrorEveryNth", "5"));
        var client = Client(new AwsRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) });

        var detector = (await client.ListDetectorsAsync(Account.Credentials(), Region, Ct).ToListAsync(Ct)).ShouldHaveSingleItem();
        var ids = new List<string>();
        await foreach (var page in client.ListFindingsAsync(Account.Credentials(), Region, detector, Ct))
        {
            var findings = await client.GetFindingsAsync(Account.Credentials(), Region, detector, page.Ids, Ct);
            ids.AddRange(findings.Select(f => f.GetProperty("id").GetString()!));
        }

        ids.ShouldBe(NotArchivedIds());
        _sandbox.Services.GetRequiredService<SandboxThrottling>().Throttled.ShouldBeGreaterThan(5);
    }

    [Fact]
    public async Task Without_its_call_policy_a_throttled_call_fails_with_429_TooManyRequestsException()
    {
        Start(("Sandbox:Throttling:ThrottleEveryNth", "1"));

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client(retry: null).ListDetectorsAsync(Account.Credentials(), Region, Ct).ToListAsync(Ct).AsTask());

        error.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        error.ErrorCode.ShouldBe("TooManyRequestsException");
        error.IsThrottling.ShouldBeTrue();
    }

    [Fact]
    public async Task Access_denied_in_a_region_is_an_AccessDeniedException_that_is_not_retried()
    {
        Start();

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client().ListDetectorsAsync(Account.Credentials(), "eu-north-1", Ct).ToListAsync(Ct).AsTask());

        (error.StatusCode, error.ErrorCode).ShouldBe((HttpStatusCode.Forbidden, "AccessDeniedException"));
        _counter.Requests(_ => true).ShouldBe(1);
    }

    [Fact]
    public async Task A_region_without_guardduty_has_no_detector()
    {
        Start();

        (await Client().ListDetectorsAsync(Account.Credentials(), "ca-central-1", Ct).ToListAsync(Ct)).ShouldBeEmpty();
    }

    private static SandboxAwsAccount Configure(SandboxAwsAccount account)
    {
        account.GuardDutyAccessDeniedRegions.Add("eu-north-1");
        account.GuardDutyDisabledRegions.Add("ca-central-1");
        return account;
    }

    private static List<string> NotArchivedIds() =>
    [
        .. Enumerable.Range(0, Account.GuardDutyFindings)
            .Where(i => !GuardDutyFindingGenerator.IsArchived(Account.AccountId, Region, i))
            .Select(i => GuardDutyFindingGenerator.FindingId(Account.AccountId, Region, i)),
    ];

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

    private GuardDutyClient Client() => Client(new AwsRetryOptions());

    /// <summary>The client with its call policy retrying as <paramref name="retry"/> says; without a policy when null.</summary>
    private GuardDutyClient Client(AwsRetryOptions? retry)
    {
        var endpoints = Options.Create(new AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() });
        return retry is null
            ? new GuardDutyClient(_http, endpoints)
            : new GuardDutyClient(_http, endpoints, policy: new AwsCallPolicy(_limiters, retry, TimeProvider.System, NullLogger<AwsCallPolicy>.Instance));
    }

    /// <summary>Counts the requests that go out, by path, and notes the largest body.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private readonly List<string> _paths = [];

        public int LargestBody { get; private set; }

        public int Requests(Func<string, bool> path)
        {
            lock (_paths)
            {
                return _paths.Count(path);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var length = request.Content is null ? 0 : (await request.Content.ReadAsByteArrayAsync(cancellationToken)).Length;
            lock (_paths)
            {
                _paths.Add(request.RequestUri!.AbsolutePath);
                LargestBody = Math.Max(LargestBody, length);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
