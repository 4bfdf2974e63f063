using System.ComponentModel.DataAnnotations;
using MassTransit;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Inventory.Findings;

namespace OffloadSecurity.Inventory.Ingest;

/// <summary>Stores a batch of observed findings. Idempotent: redelivery upserts the same fingerprints.</summary>
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

        await store.IngestAsync(batch, context.CancellationToken);
    }
}

public sealed class SourceScanCompletedConsumer(IInventoryStore store) : IConsumer<SourceScanCompleted>
{
    public Task Consume(ConsumeContext<SourceScanCompleted> context) =>
        store.CompleteSourceScanAsync(context.Message, context.CancellationToken);
}
