using System.Diagnostics;
using System.Net.Sockets;
using Testcontainers.RabbitMq;

namespace OffloadSecurity.Testing;

/// <summary>
/// Gives tests a real RabbitMQ, found in this order: <c>OFFLOAD_TEST_RABBITMQ_URI</c>; a Testcontainers broker when
/// a Docker engine answers; a broker on <c>localhost:5672</c> (guest/guest), which <c>.ci/run</c> starts.
/// Each fixture instance hands out a unique entity prefix, so test runs never see each other's messages.
/// In CI (<c>CI=true</c>) a missing broker fails the tests instead of skipping them.
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    private RabbitMqContainer? _container;

    private RabbitMqBroker(string? uri, string description, string? unavailableReason)
    {
        Uri = uri;
        Description = description;
        UnavailableReason = unavailableReason;
    }

    public string? Uri { get; }
    public string Description { get; }
    public string? UnavailableReason { get; }

    /// <summary>A fresh prefix for exchange and queue names: one per test host group.</summary>
    public static string NewEntityPrefix() => "t" + Guid.NewGuid().ToString("N")[..10] + "-";

    /// <summary>Bus settings for a service host under test.</summary>
    public IReadOnlyDictionary<string, string?> BusSettings(string entityPrefix) => new Dictionary<string, string?>
    {
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:RabbitMq:Uri"] = RequireUri(),
        ["Bus:EntityPrefix"] = entityPrefix,
    };

    public string RequireUri()
    {
        if (Uri is not null)
        {
            return Uri;
        }

        var why = "No RabbitMQ for this test: " + UnavailableReason;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(why + " (in CI a broker is required; .ci/run starts one).");
        }

        Assert.Skip(why);
        return null!;
    }

    public static async Task<RabbitMqBroker> FindAsync()
    {
        var explicitUri = Environment.GetEnvironmentVariable("OFFLOAD_TEST_RABBITMQ_URI");
        if (!string.IsNullOrWhiteSpace(explicitUri))
        {
            return new RabbitMqBroker(explicitUri, "OFFLOAD_TEST_RABBITMQ_URI", null);
        }

        if (DockerEngine.Answers())
        {
            var container = new RabbitMqBuilder("rabbitmq:3.13-alpine").Build();
            await container.StartAsync();
            return new RabbitMqBroker(container.GetConnectionString(), "Testcontainers", null) { _container = container };
        }

        if (await PortAnswersAsync("127.0.0.1", 5672))
        {
            return new RabbitMqBroker("amqp://guest:guest@127.0.0.1:5672/", "localhost:5672", null);
        }

        return new RabbitMqBroker(null, "none",
            "OFFLOAD_TEST_RABBITMQ_URI is not set, no Docker engine answers, and nothing listens on localhost:5672 " +
            "(install and start rabbitmq-server, as .ci/run does).");
    }

    internal static async Task<bool> PortAnswersAsync(string host, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

/// <summary>Whether a Docker engine (not just the client) answers here.</summary>
public static class DockerEngine
{
    private static readonly Lazy<bool> Answering = new(Probe);

    public static bool Answers() => Answering.Value;

    private static bool Probe()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(host) && !File.Exists("/var/run/docker.sock"))
        {
            return false;
        }

        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (docker is null || !docker.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                docker?.Kill();
                return false;
            }

            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
