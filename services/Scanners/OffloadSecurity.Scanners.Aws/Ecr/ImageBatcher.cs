using MassTransit;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>Publishes a scan's observed images as <see cref="ImagesObserved"/> batches of at most <see cref="MaxItems"/>.</summary>
public sealed class ImageBatcher(IPublishEndpoint publish, ScanJob job, string source, TimeProvider clock)
{
    /// <summary>Batches of at most 500 items, as every observed batch; an image is well under 2 KiB, so 1 MiB is never reached.</summary>
    public const int MaxItems = 500;

    private readonly List<ObservedImage> _pending = [];

    public int Published { get; private set; }

    public async Task AddAsync(ObservedImage image, CancellationToken ct)
    {
        _pending.Add(image);
        if (_pending.Count == MaxItems)
        {
            await FlushAsync(ct);
        }
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        await publish.Publish(new ImagesObserved
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            Source = source,
            ObservedAt = clock.GetUtcNow(),
            Images = [.. _pending],
        }, ct);
        Published += _pending.Count;
        _pending.Clear();
    }
}
