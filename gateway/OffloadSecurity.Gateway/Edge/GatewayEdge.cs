using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Gateway.Edge;

/// <summary>Configuration section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    public int RequestsPerMinutePerTenant { get; set; } = 1200;
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// The edge policies every public entry applies, whether requests then travel through YARP (the distributed
/// gateway) or reach the services' APIs in the same process (<c>offload up</c>): per-tenant rate limit,
/// security headers, request body size limit, and no client-sent tenant header.
/// </summary>
public static class GatewayEdge
{
    /// <summary>The rate-limit policy every public API route names.</summary>
    public const string PerTenantRateLimit = "per-tenant";

    /// <summary>A tenant header a client sends is never trusted: the tenant comes from the token only.</summary>
    public const string TenantHeader = "X-Tenant-Id";

    public static readonly IReadOnlyDictionary<string, string> SecurityHeaders = new Dictionary<string, string>
    {
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "DENY",
        ["Referrer-Policy"] = "no-referrer",
        ["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'",
    };

    public static IHostApplicationBuilder AddGatewayEdge(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.AddSingleton(options);
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
                PartitionKey(http),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RequestsPerMinutePerTenant,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        return builder;
    }

    /// <summary>A tenant's requests share one budget; callers without a tenant are limited per client address.</summary>
    public static string PartitionKey(HttpContext http) =>
        http.User.FindFirst(OffloadClaims.Tenant)?.Value is { } tenant
            ? "tenant:" + tenant
            : "client:" + http.Connection.RemoteIpAddress;

    /// <summary>Security headers, the body size limit and tenant-header stripping on every request, then the rate limiter.</summary>
    public static WebApplication UseGatewayEdge(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<GatewayOptions>();
        app.Use(async (context, next) =>
        {
            context.Request.Headers.Remove(TenantHeader);

            // Set as the response starts, replacing any a proxied service sent, so each header has exactly one value.
            var response = context.Response;
            response.OnStarting(() =>
            {
                foreach (var (name, value) in SecurityHeaders)
                {
                    response.Headers[name] = value;
                }

                return Task.CompletedTask;
            });

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = options.MaxRequestBodyBytes;
            }

            await next();
        });
        app.UseRateLimiter();
        return app;
    }
}
