using System.Net;
using System.Net.Http.Headers;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Gateway.Edge;
using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// The distributed gateway (its real Program, proxying to the standalone platform's APIs) and the standalone host
/// apply the same edge policies, because both register them through <see cref="GatewayEdge"/>.
/// </summary>
public sealed class EdgePolicyParityTests : IAsyncLifetime
{
    private const int RequestsPerMinute = 3;
    private const int MaxBodyBytes = 4096;

    private readonly TempDirectory _data = new();
    private StandalonePlatform _standalone = null!;
    private ServiceHost<GatewayEntryPoint> _gateway = null!;
    private Uri _gatewayUrl = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var edge = new Dictionary<string, string?>
        {
            ["Gateway:RequestsPerMinutePerTenant"] = RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _standalone = await StandalonePlatform.StartAsync(new StandaloneOptions { Data = new DataFolder(_data.Path), Port = 0, Settings = edge }, Ct);
        _gateway = new ServiceHost<GatewayEntryPoint>(new Dictionary<string, string?>(edge)
        {
            ["Auth:SigningKey"] = _standalone.Data.ReadSigningKey(),
            ["ReverseProxy:Clusters:credentials:Destinations:primary:Address"] = _standalone.Url.ToString(),
            ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = _standalone.Url.ToString(),
            ["ReverseProxy:Clusters:aws-scanner:Destinations:primary:Address"] = _standalone.Url.ToString(),
        });
        _gatewayUrl = _gateway.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _standalone.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Both_hosts_set_the_same_security_headers_and_limit_each_tenant_with_a_retry_after()
    {
        foreach (var (host, url) in Hosts())
        {
            using var client = Client(url, tenant: $"rate-{host}");
            for (var i = 0; i < RequestsPerMinute; i++)
            {
                var ok = await client.GetAsync("api/accounts", Ct);
                ok.StatusCode.ShouldBe(HttpStatusCode.OK, host);
                foreach (var (name, value) in GatewayEdge.SecurityHeaders)
                {
                    ok.Headers.TryGetValues(name, out var values).ShouldBeTrue($"{host}: {name}");
                    values!.ShouldBe([value], $"{host}: {name}");
                }
            }

            var limited = await client.GetAsync("api/findings", Ct);
            limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, host);
            limited.Headers.RetryAfter.ShouldNotBeNull(host);

            // The limit is per tenant: another tenant is still served.
            using var other = Client(url, tenant: $"other-{host}");
            (await other.GetAsync("api/accounts", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, host);
        }
    }

    [Fact]
    public async Task Both_hosts_refuse_a_body_over_the_limit_and_anonymous_callers()
    {
        foreach (var (host, url) in Hosts())
        {
            using var client = Client(url, tenant: $"body-{host}");
            using var big = new StringContent(new string('x', MaxBodyBytes * 4), System.Text.Encoding.UTF8, "application/json");
            var response = await client.PostAsync("api/accounts", big, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, host);

            using var anonymous = new HttpClient { BaseAddress = url };
            (await anonymous.GetAsync("api/findings", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, host);
        }
    }

    private IEnumerable<(string Host, Uri Url)> Hosts() => [("standalone", _standalone.Url), ("gateway", _gatewayUrl)];

    private HttpClient Client(Uri url, string tenant)
    {
        var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", _standalone.IssueToken(tenant, [Roles.TenantAdmin], TimeSpan.FromMinutes(5)));
        return client;
    }
}
