using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>Configuration section <c>Connections</c>: where the platform may connect on a tenant's behalf.</summary>
public sealed class OutboundUrlOptions
{
    public const string Section = "Connections";

    /// <summary>
    /// Allows the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, fc00::/7), for an installation that
    /// scans clusters or registries inside its own network. Loopback, link-local, metadata, unspecified, multicast and
    /// reserved addresses stay refused whatever this says.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The longest a DNS lookup may take before the URL is refused.</summary>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>What an address is, as far as connecting to it on a tenant's behalf goes.</summary>
public enum AddressKind
{
    Public,
    Private,
    Loopback,
    LinkLocal,
    Metadata,
    Unspecified,
    Multicast,
    Reserved,
}

/// <summary>The outcome of a check: the parsed URL when allowed, otherwise a reason fit to show the user.</summary>
public sealed record OutboundUrlVerdict(Uri? Url, string? Refusal)
{
    public bool Allowed => Refusal is null;

    public static OutboundUrlVerdict Allow(Uri url) => new(url, null);

    public static OutboundUrlVerdict Refuse(string reason) => new(null, reason);
}

/// <summary>Turns a host name into addresses. Swappable so tests never depend on the network's DNS.</summary>
public interface IHostAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

/// <summary>The system resolver (getaddrinfo): the same answer a connection made from this process would get.</summary>
public sealed class DnsHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// Decides whether the platform may connect to a URL a tenant gave it (a Kubernetes API server, a container registry),
/// so a tenant cannot aim the service at itself, at the machine's cloud metadata endpoint or at the operator's network
/// (server-side request forgery).
/// </summary>
/// <remarks>
/// <para>Only <c>https</c> URLs without user info, query or fragment, with an ASCII host, pass. A literal IP address is judged directly, in
/// every spelling the URL parser and the C library accept: IPv4-mapped and -compatible IPv6, NAT64 and 6to4 addresses
/// are judged by the IPv4 address they carry, and <c>2130706433</c>, <c>0x7f.1</c> or <c>0177.0.0.1</c> by the address
/// they mean. A host name is refused outright when it is a loopback or metadata name, and otherwise resolved through
/// <see cref="IHostAddressResolver"/>: every address it resolves to must be allowed. Nothing is ever connected to.</para>
/// <para>A check holds at the time it is made. A client that connects later should judge the address it actually
/// connects to with <see cref="IsAllowed"/> (for example in <c>SocketsHttpHandler.ConnectCallback</c>), so a name
/// that resolves differently afterwards (DNS rebinding) is still refused.</para>
/// </remarks>
public sealed class OutboundUrlGuard(IOptions<OutboundUrlOptions> options, IHostAddressResolver resolver)
{
    private static readonly HashSet<string> MetadataHosts = new(StringComparer.Ordinal)
    {
        "metadata", "metadata.google.internal", "metadata.goog", "metadata.azure.com", "instance-data", "instance-data.ec2.internal",
    };

    private static readonly HashSet<string> LoopbackHosts = new(StringComparer.Ordinal)
    {
        "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback",
    };

    // Compared by bytes, so a scope id cannot make an address look different.
    private static readonly byte[][] MetadataAddresses =
    [
        IPAddress.Parse("169.254.169.254").GetAddressBytes(), // AWS, Azure, GCP, OpenStack, DigitalOcean ...
        IPAddress.Parse("169.254.170.2").GetAddressBytes(), // AWS ECS task metadata
        IPAddress.Parse("fd00:ec2::254").GetAddressBytes(), // AWS IPv6 instance metadata
        IPAddress.Parse("100.100.100.200").GetAddressBytes(), // Alibaba Cloud
        IPAddress.Parse("192.0.0.192").GetAddressBytes(), // Oracle Cloud
    ];

    private bool AllowPrivate => options.Value.AllowPrivateNetworks;

    /// <summary>Checks the URL without any lookup: scheme, shape, and the host if it is an IP address or a known name.</summary>
    public OutboundUrlVerdict Check(string? url) => CheckWithoutLookup(url).Verdict;

