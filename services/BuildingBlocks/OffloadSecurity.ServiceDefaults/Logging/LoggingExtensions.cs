using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace OffloadSecurity.ServiceDefaults.Logging;

public static class LoggingExtensions
{
    /// <summary>
    /// Structured logging through Serilog: JSON lines on the console (<c>Logging:Format=text</c> for humans),
    /// secrets redacted by property name. Other logger providers a host or test adds still receive the
    /// redacted events.
    /// </summary>
    public static IHostApplicationBuilder AddOffloadLogging(this IHostApplicationBuilder builder)
    {
        var format = builder.Configuration["Logging:Format"] ?? "json";
        var console = !string.Equals(builder.Configuration["Logging:Console"], "false", StringComparison.OrdinalIgnoreCase);
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (_, logger) =>
            {
                logger.MinimumLevel.Information()
                    .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft.Extensions.Http", LogEventLevel.Warning)
                    .MinimumLevel.Override("MassTransit", LogEventLevel.Warning)
                    .Enrich.FromLogContext()
                    .Enrich.WithProperty("Application", builder.Environment.ApplicationName)
                    .Enrich.With<SecretRedactionEnricher>();
                if (console)
                {
                    if (format == "text")
                    {
                        logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
                    }
                    else
                    {
                        logger.WriteTo.Console(new RenderedCompactJsonFormatter());
                    }
                }
            },
            preserveStaticLogger: true,
            writeToProviders: true);
        return builder;
    }
}
