using System.Diagnostics;
using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.Inventory;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Benchmarks;

/// <summary>
/// What the gateway costs: the same authenticated API call (the inventory's first findings page) made directly to
/// the inventory service and through the gateway, interleaved so both see the same machine, on loopback. Prints
/// p50/p99 of each, the difference, and requests/s with several clients in parallel.
/// </summary>
public static class GatewayBenchmark
{
    private const string Path = "/api/findings?limit=1";

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = Figures.Option(args, "--requests", 5000);
        var clients = Figures.Option(args, "--clients", 8);
        var seconds = Figures.Option(args, "--seconds", 5);

        using var data = new TempDirectory();
        var quiet = new Dictionary<string, string?>(TestAuth.Settings) { ["Logging:LogLevel:Default"] = "Warning" };
        await using var inventory = new ServiceHost<InventoryEntryPoint>(new Dictionary<string, string?>(quiet)
        {
            ["Store:DataDirectory"] = data.Path,
            ["Bus:Transport"] = "InMemory",
        });
        var direct = inventory.Start();
        await using var gatewayHost = new ServiceHost<GatewayEntryPoint>(new Dictionary<string, string?>(quiet)
        {
            ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = direct.ToString(),
            ["ReverseProxy:Clusters:credentials:Destinations:primary:Address"] = direct.ToString(),
            // The benchmark's one tenant sends far more than a tenant may; the limit is not what is measured.
            ["Gateway:RequestsPerMinutePerTenant"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var gateway = gatewayHost.Start();

        using var http = new HttpClient().WithToken("bench-tenant", Roles.Auditor);
        for (var i = 0; i < 500; i++)
        {
            await GetAsync(http, direct);
            await GetAsync(http, gateway);
        }

        var directLatencies = new List<double>(requests);
        var gatewayLatencies = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            directLatencies.Add(await GetAsync(http, direct));
            gatewayLatencies.Add(await GetAsync(http, gateway));
        }

        var directRate = await ThroughputAsync(http, direct, clients, seconds);
        var gatewayRate = await ThroughputAsync(http, gateway, clients, seconds);

        double P(List<double> values, int p) => Figures.Percentile(values, p);
        var addedP50 = P(gatewayLatencies, 50) - P(directLatencies, 50);
        Console.WriteLine($"GET {Path} with a bearer token, {requests} sequential requests each way, interleaved; {Environment.ProcessorCount} cores");
        Console.WriteLine($"direct to inventory:  p50 {P(directLatencies, 50),6:0.000} ms   p99 {P(directLatencies, 99),6:0.000} ms");
        Console.WriteLine($"through the gateway:  p50 {P(gatewayLatencies, 50),6:0.000} ms   p99 {P(gatewayLatencies, 99),6:0.000} ms");
        Console.WriteLine($"added by the gateway: p50 {addedP50,6:0.000} ms   p99 {P(gatewayLatencies, 99) - P(directLatencies, 99),6:0.000} ms   (target <= 1 ms at p50: {(addedP50 <= 1 ? "MET" : "MISSED")})");
        Console.WriteLine($"throughput, {clients} clients for {seconds} s: direct {directRate,8:N0} req/s   through the gateway {gatewayRate,8:N0} req/s");
        return 0;
    }

    private static async Task<double> GetAsync(HttpClient http, Uri baseUrl)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri(baseUrl, Path));
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> ThroughputAsync(HttpClient http, Uri baseUrl, int clients, int seconds)
    {
        var deadline = Stopwatch.StartNew();
        var total = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                await GetAsync(http, baseUrl);
                Interlocked.Increment(ref total);
            }
        }));
        return total / deadline.Elapsed.TotalSeconds;
    }
}
