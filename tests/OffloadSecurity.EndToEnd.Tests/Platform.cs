using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.CloudSandbox;
using OffloadSecurity.CloudSandbox.Aws;
using OffloadSecurity.Credentials;
using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.Inventory;
using OffloadSecurity.Scanners.Aws;
using OffloadSecurity.Testing;

namespace OffloadSecurity.EndToEnd.Tests;

/// <summary>
/// The distributed platform on one machine: credentials, inventory, AWS scanner and gateway as four separate hosts
/// on loopback ports, talking over a real RabbitMQ, and the cloud sandbox standing in for AWS.
/// </summary>
public sealed class Platform : IAsyncLifetime
{
    public const string SandboxAccountId = "210987654321";
    public const string AccessKeyId = "AKIAE2ESANDBOX000001";
    public const string SecretAccessKey = "e2eSandboxSecretKey/abcdefghijklmnopqrst";
    public const int FindingsPerRegion = 240;

    /// <summary>A second sandbox account, whose key a test rotates behind the platform's back.</summary>
    public const string RotatedAccessKeyId = "AKIAE2ESANDBOX000002";
    public const string RotatedSecretAccessKey = "e2eSandboxSecretKey/rotatedAccountKey002";

    /// <summary>A third sandbox account, large enough that its scan runs for a minute (a test cancels it).</summary>
    public const string LargeAccessKeyId = "AKIAE2ESANDBOX000003";
    public const string LargeSecretAccessKey = "e2eSandboxSecretKey/largeAccountKey00003";
    public const int LargeFindingsPerRegion = 20_000;

    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly TempDirectory _data = new();
    private readonly RabbitMqFixture _rabbit = new();

    public Uri Sandbox { get; private set; } = null!;
    public SandboxControl SandboxControl { get; private set; } = null!;
    public Uri Gateway { get; private set; } = null!;
    public TimeSpan StartupTime { get; private set; }

    public HttpClient Client(string tenant) => new HttpClient { BaseAddress = Gateway }.WithToken(tenant);

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await _rabbit.InitializeAsync();
        var bus = _rabbit.Broker.BusSettings(RabbitMqBroker.NewEntityPrefix());

        Sandbox = Start<CloudSandboxMarker>(new()
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = SandboxAccountId,
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = AccessKeyId,
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = SecretAccessKey,
            ["Sandbox:Aws:Accounts:0:SecurityHubFindings"] = FindingsPerRegion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandbox:Aws:Accounts:1:AccountId"] = "210987654322",
            ["Sandbox:Aws:Accounts:1:AccessKeyId"] = RotatedAccessKeyId,
            ["Sandbox:Aws:Accounts:1:SecretAccessKey"] = RotatedSecretAccessKey,
            ["Sandbox:Aws:Accounts:1:SecurityHubFindings"] = "30",
            ["Sandbox:Aws:Accounts:2:AccountId"] = "210987654323",
            ["Sandbox:Aws:Accounts:2:AccessKeyId"] = LargeAccessKeyId,
            ["Sandbox:Aws:Accounts:2:SecretAccessKey"] = LargeSecretAccessKey,
            ["Sandbox:Aws:Accounts:2:SecurityHubFindings"] = LargeFindingsPerRegion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        SandboxControl = ((ServiceHost<CloudSandboxMarker>)_hosts[^1]).Services.GetRequiredService<SandboxControl>();
        var credentials = Start<CredentialsEntryPoint>(Service(bus, "credentials", new()
        {
            ["ENCRYPTION_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // Connection tests and brokered STS sessions go to the sandbox's STS.
            ["Aws:Endpoints:ServiceUrl"] = Sandbox.ToString(),
        }));
        var inventory = Start<InventoryEntryPoint>(Service(bus, "inventory", []));
        var scanner = Start<AwsScannerEntryPoint>(Service(bus, "aws-scanner", new()
        {
            ["CredentialBroker:BaseUrl"] = credentials.ToString(),
            ["Aws:Endpoints:ServiceUrl"] = Sandbox.ToString(),
        }));
        Gateway = Start<GatewayEntryPoint>(new(TestAuth.Settings)
        {
            ["ReverseProxy:Clusters:credentials:Destinations:primary:Address"] = credentials.ToString(),
            ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = inventory.ToString(),
            ["ReverseProxy:Clusters:aws-scanner:Destinations:primary:Address"] = scanner.ToString(),
        });
        StartupTime = started.Elapsed;
    }

    private Dictionary<string, string?> Service(IReadOnlyDictionary<string, string?> bus, string name, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>(TestAuth.Settings) { ["Store:DataDirectory"] = Path.Combine(_data.Path, name) };
        foreach (var (key, value) in bus.Concat(extra))
        {
            settings[key] = value;
        }

        return settings;
    }

    private Uri Start<T>(Dictionary<string, string?> settings) where T : class
    {
        var host = new ServiceHost<T>(settings);
        _hosts.Add(host);
        return host.Start();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        await _rabbit.DisposeAsync();
        _data.Dispose();
    }
}
