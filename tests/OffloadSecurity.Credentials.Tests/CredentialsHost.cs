using System.Security.Cryptography;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Credentials.Connections;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>
/// The credentials service's real Program on loopback, with the in-memory bus under MassTransit's test harness,
/// pointed at a real cloud sandbox for its STS calls.
/// </summary>
public sealed class CredentialsHost : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private bool _ownsSandbox;
    private AwsSandbox? _sandbox;

    public ServiceHost<CredentialsEntryPoint> Host { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public ITestHarness Harness => Host.Services.GetTestHarness();

    /// <summary>Where the SQLite file lives; give one to share it between hosts.</summary>
    public string DataDirectory { get => DataDirectoryOverride ?? _data.Path; init => DataDirectoryOverride = value; }

    /// <summary>A sandbox another fixture owns; by default the host starts its own.</summary>
    public AwsSandbox Sandbox { get; init; } = null!;

    /// <summary>The key-encryption key (base64); fresh by default.</summary>
    public string EncryptionKey { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyDictionary<string, string?> ExtraSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The DNS the outbound URL guard asks: the test's own names, never the network's.</summary>
    public FakeHostResolver Dns { get; init; } = FakeHostResolver.WithTestNames();

    /// <summary>More service replacements (a clock, ...), applied after the service's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    private string? DataDirectoryOverride { get; set; }

    public HttpClient Client(string tenantId, params string[] roles) => Host.CreateLoopbackClient(BaseAddress).WithToken(tenantId, roles);

    public ValueTask InitializeAsync()
    {
        var sandbox = Sandbox;
        if (sandbox is null)
        {
            sandbox = new AwsSandbox().Start();
            _ownsSandbox = true;
        }

        var settings = new Dictionary<string, string?>(TestAuth.Settings)
        {
            ["ENCRYPTION_KEY"] = EncryptionKey,
            ["Store:DataDirectory"] = DataDirectory,
            ["Bus:Transport"] = "InMemory",
        };
        foreach (var (key, value) in sandbox.CredentialsSettings.Concat(ExtraSettings))
        {
            settings[key] = value;
        }

        Host = new ServiceHost<CredentialsEntryPoint>(settings, services =>
        {
            services.AddMassTransitTestHarness();
            services.AddSingleton<IHostAddressResolver>(Dns);
            ConfigureServices?.Invoke(services);
        });
        BaseAddress = Host.Start();
        _sandbox = sandbox;
        return ValueTask.CompletedTask;
    }

    /// <summary>The sandbox this host talks to.</summary>
    public AwsSandbox Aws => _sandbox!;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_ownsSandbox)
        {
            await _sandbox!.DisposeAsync();
        }

        _data.Dispose();
    }
}
