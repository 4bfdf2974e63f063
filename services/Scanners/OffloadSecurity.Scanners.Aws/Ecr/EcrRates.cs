using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>How fast we call Amazon ECR, per account, region and API.</summary>
/// <remarks>
/// AWS documents ECR's request rates only for the registry authentication, push and pull APIs (Amazon ECR service
/// quotas, https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html; e.g. GetAuthorizationToken
/// 20 per second with bursts to 200, per the ECR troubleshooting page
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors.html). It publishes none for
/// DescribeRepositories, DescribeImages or DescribeImageScanFindings, so these are our own modest budget:
/// one DescribeImageScanFindings call per image at 10 per second, the listing calls at 5. A throttled call (400
/// ThrottlingException, or 429) is retried with the call policy's jittered backoff.
/// </remarks>
public static class EcrRates
{
    public static readonly ApiRate DescribeRepositories = new(5, 5);

    public static readonly ApiRate DescribeImages = new(5, 5);

    public static readonly ApiRate DescribeImageScanFindings = new(10, 10);
}
