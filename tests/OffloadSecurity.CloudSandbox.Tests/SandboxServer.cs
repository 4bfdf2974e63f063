using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OffloadSecurity.CloudSandbox.Tests;

/// <summary>
/// The real cloud sandbox on a real loopback port (Kestrel, 127.0.0.1, port chosen by the OS).
/// With no accounts given, the sandbox's demo account is used.
/// </summary>
public sealed class SandboxServer : WebApplicationFactory<CloudSandboxMarker>
{
    private readonly SandboxAwsAccount[] _accounts;

    public SandboxServer(params SandboxAwsAccount[] accounts)
    {
        _accounts = accounts;
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>Starts the server (once) and returns its address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            return new Uri(addresses.Addresses.Single());
        }
    }

    /// <summary>More host configuration, e.g. <c>web.UseSetting("Sandbox:Aws:Accounts:0:AccountId", ...)</c>.</summary>
    public Action<IWebHostBuilder>? ConfigureHost { get; init; }

    public static SandboxAwsAccount Account(string accountId, int findings = 250, int guardDutyFindings = 0) => new()
    {
        AccountId = accountId,
        AccessKeyId = "AKIATEST" + accountId[..12],
        SecretAccessKey = "test-secret-for-" + accountId,
        SecurityHubFindings = findings,
        GuardDutyFindings = guardDutyFindings,
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (_accounts.Length > 0)
        {
            builder.ConfigureServices(services =>
                services.Configure<SandboxOptions>(options => options.Aws.Accounts.AddRange(_accounts)));
        }

        ConfigureHost?.Invoke(builder);
    }
}
