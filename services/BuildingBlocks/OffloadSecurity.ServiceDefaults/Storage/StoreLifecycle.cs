using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace OffloadSecurity.ServiceDefaults.Storage;

/// <summary>What every store does besides its domain operations: create its schema, answer a health probe.</summary>
public interface IStoreLifecycle
{
    /// <summary>Creates tables, indexes and collections if missing. Safe to run on every start.</summary>
    Task InitializeAsync(CancellationToken ct);

    /// <summary>Throws when the store cannot serve.</summary>
    Task PingAsync(CancellationToken ct);
}

public static class StoreLifecycleExtensions
{
    /// <summary>Initializes the store <typeparamref name="TStore"/> before the host serves, and adds it to <c>/health/ready</c>.</summary>
    public static IServiceCollection AddStoreLifecycle<TStore>(this IServiceCollection services, string name)
        where TStore : class, IStoreLifecycle
    {
        // One initializer type per store: AddHostedService keeps a single registration per implementation type, so a
        // shared type would let only the first store of a composed host (the standalone platform) initialize.
        services.AddHostedService(sp => new Initializer<TStore>(sp.GetRequiredService<TStore>()));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            name, sp => new Probe(sp.GetRequiredService<TStore>()), HealthStatus.Unhealthy, [ServiceDefaultsExtensions.ReadyTag]));
        return services;
    }

    private sealed class Initializer<TStore>(TStore store) : IHostedService
        where TStore : IStoreLifecycle
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Probe(IStoreLifecycle store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex)
            {
                return HealthCheckResult.Unhealthy($"{context.Registration.Name} does not answer.", ex);
            }
        }
    }
}