    /// <summary>
    /// <see cref="Check"/>, then, for a host name, a DNS lookup (no connection): the name must resolve, and to allowed
    /// addresses only.
    /// </summary>
    public async Task<OutboundUrlVerdict> CheckAsync(string? url, CancellationToken ct)
    {
        var (verdict, name) = CheckWithoutLookup(url);
        if (name is null)
        {
            return verdict;
        }

        IPAddress[] addresses;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(options.Value.DnsTimeout);
            try
            {
                addresses = await resolver.ResolveAsync(name, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return OutboundUrlVerdict.Refuse("The host name could not be resolved in time (DNS).");
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                return OutboundUrlVerdict.Refuse("The host name does not resolve (DNS).");
            }
        }

        if (addresses.Length == 0)
        {
            return OutboundUrlVerdict.Refuse("The host name does not resolve (DNS).");
        }

        foreach (var address in addresses)
        {
            var kind = Classify(address);
            if (!IsAllowedKind(kind))
            {
                return OutboundUrlVerdict.Refuse(Explain("resolves to", kind));
            }
        }

        return verdict;
    }

    /// <summary>Whether this installation may connect to <paramref name="address"/>.</summary>
    public bool IsAllowed(IPAddress address) => IsAllowedKind(Classify(address));

    private bool IsAllowedKind(AddressKind kind) => kind == AddressKind.Public || (kind == AddressKind.Private && AllowPrivate);

    private string Explain(string verb, AddressKind kind)
    {
        var what = kind switch
        {
            AddressKind.Private => "a private-network",
            AddressKind.Loopback => "a loopback",
            AddressKind.LinkLocal => "a link-local",
            AddressKind.Metadata => "a cloud metadata",
            AddressKind.Unspecified => "an unspecified",
            AddressKind.Multicast => "a multicast",
            _ => "a reserved",
        };
        var hint = kind == AddressKind.Private && !AllowPrivate
            ? " (the operator can allow private networks with Connections:AllowPrivateNetworks=true)"
            : "";
        return $"The host {verb} {what} address, which the service never connects to{hint}.";
    }

    /// <summary>The verdict without DNS, and the name still to resolve when the host is an allowed-looking name.</summary>
    private (OutboundUrlVerdict Verdict, string? NameToResolve) CheckWithoutLookup(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return Refused("Not an absolute URL (https://host[:port]).");
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            return Refused("Must be https: over http the credentials would travel in clear.");
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return Refused("Must be an https URL.");
        }

        if (uri.UserInfo.Length > 0)
        {
            return Refused("Must not contain a user name or password: give credentials in their own fields.");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return Refused("Must not contain a query or fragment.");
        }

        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            // The parser has already turned every IPv4 spelling into dotted decimal; Host drops an IPv6 scope id.
            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
                ? (JudgeLiteral(uri, address), null)
                : Refused("Not a valid IP address.");
        }

        // Whether Unicode look-alikes (full-width digits, circled letters) fold into ASCII depends on the process's
        // globalization mode, so a name that is one thing here could be another in the client that connects later.
        if (!Ascii.IsValid(uri.Host))
        {
            return Refused("The host name must be ASCII: give an internationalized name in its punycode (xn--) form.");
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || uri.HostNameType != UriHostNameType.Dns)
        {
            return Refused("Not a valid host name.");
        }

        // A name whose last label is a number is an IPv4 address to the C library (inet_aton), whatever the URL parser made of it.
        if (EndsInNumber(host))
        {
            return TryParseIPv4(host, out var address)
                ? (JudgeLiteral(uri, address), null)
                : Refused("Not a valid IP address or host name.");
        }

        if (LoopbackHosts.Contains(host) || host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return Refused(Explain("points at", AddressKind.Loopback));
        }

        return MetadataHosts.Contains(host)
            ? Refused(Explain("points at", AddressKind.Metadata))
            : (OutboundUrlVerdict.Allow(uri), host);

