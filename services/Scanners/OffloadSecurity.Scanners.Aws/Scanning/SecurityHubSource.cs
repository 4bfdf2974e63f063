using System.Text.Json;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.SecurityHub;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>Security Hub: every ACTIVE finding of every region of the scan, page by page.</summary>
public sealed class SecurityHubSource(SecurityHubClient securityHub, TimeProvider clock, ILogger<SecurityHubSource> logger) : IAwsFindingSource
{
    public string Source => AsffContext.SecurityHubSource;

    public async Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct)
    {
        var run = new SourceRun(scope, Source, clock, logger);
        var context = new AsffContext(scope.Job.TenantId, scope.Job.AccountId, Source);
        foreach (var region in scope.Regions)
        {
            await run.ReadRegionAsync(region, async () =>
            {
                await foreach (var page in securityHub.GetFindingsAsync(scope.Credentials, region, startToken: null, ct))
                {
                    foreach (var raw in page.Findings)
                    {
                        try
                        {
                            await run.AddAsync(AsffNormalizer.Normalize(raw, context), ct);
                        }
                        catch (Exception ex) when (ex is AsffFormatException or JsonException)
                        {
                            run.Unreadable(region, ex.Message);
                        }
                    }
                }
            }, ct);
        }

        return await run.CompleteAsync(ct);
    }
}
