using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;
using static OffloadSecurity.Gateway.Tests.GatewayPlatform;

namespace OffloadSecurity.Gateway.Tests;

/// <summary>What the gateway adds besides routing: aggregated health, the public API document, WebSockets, no CORS.</summary>
public sealed class GatewayEdgeTests(GatewayPlatform platform)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_shows_every_service_behind_the_gateway()
    {
        using var client = platform.Client();
        using var response = await client.GetAsync("/health", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var health = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        health["status"]!.GetValue<string>().ShouldBe("Healthy");
        health["checks"]!["credentials"]!.GetValue<string>().ShouldBe("Healthy");
        health["checks"]!["inventory"]!.GetValue<string>().ShouldBe("Healthy");
        health["checks"]!["aws-scanner"]!.GetValue<string>().ShouldBe("Healthy");
    }

    [Fact]
    public async Task Health_names_the_service_that_is_down_without_saying_why()
    {
        await using var gateway = new ServiceHost<GatewayEntryPoint>(new Dictionary<string, string?>(TestAuth.Settings)
        {
            ["ReverseProxy:Clusters:credentials:Destinations:primary:Address"] = platform.Credentials.ToString(),
            ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = "http://127.0.0.1:9/",
            ["ReverseProxy:Clusters:aws-scanner:Destinations:primary:Address"] = platform.AwsScanner.ToString(),
        });
        using var client = new HttpClient { BaseAddress = gateway.Start() };

        using var response = await client.GetAsync("/health", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var health = JsonNode.Parse(body)!;
        health["checks"]!["inventory"]!.GetValue<string>().ShouldBe("Unhealthy");
        health["checks"]!["credentials"]!.GetValue<string>().ShouldBe("Healthy");
        body.ShouldNotContain("127.0.0.1");
        (await client.GetAsync("/health/ready", Ct)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Serves_one_openapi_document_for_the_public_api_of_every_service()
    {
        using var client = platform.Client();
        using var response = await client.GetAsync("/openapi/v1.json", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.ShouldContain("/api/accounts");
        paths.ShouldContain("/api/accounts/{id}");
        paths.ShouldContain("/api/accounts/{id}/sync");
        paths.ShouldContain("/api/findings");
        paths.ShouldContain("/api/findings/{fingerprint}/workflow");
        paths.ShouldContain("/api/findings/export");
        paths.ShouldContain("/api/posture/summary");
        paths.ShouldContain("/api/assets");
        paths.ShouldContain("/api/imports/asff");
        paths.ShouldAllBe(path => path.StartsWith("/api/", StringComparison.Ordinal), "internal and health endpoints are not public API");
        document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");
        document["components"]!["schemas"]!.AsObject().ShouldContain(schema => schema.Key == "ConnectAccountRequest");
    }

    [Fact]
    public async Task Passes_websockets_through_to_the_service_and_refuses_them_without_a_token()
    {
        await using var backend = await LoopbackApp.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/api/stream/echo", async context =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[1024];
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
            });
        });
        await using var gateway = new ServiceHost<GatewayEntryPoint>(new Dictionary<string, string?>(TestAuth.Settings)
        {
            ["ReverseProxy:Routes:stream:ClusterId"] = "stream",
            ["ReverseProxy:Routes:stream:AuthorizationPolicy"] = Policies.Reader,
            ["ReverseProxy:Routes:stream:RateLimiterPolicy"] = "per-tenant",
            ["ReverseProxy:Routes:stream:Match:Path"] = "/api/stream/{**rest}",
            ["ReverseProxy:Clusters:stream:Destinations:primary:Address"] = backend.Url.ToString(),
        });
        var ws = new UriBuilder(gateway.Start()) { Scheme = "ws", Path = "/api/stream/echo" }.Uri;

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Tokens.Valid(TenantA, Roles.Analyst));
        await socket.ConnectAsync(ws, Ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("finding changed"), WebSocketMessageType.Text, true, Ct);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, Ct);
        Encoding.UTF8.GetString(buffer, 0, received.Count).ShouldBe("finding changed");

        using var anonymous = new ClientWebSocket();
        var refused = await Should.ThrowAsync<WebSocketException>(() => anonymous.ConnectAsync(ws, Ct));
        refused.Message.ShouldContain("401");
    }

    [Fact]
    public async Task Answers_no_cross_origin_requests_by_default()
    {
        using var client = platform.Client();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/findings");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var response = await client.SendAsync(preflight, Ct);
        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();

        using var cross = new HttpRequestMessage(HttpMethod.Get, "/api/findings");
        cross.Headers.Add("Origin", "https://evil.example");
        cross.Headers.Authorization = new("Bearer", Tokens.Valid(TenantA, Roles.Auditor));
        using var answer = await client.SendAsync(cross, Ct);
        answer.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task Proxied_answers_carry_the_security_headers()
    {
        using var client = platform.Client().WithToken(TenantA, Roles.Auditor);
        using var response = await client.GetAsync("/api/findings", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        var findings = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        findings.ShouldNotBeNull();
    }
}
