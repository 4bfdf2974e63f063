using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace OffloadSecurity.Scanners.Core.RateLimiting;

/// <summary>A provider's documented rate for one API: steady requests per second and the burst it allows.</summary>
public readonly record struct ApiRate(double PerSecond, int Burst);

/// <summary>
/// One token bucket per (account, region, API), shared by every scan in the process, so concurrent scans of one
/// account together stay within the provider's documented rate instead of learning it from throttling errors.
/// </summary>
public sealed class ApiRateLimiters : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new();

    public async ValueTask<RateLimitLease> AcquireAsync(string key, ApiRate rate, CancellationToken ct)
    {
        var bucket = _buckets.GetOrAdd(key, _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, rate.Burst),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / rate.PerSecond),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
        return await bucket.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
