using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration.Json;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Gateway.Proxy;

/// <summary>Configuration section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public int RequestsPerMinutePerTenant { get; set; } = 1200;
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

public static class GatewayModule
{
    public const string PerTenantRateLimit = "per-tenant";

    /// <summary>
    /// The public door: YARP with explicit routes per service prefix (from the embedded <c>gateway.routes.json</c>,
    /// overridable by any configuration source), each naming its authorization and rate-limit policy; per-tenant rate limits.
    /// </summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        // The built-in routes come first, so any configuration source (settings, environment) can override them.
        builder.Configuration.Sources.Insert(0, new JsonStreamConfigurationSource
        {
            Stream = typeof(GatewayModule).Assembly.GetManifestResourceStream("gateway.routes.json")
                ?? throw new InvalidOperationException("gateway.routes.json is not embedded in the gateway assembly."),
        });
        var options = builder.Configuration.GetSection("Gateway").Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(PerTenantRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.FindFirst(OffloadClaims.Tenant)?.Value ?? "anonymous",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RequestsPerMinutePerTenant,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<GatewayOptions>();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = options.MaxRequestBodyBytes;
            }

            await next();
        });
        app.UseRateLimiter();
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
