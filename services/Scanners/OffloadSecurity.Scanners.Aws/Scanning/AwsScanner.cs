using System.Text.Json;
using MassTransit;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Credentials;
using OffloadSecurity.Scanners.Core.Publishing;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// Scans one AWS account: gets short-lived credentials from the broker, then reads Security Hub in every region
/// of the account's scope, page by page, publishing normalized findings in batches as it goes.
/// </summary>
public sealed partial class AwsScanner(
    CredentialBrokerClient broker, SecurityHubClient securityHub, TimeProvider clock, ILogger<AwsScanner> logger) : IProviderScanner
{
    public CloudProvider Provider => CloudProvider.Aws;

    public async Task<IReadOnlyList<SourceSummary>> ScanAsync(ScanJob job, IPublishEndpoint publish, CancellationToken ct)
    {
        var brokered = await GetCredentialsAsync(job, ct);
        var credentials = new AwsCredentials(brokered.AccessKeyId, brokered.SecretAccessKey, brokered.SessionToken);
        IReadOnlyList<string> regions = job.Regions.Count > 0 ? job.Regions : [brokered.DefaultRegion ?? "us-east-1"];
        return [await ScanSecurityHubAsync(job, credentials, regions, publish, ct)];
    }

    private async Task<Contracts.Credentials.AwsScanCredentials> GetCredentialsAsync(ScanJob job, CancellationToken ct)
    {
        try
        {
            return await broker.GetAwsAsync(job.TenantId, job.AccountId, ct);
        }
        catch (CredentialBrokerException ex)
        {
            throw new ScanFailedException("Could not get credentials for the scan: " + ex.Message, ex);
        }
    }

    private async Task<SourceSummary> ScanSecurityHubAsync(
        ScanJob job, AwsCredentials credentials, IReadOnlyList<string> regions, IPublishEndpoint publish, CancellationToken ct)
    {
        var source = AsffContext.SecurityHubSource;
        var startedAt = clock.GetUtcNow();
        var context = new AsffContext(job.TenantId, job.AccountId, source);
        var batcher = new FindingBatcher(publish, job, source, clock);
        var problems = new List<string>();
        var unreadable = 0;

        foreach (var region in regions)
        {
            try
            {
                await foreach (var page in securityHub.GetFindingsAsync(credentials, region, startToken: null, ct))
                {
                    foreach (var raw in page.Findings)
                    {
                        try
                        {
                            await batcher.AddAsync(AsffNormalizer.Normalize(raw, context), ct);
                        }
                        catch (Exception ex) when (ex is AsffFormatException or JsonException)
                        {
                            unreadable++;
                            LogUnreadableFinding(job.ScanId, region, ex.Message);
                        }
                    }
                }
            }
            catch (AwsServiceException ex) when (ex.IsAuthenticationFailure)
            {
                throw new ScanFailedException($"AWS rejected the account's credentials in {region} ({ex.Message}).", ex);
            }
            catch (AwsServiceException ex)
            {
                problems.Add($"{region}: {ex.Message}");
                LogRegionPartial(job.ScanId, region, ex.ErrorCode);
            }
        }

        if (unreadable > 0)
        {
            problems.Add($"{unreadable} findings could not be read");
        }

        await batcher.FlushAsync(ct);
        var complete = problems.Count == 0;
        await publish.Publish(new SourceScanCompleted
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            Source = source,
            Complete = complete,
            FindingCount = batcher.Published,
            BatchCount = batcher.Batches,
            ScanStartedAt = startedAt,
            CompletedAt = clock.GetUtcNow(),
        }, ct);
        return new SourceSummary { Source = source, Complete = complete, Findings = batcher.Published, Reason = complete ? null : string.Join("; ", problems) };
    }

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId}: a Security Hub finding in {Region} could not be normalized: {Reason}")]
    private partial void LogUnreadableFinding(Guid scanId, string region, string reason);

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId}: Security Hub in {Region} is partial ({ErrorCode})")]
    private partial void LogRegionPartial(Guid scanId, string region, string errorCode);
}
