using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.AwsApi;

/// <summary>Configuration section <c>Aws:Retry</c>.</summary>
public sealed class AwsRetryOptions
{
    public const string SectionName = "Aws:Retry";

    /// <summary>Attempts for a throttled call. Throttling alone should never fail a scan, so this is generous.</summary>
    public int MaxThrottledAttempts { get; set; } = 30;

    /// <summary>Attempts for a 5xx, a timeout or a dropped connection.</summary>
    public int MaxTransientAttempts { get; set; } = 5;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// How every AWS call is made: wait for a token of that API's bucket (AWS's documented rate per account and
/// region), then call; on throttling, 5xx or a network fault, back off with full jitter (or as long as the
/// service's Retry-After says) and try again.
/// </summary>
public sealed partial class AwsCallPolicy(ApiRateLimiters limiters, AwsRetryOptions options, TimeProvider clock, ILogger<AwsCallPolicy> logger)
{
    /// <summary>
    /// Security Hub GetFindings: 3 requests per second, burst 6 (Security Hub API reference, throttling limits).
    /// We keep one burst token in hand: our bucket and AWS's refill on clocks that are not in step, and the spare
    /// token absorbs the difference, so a scan at the full steady rate is not throttled.
    /// </summary>
    public static readonly ApiRate SecurityHubGetFindings = new(3, 5);

    /// <summary>How often one call renews expired credentials before it gives up (the renewal itself failing ends sooner).</summary>
    public const int MaxCredentialRenewals = 2;

    /// <summary>
    /// Makes one AWS call within <paramref name="rate"/> for the credentials' account and the region. Credentials are
    /// asked for on every attempt, so a long retry sequence never signs with credentials that have since been
    /// renewed; an "expired token" answer renews them and tries again.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(
        string api, ApiRate rate, IAwsCredentialSource credentials, string region,
        Func<AwsCredentials, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var renewals = 0;
        for (var attempt = 1; ; attempt++)
        {
            var current = await credentials.GetAsync(ct);
            using (await limiters.AcquireAsync($"{credentials.RateKey}/{region}/{api}", rate, ct))
            {
                try
                {
                    return await call(current, ct);
                }
                catch (AwsServiceException ex) when (ex.IsExpiredCredentials && renewals < MaxCredentialRenewals)
                {
                    renewals++;
                    if (await credentials.RefreshAsync(current, ct) is null)
                    {
                        throw;
                    }

                    LogRenewed(api, region);
                }
                catch (Exception ex) when (ShouldRetry(ex, attempt, ct) is { } delay)
                {
                    LogRetry(api, region, attempt, (int)delay.TotalMilliseconds, ex is AwsServiceException aws ? aws.ErrorCode : ex.GetType().Name);
                    await Task.Delay(delay, clock, ct);
                }
            }
        }
    }

    private TimeSpan? ShouldRetry(Exception ex, int attempt, CancellationToken ct)
    {
        var (retryable, maxAttempts, hint) = ex switch
        {
            AwsServiceException { IsThrottling: true } aws => (true, options.MaxThrottledAttempts, aws.RetryAfter),
            AwsServiceException aws when (int)aws.StatusCode >= 500 => (true, options.MaxTransientAttempts, aws.RetryAfter),
            HttpRequestException => (true, options.MaxTransientAttempts, null),
            TaskCanceledException when !ct.IsCancellationRequested => (true, options.MaxTransientAttempts, null),
            _ => (false, 0, (TimeSpan?)null),
        };
        if (!retryable || attempt >= maxAttempts)
        {
            return null;
        }

        // Full jitter: a random wait up to an exponentially growing ceiling, so many scanners do not retry in step.
        var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        var jittered = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
        return hint is { } retryAfter && retryAfter > jittered ? retryAfter : jittered;
    }

    [LoggerMessage(LogLevel.Information, "AWS {Api} in {Region}: the credentials had expired; renewed them and calling again")]
    private partial void LogRenewed(string api, string region);

    [LoggerMessage(LogLevel.Information, "AWS {Api} in {Region}: attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms")]
    private partial void LogRetry(string api, string region, int attempt, int delayMs, string reason);
}

public static class AwsCallPolicyExtensions
{
    /// <summary>
    /// One AWS call through the policy; a client built without one (tests of a single client) makes a single attempt
    /// with fresh credentials.
    /// </summary>
    public static async Task<T> CallAsync<T>(
        this AwsCallPolicy? policy, string api, ApiRate rate, IAwsCredentialSource credentials, string region,
        Func<AwsCredentials, CancellationToken, Task<T>> call, CancellationToken ct) =>
        policy is null
            ? await call(await credentials.GetAsync(ct), ct)
            : await policy.ExecuteAsync(api, rate, credentials, region, call, ct);
}
