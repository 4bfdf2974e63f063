using Microsoft.Extensions.Diagnostics.HealthChecks;
using OffloadSecurity.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;

namespace OffloadSecurity.Gateway.Health;

/// <summary>
/// The gateway is ready when every service behind it is: one health check per cluster asks the cluster's first
/// destination for its <c>/health/ready</c>. <c>/health</c> on the gateway therefore shows the whole platform.
/// </summary>
public static class ServiceHealthChecks
{
    public const string HttpClientName = "service-health";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static IHostApplicationBuilder AddServiceHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout);
        var health = builder.Services.AddHealthChecks();
        foreach (var cluster in builder.Configuration.GetSection("ReverseProxy:Clusters").GetChildren())
        {
            health.Add(new HealthCheckRegistration(
                cluster.Key,
                services => new ClusterHealthCheck(cluster.Key, services.GetRequiredService<IProxyConfigProvider>(), services.GetRequiredService<IHttpClientFactory>()),
                HealthStatus.Unhealthy,
                [ServiceDefaultsExtensions.ReadyTag]));
        }

        return builder;
    }

    private sealed class ClusterHealthCheck(string clusterId, IProxyConfigProvider config, IHttpClientFactory clients) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var destination = config.GetConfig().Clusters.FirstOrDefault(c => c.ClusterId == clusterId)?.Destinations?.Values.FirstOrDefault();
            if (destination is null)
            {
                return HealthCheckResult.Unhealthy($"Cluster {clusterId} has no destination.");
            }

            try
            {
                using var response = await clients.CreateClient(HttpClientName).GetAsync(new Uri(new Uri(destination.Address), "/health/ready"), cancellationToken);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{clusterId} answered {(int)response.StatusCode}.");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return HealthCheckResult.Unhealthy($"{clusterId} did not answer.", ex);
            }
        }
    }
}
