using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Assets.Tagging;

/// <summary>How fast we call the Resource Groups Tagging API, per account, region and API.</summary>
/// <remarks>
/// The Tagging API's endpoints-and-quotas page (https://docs.aws.amazon.com/general/latest/gr/arg.html) lists no
/// request rate we could confirm for GetResources, and service-2.json only says excess calls answer
/// <c>ThrottledException</c>. This is therefore our own modest budget: a page holds up to 100 resources, so 5 calls a
/// second read 500 tagged resources a second per region while leaving room for other tools; a ThrottledException is
/// retried with the call policy's jittered backoff.
/// </remarks>
public static class TaggingRates
{
    public static readonly ApiRate GetResources = new(5, 5);
}
