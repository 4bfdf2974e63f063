using System.Threading.Channels;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core;

/// <summary>
/// Scans waiting for the scan worker. Consumers only enqueue, so a long scan never holds a broker delivery
/// and a failing scan is reported as <see cref="ScanFailed"/> instead of being redelivered.
/// </summary>
public sealed class ScanQueue
{
    private readonly Channel<ScanJob> _jobs = Channel.CreateBounded<ScanJob>(new BoundedChannelOptions(1000)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<ScanJob> Reader => _jobs.Reader;

    public ValueTask EnqueueAsync(ScanJob job, CancellationToken ct) => _jobs.Writer.WriteAsync(job, ct);

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
