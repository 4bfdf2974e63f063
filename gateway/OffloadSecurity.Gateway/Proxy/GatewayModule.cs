using Microsoft.Extensions.Configuration.Json;
using OffloadSecurity.Gateway.Edge;
using OffloadSecurity.Gateway.Health;
using OffloadSecurity.Gateway.OpenApi;

namespace OffloadSecurity.Gateway.Proxy;

public static class GatewayModule
{
    /// <summary>
    /// The public door: the edge policies (<see cref="GatewayEdge"/>) and YARP with explicit routes per service
    /// prefix (from the embedded <c>gateway.routes.json</c>, overridable by any configuration source), each
    /// naming its authorization and rate-limit policy; <c>/health</c> covering every service behind it; and the one
    /// OpenAPI document of the public API.
    /// </summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        // The built-in routes come first, so any configuration source (settings, environment) can override them.
        builder.Configuration.Sources.Insert(0, new JsonStreamConfigurationSource
        {
            Stream = typeof(GatewayModule).Assembly.GetManifestResourceStream("gateway.routes.json")
                ?? throw new InvalidOperationException("gateway.routes.json is not embedded in the gateway assembly."),
        });
        builder.AddGatewayEdge();
        builder.AddServiceHealthChecks();
        builder.AddPublicApiDocument();
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseGatewayEdge();
        app.MapPublicApiDocument();
        app.MapReverseProxy();
        return app;
    }
}

/// <summary>Names this service's assembly, so tests can host its real Program with WebApplicationFactory.</summary>
public sealed class GatewayEntryPoint
{
    private GatewayEntryPoint()
    {
    }
}
