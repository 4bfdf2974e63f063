using MassTransit;
using OffloadSecurity.Contracts.Accounts;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>A deleted account leaves nothing behind in the scanners: its runs, checkpoints and cursors go.</summary>
public sealed class ForgetDeletedAccountConsumer(IScanStateStore runs, RunningScans running) : IConsumer<AccountDeleted>
{
    public async Task Consume(ConsumeContext<AccountDeleted> context)
    {
        var message = context.Message;
        foreach (var run in await runs.RequestCancelAsync(message.TenantId, message.AccountId, context.CancellationToken))
        {
            running.CancelByUser(run.ScanId);
        }

        await runs.DeleteAccountAsync(message.TenantId, message.AccountId, context.CancellationToken);
    }
}
