using OffloadSecurity.CloudSandbox;

namespace OffloadSecurity.Cli.Standalone;

/// <summary>The cloud sandbox (stand-in for AWS) as a second web application in the same process, on a free loopback port.</summary>
public sealed class DemoSandbox : IAsyncDisposable
{
    public const string LogFileName = "sandbox.log";

    private readonly WebApplication _app;

    private DemoSandbox(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The sandbox's demo account, which <c>offload up --demo</c> connects.</summary>
    public static SandboxAwsAccount Account => SandboxAwsAccount.Demo;

    public static async Task<DemoSandbox> StartAsync(string logFile, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "offload", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration[WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0";
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(new FileLoggerProvider(logFile));
        builder.AddCloudSandbox();

        var app = builder.Build();
        app.MapCloudSandbox();
        await app.StartAsync(ct);
        var address = app.Urls.First();
        return new DemoSandbox(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
