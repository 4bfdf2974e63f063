using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OffloadSecurity.Testing;

/// <summary>
/// Runs a service's real <c>Program</c> on Kestrel at a free 127.0.0.1 port, with the given settings, and keeps
/// every log line it writes (after redaction) so tests can search them.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;

    public ServiceHost(IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? configureServices = null)
    {
        _settings = new Dictionary<string, string?>(settings) { ["Logging:Console"] = "false" };
        _configureServices = configureServices;

        // The services ship no content files. Outside test projects (the benchmarks) WebApplicationFactory cannot
        // guess a content root, so name one: the output folder.
        var contentRootVariable = "ASPNETCORE_TEST_CONTENTROOT_" + typeof(TEntryPoint).Assembly.GetName().Name!.Replace('.', '_');
        if (Environment.GetEnvironmentVariable(contentRootVariable) is null)
        {
            Environment.SetEnvironmentVariable(contentRootVariable, AppContext.BaseDirectory);
        }
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    public ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>Starts the server and returns its base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    public HttpClient CreateLoopbackClient(Uri baseAddress) => new() { BaseAddress = baseAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
        if (_configureServices is not null)
        {
            builder.ConfigureTestServices(_configureServices);
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
