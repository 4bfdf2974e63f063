using MassTransit;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>Queues a scan when an AWS account is connected or a scan of one is requested.</summary>
public sealed class AwsScanRequestConsumer(ScanQueue queue) : IConsumer<AccountConnected>, IConsumer<ScanRequested>
{
    public async Task Consume(ConsumeContext<AccountConnected> context)
    {
        if (context.Message.Provider == CloudProvider.Aws)
        {
            await queue.EnqueueAsync(ScanQueue.JobFor(context.Message), context.CancellationToken);
        }
    }

    public async Task Consume(ConsumeContext<ScanRequested> context)
    {
        if (context.Message.Provider == CloudProvider.Aws)
        {
            await queue.EnqueueAsync(ScanQueue.JobFor(context.Message), context.CancellationToken);
        }
    }
}
