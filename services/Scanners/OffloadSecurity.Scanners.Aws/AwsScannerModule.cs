using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Ecr;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Scanners.Aws.Import;
using OffloadSecurity.Scanners.Aws.Scanning;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.RateLimiting;
using OffloadSecurity.ServiceDefaults.Messaging;

namespace OffloadSecurity.Scanners.Aws;

public static class AwsScannerModule
{
    /// <summary>The AWS scanner: its sources (Security Hub, GuardDuty, ECR image scans) and their clients, the scanner, its scan-request consumer.</summary>
    public static IHostApplicationBuilder AddAwsScanner(this IHostApplicationBuilder builder)
    {
        builder.AddScannerCore();
        builder.Services.Configure<AwsEndpointOptions>(builder.Configuration.GetSection(AwsEndpointOptions.SectionName));
        builder.Services.AddSingleton(builder.Configuration.GetSection(AwsRetryOptions.SectionName).Get<AwsRetryOptions>() ?? new AwsRetryOptions());
        builder.Services.AddSingleton<ApiRateLimiters>();
        builder.Services.AddSingleton<AwsCallPolicy>();
        builder.Services.AddHttpClient<SecurityHubClient>(http => http.Timeout = TimeSpan.FromSeconds(60));
        builder.Services.AddHttpClient<GuardDutyClient>(http => http.Timeout = TimeSpan.FromSeconds(60));
        builder.Services.AddHttpClient<EcrClient>(http => http.Timeout = TimeSpan.FromSeconds(60));
        builder.Services.AddScoped<IAwsFindingSource, SecurityHubSource>();
        builder.Services.AddScoped<IAwsFindingSource, GuardDutySource>();
        builder.Services.AddScoped<IAwsFindingSource, EcrSource>();
        builder.Services.AddScoped<IProviderScanner, AwsScanner>();
        builder.Services.AddScoped<FindingImporter>();
        builder.AddBusConsumers(bus => bus.AddConsumer<AwsScanRequestConsumer>());
        return builder;
    }
}

/// <summary>Names this service's assembly, so tests can host its real Program with WebApplicationFactory.</summary>
public sealed class AwsScannerEntryPoint
{
    private AwsScannerEntryPoint()
    {
    }
}
