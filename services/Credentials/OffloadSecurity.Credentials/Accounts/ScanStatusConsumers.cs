using MassTransit;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>Keeps each account's sync status (what the account card shows) in step with its scans.</summary>
public sealed class ScanStatusConsumer(IAccountStore store) :
    IConsumer<ScanStarted>, IConsumer<ScanCompleted>, IConsumer<ScanFailed>, IConsumer<ScanCancelled>
{
    public Task Consume(ConsumeContext<ScanStarted> context) =>
        Apply(context.Message.TenantId, context.Message.AccountId,
            new StatusChange(context.Message.ScanId, SyncStatus.Syncing, null, context.Message.StartedAt), context.CancellationToken);

    public Task Consume(ConsumeContext<ScanCompleted> context)
    {
        var partial = context.Message.Sources.Where(s => !s.Complete && !s.Incremental).ToList();
        var message = partial.Count == 0 ? null : string.Join("; ", partial.Select(s => $"{s.Source}: {s.Reason ?? "partial"}"));
        return Apply(context.Message.TenantId, context.Message.AccountId,
            new StatusChange(context.Message.ScanId, SyncStatus.Synced, message, context.Message.CompletedAt), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ScanFailed> context) =>
        Apply(context.Message.TenantId, context.Message.AccountId,
            new StatusChange(context.Message.ScanId, SyncStatus.Error, context.Message.Reason, context.Message.FailedAt), context.CancellationToken);

    public Task Consume(ConsumeContext<ScanCancelled> context) =>
        Apply(context.Message.TenantId, context.Message.AccountId,
            new StatusChange(context.Message.ScanId, SyncStatus.Cancelled, "The scan was cancelled; findings it had read are kept.", context.Message.CancelledAt),
            context.CancellationToken);

    private Task Apply(string tenantId, Guid accountId, StatusChange change, CancellationToken ct) =>
        store.ApplyStatusAsync(tenantId, accountId, change, ct);
}
