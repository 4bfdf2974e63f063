using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.ServiceDefaults.Messaging;
using OffloadSecurity.Testing;

namespace OffloadSecurity.ServiceDefaults.Tests.Auth;

/// <summary>A minimal service built from the defaults alone, on a loopback port.</summary>
public sealed class ServiceDefaultsHostTests : IAsyncLifetime
{
    private bool _storeHealthy = true;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(TestAuth.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console"] = "false", ["Bus:Transport"] = "InMemory" });
        builder.AddServiceDefaults();
        builder.AddOffloadBus();
        builder.Services.AddHealthChecks().AddCheck("store", () => _storeHealthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("down"), [ServiceDefaultsExtensions.ReadyTag]);
        _app = builder.Build();
        _app.UseServiceDefaults();
        _app.MapGet("/whoami", (ClaimsPrincipal user) => user.GetTenantId());
        await _app.StartAsync(Ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_token_and_ready_reflects_the_store()
    {
        (await _http.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.Until(async () => (await _http.GetAsync("/health/ready", Ct)).StatusCode, s => s == HttpStatusCode.OK, "ready");

        _storeHealthy = false;
        try
        {
            (await _http.GetAsync("/health/ready", Ct)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await _http.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            _storeHealthy = true;
        }
    }

    [Fact]
    public async Task Endpoints_are_closed_unless_a_valid_token_names_a_tenant()
    {
        (await Get("/whoami", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var ok = await Get("/whoami", TestAuth.Token("tenant-a"));
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ok.Content.ReadAsStringAsync(Ct)).ShouldBe("tenant-a");
    }

    public static TheoryData<string> BadTokens() =>
    [
        "expired",
        "wrong-key",
        "wrong-audience",
        "wrong-issuer",
        "alg-none",
        "garbage",
    ];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Refuses_forged_expired_and_unsigned_tokens(string kind)
    {
        var response = await Get("/whoami", BadToken(kind));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_valid_token_without_a_tenant_is_forbidden()
    {
        var token = Sign(new Dictionary<string, object> { ["sub"] = "someone", ["role"] = Roles.Analyst }, TestAuth.Options.Audience, TestAuth.Options.Issuer, DateTime.UtcNow.AddMinutes(5), TestAuth.SigningKey);

        (await Get("/whoami", token)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void A_service_without_token_validation_refuses_to_start_and_says_how_to_fix_it()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console"] = "false" });

        var error = Should.Throw<InvalidOperationException>(() => builder.AddServiceDefaults());

        error.Message.ShouldContain("Auth:Authority");
        error.Message.ShouldContain("Auth:SigningKey");
    }

    private async Task<HttpResponseMessage> Get(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await _http.SendAsync(request, Ct);
    }

    private static string BadToken(string kind)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "x", [OffloadClaims.Tenant] = "tenant-a", ["role"] = Roles.TenantAdmin };
        var options = TestAuth.Options;
        return kind switch
        {
            "expired" => Sign(claims, options.Audience, options.Issuer, DateTime.UtcNow.AddMinutes(-5), TestAuth.SigningKey),
            "wrong-key" => Sign(claims, options.Audience, options.Issuer, DateTime.UtcNow.AddMinutes(5), LocalTokenIssuer.NewSigningKey()),
            "wrong-audience" => Sign(claims, "someone-else", options.Issuer, DateTime.UtcNow.AddMinutes(5), TestAuth.SigningKey),
            "wrong-issuer" => Sign(claims, options.Audience, "evil", DateTime.UtcNow.AddMinutes(5), TestAuth.SigningKey),
            "alg-none" => Base64Url("""{"alg":"none","typ":"JWT"}""") + "." +
                Base64Url($$"""{"sub":"x","tenant":"tenant-a","role":"tenant-admin","aud":"{{options.Audience}}","iss":"{{options.Issuer}}","exp":{{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()}}}""") + ".",
            _ => "not-a-token",
        };
    }

    private static string Sign(Dictionary<string, object> claims, string audience, string issuer, DateTime expires, string key) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Audience = audience,
            Issuer = issuer,
            IssuedAt = expires.AddMinutes(-10),
            NotBefore = expires.AddMinutes(-10),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key)), SecurityAlgorithms.HmacSha256),
        });

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
