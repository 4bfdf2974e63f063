using System.Text.Json;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.SecurityHub;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// Security Hub: every ACTIVE finding of every region of the scan, page by page, resuming from the checkpointed page.
/// Scheduled scans read incrementally (findings updated since the last complete read, archived ones included, so
/// closures arrive) except when a full pass is due; an incremental read resolves nothing in the inventory.
/// </summary>
public sealed class SecurityHubSource(SecurityHubClient securityHub, TimeProvider clock, ILogger<SecurityHubSource> logger) : IAwsFindingSource
{
    public string Source => AsffContext.SecurityHubSource;

    public async Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct)
    {
        var run = new SourceRun(scope, Source, clock, logger);
        var context = new AsffContext(scope.Job.TenantId, scope.Job.AccountId, Source);
        await run.StartAsync(incremental: true, ct);
        await run.ReadRegionsAsync(async (region, start, regionCt) =>
        {
            await foreach (var page in securityHub.GetFindingsAsync(scope.Credentials, region, start, regionCt, run.Since))
            {
                foreach (var raw in page.Findings)
                {
                    try
                    {
                        await run.AddAsync(AsffNormalizer.Normalize(raw, context), regionCt);
                    }
                    catch (Exception ex) when (ex is AsffFormatException or JsonException)
                    {
                        run.Unreadable(region, ex.Message);
                    }
                }

                await run.PageDoneAsync(region, page.NextToken, regionCt);
            }
        }, ct);

        return await run.CompleteAsync(ct);
    }
}
