using System.Text.Json;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Scanning;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>
/// ECR: in every region of the scan, every image of every repository is published as observed, and its scan
/// findings (basic or enhanced) as vulnerabilities. An image never scanned has nothing to report; an image whose
/// scan is still running or failed leaves the source partial, so the inventory keeps its earlier findings.
/// </summary>
public sealed class EcrSource(EcrClient ecr, TimeProvider clock, ILogger<EcrSource> logger) : IAwsFindingSource
{
    /// <summary>Scan states whose findings are the image's findings (basic: COMPLETE, enhanced: ACTIVE).</summary>
    private static readonly HashSet<string> Scanned = ["COMPLETE", "ACTIVE"];

    /// <summary>Scan states that say the image's findings are unknown for now.</summary>
    private static readonly HashSet<string> Unknown = ["IN_PROGRESS", "PENDING", "FAILED", "LIMIT_EXCEEDED"];

    /// <summary>Answers meaning there is no scan to read (not scanned, or gone since it was listed).</summary>
    private static readonly HashSet<string> NothingToRead = ["ScanNotFoundException", "ImageNotFoundException", "RepositoryNotFoundException"];

    public string Source => EcrContext.EcrSource;

    public async Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct)
    {
        var run = new SourceRun(scope, Source, clock, logger);
        var images = new ImageBatcher(scope.Publish, scope.Job, Source, clock);
        // A region is the unit of resumption here: a region read to the end is not read again after a crash.
        await run.ReadRegionsAsync(async (region, _, regionCt) =>
        {
            var context = new EcrContext(scope.Job.TenantId, scope.Job.AccountId, region, Source);
            var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
            await foreach (var repository in ecr.DescribeRepositoriesAsync(scope.Credentials, region, regionCt))
            {
                await foreach (var image in ecr.DescribeImagesAsync(scope.Credentials, region, repository, regionCt))
                {
                    await images.AddAsync(Observed(scope, repository, image, region), regionCt);
                    if (await ReadFindingsAsync(scope, run, context, image, regionCt) is { } status)
                    {
                        unknown[status] = unknown.GetValueOrDefault(status) + 1;
                    }
                }
            }

            foreach (var (status, count) in unknown)
            {
                run.Incomplete(region, $"{count} image scans are {status}, their findings unknown");
            }
        }, ct);

        await images.FlushAsync(ct);
        return await run.CompleteAsync(ct);
    }

    /// <summary>Adds the image's findings; returns the scan status when it leaves them unknown.</summary>
    private async Task<string?> ReadFindingsAsync(AwsScanScope scope, SourceRun run, EcrContext context, EcrImage image, CancellationToken ct)
    {
        try
        {
            await foreach (var page in ecr.DescribeImageScanFindingsAsync(scope.Credentials, context.Region!, image, ct))
            {
                if (page.Status is not { } status || !Scanned.Contains(status))
                {
                    return page.Status is { } other && Unknown.Contains(other) ? other : null;
                }

                var imageRef = new EcrImageRef(image.RegistryId, image.Repository, image.Digest, image.Tags);
                foreach (var raw in page.Findings)
                {
                    await AddAsync(run, context, () => EcrNormalizer.NormalizeBasic(raw, imageRef, context, page.ScanCompletedAt), ct);
                }

                foreach (var raw in page.EnhancedFindings)
                {
                    await AddAsync(run, context, () => EcrNormalizer.NormalizeEnhanced(raw, context, imageRef), ct);
                }
            }

            return null;
        }
        catch (AwsServiceException ex) when (NothingToRead.Contains(ex.ErrorCode))
        {
            return null;
        }
    }

    private static async Task AddAsync(SourceRun run, EcrContext context, Func<Contracts.Findings.NormalizedFinding> normalize, CancellationToken ct)
    {
        try
        {
            await run.AddAsync(normalize(), ct);
        }
        catch (Exception ex) when (ex is EcrFormatException or JsonException)
        {
            run.Unreadable(context.Region!, ex.Message);
        }
    }

    private static ObservedImage Observed(AwsScanScope scope, EcrRepository repository, EcrImage image, string region)
    {
        var registry = repository.RegistryHost(region);
        return new ObservedImage
        {
            Fingerprint = ImageFingerprint.For(scope.Job.TenantId, registry, image.Repository, image.Digest),
            Registry = registry,
            Repository = image.Repository,
            Digest = image.Digest,
            Tags = image.Tags,
            PushedAt = image.PushedAt,
        };
    }
}
