using System.Runtime.ExceptionServices;
using MassTransit;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Credentials;
using OffloadSecurity.Scanners.Core.Scanning.Runs;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// Scans one AWS account: gets short-lived credentials from the broker (renewed as they expire), then runs every source (Security Hub,
/// GuardDuty, ...) side by side over the regions of the account's scope. Each source publishes its own batches and
/// its own SourceScanCompleted and is complete or partial on its own; rejected credentials fail the whole scan.
/// </summary>
public sealed class AwsScanner(
    CredentialBrokerClient broker, IEnumerable<IAwsFindingSource> sources, ScanningOptions options, TimeProvider clock, ILogger<AwsScanner> logger,
    IScanStateStore? runs = null)
    : IProviderScanner
{
    public const string DefaultRegion = "us-east-1";

    public CloudProvider Provider => CloudProvider.Aws;

    public async Task<IReadOnlyList<SourceSummary>> ScanAsync(ScanJob job, IPublishEndpoint publish, CancellationToken ct)
    {
        var credentials = new BrokeredAwsCredentials(broker, job, options.CredentialRefreshMargin, clock, logger);
        var brokered = await credentials.StartAsync(ct);
        IReadOnlyList<string> regions = job.Regions.Count > 0 ? job.Regions : [brokered.DefaultRegion ?? DefaultRegion];
        return await ScanSourcesAsync(sources, new AwsScanScope(job, credentials, regions, publish, runs, options), ct);
    }

    /// <summary>
    /// Runs the sources concurrently (each API has its own rate budget). The first source to find the credentials
    /// rejected stops the others and fails the scan with its reason.
    /// </summary>
    public static async Task<IReadOnlyList<SourceSummary>> ScanSourcesAsync(
        IEnumerable<IAwsFindingSource> sources, AwsScanScope scope, CancellationToken ct)
    {
        using var stopOthers = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ScanFailedException? failure = null;
        var runs = sources.Select(async source =>
        {
            try
            {
                return await source.ScanAsync(scope, stopOthers.Token);
            }
            catch (ScanFailedException ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
                await stopOthers.CancelAsync();
                throw;
            }
        }).ToList();

        try
        {
            return await Task.WhenAll(runs);
        }
        catch (Exception) when (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }
}
