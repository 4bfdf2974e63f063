using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Publishing;
using OffloadSecurity.Scanners.Core.RateLimiting;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Benchmarks;

/// <summary>
/// Scans one region's Security Hub findings from the sandbox, rate-limited as AWS limits GetFindings (3 requests/s,
/// burst 6), through the real client, call policy, normalizer and batching publisher (onto an in-memory bus), and
/// compares the time taken with the least time that rate allows for the same number of pages.
/// </summary>
public static class SecurityHubScanBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var findings = Figures.Option(args, "--findings", 114_000);
        const string Region = "us-east-1";
        const double Rate = 3;
        const int Burst = 6;

        var account = new SandboxAwsAccount
        {
            AccountId = "135792468024",
            AccessKeyId = "AKIABENCHSANDBOX0001",
            SecretAccessKey = "benchmarkSandboxSecretKey/abcdefghijklmn",
            SecurityHubFindings = findings,
        };
        await using var sandbox = new ServiceHost<CloudSandboxMarker>(new Dictionary<string, string?>
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = account.AccountId,
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = account.AccessKeyId,
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = account.SecretAccessKey,
            ["Sandbox:Aws:Accounts:0:SecurityHubFindings"] = findings.ToString(CultureInfo.InvariantCulture),
            ["Sandbox:Throttling:GetFindingsPerSecond"] = Rate.ToString(CultureInfo.InvariantCulture),
            ["Sandbox:Throttling:GetFindingsBurst"] = Burst.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var sandboxUrl = sandbox.Start();

        await using var busProvider = new ServiceCollection().AddMassTransit(x => x.UsingInMemory()).BuildServiceProvider();
        var bus = busProvider.GetRequiredService<IBusControl>();
        await bus.StartAsync();

        using var http = new HttpClient();
        using var limiters = new ApiRateLimiters();
        var policy = new AwsCallPolicy(limiters, new AwsRetryOptions(), TimeProvider.System, NullLogger<AwsCallPolicy>.Instance);
        var client = new SecurityHubClient(http, Options.Create(new AwsEndpointOptions { ServiceUrl = sandboxUrl.ToString() }), policy: policy);
        var job = new ScanJob { TenantId = "bench", AccountId = Guid.NewGuid(), ScanId = Guid.NewGuid(), Provider = CloudProvider.Aws, Trigger = ScanTrigger.Manual };
        var batcher = new FindingBatcher(bus, job, AsffContext.SecurityHubSource, TimeProvider.System);
        var context = new AsffContext(job.TenantId, job.AccountId);

        Console.WriteLine($"Scanning Security Hub in {Region}: {findings:N0} findings in the sandbox (ACTIVE and ARCHIVED), GetFindings limited to {Rate}/s, burst {Burst}");
        var clock = Stopwatch.StartNew();
        var pages = 0;
        await foreach (var page in client.GetFindingsAsync(new AwsCredentials(account.AccessKeyId, account.SecretAccessKey), Region, null, CancellationToken.None))
        {
            pages++;
            foreach (var raw in page.Findings)
            {
                await batcher.AddAsync(AsffNormalizer.Normalize(raw, context), CancellationToken.None);
            }

            if (pages % 100 == 0)
            {
                Console.WriteLine($"  {pages} pages, {batcher.Published:N0} findings published, {clock.Elapsed.TotalSeconds:0.0}s");
            }
        }

        await batcher.FlushAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;
        await bus.StopAsync();

        // With a bucket of `Burst` tokens refilled at `Rate`/s, N requests cannot finish before (N - Burst) / Rate seconds.
        var allowed = TimeSpan.FromSeconds(Math.Max(0, pages - Burst) / Rate);
        var ratio = elapsed / allowed;
        Console.WriteLine($"findings read and published: {batcher.Published:N0} in {pages} pages, {batcher.Batches} batches of <= {FindingBatcher.MaxItems}");
        Console.WriteLine($"time taken:               {elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"least time the rate allows: {allowed.TotalSeconds:0.0} s");
        Console.WriteLine($"ratio:                    {ratio:0.000} (target <= 1.1) {(ratio <= 1.1 ? "MET" : "MISSED")}");
        return 0;
    }
}