        static (OutboundUrlVerdict, string?) Refused(string reason) => (OutboundUrlVerdict.Refuse(reason), null);
    }

    private OutboundUrlVerdict JudgeLiteral(Uri uri, IPAddress address)
    {
        var kind = Classify(address);
        return IsAllowedKind(kind) ? OutboundUrlVerdict.Allow(uri) : OutboundUrlVerdict.Refuse(Explain("points at", kind));
    }

    private static bool EndsInNumber(string host)
    {
        var last = host[(host.LastIndexOf('.') + 1)..];
        return last.Length > 0 && (last.All(char.IsAsciiDigit) || (last.StartsWith("0x", StringComparison.Ordinal) && last[2..].All(char.IsAsciiHexDigit)));
    }

    /// <summary>
    /// Parses an IPv4 address in every form <c>inet_aton</c> accepts: one to four parts, each decimal, octal (leading 0)
    /// or hexadecimal (0x), the last part filling the remaining bytes (<c>127.1</c>, <c>2130706433</c>, <c>0x7f.0.0.1</c>).
    /// </summary>
    public static bool TryParseIPv4(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length > 4)
        {
            return false;
        }

        var values = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParsePart(parts[i], out values[i]))
            {
                return false;
            }
        }

        ulong result = 0;
        for (var i = 0; i < values.Length - 1; i++)
        {
            if (values[i] > 255)
            {
                return false;
            }

            result |= values[i] << (8 * (3 - i));
        }

        var lastLimit = (1UL << (8 * (5 - values.Length))) - 1;
        if (values[^1] > lastLimit)
        {
            return false;
        }

        result |= values[^1];
        address = new IPAddress([(byte)(result >> 24), (byte)(result >> 16), (byte)(result >> 8), (byte)result]);
        return true;
    }

    private static bool TryParsePart(string part, out ulong value)
    {
        value = 0;
        if (part.Length == 0)
        {
            return false;
        }

        if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var digits = part[2..];
            return digits.Length == 0 || (digits.Length <= 8 && ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value));
        }

        if (!part.All(char.IsAsciiDigit) || part.Length > 12)
        {
            return false;
        }

        if (part.Length > 1 && part[0] == '0')
        {
            foreach (var digit in part)
            {
                if (digit > '7')
                {
                    return false;
                }

                value = (value * 8) + (ulong)(digit - '0');
            }

            return true;
        }

        return ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>What <paramref name="address"/> is; IPv6 forms that carry an IPv4 address are judged by that address.</summary>
    public static AddressKind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(b) : ClassifyV6(b);
    }

    private static AddressKind ClassifyV4(byte[] b) => b switch
    {
        _ when IsMetadata(b) => AddressKind.Metadata,
        [0, ..] => AddressKind.Unspecified,
        [127, ..] => AddressKind.Loopback,
        [169, 254, ..] => AddressKind.LinkLocal,
        [10, ..] => AddressKind.Private,
        [172, var second, ..] when (second & 0xF0) == 16 => AddressKind.Private,
        [192, 168, ..] => AddressKind.Private,
        [100, var second, ..] when (second & 0xC0) == 64 => AddressKind.Private,
        [198, var second, ..] when (second & 0xFE) == 18 => AddressKind.Private,
        [192, 0, 0, _] => AddressKind.Reserved,
        [>= 224 and < 240, ..] => AddressKind.Multicast,
        [>= 240, ..] => AddressKind.Reserved,
        _ => AddressKind.Public,
    };

    private static bool IsMetadata(byte[] address) => MetadataAddresses.Any(m => m.AsSpan().SequenceEqual(address));

    private static AddressKind ClassifyV6(byte[] b)
    {
        if (IsMetadata(b))
        {
            return AddressKind.Metadata;
        }

        if (b.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return AddressKind.Unspecified;
        }

        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0 && b[15] == 1)
        {
            return AddressKind.Loopback;
        }

        // ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address they carry.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0
            || (b is [0x00, 0x64, 0xff, 0x9b, ..] && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0))
        {
            return ClassifyV4(b[12..]);
        }

        return b switch
        {
            [0x20, 0x02, ..] => ClassifyV4(b[2..6]), // 6to4
            [0x20, 0x01, 0x00, 0x00, ..] => AddressKind.Reserved, // Teredo: the IPv4 address inside is obfuscated
            [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..] => AddressKind.Private, // local-use NAT64
            [0x01, 0x00, 0, 0, 0, 0, 0, 0, ..] => AddressKind.Reserved, // discard-only
            [0xfe, var second, ..] when (second & 0xC0) == 0x80 => AddressKind.LinkLocal,
            [0xfe, var second, ..] when (second & 0xC0) == 0xC0 => AddressKind.Private, // site-local, deprecated
            [var first, ..] when (first & 0xFE) == 0xFC => AddressKind.Private, // unique local
            [0xff, ..] => AddressKind.Multicast,
            _ => AddressKind.Public,
        };
    }
}
