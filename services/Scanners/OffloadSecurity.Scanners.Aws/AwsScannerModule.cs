using OffloadSecurity.Scanners.Aws.Assets;
using OffloadSecurity.Scanners.Aws.Assets.Ec2;
using OffloadSecurity.Scanners.Aws.Assets.S3;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.Assets.Tagging;
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
    /// <summary>The AWS scanner: its sources (Security Hub, GuardDuty, ECR image scans, EC2 and S3 assets with our checks) and their clients, the scanner, its scan-request consumer.</summary>
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
        builder.Services.Configure<AssetScanOptions>(builder.Configuration.GetSection(AssetScanOptions.SectionName));
        builder.Services.AddSingleton<AwsSdkClientFactory>();
        builder.Services.AddHttpClient<TaggingClient>(http => http.Timeout = TimeSpan.FromSeconds(60));
        builder.Services.AddScoped<IAwsFindingSource, Ec2Source>();
        builder.Services.AddScoped<IAwsFindingSource, S3Source>();
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
