using MassTransit;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Publishing;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>Publishes a scan's observed images as <see cref="ImagesObserved"/> batches of at most <see cref="MaxItems"/>.</summary>
public sealed class ImageBatcher(IPublishEndpoint publish, ScanJob job, string source, TimeProvider clock)
{
    /// <summary>Batches of at most 500 items, as every observed batch; an image is well under 2 KiB, so 1 MiB is never reached.</summary>
    public const int MaxItems = 500;

    private readonly ObservedBatcher<ObservedImage> _batcher = new(
        MaxItems,
        int.MaxValue,
        _ => 0,
        (images, _, ct) => publish.Publish(new ImagesObserved
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            Source = source,
            ObservedAt = clock.GetUtcNow(),
            Images = images,
        }, ct));

    public int Published => _batcher.Published;

    public Task AddAsync(ObservedImage image, CancellationToken ct) => _batcher.AddAsync(image, ct);

    public Task FlushAsync(CancellationToken ct) => _batcher.FlushAsync(ct);
}
