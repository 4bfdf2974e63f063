using System.Net;
using System.Net.Http.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Ecr;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Scanners.Aws.Scanning;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Credentials;
using OffloadSecurity.Scanners.Core.RateLimiting;
using OffloadSecurity.Scanners.Core.Scanning.Runs;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>
/// The real AWS scanner as the service composes it (broker client, Security Hub, GuardDuty and ECR sources, their
/// clients and call policy) against a sandbox, publishing to MassTransit's in-memory test harness.
/// </summary>
public sealed class ScannerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(true);
    private readonly HttpClient _http = new();
    private readonly ApiRateLimiters _limiters = new();

    public ITestHarness Bus { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<ScannerHarness> StartAsync()
    {
        var harness = new ScannerHarness();
        harness.Bus = harness._provider.GetRequiredService<ITestHarness>();
        await harness.Bus.Start();
        return harness;
    }

    public static ScanJob Job(params string[] regions) => new()
    {
        TenantId = "tenant-scan",
        AccountId = Guid.NewGuid(),
        ScanId = Guid.NewGuid(),
        Provider = CloudProvider.Aws,
        Trigger = ScanTrigger.Manual,
        Regions = regions,
    };

    /// <summary>
    /// The scanner for <paramref name="account"/>, whose credential broker hands out <paramref name="secret"/> (or, with
    /// <paramref name="issue"/>, whatever that returns on each request), keeping its runs in <paramref name="runs"/>.
    /// </summary>
    public AwsScanner Scanner(
        SandboxServer sandbox, SandboxAwsAccount account, string? secret = null, AwsRetryOptions? retry = null,
        Func<CancellationToken, Task<AwsScanCredentials>>? issue = null, IScanStateStore? runs = null, ScanningOptions? options = null)
    {
        var endpoints = Options.Create(new AwsEndpointOptions { ServiceUrl = sandbox.Address.ToString() });
        var policy = new AwsCallPolicy(_limiters, retry ?? new AwsRetryOptions(), TimeProvider.System, NullLogger<AwsCallPolicy>.Instance);
        var broker = new CredentialBrokerClient(
            new HttpClient(new BrokerStub(issue ?? (_ => Task.FromResult(
                new AwsScanCredentials { AccessKeyId = account.AccessKeyId, SecretAccessKey = secret ?? account.SecretAccessKey }))))
            {
                BaseAddress = new Uri("http://broker.test/"),
            },
            new LocalTokenIssuer(TestAuth.Options));
        IAwsFindingSource[] sources =
        [
            new SecurityHubSource(new SecurityHubClient(_http, endpoints, policy: policy), TimeProvider.System, NullLogger<SecurityHubSource>.Instance),
            new GuardDutySource(new GuardDutyClient(_http, endpoints, policy: policy), TimeProvider.System, NullLogger<GuardDutySource>.Instance),
            new EcrSource(new EcrClient(_http, endpoints, policy: policy), TimeProvider.System, NullLogger<EcrSource>.Instance),
        ];
        return new AwsScanner(broker, sources, options ?? new ScanningOptions(), TimeProvider.System, NullLogger<AwsScanner>.Instance, runs);
    }

    public async Task<Dictionary<string, SourceScanCompleted>> SourceScansCompleted(ScanJob job)
    {
        (await Bus.Published.Any<SourceScanCompleted>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
        return Bus.Published.Select<SourceScanCompleted>(Ct)
            .Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId).ToDictionary(m => m.Source);
    }

    public async Task<List<NormalizedFinding>> Findings(ScanJob job, string source)
    {
        (await Bus.Published.Any<SourceScanCompleted>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
        return
        [
            .. Bus.Published.Select<FindingsObserved>(Ct)
                .Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId && m.Source == source)
                .OrderBy(m => m.BatchIndex).SelectMany(m => m.Findings),
        ];
    }

    public async Task<List<ObservedImage>> Images(ScanJob job)
    {
        (await Bus.Published.Any<SourceScanCompleted>(m => m.Context.Message.ScanId == job.ScanId, Ct)).ShouldBeTrue();
        return
        [
            .. Bus.Published.Select<ImagesObserved>(Ct)
                .Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId).SelectMany(m => m.Images),
        ];
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _limiters.Dispose();
        await _provider.DisposeAsync();
    }

    /// <summary>The credentials service's broker endpoint, answering every request with the credentials <paramref name="issue"/> gives.</summary>
    private sealed class BrokerStub(Func<CancellationToken, Task<AwsScanCredentials>> issue) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            new(HttpStatusCode.OK) { Content = JsonContent.Create(await issue(cancellationToken)) };
    }
}
