using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>How fast we call EC2, per account, region and API.</summary>
/// <remarks>
/// EC2 throttles each account per region with a token bucket per API; non-mutating (Describe*) actions have a bucket
/// of 100 tokens refilled at 20 per second, and an exceeded bucket answers <c>RequestLimitExceeded</c>
/// (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). We keep one token of the burst in hand,
/// as for Security Hub: our bucket and AWS's refill on clocks that are not in step. A page holds up to 1000 resources,
/// so a region takes a handful of calls and the bucket only binds when many scans of one account run together.
/// </remarks>
public static class Ec2Rates
{
    public static readonly ApiRate DescribeSecurityGroups = new(20, 99);

    public static readonly ApiRate DescribeInstances = new(20, 99);
}
