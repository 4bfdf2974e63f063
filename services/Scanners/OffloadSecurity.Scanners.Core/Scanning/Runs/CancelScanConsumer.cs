using System.ComponentModel.DataAnnotations;
using MassTransit;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>
/// Marks the account's active runs cancelled. A run of this scanner stops at once; a run of another scanner stops
/// at that scanner's next heartbeat (it reads the mark), so one competing consumer is enough.
/// </summary>
public sealed class CancelScanConsumer(IScanStateStore runs, RunningScans running) : IConsumer<CancelScan>
{
    public async Task Consume(ConsumeContext<CancelScan> context)
    {
        var message = context.Message;
        if (string.IsNullOrWhiteSpace(message.TenantId) || message.AccountId == Guid.Empty)
        {
            throw new ValidationException("CancelScan needs a tenant and an account.");
        }

        foreach (var run in await runs.RequestCancelAsync(message.TenantId, message.AccountId, context.CancellationToken))
        {
            running.CancelByUser(run.ScanId);
        }
    }
}
