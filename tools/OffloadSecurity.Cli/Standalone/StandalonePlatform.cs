using System.Net;
using System.Net.Sockets;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Cli.Standalone;

/// <summary>How to start the standalone platform.</summary>
public sealed record StandaloneOptions
{
    public const int DefaultPort = 5100;

    public required DataFolder Data { get; init; }

    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Also start the cloud sandbox and point the AWS scanner at it.</summary>
    public bool Demo { get; init; }

    /// <summary>Logs on the console (text) besides the log file in the data folder.</summary>
    public bool ConsoleLogs { get; init; }

    /// <summary>Further configuration, applied last (e.g. <c>Gateway:RequestsPerMinutePerTenant</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// The whole platform in one process (what <c>offload up</c> runs): one web application on 127.0.0.1 composed
/// of every module (<see cref="StandaloneModules"/>), SQLite and the keys under the data folder, and with
/// <c>--demo</c> the cloud sandbox as a second web application on a free loopback port.
/// </summary>
public sealed class StandalonePlatform : IAsyncDisposable
{
    public const string LogFileName = "offload.log";

    private readonly WebApplication _app;
    private readonly DemoSandbox? _sandbox;

    private StandalonePlatform(WebApplication app, Uri url, DataFolder data, bool firstRun, DemoSandbox? sandbox)
    {
        _app = app;
        Url = url;
        Data = data;
        FirstRun = firstRun;
        _sandbox = sandbox;
    }

    public Uri Url { get; }
    public DataFolder Data { get; }
    public bool FirstRun { get; }
    public Uri? SandboxUrl => _sandbox?.Url;
    public IServiceProvider Services => _app.Services;

    /// <summary>Completes when the host stops for a reason of its own (a fatal error, SIGTERM).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public static async Task<StandalonePlatform> StartAsync(StandaloneOptions options, CancellationToken ct)
    {
        var firstRun = options.Data.EnsureCreated();
        var logFile = Path.Combine(options.Data.Path, LogFileName);
        var sandbox = options.Demo ? await DemoSandbox.StartAsync(Path.Combine(options.Data.Path, DemoSandbox.LogFileName), ct) : null;
        try
        {
            var port = options.Port == 0 ? FreeLoopbackPort() : options.Port;
            var url = new Uri($"http://127.0.0.1:{port}/");
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "offload", ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddInMemoryCollection(Settings(options, url, sandbox?.Url));
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
            builder.AddStandalonePlatform();
            builder.Logging.AddProvider(new FileLoggerProvider(logFile));

            var app = builder.Build();
            app.MapStandalonePlatform();
            await StartOnPortAsync(app, port, ct);
            return new StandalonePlatform(app, url, options.Data, firstRun, sandbox);
        }
        catch
        {
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>A token signed with the data folder's key, as the platform accepts it.</summary>
    public string IssueToken(string tenant, IEnumerable<string> roles, TimeSpan lifetime) =>
        _app.Services.GetRequiredService<LocalTokenIssuer>().Issue("offload-cli", tenant, roles, lifetime);

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await _app.StopAsync(stop.Token);
        }

        await _app.DisposeAsync();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> Settings(StandaloneOptions options, Uri url, Uri? sandbox)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Store:Provider"] = "Sqlite",
            ["Store:DataDirectory"] = options.Data.Path,
            ["Auth:SigningKey"] = options.Data.ReadSigningKey(),
            ["Encryption:KeyFile"] = options.Data.EncryptionKeyFile,
            ["Bus:Transport"] = "InMemory",
            ["CredentialBroker:BaseUrl"] = url.ToString(),
            ["Logging:Console"] = options.ConsoleLogs ? "true" : "false",
            ["Logging:Format"] = "text",
        };
        if (sandbox is not null)
        {
            settings["Aws:Endpoints:ServiceUrl"] = sandbox.ToString();
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task StartOnPortAsync(WebApplication app, int port, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync();
            throw new CliException(ExitCodes.Failed,
                $"Port {port} on 127.0.0.1 is in use: is another `offload up` running? Stop it, or pick another port with --port.");
        }
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
