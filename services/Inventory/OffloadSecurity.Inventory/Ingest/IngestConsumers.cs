using System.ComponentModel.DataAnnotations;
using MassTransit;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Inventory.Findings;

namespace OffloadSecurity.Inventory.Ingest;

/// <summary>
/// Stores a batch of observed findings, then publishes what changed. Idempotent: redelivery upserts the same
/// fingerprints, changes nothing and publishes nothing.
/// </summary>
public sealed class FindingsObservedConsumer(IInventoryStore store) : IConsumer<FindingsObserved>
{
    public const int MaxBatch = 500;

    public async Task Consume(ConsumeContext<FindingsObserved> context)
    {
        var batch = context.Message;
        if (string.IsNullOrWhiteSpace(batch.TenantId) || batch.Findings.Count > MaxBatch || batch.BatchIndex < 0)
        {
            throw new ValidationException($"FindingsObserved for scan {batch.ScanId} is malformed (tenant, batch index, or more than {MaxBatch} findings).");
        }

        if (batch.Findings.FirstOrDefault(f => f.Source != batch.Source || string.IsNullOrEmpty(f.Fingerprint)) is { } bad)
        {
            throw new ValidationException($"Finding {bad.NativeId} in scan {batch.ScanId} has no fingerprint or another source than its batch.");
        }

        var changes = await store.IngestAsync(batch, context.CancellationToken);
        await FindingChanges.PublishAsync(context, batch.TenantId, changes, context.CancellationToken);
    }
}

/// <summary>
/// The findings endpoint consumes several batches at once. The store writes batches that arrive together in one
/// transaction (SQLite has one writer), so while one transaction commits, the next batches are being deserialized and
/// prepared, and their changes of the last one rendered and published: the cores overlap instead of taking turns.
/// </summary>
public sealed class FindingsObservedConsumerDefinition : ConsumerDefinition<FindingsObservedConsumer>
{
    /// <summary>
    /// Batches consumed at once (each at most 500 findings and 1 MiB). As many as the store puts in one transaction: the
    /// more rows a transaction holds, the fewer times each index page it touches is written to the log (measured with
    /// 100,000 findings: 8 at once wrote 17.5 KiB per finding end to end, 32 at once 11.0 KiB).
    /// </summary>
    public const int ConcurrentBatches = 16;

    public FindingsObservedConsumerDefinition() => ConcurrentMessageLimit = ConcurrentBatches;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FindingsObservedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // The next batches are already here when a consumer frees up.
            rabbit.PrefetchCount = ConcurrentBatches * 2;
        }
    }
}

/// <summary>Records the end of a source scan; publishes what it resolved.</summary>
public sealed class SourceScanCompletedConsumer(IInventoryStore store) : IConsumer<SourceScanCompleted>
{
    public async Task Consume(ConsumeContext<SourceScanCompleted> context)
    {
        var completed = context.Message;
        if (string.IsNullOrWhiteSpace(completed.TenantId) || completed.BatchCount < 0)
        {
            throw new ValidationException($"SourceScanCompleted for scan {completed.ScanId} is malformed (tenant or batch count).");
        }

        var changes = await store.CompleteSourceScanAsync(completed, context.CancellationToken);
        await FindingChanges.PublishAsync(context, completed.TenantId, changes, context.CancellationToken);
    }
}

/// <summary>An explicit delete (not a disconnect) removes the account's inventory data.</summary>
public sealed class AccountDeletedConsumer(IInventoryStore store, ILogger<AccountDeletedConsumer> logger) : IConsumer<AccountDeleted>
{
    public async Task Consume(ConsumeContext<AccountDeleted> context)
    {
        var deleted = context.Message;
        if (string.IsNullOrWhiteSpace(deleted.TenantId) || deleted.AccountId == Guid.Empty)
        {
            throw new ValidationException("AccountDeleted needs a tenant and an account id.");
        }

        var removed = await store.DeleteAccountAsync(deleted.TenantId, deleted.AccountId, context.CancellationToken);
        logger.LogInformation("Removed {Count} findings of account {AccountId} (tenant {TenantId})", removed, deleted.AccountId, deleted.TenantId);
    }
}

/// <summary>Publishes store deltas as <see cref="FindingsChanged"/>: one message per account and at most 500 changes each.</summary>
public static class FindingChanges
{
    public const int MaxPerMessage = 500;

    /// <summary>Called after the store committed: a SIEM never sees a change the inventory does not hold.</summary>
    public static async Task PublishAsync(IPublishEndpoint publisher, string tenantId, IReadOnlyList<FindingDelta> deltas, CancellationToken ct)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        var at = DateTimeOffset.UtcNow;
        foreach (var account in deltas.GroupBy(d => d.AccountId))
        {
            foreach (var chunk in account.Select(d => d.Change).Chunk(MaxPerMessage))
            {
                await publisher.Publish(new FindingsChanged { TenantId = tenantId, AccountId = account.Key, ChangedAt = at, Changes = chunk }, ct);
            }
        }
    }
}
