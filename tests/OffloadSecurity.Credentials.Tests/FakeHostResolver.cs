using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using OffloadSecurity.Credentials.Connections;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>A DNS of the test's own: names resolve to what the test says, unknown names do not resolve. No network.</summary>
public sealed class FakeHostResolver : IHostAddressResolver
{
    /// <summary>Names the shared test data uses, on documentation addresses (TEST-NET-3), plus a few traps.</summary>
    public static FakeHostResolver WithTestNames() => new FakeHostResolver()
        .Add("k8s.example.com", "203.0.113.10")
        .Add("other-cluster.example.com", "203.0.113.11")
        .Add("docker.io", "203.0.113.20")
        .Add("ghcr.io", "203.0.113.21")
        .Add("registry.example.com", "203.0.113.22", "2001:db8::22")
        .Add("loopback.example.com", "127.0.0.1")
        .Add("metadata.example.com", "169.254.169.254")
        .Add("intranet.example.com", "10.1.2.3")
        .Add("mixed.example.com", "203.0.113.30", "fd00:ec2::254");

    private readonly ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every name asked for, in order.</summary>
    public ConcurrentQueue<string> Asked { get; } = new();

    public FakeHostResolver Add(string name, params string[] addresses)
    {
        _names[name] = [.. addresses.Select(IPAddress.Parse)];
        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        Asked.Enqueue(host);
        return _names.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}
