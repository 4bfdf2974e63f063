using MassTransit;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Publishing;

namespace OffloadSecurity.Scanners.Aws.Assets;

/// <summary>A scan's observed resources as <see cref="AssetsObserved"/> batches of at most 500 assets and about 1 MiB.</summary>
public sealed class AssetBatcher(IPublishEndpoint publish, ScanJob job, string source, TimeProvider clock)
{
    public const int MaxItems = 500;
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Room for the fields around each asset's raw JSON.</summary>
    private const int OverheadPerAsset = 512;

    private readonly ObservedBatcher<ObservedAsset> _batcher = new(
        MaxItems,
        MaxBytes,
        asset => (asset.RawJson?.Length ?? 0) + OverheadPerAsset + asset.Tags.Sum(t => t.Key.Length + t.Value.Length + 8),
        (assets, _, ct) => publish.Publish(new AssetsObserved
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            Source = source,
            ObservedAt = clock.GetUtcNow(),
            Assets = assets,
        }, ct));

    public int Published => _batcher.Published;

    public int Batches => _batcher.Batches;

    public Task AddAsync(ObservedAsset asset, CancellationToken ct) => _batcher.AddAsync(asset, ct);

    public Task FlushAsync(CancellationToken ct) => _batcher.FlushAsync(ct);
}
