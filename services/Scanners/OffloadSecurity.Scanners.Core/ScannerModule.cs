using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Scanners.Core.Credentials;
using OffloadSecurity.Scanners.Core.Scanning.Runs;
using OffloadSecurity.ServiceDefaults.Messaging;

namespace OffloadSecurity.Scanners.Core;

public static class ScannerModule
{
    /// <summary>
    /// What every scanner shares: the scan queue and worker, the run store with its lease keeper, the credential broker client. Each provider module
    /// calls this and registers its <see cref="IProviderScanner"/> and its thin scan-request consumer.
    /// </summary>
    public static IHostApplicationBuilder AddScannerCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ScanQueue)))
        {
            return builder;
        }

        services.AddSingleton(builder.Configuration.GetSection("Scanning").Get<ScanningOptions>() ?? new ScanningOptions());
        services.TryAddSingleton(TimeProvider.System);
        builder.AddScanStateStore();
        services.AddSingleton<ScannerInstance>();
        services.AddSingleton<RunningScans>();
        services.AddSingleton<ScanQueue>();
        services.AddHostedService<ScanWorker>();
        services.AddSingleton<ScanLeaseKeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ScanLeaseKeeper>());
        builder.AddBusConsumers(bus =>
        {
            bus.AddConsumer<CancelScanConsumer>();
            bus.AddConsumer<ForgetDeletedAccountConsumer>();
        });
        var broker = builder.Configuration.GetSection("CredentialBroker").Get<CredentialBrokerOptions>() ?? new CredentialBrokerOptions();
        services.AddHttpClient<CredentialBrokerClient>(http => http.BaseAddress = broker.BaseUrl);
        return builder;
    }
}
