using System.ComponentModel.DataAnnotations;
using MassTransit;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Inventory;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// What every observed batch must be before it is stored: a tenant, an account, a source, at most
/// <see cref="MaxBatch"/> items, and each item's natural id present and of a sane length. A malformed batch is refused
/// whole (a <see cref="ValidationException"/>: not retried, it ends in the error queue), so nothing is half-written.
/// </summary>
public static class ObservedBatchRules
{
    public const int MaxBatch = 500;
    public const int MaxIdLength = 2048;
    public const int MaxNameLength = 512;

    public static void Check(string kind, string tenantId, Guid accountId, Guid scanId, string source, int count)
    {
        if (string.IsNullOrWhiteSpace(tenantId) || accountId == Guid.Empty || string.IsNullOrWhiteSpace(source) || count > MaxBatch)
        {
            throw new ValidationException(
                $"{kind} for scan {scanId} is malformed (tenant, account, source, or more than {MaxBatch} items).");
        }
    }

    public static void Required(string kind, Guid scanId, int index, string field, string? value, int maxLength = MaxNameLength, bool mayBeEmpty = false)
    {
        if (value is null || (!mayBeEmpty && string.IsNullOrWhiteSpace(value)) || value.Length > maxLength)
        {
            throw new ValidationException(
                $"{kind} for scan {scanId}: item {index} has no {field} (or one longer than {maxLength} characters).");
        }
    }
}

/// <summary>Stores a batch of observed cloud resources. Idempotent: a redelivery finds every record as it left it.</summary>
public sealed class AssetsObservedConsumer(IAssetStore store, ILogger<AssetsObservedConsumer> logger) : IConsumer<AssetsObserved>
{
    public async Task Consume(ConsumeContext<AssetsObserved> context)
    {
        var batch = context.Message;
        const string Kind = nameof(AssetsObserved);
        ObservedBatchRules.Check(Kind, batch.TenantId, batch.AccountId, batch.ScanId, batch.Source, batch.Assets?.Count ?? int.MaxValue);
        for (var i = 0; i < batch.Assets!.Count; i++)
        {
            var asset = batch.Assets[i];
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "id", asset?.Id, ObservedBatchRules.MaxIdLength);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "type", asset!.Type);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "fingerprint", asset.Fingerprint);
        }

        var created = await store.UpsertAssetsAsync(batch, context.CancellationToken);
        logger.LogDebug("Stored {Count} assets ({Created} new) of scan {ScanId} (tenant {TenantId})", batch.Assets.Count, created, batch.ScanId, batch.TenantId);
    }
}

/// <summary>Stores a batch of observed container images.</summary>
public sealed class ImagesObservedConsumer(IAssetStore store, ILogger<ImagesObservedConsumer> logger) : IConsumer<ImagesObserved>
{
    public async Task Consume(ConsumeContext<ImagesObserved> context)
    {
        var batch = context.Message;
        const string Kind = nameof(ImagesObserved);
        ObservedBatchRules.Check(Kind, batch.TenantId, batch.AccountId, batch.ScanId, batch.Source, batch.Images?.Count ?? int.MaxValue);
        for (var i = 0; i < batch.Images!.Count; i++)
        {
            var image = batch.Images[i];
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "registry", image?.Registry);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "repository", image!.Repository, ObservedBatchRules.MaxIdLength);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "digest", image.Digest);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "fingerprint", image.Fingerprint);
        }

        var created = await store.UpsertImagesAsync(batch, context.CancellationToken);
        logger.LogDebug("Stored {Count} images ({Created} new) of scan {ScanId} (tenant {TenantId})", batch.Images.Count, created, batch.ScanId, batch.TenantId);
    }
}

/// <summary>Stores a batch of observed Kubernetes workloads.</summary>
public sealed class WorkloadsObservedConsumer(IAssetStore store, ILogger<WorkloadsObservedConsumer> logger) : IConsumer<WorkloadsObserved>
{
    public async Task Consume(ConsumeContext<WorkloadsObserved> context)
    {
        var batch = context.Message;
        const string Kind = nameof(WorkloadsObserved);
        ObservedBatchRules.Check(Kind, batch.TenantId, batch.AccountId, batch.ScanId, batch.Source, batch.Workloads?.Count ?? int.MaxValue);
        for (var i = 0; i < batch.Workloads!.Count; i++)
        {
            var workload = batch.Workloads[i];
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "cluster", workload?.Cluster);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "namespace", workload!.Namespace, mayBeEmpty: true);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "kind", workload.Kind);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "name", workload.Name);
            ObservedBatchRules.Required(Kind, batch.ScanId, i, "fingerprint", workload.Fingerprint);
        }

        var created = await store.UpsertWorkloadsAsync(batch, context.CancellationToken);
        logger.LogDebug("Stored {Count} workloads ({Created} new) of scan {ScanId} (tenant {TenantId})", batch.Workloads.Count, created, batch.ScanId, batch.TenantId);
    }
}

/// <summary>An explicit delete (not a disconnect) removes the account's assets, images and workloads too.</summary>
public sealed class AssetsAccountDeletedConsumer(IAssetStore store, ILogger<AssetsAccountDeletedConsumer> logger) : IConsumer<AccountDeleted>
{
    public async Task Consume(ConsumeContext<AccountDeleted> context)
    {
        var deleted = context.Message;
        if (string.IsNullOrWhiteSpace(deleted.TenantId) || deleted.AccountId == Guid.Empty)
        {
            throw new ValidationException("AccountDeleted needs a tenant and an account id.");
        }

        var removed = await store.DeleteAccountAsync(deleted.TenantId, deleted.AccountId, context.CancellationToken);
        logger.LogInformation("Removed {Assets} assets, {Images} images and {Workloads} workloads of account {AccountId} (tenant {TenantId})",
            removed.Assets, removed.Images, removed.Workloads, deleted.AccountId, deleted.TenantId);
    }
}
