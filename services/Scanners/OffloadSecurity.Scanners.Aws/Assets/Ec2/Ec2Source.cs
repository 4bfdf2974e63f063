using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Assets.Checks;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Scanning;

namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>
/// EC2 (<c>aws.ec2</c>): in every region of the scan, every security group and every instance that is not terminated
/// is published as an observed asset, page by page, and each security group is checked (OFFLOAD-AWS-EC2-001/002);
/// its failed checks are this source's findings. A region EC2 refuses or fails makes the source partial, so the
/// inventory resolves nothing; a complete scan resolves the findings of groups that now pass.
/// </summary>
public sealed class Ec2Source(
    AwsSdkClientFactory sdk, IOptions<AssetScanOptions> options, TimeProvider clock, ILogger<Ec2Source> logger, AwsCallPolicy? policy = null)
    : IAwsFindingSource
{
    public const string SourceName = "aws.ec2";

    public string Source => SourceName;

    public async Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct)
    {
        var run = new SourceRun(scope, Source, clock, logger);
        var assets = new AssetBatcher(scope.Publish, scope.Job, Source, clock);
        var context = new CheckContext(scope.Job.TenantId, scope.Job.AccountId, Source);
        using var ec2 = new Ec2Reader(sdk, options.Value, policy);
        // A region is the unit of resumption: a region read to the end is not read again after a crash.
        await run.ReadRegionsAsync(async (region, _, regionCt) =>
        {
            await foreach (var page in ec2.SecurityGroupPagesAsync(scope.Credentials, region, regionCt))
            {
                foreach (var group in page.Items)
                {
                    await assets.AddAsync(Ec2Assets.SecurityGroup(scope.Job.TenantId, group), regionCt);
                    foreach (var finding in SecurityGroupChecks.Evaluate(group, context))
                    {
                        await run.AddAsync(finding, regionCt);
                    }
                }
            }

            await foreach (var page in ec2.InstancePagesAsync(scope.Credentials, region, regionCt))
            {
                // A terminated instance stays listed for about an hour after it is gone: not an asset any more.
                foreach (var instance in page.Items.Where(i => i.State != "terminated"))
                {
                    await assets.AddAsync(Ec2Assets.Instance(scope.Job.TenantId, instance), regionCt);
                }
            }
        }, ct);

        await assets.FlushAsync(ct);
        return await run.CompleteAsync(ct);
    }
}
