using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// How fast we call GuardDuty, per account, region and API.
/// </summary>
/// <remarks>
/// AWS documents no request rates for GuardDuty's API, unlike Security Hub's: the GuardDuty quotas page
/// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_limits.html) and the endpoints-and-quotas page
/// (https://docs.aws.amazon.com/general/latest/gr/guardduty.html) list resource quotas only (one detector per
/// Region, 100 filters, 90 days of retention, IP list sizes), and service-2.json has no throttling error; GuardDuty
/// sits behind API Gateway, which refuses excess calls with 429 <c>TooManyRequestsException</c>. These rates are
/// therefore our own, deliberately modest budget: a finding page costs one ListFindings
/// and one GetFindings call, so 5 calls per second reads up to 250 findings per second per region, while leaving
/// room for other tools that read the same account. A 429 is retried with the call policy's jittered backoff.
/// </remarks>
public static class GuardDutyRates
{
    /// <summary>ListDetectors: one call per region and scan (an account has at most one detector per region).</summary>
    public static readonly ApiRate ListDetectors = new(2, 2);

    public static readonly ApiRate ListFindings = new(5, 5);

    public static readonly ApiRate GetFindings = new(5, 5);
}
