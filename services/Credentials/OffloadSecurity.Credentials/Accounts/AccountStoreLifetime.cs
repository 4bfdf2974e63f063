using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>Creates the schema before the service takes requests.</summary>
internal sealed class AccountStoreInitializer(IAccountStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class AccountStoreHealthCheck(IAccountStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ListAsync("health-check", cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The account store does not answer.", ex);
        }
    }
}
