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
        await run.ReadRegionsAsync(async (region, start, regionCt) =>
        {
            var resume = ResumePoint.Parse(start);

            // At most one detector per account and region (GuardDuty quotas); read them all if ever more.
            await foreach (var detector in guardDuty.ListDetectorsAsync(credentials, region, regionCt))
            {
                if (resume is not null && resume.Detector != detector)
                {
                    continue;
                }

                var startToken = resume?.NextToken;
                resume = null;
                await foreach (var page in guardDuty.ListFindingsAsync(credentials, region, detector, regionCt, startToken))
                {
                    foreach (var raw in await guardDuty.GetFindingsAsync(credentials, region, detector, page.Ids, regionCt))
                    {
                        try
                        {
                            await run.AddAsync(GuardDutyNormalizer.Normalize(raw, context), regionCt);
                        }
                        catch (Exception ex) when (ex is GuardDutyFormatException or JsonException)
                        {
                            run.Unreadable(region, ex.Message);
                        }
                    }

                    await run.PageDoneAsync(region, page.NextToken is null ? null : new ResumePoint(detector, page.NextToken).ToString(), regionCt);
                }
            }
        }, ct);

        return await run.CompleteAsync(ct);
    }

    /// <summary>A region's checkpoint: the detector being read and its next ListFindings page.</summary>
    private sealed record ResumePoint(string Detector, string NextToken)
    {
        public static ResumePoint? Parse(string? saved) =>
            saved?.Split('\n', 2) is [var detector, var token] ? new ResumePoint(detector, token) : null;

        public override string ToString() => Detector + "\n" + NextToken;
    }
}
