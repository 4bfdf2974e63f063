using MassTransit;
using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Scheduling;

/// <summary>Configuration section <c>Credentials:Scheduler</c>.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Credentials:Scheduler";

    public bool Enabled { get; set; } = true;

    /// <summary>How often an instance looks for due accounts.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the scheduling lease lasts without renewal; another instance takes over after that.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>At most this many accounts are claimed per round (the rest wait for the next round).</summary>
    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// Re-syncs every account on its interval (6 hours by default) by publishing <see cref="ScanRequested"/> (Scheduled).
/// Several replicas may run: only the holder of the "scheduler" lease in the store schedules, and each due account is
/// claimed atomically (its next sync moved ahead in the same write), so no account is ever scheduled twice per round.
/// </summary>
public sealed class SyncScheduler(
    IAccountStore store, IBus bus, TimeProvider clock, IOptions<SchedulerOptions> options, ILogger<SyncScheduler> logger) : BackgroundService
{
    public const string LeaseName = "credentials-scheduler";

    /// <summary>This process's name as a lease holder.</summary>
    public string InstanceId { get; } = Environment.MachineName + "/" + Environment.ProcessId + "/" + Guid.NewGuid().ToString("N")[..8];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scheduling round failed; retrying next round.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: take or renew the lease, then request a scan of every due account. Returns how many were requested.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!await store.TryAcquireLeaseAsync(LeaseName, InstanceId, options.Value.LeaseDuration, now, ct))
        {
            return 0;
        }

        var due = await store.ClaimDueAsync(now, options.Value.BatchSize, ct);
        foreach (var account in due)
        {
            // Publish after the claim is committed: a crash here skips one round for the account, never doubles it.
            await bus.Publish(new ScanRequested
            {
                TenantId = account.TenantId,
                AccountId = account.Id,
                ScanId = Guid.CreateVersion7(),
                Provider = account.Provider,
                Trigger = ScanTrigger.Scheduled,
                Regions = account.Regions,
                RequestedAt = now,
            }, ct);
        }

        if (due.Count > 0)
        {
            logger.LogInformation("Scheduled {Count} account sync(s).", due.Count);
        }

        return due.Count;
    }
}
