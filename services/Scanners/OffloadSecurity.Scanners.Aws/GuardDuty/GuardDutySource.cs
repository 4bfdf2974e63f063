using System.Text.Json;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Scanning;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// GuardDuty: in every region of the scan, the findings of its detector that are not archived (ListFindings pages of
/// 50 ids, each read with one GetFindings call). A region without a detector has GuardDuty off: nothing to report,
/// and the source stays complete.
/// </summary>
public sealed class GuardDutySource(GuardDutyClient guardDuty, TimeProvider clock, ILogger<GuardDutySource> logger) : IAwsFindingSource
{
    public string Source => GuardDutyContext.GuardDutySource;

    public async Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct)
    {
        var run = new SourceRun(scope, Source, clock, logger);
        var context = new GuardDutyContext(scope.Job.TenantId, scope.Job.AccountId, Source);
        var credentials = scope.Credentials;
        foreach (var region in scope.Regions)
        {
            await run.ReadRegionAsync(region, async () =>
            {
                // At most one detector per account and region (GuardDuty quotas); read them all if ever more.
                await foreach (var detector in guardDuty.ListDetectorsAsync(credentials, region, ct))
                {
                    await foreach (var page in guardDuty.ListFindingsAsync(credentials, region, detector, ct))
                    {
                        foreach (var raw in await guardDuty.GetFindingsAsync(credentials, region, detector, page.Ids, ct))
                        {
                            try
                            {
                                await run.AddAsync(GuardDutyNormalizer.Normalize(raw, context), ct);
                            }
                            catch (Exception ex) when (ex is GuardDutyFormatException or JsonException)
                            {
                                run.Unreadable(region, ex.Message);
                            }
                        }
                    }
                }
            }, ct);
        }

        return await run.CompleteAsync(ct);
    }
}
