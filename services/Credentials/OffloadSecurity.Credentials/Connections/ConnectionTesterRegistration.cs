using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OffloadSecurity.Credentials.Connections;

public static class ConnectionTesterRegistration
{
    /// <summary>
    /// The connection test of every provider, and the <see cref="OutboundUrlGuard"/> (configured from the
    /// <c>Connections</c> section) that keeps tenant-given URLs off the service's own and private networks.
    /// </summary>
    public static IHostApplicationBuilder AddConnectionTesters(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<OutboundUrlOptions>(builder.Configuration.GetSection(OutboundUrlOptions.Section));
        builder.Services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        builder.Services.TryAddSingleton<OutboundUrlGuard>();
        builder.Services.AddSingleton<IConnectionTester, AwsConnectionTester>();
        builder.Services.AddSingleton<IConnectionTester, AzureConnectionTester>();
        builder.Services.AddSingleton<IConnectionTester, GcpConnectionTester>();
        builder.Services.AddSingleton<IConnectionTester, KubernetesConnectionTester>();
        builder.Services.AddSingleton<IConnectionTester, RegistryConnectionTester>();
        return builder;
    }
}
