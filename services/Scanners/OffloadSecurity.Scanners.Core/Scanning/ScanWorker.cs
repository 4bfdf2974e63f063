using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core;

/// <summary>Configuration section <c>Scanning</c>.</summary>
public sealed class ScanningOptions
{
    /// <summary>Scans run at the same time in this process.</summary>
    public int MaxConcurrentScans { get; set; } = 4;

    /// <summary>A scan still running after this is cancelled and reported failed: no scan stays "running" forever.</summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromHours(2);
}

/// <summary>Runs queued scans with bounded concurrency and reports each one's start and end on the bus.</summary>
public sealed partial class ScanWorker(
    ScanQueue queue, IServiceScopeFactory scopes, IBus bus, ScanningOptions options, TimeProvider clock,
    ILogger<ScanWorker> logger) : BackgroundService
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.ScanTimeout);
        var ct = timeout.Token;
        LogScanStarting(job.ScanId, job.AccountId, job.Trigger);
        try
        {
            await bus.Publish(new ScanStarted { TenantId = job.TenantId, AccountId = job.AccountId, ScanId = job.ScanId, StartedAt = clock.GetUtcNow() }, ct);
            var sources = await scanner.ScanAsync(job, bus, ct);
            await bus.Publish(new ScanCompleted
            {
                TenantId = job.TenantId,
                AccountId = job.AccountId,
                ScanId = job.ScanId,
                Sources = sources,
                CompletedAt = clock.GetUtcNow(),
            }, ct);
            LogScanCompleted(job.ScanId, sources.Sum(s => s.Findings), sources.Count(s => !s.Complete));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
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
        }
    }

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} of account {AccountId} starting ({Trigger})")]
    private partial void LogScanStarting(Guid scanId, Guid accountId, ScanTrigger trigger);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId} completed: {Findings} findings, {PartialSources} partial sources")]
    private partial void LogScanCompleted(Guid scanId, int findings, int partialSources);

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId} failed: {Reason}")]
    private partial void LogScanFailed(Exception exception, Guid scanId, string reason);
}
