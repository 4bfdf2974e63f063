using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Assets;
using OffloadSecurity.Scanners.Aws.Assets.Ec2;
using OffloadSecurity.Scanners.Aws.Assets.S3;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.Assets.Tagging;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Scanning;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Scanning;

/// <summary>
/// The scanner's EC2 and S3 asset sources as the service composes them (the SDK clients, the Tagging client, the call
/// policy) against a sandbox, publishing to MassTransit's in-memory test harness.
/// </summary>
public sealed class AssetSources : IAsyncDisposable
{
    private readonly ServiceProvider _provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(true);
    private readonly HttpClient _http = new();
    private readonly ApiRateLimiters _limiters = new();

    public ITestHarness Bus { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<AssetSources> StartAsync()
    {
        var sources = new AssetSources();
        sources.Bus = sources._provider.GetRequiredService<ITestHarness>();
        await sources.Bus.Start();
        return sources;
    }

    /// <summary>Fast retries, so throttling storms finish quickly.</summary>
    public static AwsRetryOptions FastRetries => new() { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) };

    public Ec2Source Ec2(SandboxServer sandbox, AssetScanOptions? options = null, AwsRetryOptions? retry = null) =>
        new(Sdk(sandbox), Options.Create(options ?? new AssetScanOptions()), TimeProvider.System, NullLogger<Ec2Source>.Instance, Policy(retry));

    public S3Source S3(SandboxServer sandbox, AssetScanOptions? options = null, AwsRetryOptions? retry = null) =>
        new(Sdk(sandbox), new TaggingClient(_http, Endpoints(sandbox), policy: Policy(retry)), Options.Create(options ?? new AssetScanOptions()),
            TimeProvider.System, NullLogger<S3Source>.Instance, Policy(retry));

    public AwsScanScope Scope(SandboxAwsAccount account, ScanJob job) =>
        new(job, account.Credentials(), job.Regions, Bus.Bus);

    public async Task<SourceScanCompleted> Completed(ScanJob job, string source)
    {
        (await Bus.Published.Any<SourceScanCompleted>(m => m.Context.Message.ScanId == job.ScanId && m.Context.Message.Source == source, Ct)).ShouldBeTrue();
        return Bus.Published.Select<SourceScanCompleted>(Ct).Select(m => m.Context.Message).Single(m => m.ScanId == job.ScanId && m.Source == source);
    }

    public async Task<List<NormalizedFinding>> Findings(ScanJob job, string source)
    {
        await Completed(job, source);
        return
        [
            .. Bus.Published.Select<FindingsObserved>(Ct)
                .Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId && m.Source == source)
                .OrderBy(m => m.BatchIndex).SelectMany(m => m.Findings),
        ];
    }

    public async Task<List<AssetsObserved>> AssetBatches(ScanJob job, string source)
    {
        await Completed(job, source);
        return [.. Bus.Published.Select<AssetsObserved>(Ct).Select(m => m.Context.Message).Where(m => m.ScanId == job.ScanId && m.Source == source)];
    }

    public async Task<List<ObservedAsset>> Assets(ScanJob job, string source) => [.. (await AssetBatches(job, source)).SelectMany(b => b.Assets)];

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _limiters.Dispose();
        await _provider.DisposeAsync();
    }

    private static IOptions<AwsEndpointOptions> Endpoints(SandboxServer sandbox) =>
        Options.Create(new AwsEndpointOptions { ServiceUrl = sandbox.Address.ToString() });

    private static AwsSdkClientFactory Sdk(SandboxServer sandbox) => new(Endpoints(sandbox));

    private AwsCallPolicy Policy(AwsRetryOptions? retry) =>
        new(_limiters, retry ?? FastRetries, TimeProvider.System, NullLogger<AwsCallPolicy>.Instance);
}
