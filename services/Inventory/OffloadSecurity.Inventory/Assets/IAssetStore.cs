using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The asset inventory's domain operations: assets, images and workloads as the scanners observe them. Every record
/// is keyed by (tenant, natural id) (see <see cref="AssetKeys"/>); every query is tenant-scoped. Each backend
/// implements them natively.
/// <para>
/// The upserts are idempotent and order-proof: a record's content and last-seen come from its newest observation,
/// its first-seen from its oldest. A redelivered batch changes nothing; an older batch delivered late never moves
/// last-seen back nor overwrites newer content (it may only move first-seen earlier). Each returns how many records
/// it created.
/// </para>
/// </summary>
public interface IAssetStore : IStoreLifecycle
{
    Task<int> UpsertAssetsAsync(AssetsObserved batch, CancellationToken ct);

    Task<int> UpsertImagesAsync(ImagesObserved batch, CancellationToken ct);

    Task<int> UpsertWorkloadsAsync(WorkloadsObserved batch, CancellationToken ct);

    /// <summary>A page of assets in resource-id order (without raw JSON).</summary>
    Task<ItemPage<AssetRecord>> QueryAssetsAsync(string tenantId, AssetQuery query, CancellationToken ct);

    /// <summary>One asset with its raw JSON; null when the tenant has none with that key.</summary>
    Task<AssetRecord?> FindAssetAsync(string tenantId, string id, CancellationToken ct);

    /// <summary>A page of images in <c>registry/repository@digest</c> order.</summary>
    Task<ItemPage<ImageRecord>> QueryImagesAsync(string tenantId, ImageQuery query, CancellationToken ct);

    Task<ImageRecord?> FindImageAsync(string tenantId, string id, CancellationToken ct);

    /// <summary>A page of workloads in <c>cluster/namespace/kind/name</c> order.</summary>
    Task<ItemPage<WorkloadRecord>> QueryWorkloadsAsync(string tenantId, WorkloadQuery query, CancellationToken ct);

    Task<WorkloadRecord?> FindWorkloadAsync(string tenantId, string id, CancellationToken ct);

    /// <summary>The distinct clusters of the tenant's workloads (optionally of one account), by name.</summary>
    Task<IReadOnlyList<ClusterSummary>> ClustersAsync(string tenantId, Guid? accountId, CancellationToken ct);

    /// <summary>Removes the assets, images and workloads one account of one tenant last reported.</summary>
    Task<AssetsRemoved> DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct);
}
