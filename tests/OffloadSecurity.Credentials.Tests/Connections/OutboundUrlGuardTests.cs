using System.Net;
using Microsoft.Extensions.Options;
using OffloadSecurity.Credentials.Connections;

namespace OffloadSecurity.Credentials.Tests.Connections;

public class OutboundUrlGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OutboundUrlGuard Guard(bool allowPrivate = false, IHostAddressResolver? resolver = null) =>
        new(Options.Create(new OutboundUrlOptions { AllowPrivateNetworks = allowPrivate, DnsTimeout = TimeSpan.FromSeconds(2) }),
            resolver ?? FakeHostResolver.WithTestNames());

    [Theory]
    [InlineData("https://203.0.113.10:6443")]
    [InlineData("https://k8s.example.com:6443")]
    [InlineData("https://k8s.example.com/k8s/clusters/c-m-4x2b")]
    [InlineData("https://registry.example.com")]
    [InlineData("https://[2001:db8::10]:6443")]
    [InlineData("https://[::ffff:203.0.113.10]")]
    [InlineData("https://K8S.Example.COM.")]
    public async Task Allows_https_urls_of_public_hosts(string url)
    {
        var verdict = await Guard().CheckAsync(url, Ct);

        verdict.Allowed.ShouldBeTrue(verdict.Refusal);
        verdict.Url.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("http://203.0.113.10", "https")]
    [InlineData("ftp://203.0.113.10", "https")]
    [InlineData("k8s.example.com:6443", "https")]
    [InlineData("", "absolute URL")]
    [InlineData("not a url", "absolute URL")]
    [InlineData("https://user:secret@k8s.example.com", "user name or password")]
    [InlineData("https://k8s.example.com/?next=http://127.0.0.1", "query")]
    [InlineData("https://k8s.example.com/#x", "fragment")]
    public void Refuses_urls_that_are_not_plain_https(string url, string reason)
    {
        var verdict = Guard().Check(url);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void A_refusal_never_repeats_the_user_info_of_the_url()
    {
        var verdict = Guard().Check("https://admin:PLANTED-password-123@k8s.example.com");

        verdict.Refusal!.ShouldNotContain("PLANTED");
    }

    [Theory]
    [InlineData("https://127.0.0.1", "loopback")]
    [InlineData("https://127.8.9.10:6443", "loopback")]
    [InlineData("https://[::1]", "loopback")]
    [InlineData("https://localhost", "loopback")]
    [InlineData("https://LOCALHOST.", "loopback")]
    [InlineData("https://api.localhost", "loopback")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("https://[fd00:ec2::254]", "metadata")]
    [InlineData("https://169.254.170.2", "metadata")]
    [InlineData("https://100.100.100.200", "metadata")]
    [InlineData("https://metadata.google.internal", "metadata")]
    [InlineData("https://metadata.google.internal./computeMetadata/v1/", "metadata")]
    [InlineData("https://metadata.azure.com", "metadata")]
    [InlineData("https://169.254.1.1", "link-local")]
    [InlineData("https://[fe80::1]", "link-local")]
    [InlineData("https://[fe80::1%25eth0]", "link-local")]
    [InlineData("https://0.0.0.0", "unspecified")]
    [InlineData("https://[::]", "unspecified")]
    [InlineData("https://0", "unspecified")]
    [InlineData("https://224.0.0.1", "multicast")]
    [InlineData("https://[ff02::1]", "multicast")]
    [InlineData("https://255.255.255.255", "reserved")]
    [InlineData("https://10.0.0.1", "private")]
    [InlineData("https://172.16.5.4", "private")]
    [InlineData("https://172.31.255.255", "private")]
    [InlineData("https://192.168.1.1", "private")]
    [InlineData("https://100.64.0.1", "private")]
    [InlineData("https://[fc00::1]", "private")]
    [InlineData("https://[fd12:3456::1]", "private")]
    public void Refuses_literal_addresses_and_names_the_service_must_never_reach(string url, string kind)
    {
        var verdict = Guard().Check(url);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain(kind);
    }

    [Theory]
    [InlineData("https://2130706433", "loopback")]
    [InlineData("https://0x7f.1", "loopback")]
    [InlineData("https://0x7f000001", "loopback")]
    [InlineData("https://017700000001", "loopback")]
    [InlineData("https://0177.0.0.1", "loopback")]
    [InlineData("https://127.1", "loopback")]
    [InlineData("https://0x7f.0x0.0x0.0x1", "loopback")]
    [InlineData("https://127.0.0.1.", "loopback")]
    [InlineData("https://2852039166", "metadata")]
    [InlineData("https://0xa9fea9fe", "metadata")]
    [InlineData("https://0251.0376.0251.0376", "metadata")]
    [InlineData("https://169.254.43518", "metadata")]
    [InlineData("https://[::ffff:127.0.0.1]", "loopback")]
    [InlineData("https://[::ffff:7f00:1]", "loopback")]
    [InlineData("https://[::ffff:169.254.169.254]", "metadata")]
    [InlineData("https://[::ffff:a9fe:a9fe]", "metadata")]
    [InlineData("https://[::127.0.0.1]", "loopback")]
    [InlineData("https://[64:ff9b::169.254.169.254]", "metadata")]
    [InlineData("https://[2002:7f00:1::]", "loopback")]
    [InlineData("https://[::ffff:10.0.0.1]", "private")]
    public void Refuses_disguised_spellings_of_forbidden_addresses(string url, string kind)
    {
        var verdict = Guard().Check(url);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain(kind);
    }

    [Theory]
    [InlineData("https://１２７.０.０.１")]
    [InlineData("https://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ")]
    [InlineData("https://ＬＯＣＡＬＨＯＳＴ")]
    [InlineData("https://bücher.example")]
    public void Refuses_unicode_host_names_whose_meaning_depends_on_normalization(string url)
    {
        var verdict = Guard().Check(url);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain("ASCII");
    }

    [Fact]
    public async Task A_punycode_host_name_is_resolved_as_it_is()
    {
        var dns = new FakeHostResolver().Add("xn--bcher-kva.example", "203.0.113.40");

        (await Guard(resolver: dns).CheckAsync("https://xn--bcher-kva.example", Ct)).Allowed.ShouldBeTrue();
        dns.Asked.ShouldBe(["xn--bcher-kva.example"]);
    }

    [Theory]
    [InlineData("https://4294967296")]
    [InlineData("https://1.2.3.4.5")]
    [InlineData("https://09.1.1.1")]
    [InlineData("https://1e2.0.0.1")]
    [InlineData("https://256.1.1.1.")]
    public void Refuses_hosts_that_look_numeric_but_are_no_address(string url)
    {
        var verdict = Guard().Check(url);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain("Not a valid");
    }

    [Theory]
    [InlineData("https://loopback.example.com", "resolves to a loopback")]
    [InlineData("https://metadata.example.com", "resolves to a cloud metadata")]
    [InlineData("https://intranet.example.com", "resolves to a private-network")]
    [InlineData("https://mixed.example.com", "resolves to a cloud metadata")]
    [InlineData("https://nowhere.example.com", "does not resolve")]
    public async Task Refuses_names_that_resolve_to_forbidden_addresses_or_not_at_all(string url, string reason)
    {
        var guard = Guard();

        guard.Check(url).Allowed.ShouldBeTrue("without DNS the name looks fine");
        var verdict = await guard.CheckAsync(url, Ct);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public async Task Literal_addresses_and_refused_names_are_never_looked_up()
    {
        var dns = FakeHostResolver.WithTestNames();
        var guard = Guard(resolver: dns);

        await guard.CheckAsync("https://203.0.113.10", Ct);
        await guard.CheckAsync("https://0x7f.1", Ct);
        await guard.CheckAsync("https://metadata.google.internal", Ct);
        await guard.CheckAsync("http://k8s.example.com", Ct);
        await guard.CheckAsync("https://K8S.example.com.", Ct);

        dns.Asked.ShouldBe(["k8s.example.com"]);
    }

    [Fact]
    public async Task A_lookup_that_hangs_is_refused_after_the_timeout()
    {
        var guard = new OutboundUrlGuard(
            Options.Create(new OutboundUrlOptions { DnsTimeout = TimeSpan.FromMilliseconds(50) }), new HangingResolver());

        var verdict = await guard.CheckAsync("https://slow.example.com", Ct);

        verdict.Allowed.ShouldBeFalse();
        verdict.Refusal.ShouldNotBeNull().ShouldContain("in time");
    }

    [Theory]
    [InlineData("https://10.0.0.1")]
    [InlineData("https://172.20.0.1")]
    [InlineData("https://192.168.10.10:6443")]
    [InlineData("https://100.64.1.1")]
    [InlineData("https://[fd12:3456::1]")]
    [InlineData("https://intranet.example.com")]
    public async Task The_operator_can_allow_private_networks(string url)
    {
        (await Guard().CheckAsync(url, Ct)).Allowed.ShouldBeFalse();
        (await Guard(allowPrivate: true).CheckAsync(url, Ct)).Allowed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("https://127.0.0.1")]
    [InlineData("https://169.254.169.254")]
    [InlineData("https://[fd00:ec2::254]")]
    [InlineData("https://100.100.100.200")]
    [InlineData("https://[fe80::1]")]
    [InlineData("https://0.0.0.0")]
    [InlineData("https://localhost")]
    [InlineData("https://loopback.example.com")]
    [InlineData("https://mixed.example.com")]
    public async Task Allowing_private_networks_never_opens_loopback_link_local_metadata_or_unspecified(string url)
    {
        (await Guard(allowPrivate: true).CheckAsync(url, Ct)).Allowed.ShouldBeFalse();
    }

    [Theory]
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("::1", AddressKind.Loopback)]
    [InlineData("169.254.169.254", AddressKind.Metadata)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Metadata)]
    [InlineData("fd00:ec2::254", AddressKind.Metadata)]
    [InlineData("169.254.0.1", AddressKind.LinkLocal)]
    [InlineData("fe80::abcd", AddressKind.LinkLocal)]
    [InlineData("febf::1", AddressKind.LinkLocal)]
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("::", AddressKind.Unspecified)]
    [InlineData("10.255.255.255", AddressKind.Private)]
    [InlineData("172.15.255.255", AddressKind.Public)]
    [InlineData("172.16.0.0", AddressKind.Private)]
    [InlineData("172.32.0.0", AddressKind.Public)]
    [InlineData("100.63.255.255", AddressKind.Public)]
    [InlineData("100.127.255.255", AddressKind.Private)]
    [InlineData("100.128.0.0", AddressKind.Public)]
    [InlineData("192.168.0.1", AddressKind.Private)]
    [InlineData("fc00::", AddressKind.Private)]
    [InlineData("fdff:ffff::1", AddressKind.Private)]
    [InlineData("2002:0a00:0001::1", AddressKind.Private)]
    [InlineData("2001:0:4136:e378::1", AddressKind.Reserved)]
    [InlineData("8.8.8.8", AddressKind.Public)]
    [InlineData("2606:4700:4700::1111", AddressKind.Public)]
    public void Classifies_addresses(string address, AddressKind kind) =>
        OutboundUrlGuard.Classify(IPAddress.Parse(address)).ShouldBe(kind);

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("0177.0.1", "127.0.0.1")]
    [InlineData("10.0x10.020", "10.16.0.16")]
    [InlineData("0x", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    public void Parses_every_ipv4_spelling_the_c_library_accepts(string text, string expected)
    {
        OutboundUrlGuard.TryParseIPv4(text, out var address).ShouldBeTrue();
        address.ToString().ShouldBe(expected);
    }

    [Theory]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.256")]
    [InlineData("1.2.65536")]
    [InlineData("4294967296")]
    [InlineData("08")]
    [InlineData("1..2")]
    [InlineData("0x1g")]
    [InlineData("1.2.3.4.5")]
    public void Refuses_what_is_not_an_ipv4_address(string text) =>
        OutboundUrlGuard.TryParseIPv4(text, out _).ShouldBeFalse();

    [Fact]
    public async Task The_system_resolver_resolves_localhost_to_loopback()
    {
        var addresses = await new DnsHostAddressResolver().ResolveAsync("localhost", Ct);

        addresses.ShouldNotBeEmpty();
        addresses.ShouldAllBe(a => OutboundUrlGuard.Classify(a) == AddressKind.Loopback);
    }

    private sealed class HangingResolver : IHostAddressResolver
    {
        public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        }
    }
}
