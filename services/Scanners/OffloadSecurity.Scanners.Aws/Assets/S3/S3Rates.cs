using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Assets.S3;

/// <summary>How fast we call S3, per account, region and API.</summary>
/// <remarks>
/// S3 documents request rates for object data only (at least 3,500 PUT/COPY/POST/DELETE and 5,500 GET/HEAD requests
/// per second per partitioned prefix, https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html)
/// and answers excess requests with 503 <c>SlowDown</c>; it documents no rate for ListBuckets or the bucket
/// configuration reads. These are therefore our own budgets, far below the object rates: a bucket costs one call of
/// each configuration API, read side by side, so 20 per second reads about 20 buckets a second per region.
/// </remarks>
public static class S3Rates
{
    public static readonly ApiRate ListBuckets = new(5, 5);

    /// <summary>Each of GetBucketLocation, GetPublicAccessBlock, GetBucketPolicyStatus, GetBucketAcl, GetBucketEncryption.</summary>
    public static readonly ApiRate BucketConfiguration = new(20, 20);
}
