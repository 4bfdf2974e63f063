using System.Net.Http.Json;
using System.Security.Cryptography;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.CloudSandbox;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Credentials;
using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.Inventory;
using OffloadSecurity.Scanners.Aws;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

[assembly: AssemblyFixture(typeof(OffloadSecurity.Gateway.Tests.GatewayPlatform))]

namespace OffloadSecurity.Gateway.Tests;

/// <summary>
/// The gateway's real Program in front of the real credentials, inventory and AWS scanner services (each on its own loopback
/// port), with the cloud sandbox as AWS. Tenant A owns one connected account and a few findings; tenant B owns nothing.
/// The services use the in-memory bus: these tests are about the HTTP doors, not messaging.
/// </summary>
public sealed class GatewayPlatform : IAsyncLifetime
{
    public const string TenantA = "tenant-a";
    public const string TenantB = "tenant-b";
    public const string SandboxAccessKeyId = "AKIAGATEWAYTEST00001";
    public const string SandboxSecretAccessKey = "gatewayTestSecretKey/abcdefghijklmnopqrs";

    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly TempDirectory _data = new();

    public Uri Gateway { get; private set; } = null!;
    public Uri Credentials { get; private set; } = null!;
    public Uri Inventory { get; private set; } = null!;
    public Uri AwsScanner { get; private set; } = null!;
    public Guid AccountOfA { get; private set; }
    public string FindingOfA { get; private set; } = null!;

    public HttpClient Client() => new() { BaseAddress = Gateway };

    public async ValueTask InitializeAsync()
    {
        var sandbox = Start<CloudSandboxMarker>(new()
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = "345678901234",
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = SandboxAccessKeyId,
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = SandboxSecretAccessKey,
        }).Url;
        Credentials = Start<CredentialsEntryPoint>(Service("credentials", new()
        {
            ["ENCRYPTION_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Aws:Endpoints:ServiceUrl"] = sandbox.ToString(),
        })).Url;
        var inventory = Start<InventoryEntryPoint>(Service("inventory", []));
        Inventory = inventory.Url;
        AwsScanner = Start<AwsScannerEntryPoint>(Service("aws-scanner", new()
        {
            ["CredentialBroker:BaseUrl"] = Credentials.ToString(),
            ["Aws:Endpoints:ServiceUrl"] = sandbox.ToString(),
        })).Url;
        Gateway = Start<GatewayEntryPoint>(new(TestAuth.Settings)
        {
            ["ReverseProxy:Clusters:credentials:Destinations:primary:Address"] = Credentials.ToString(),
            ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = Inventory.ToString(),
            ["ReverseProxy:Clusters:aws-scanner:Destinations:primary:Address"] = AwsScanner.ToString(),
        }).Url;

        AccountOfA = await ConnectAccountAsync(TenantA, "Production");
        FindingOfA = await SeedFindingAsync(inventory.Host, Inventory, TenantA, AccountOfA);
    }

    /// <summary>Connects the sandbox's AWS account for <paramref name="tenant"/> through the gateway, as its admin.</summary>
    public async Task<Guid> ConnectAccountAsync(string tenant, string name)
    {
        using var client = Client().WithToken(tenant);
        var response = await client.PostAsJsonAsync("/api/accounts", new
        {
            provider = "aws",
            displayName = name,
            regions = new[] { "us-east-1" },
            aws = new { accessKeyId = SandboxAccessKeyId, secretAccessKey = SandboxSecretAccessKey },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AccountId>())!.Id;
    }

    private static async Task<string> SeedFindingAsync(ServiceHost<InventoryEntryPoint> inventory, Uri inventoryUrl, string tenant, Guid account)
    {
        var fingerprint = $"fp-gateway-{Guid.NewGuid():N}";
        var bus = inventory.Services.GetRequiredService<IBus>();
        var now = DateTimeOffset.UtcNow;
        await bus.Publish(new FindingsObserved
        {
            TenantId = tenant,
            AccountId = account,
            ScanId = Guid.NewGuid(),
            Source = "aws.securityhub",
            BatchIndex = 0,
            ObservedAt = now,
            Findings =
            [
                new NormalizedFinding
                {
                    Fingerprint = fingerprint,
                    Class = FindingClass.Compliance,
                    Severity = Severity.High,
                    SeverityId = (int)Severity.High,
                    State = ObservedState.Open,
                    Title = "S3 bucket allows public read",
                    Provider = CloudProvider.Aws,
                    CloudAccountId = "345678901234",
                    Region = "us-east-1",
                    Source = "aws.securityhub",
                    NativeId = "arn:aws:securityhub:us-east-1:345678901234:finding/gateway-test",
                    Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::gateway-test", Region = "us-east-1" },
                    UpdatedAt = now,
                    RawJson = "{}",
                },
            ],
        });
        using var client = new HttpClient { BaseAddress = inventoryUrl }.WithToken(tenant, Roles.Auditor);
        await Eventually.Until(
            () => client.GetAsync($"/api/findings/{fingerprint}"),
            response => response.IsSuccessStatusCode,
            "the seeded finding to be stored");
        return fingerprint;
    }

    private Dictionary<string, string?> Service(string name, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>(TestAuth.Settings)
        {
            ["Store:DataDirectory"] = Path.Combine(_data.Path, name),
            ["Bus:Transport"] = "InMemory",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private (ServiceHost<T> Host, Uri Url) Start<T>(Dictionary<string, string?> settings) where T : class
    {
        var host = new ServiceHost<T>(settings);
        _hosts.Add(host);
        var url = host.Start();
        return (host, url);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        _data.Dispose();
    }

    private sealed record AccountId(Guid Id);
}
