using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>
/// Keeps this scanner's hold on its runs and picks up what others dropped: every heartbeat it renews the leases of
/// its queued and running scans and stops those a user cancelled; it claims runs whose scanner died (lease run
/// out) and queues them to resume from their checkpoints; once an hour it forgets runs ended a week ago.
/// </summary>
public sealed partial class ScanLeaseKeeper(
    IScanStateStore runs, RunningScans running, ScanQueue queue, ScannerInstance instance, IBus bus, ScanningOptions options,
    TimeProvider clock, ILogger<ScanLeaseKeeper> logger) : BackgroundService
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan KeepEndedRuns = TimeSpan.FromDays(7);
    private const int MaxClaimsPerBeat = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPrune = clock.GetUtcNow();
        using var timer = new PeriodicTimer(options.HeartbeatInterval, clock);
        do
        {
            try
            {
                await BeatAsync(stoppingToken);
                if (clock.GetUtcNow() >= nextPrune)
                {
                    await runs.PruneAsync(clock.GetUtcNow() - KeepEndedRuns, stoppingToken);
                    nextPrune = clock.GetUtcNow() + PruneEvery;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store may be briefly unreachable: leases are long enough to survive a missed beat.
                LogBeatFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One heartbeat: renew, stop what was cancelled, claim what was abandoned.</summary>
    public async Task BeatAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var scanId in await runs.HeartbeatAsync(instance.Id, now + options.LeaseDuration, ct))
        {
            if (!running.CancelByUser(scanId))
            {
                // Queued here, not started yet: the worker will skip it, so say now that it was cancelled.
                await CancelQueuedAsync(scanId, ct);
            }
        }

        foreach (var run in await runs.ClaimAbandonedAsync(instance.Id, now, now + options.LeaseDuration, MaxClaimsPerBeat, ct))
        {
            if (run.CancelRequested)
            {
                await PublishCancelledAsync(run, ct);
                continue;
            }

            LogResuming(run.ScanId, run.AccountId);
            await queue.EnqueueClaimedAsync(run, ct);
        }
    }

    private async Task CancelQueuedAsync(Guid scanId, CancellationToken ct)
    {
        if (await runs.FindRunAsync(scanId, ct) is { IsActive: true } run && !running.IsRunning(scanId))
        {
            await PublishCancelledAsync(run, ct);
        }
    }

    private async Task PublishCancelledAsync(ScanRun run, CancellationToken ct)
    {
        await bus.Publish(new ScanCancelled { TenantId = run.TenantId, AccountId = run.AccountId, ScanId = run.ScanId, CancelledAt = clock.GetUtcNow() }, ct);
        await runs.FinishRunAsync(run.ScanId, ScanRunState.Cancelled, ct);
    }

    [LoggerMessage(LogLevel.Information, "Resuming scan {ScanId} of account {AccountId}: its scanner stopped holding it")]
    private partial void LogResuming(Guid scanId, Guid accountId);

    [LoggerMessage(LogLevel.Warning, "Scan lease heartbeat failed; retrying at the next beat")]
    private partial void LogBeatFailed(Exception exception);
}
