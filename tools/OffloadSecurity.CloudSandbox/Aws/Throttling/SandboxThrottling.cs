using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace OffloadSecurity.CloudSandbox.Aws.Throttling;

/// <summary>
/// Configuration section <c>Sandbox:Throttling</c>: AWS's own rate limits (off unless set) and injected faults, so
/// scanners can be tested against throttling storms and flaky endpoints.
/// </summary>
public sealed class SandboxThrottlingOptions
{
    public const string SectionName = "Sandbox:Throttling";

    /// <summary>GetFindings requests per second per account and region; 0 = unlimited. AWS documents 3.</summary>
    public double GetFindingsPerSecond { get; set; }

    /// <summary>GetFindings burst; AWS documents 6.</summary>
    public int GetFindingsBurst { get; set; } = 6;

    /// <summary>Every Nth request answers 429 whatever the rate (0 = never): a throttling storm.</summary>
    public int ThrottleEveryNth { get; set; }

    /// <summary>Every Nth request answers 500 (0 = never).</summary>
    public int ServerErrorEveryNth { get; set; }
}

/// <summary>Decides, per request, whether the emulated API throttles or fails it.</summary>
internal sealed class SandboxThrottling(SandboxThrottlingOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new();
    private long _requests;
    private long _throttled;

    /// <summary>Requests refused as throttled so far (429, or the service's own throttling error).</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>
    /// An error to answer instead of serving, or null to serve. <paramref name="api"/> names the operation, prefixed
    /// with its service except for Security Hub's GetFindings (the one with an emulated rate). A throttled call is
    /// answered with <paramref name="throttledAs"/>, the service's own throttling error, by default Security Hub's
    /// 429 <c>LimitExceededException</c>.
    /// </summary>
    public AwsError? Check(AwsCaller caller, string api, AwsError? throttledAs = null)
    {
        var n = Interlocked.Increment(ref _requests);
        if (options.ServerErrorEveryNth > 0 && n % options.ServerErrorEveryNth == 0)
        {
            return new AwsError(StatusCodes.Status500InternalServerError, "InternalException", "Injected internal error.");
        }

        var throttled = options.ThrottleEveryNth > 0 && n % options.ThrottleEveryNth == 0;
        if (!throttled && api == "GetFindings" && options.GetFindingsPerSecond > 0)
        {
            using var lease = Bucket($"{caller.Account.AccountId}/{caller.Region}/{api}").AttemptAcquire(1);
            throttled = !lease.IsAcquired;
        }

        if (!throttled)
        {
            return null;
        }

        Interlocked.Increment(ref _throttled);
        return throttledAs ?? new AwsError(StatusCodes.Status429TooManyRequests, "LimitExceededException", "Rate exceeded");
    }

    private TokenBucketRateLimiter Bucket(string key) => _buckets.GetOrAdd(key, _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, options.GetFindingsBurst),
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1 / options.GetFindingsPerSecond),
        AutoReplenishment = true,
        QueueLimit = 0,
    }));

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
