using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Credentials;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// A scan's short-lived credentials from the credential broker, renewed before they expire (within the refresh
/// margin, or a quarter of their lifetime when that is shorter) and again whenever AWS says they have expired.
/// Concurrent sources share one renewal. Renewal failing (account disconnected or deleted meanwhile) fails the scan.
/// </summary>
public sealed partial class BrokeredAwsCredentials(
    CredentialBrokerClient broker, ScanJob job, TimeSpan refreshMargin, TimeProvider clock, ILogger logger) : IAwsCredentialSource
{
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private Issued? _current;

    /// <summary>How many times credentials were obtained for this scan (the first time included).</summary>
    public int Obtained { get; private set; }

    public string RateKey => job.AccountId.ToString();

    /// <summary>Gets the first credentials; their default region decides where a scan without regions looks.</summary>
    public async Task<AwsScanCredentials> StartAsync(CancellationToken ct) => (await RenewAsync(stale: null, ct)).Brokered;

    public async ValueTask<AwsCredentials> GetAsync(CancellationToken ct)
    {
        var current = _current;
        return current is not null && !current.IsDue(clock.GetUtcNow())
            ? current.Credentials
            : (await RenewAsync(current, ct)).Credentials;
    }

    public async ValueTask<AwsCredentials?> RefreshAsync(AwsCredentials rejected, CancellationToken ct)
    {
        var current = _current;
        var stale = current is not null && ReferenceEquals(current.Credentials, rejected) ? current : null;
        if (current is not null && stale is null)
        {
            // Another source already renewed them since this call was signed.
            return current.Credentials;
        }

        LogExpired(logger, job.ScanId);
        return (await RenewAsync(stale, ct, force: true)).Credentials;
    }

    private async Task<Issued> RenewAsync(Issued? stale, CancellationToken ct, bool force = false)
    {
        await _renewal.WaitAsync(ct);
        try
        {
            var current = _current;
            if (current is not null && !ReferenceEquals(current, stale) && (force || !current.IsDue(clock.GetUtcNow())))
            {
                return current;
            }

            AwsScanCredentials brokered;
            try
            {
                brokered = await broker.GetAwsAsync(job.TenantId, job.AccountId, ct);
            }
            catch (CredentialBrokerException ex)
            {
                throw new ScanFailedException("Could not get credentials for the scan: " + ex.Message, ex);
            }

            var issued = new Issued(
                brokered, new AwsCredentials(brokered.AccessKeyId, brokered.SecretAccessKey, brokered.SessionToken), RenewAt(brokered));
            _current = issued;
            Obtained++;
            if (Obtained > 1)
            {
                LogRenewed(logger, job.ScanId, brokered.ExpiresAt);
            }

            return issued;
        }
        finally
        {
            _renewal.Release();
        }
    }

    private DateTimeOffset RenewAt(AwsScanCredentials brokered)
    {
        if (brokered.ExpiresAt is not { } expires)
        {
            return DateTimeOffset.MaxValue;
        }

        var lifetime = expires - clock.GetUtcNow();
        var margin = TimeSpan.FromTicks(Math.Min(refreshMargin.Ticks, Math.Max(0, lifetime.Ticks / 4)));
        return expires - margin;
    }

    private sealed record Issued(AwsScanCredentials Brokered, AwsCredentials Credentials, DateTimeOffset RenewAt)
    {
        public bool IsDue(DateTimeOffset now) => now >= RenewAt;
    }

    [LoggerMessage(LogLevel.Information, "Scan {ScanId}: AWS said the scan's credentials had expired; asking the broker for new ones")]
    private static partial void LogExpired(ILogger logger, Guid scanId);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId}: renewed the scan's credentials (now valid until {ExpiresAt})")]
    private static partial void LogRenewed(ILogger logger, Guid scanId, DateTimeOffset? expiresAt);
}
