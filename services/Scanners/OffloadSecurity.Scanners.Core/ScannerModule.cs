using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Scanners.Core.Credentials;

namespace OffloadSecurity.Scanners.Core;

public static class ScannerModule
{
    /// <summary>
    /// What every scanner shares: the scan queue and worker, the credential broker client. Each provider module
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
        services.AddSingleton<ScanQueue>();
        services.AddHostedService<ScanWorker>();
        var broker = builder.Configuration.GetSection("CredentialBroker").Get<CredentialBrokerOptions>() ?? new CredentialBrokerOptions();
        services.AddHttpClient<CredentialBrokerClient>(http => http.BaseAddress = broker.BaseUrl);
        return builder;
    }
}
