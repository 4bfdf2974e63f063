using MassTransit;
using Microsoft.Extensions.Options;
using OffloadSecurity.Inventory.Ingest;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>Configuration section <c>Inventory:RiskAcceptanceExpiry</c>.</summary>
public sealed class RiskAcceptanceExpiryOptions
{
    public const string Section = "Inventory:RiskAcceptanceExpiry";

    public bool Enabled { get; set; } = true;

    /// <summary>How often an instance looks for lapsed risk acceptances; the longest a lapse waits to be announced.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Lapsed acceptances read and ended per batch; a round takes batches until one comes back short.</summary>
    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Ends risk acceptances when they lapse, so the stored analyst state follows the clock and SIEM consumers learn that
/// the finding is active again: every <see cref="RiskAcceptanceExpiryOptions.Interval"/> it asks the store for lapsed
/// acceptances in bounded batches (all tenants), and publishes a <c>FindingsChanged</c> (<c>Workflow</c>) with the
/// OCSF JSON for each one the store ended. Several instances may run: the store ends each acceptance with a conditional
/// write and returns it only to the caller whose write applied, so each lapse is published once. As everywhere in the
/// inventory, the publish follows the commit: a crash between the two loses that one message, never the state.
/// </summary>
public sealed partial class RiskAcceptanceExpiry(
    IInventoryStore store, IBus bus, TimeProvider clock, IOptions<RiskAcceptanceExpiryOptions> options, ILogger<RiskAcceptanceExpiry> logger)
    : BackgroundService
{
    /// <summary>At most this many batches per round, so a round always ends; what is left waits for the next round.</summary>
    public const int MaxBatchesPerRound = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        // The first round waits one interval: the bus starts after this service, and a lapse is announced within one.
        using var timer = new PeriodicTimer(settings.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
            }
        }
    }

    /// <summary>One round: ends every acceptance lapsed by now (batch after batch) and publishes each; returns how many it ended.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var batchSize = Math.Max(1, options.Value.BatchSize);
        var ended = 0;
        for (var batch = 0; batch < MaxBatchesPerRound; batch++)
        {
            var result = await store.ExpireRiskAcceptancesAsync(clock.GetUtcNow(), batchSize, ct);
            foreach (var tenant in result.Expired.GroupBy(e => e.TenantId, StringComparer.Ordinal))
            {
                await FindingChanges.PublishAsync(bus, tenant.Key, [.. tenant.Select(e => e.Delta)], ct);
            }

            ended += result.Expired.Count;
            if (result.Examined < batchSize)
            {
                break;
            }
        }

        if (ended > 0)
        {
            LogEnded(logger, ended);
        }

        return ended;
    }

    [LoggerMessage(LogLevel.Information, "Ended {Count} lapsed risk acceptance(s); their findings are active again")]
    private static partial void LogEnded(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Risk acceptance expiry round failed; retrying next round")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
