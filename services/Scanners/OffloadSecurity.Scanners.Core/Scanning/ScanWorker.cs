using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core.Scanning.Runs;

namespace OffloadSecurity.Scanners.Core;

/// <summary>Configuration section <c>Scanning</c>.</summary>
public sealed class ScanningOptions
{
    /// <summary>Scans run at the same time in this process.</summary>
    public int MaxConcurrentScans { get; set; } = 4;

    /// <summary>A scan still running after this is cancelled and reported failed: no scan stays "running" forever.</summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Short-lived scan credentials are renewed this long before they expire (or a quarter of their lifetime before,
    /// when that is sooner), so a long scan never signs with credentials about to run out. Zero: renew only when the
    /// provider says they expired.
    /// </summary>
    public TimeSpan CredentialRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a scanner holds a scan without renewing it. A scanner that dies stops renewing; once the lease has run
    /// out another scanner (or this one, restarted) claims the scan and resumes it from its checkpoints.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often leases are renewed and cancel requests noticed.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A source saves its checkpoint (after publishing what it has) at least this often while it reads...</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>...and after at most this many findings.</summary>
    public int CheckpointEveryFindings { get; set; } = 2000;

    /// <summary>Regions of one source read at the same time (each region has its own AWS rate budget).</summary>
    public int MaxConcurrentRegions { get; set; } = 4;

    /// <summary>One region of one source (a work item) still reading after this is stopped and reported partial.</summary>
    public TimeSpan WorkItemTimeout { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>Attempts for a work item that failed on a transient fault (after the per-call retries), each resuming from its checkpoint.</summary>
    public int WorkItemAttempts { get; set; } = 2;

    /// <summary>Scheduled scans of an incremental source read only what changed, except when the last full pass is older than this.</summary>
    public TimeSpan FullPassInterval { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// Runs queued scans with bounded concurrency and reports each one's start and end on the bus. A scan's run record
/// says who holds it; a scan stopped by the host shutting down stays active in the store and is resumed later, a
/// scan a user cancelled ends with <see cref="ScanCancelled"/>, any other end is final.
/// </summary>
public sealed partial class ScanWorker(
    ScanQueue queue, IScanStateStore runs, RunningScans running, ScannerInstance instance, IServiceScopeFactory scopes, IBus bus,
    ScanningOptions options, TimeProvider clock, ILogger<ScanWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken) =>
        await Parallel.ForEachAsync(
            queue.Reader.ReadAllAsync(stoppingToken),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentScans, CancellationToken = stoppingToken },
            async (job, ct) =>
            {
                // A scope per scan: scanners and their HTTP clients live as long as the scan, no longer.
                await using var scope = scopes.CreateAsyncScope();
                var scanner = scope.ServiceProvider.GetServices<IProviderScanner>().FirstOrDefault(s => s.Provider == job.Provider);
                if (scanner is not null)
                {
                    await RunAsync(scanner, job, ct);
                }
            });

    private async Task RunAsync(IProviderScanner scanner, ScanJob job, CancellationToken stoppingToken)
    {
        using var cancel = running.Register(job.ScanId, stoppingToken);
        try
        {
            if (!await runs.StartRunAsync(job.ScanId, instance.Id, clock.GetUtcNow() + options.LeaseDuration, stoppingToken))
            {
                await NotStartedAsync(job, stoppingToken);
                return;
            }

            cancel.CancelAfter(options.ScanTimeout);
            await ScanAsync(scanner, job, cancel, stoppingToken);
        }
        finally
        {
            running.Remove(job.ScanId);
        }
    }

    private async Task ScanAsync(IProviderScanner scanner, ScanJob job, RunningScan cancel, CancellationToken stoppingToken)
    {
        var ct = cancel.Token;
        LogScanStarting(job.ScanId, job.AccountId, job.Trigger, job.Resumed);
        try
        {
            if (!job.Resumed)
            {
                await bus.Publish(new ScanStarted { TenantId = job.TenantId, AccountId = job.AccountId, ScanId = job.ScanId, StartedAt = clock.GetUtcNow() }, ct);
            }

            var sources = await scanner.ScanAsync(job, bus, ct);
            await bus.Publish(new ScanCompleted
            {
                TenantId = job.TenantId,
                AccountId = job.AccountId,
                ScanId = job.ScanId,
                Sources = sources,
                CompletedAt = clock.GetUtcNow(),
            }, ct);
            await runs.FinishRunAsync(job.ScanId, ScanRunState.Completed, stoppingToken);
            LogScanCompleted(job.ScanId, sources.Sum(s => s.Findings), sources.Count(s => !s.Complete && !s.Incremental));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: the run stays active in the store and is resumed from its checkpoints.
            LogScanInterrupted(job.ScanId);
        }
        catch (OperationCanceledException) when (cancel.CancelledByUser)
        {
            await CancelledAsync(job, stoppingToken);
        }
        catch (Exception ex)
        {
            var reason = ex switch
            {
                ScanFailedException failed => failed.Message,
                OperationCanceledException => $"The scan did not finish within {options.ScanTimeout} and was stopped.",
                _ => "The scanner hit an unexpected error; see the scanner's log for scan " + job.ScanId + ".",
            };
            LogScanFailed(ex, job.ScanId, reason);
            await bus.Publish(new ScanFailed
            {
                TenantId = job.TenantId,
                AccountId = job.AccountId,
                ScanId = job.ScanId,
                Reason = reason,
                FailedAt = clock.GetUtcNow(),
            }, stoppingToken);
            await runs.FinishRunAsync(job.ScanId, ScanRunState.Failed, stoppingToken);
        }
    }

    /// <summary>The run was cancelled while queued, has ended, or belongs to another scanner now.</summary>
    private async Task NotStartedAsync(ScanJob job, CancellationToken ct)
    {
        var run = await runs.FindRunAsync(job.ScanId, ct);
        if (run is { IsActive: true, CancelRequested: true })
        {
            await CancelledAsync(job, ct);
        }
        else
        {
            LogScanSkipped(job.ScanId, run?.State.ToString() ?? "unknown");
        }
    }

    private async Task CancelledAsync(ScanJob job, CancellationToken ct)
    {
        LogScanCancelled(job.ScanId);
        await bus.Publish(new ScanCancelled
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            CancelledAt = clock.GetUtcNow(),
        }, ct);
        await runs.FinishRunAsync(job.ScanId, ScanRunState.Cancelled, ct);
    }

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} of account {AccountId} starting ({Trigger}, resumed: {Resumed})")]
    private partial void LogScanStarting(Guid scanId, Guid accountId, ScanTrigger trigger, bool resumed);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} completed: {Findings} findings, {PartialSources} partial sources")]
    private partial void LogScanCompleted(Guid scanId, int findings, int partialSources);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} interrupted by shutdown; it resumes from its checkpoints")]
    private partial void LogScanInterrupted(Guid scanId);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} cancelled at a user's request")]
    private partial void LogScanCancelled(Guid scanId);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} not started: it is {State} or held by another scanner")]
    private partial void LogScanSkipped(Guid scanId, string state);

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId} failed: {Reason}")]
    private partial void LogScanFailed(Exception exception, Guid scanId, string reason);
}
