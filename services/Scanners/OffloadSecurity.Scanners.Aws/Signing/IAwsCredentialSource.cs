namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>
/// Where a client gets the credentials for each AWS call. Long scans outlive short-lived credentials, so a client
/// asks for them per call instead of holding one set for the whole scan.
/// </summary>
public interface IAwsCredentialSource
{
    /// <summary>What AWS rate-limits on: the account, so refreshed credentials share the same request budget.</summary>
    string RateKey { get; }

    /// <summary>Credentials valid for the next call (renewed first when they are about to expire).</summary>
    ValueTask<AwsCredentials> GetAsync(CancellationToken ct);

    /// <summary>
    /// AWS answered that <paramref name="rejected"/> expired: newer credentials, or null when this source cannot
    /// renew them (the call then fails as rejected credentials).
    /// </summary>
    ValueTask<AwsCredentials?> RefreshAsync(AwsCredentials rejected, CancellationToken ct);
}
