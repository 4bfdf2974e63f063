using System.Threading.Channels;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core.Scanning.Runs;

namespace OffloadSecurity.Scanners.Core;

/// <summary>
/// Scans waiting for the scan worker. Consumers only enqueue, so a long scan never holds a broker delivery
/// and a failing scan is reported as <see cref="ScanFailed"/> instead of being redelivered. Each new scan is first
/// recorded as a run held by this scanner, so it is resumed if this process dies before or while running it.
/// </summary>
public sealed class ScanQueue(IScanStateStore runs, ScannerInstance instance, ScanningOptions options, TimeProvider clock)
{
    private readonly Channel<ScanJob> _jobs = Channel.CreateBounded<ScanJob>(new BoundedChannelOptions(1000)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<ScanJob> Reader => _jobs.Reader;

    /// <summary>Records and queues a new scan; a scan already recorded (a redelivered request) is not queued twice.</summary>
    public async Task<bool> EnqueueAsync(ScanJob job, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var added = await runs.TryAddRunAsync(new ScanRun
        {
            ScanId = job.ScanId,
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            Provider = job.Provider,
            Trigger = job.Trigger,
            Regions = job.Regions,
            State = ScanRunState.Queued,
            Owner = instance.Id,
            LeaseUntil = now + options.LeaseDuration,
            CreatedAt = now,
        }, ct);
        if (added)
        {
            await _jobs.Writer.WriteAsync(job, ct);
        }

        return added;
    }

    /// <summary>Queues a run this scanner has just claimed: it continues from its checkpoints.</summary>
    public ValueTask EnqueueClaimedAsync(ScanRun run, CancellationToken ct) => _jobs.Writer.WriteAsync(run.ToJob(resumed: true), ct);

    public static ScanJob JobFor(AccountConnected connected) => new()
    {
        TenantId = connected.TenantId,
        AccountId = connected.AccountId,
        ScanId = Guid.CreateVersion7(),
        Provider = connected.Provider,
        Trigger = ScanTrigger.Initial,
        Regions = connected.Regions,
    };

    public static ScanJob JobFor(ScanRequested requested) => new()
    {
        TenantId = requested.TenantId,
        AccountId = requested.AccountId,
        ScanId = requested.ScanId,
        Provider = requested.Provider,
        Trigger = requested.Trigger,
        Regions = requested.Regions,
    };
}
