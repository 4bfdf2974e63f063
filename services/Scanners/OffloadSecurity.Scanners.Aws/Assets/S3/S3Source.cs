using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Assets.Checks;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.Assets.Tagging;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Scanning;

namespace OffloadSecurity.Scanners.Aws.Assets.S3;

/// <summary>
/// S3 (<c>aws.s3</c>): in every region of the scan, the buckets located there, each published as an observed asset
/// with its tags from the Resource Groups Tagging API, and checked (OFFLOAD-AWS-S3-001 public, OFFLOAD-AWS-S3-002 no
/// default encryption); its failed checks are this source's findings.
/// </summary>
/// <remarks>
/// A region is read on its own: its tagged buckets first (GetResources for <c>s3</c> returns the buckets located in the
/// region called; held for the region, one entry per tagged bucket), then ListBuckets for the buckets located there
/// (paginated, <c>bucket-region</c> = the region), each bucket read in the region as it comes. A bucket whose listing
/// names no region is located with GetBucketLocation and left to its own region's read. A region whose tags or
/// buckets cannot be read makes the source partial and the rest of that region is skipped, so the inventory resolves
/// nothing on that scan; the other regions are still read.
/// </remarks>
public sealed class S3Source(
    AwsSdkClientFactory sdk, TaggingClient tagging, IOptions<AssetScanOptions> options, TimeProvider clock, ILogger<S3Source> logger,
    AwsCallPolicy? policy = null)
    : IAwsFindingSource
{
    public const string SourceName = "aws.s3";

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public string Source => SourceName;

    public async Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct)
    {
        var run = new SourceRun(scope, Source, clock, logger);
        var assets = new AssetBatcher(scope.Publish, scope.Job, Source, clock);
        var context = new CheckContext(scope.Job.TenantId, scope.Job.AccountId, Source);
        var settings = options.Value.Clamped();
        using var s3 = new S3Reader(sdk, settings, policy);
        // A region is the unit of resumption: a region read to the end is not read again after a crash.
        await run.ReadRegionsAsync(async (region, _, regionCt) =>
        {
            var tags = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            await foreach (var page in tagging.GetResourcesAsync(scope.Credentials, region, ["s3"], settings.TaggingPageSize, regionCt))
            {
                foreach (var resource in page.Resources)
                {
                    tags[resource.ResourceArn] = resource.Tags;
                }
            }

            await foreach (var page in s3.ListBucketPagesAsync(scope.Credentials, region, regionCt))
            {
                foreach (var bucket in page.Buckets)
                {
                    var located = bucket.Region ?? await s3.GetBucketRegionAsync(scope.Credentials, region, bucket.Name, regionCt);
                    if (located != region || await s3.ReadBucketAsync(scope.Credentials, bucket, region, regionCt) is not { } posture)
                    {
                        continue;
                    }

                    var bucketTags = tags.GetValueOrDefault(posture.ResourceId) ?? NoTags;
                    await assets.AddAsync(S3Assets.Bucket(scope.Job.TenantId, posture, bucketTags), regionCt);
                    foreach (var finding in BucketChecks.Evaluate(posture, bucketTags, context))
                    {
                        await run.AddAsync(finding, regionCt);
                    }
                }
            }
        }, ct);

        await assets.FlushAsync(ct);
        return await run.CompleteAsync(ct);
    }
}
