using System.Security.Cryptography;
using MassTransit;
using MassTransit.Testing;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>The credentials service's real Program on loopback, with the in-memory bus under MassTransit's test harness.</summary>
public sealed class CredentialsHost : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public ServiceHost<CredentialsEntryPoint> Host { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public ITestHarness Harness => Host.Services.GetTestHarness();
    public string DataDirectory => _data.Path;

    public HttpClient Client(string tenantId, params string[] roles) => Host.CreateLoopbackClient(BaseAddress).WithToken(tenantId, roles);

    public ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(TestAuth.Settings)
        {
            ["ENCRYPTION_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Store:DataDirectory"] = _data.Path,
            ["Bus:Transport"] = "InMemory",
        };
        Host = new ServiceHost<CredentialsEntryPoint>(settings, services => services.AddMassTransitTestHarness());
        BaseAddress = Host.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
