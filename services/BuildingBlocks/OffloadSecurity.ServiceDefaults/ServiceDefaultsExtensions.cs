using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.ServiceDefaults.Health;
using OffloadSecurity.ServiceDefaults.Logging;
using OffloadSecurity.ServiceDefaults.OpenApi;
using OffloadSecurity.ServiceDefaults.Telemetry;

namespace OffloadSecurity.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>
    /// What every Offload service has: structured logging with secret redaction, telemetry, health checks,
    /// problem details for every error, and token validation. The bus and the store are separate calls.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddOffloadLogging();
        builder.AddOffloadTelemetry();
        builder.AddOffloadAuthentication();
        builder.Services.AddProblemDetails();
        builder.Services.AddOffloadOpenApi();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Error handling, authentication, authorization, the health endpoints (<c>/health/live</c>, <c>/health/ready</c>,
    /// and <c>/health</c> with every check's status) and the OpenAPI document.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .AllowAnonymous();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync }).AllowAnonymous();
        app.MapOffloadOpenApi();
        return app;
    }

    /// <summary>A 400 problem naming the offending field, as every API returns for bad input.</summary>
    public static IResult FieldProblem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
