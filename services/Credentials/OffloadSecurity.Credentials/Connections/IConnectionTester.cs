using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>
/// Proves, before anything is stored, that a connect request's credentials open the provider's account.
/// One implementation per provider; the reason of a failure is the provider's, in words a tenant admin can act on,
/// and never contains a secret.
/// </summary>
public interface IConnectionTester
{
    CloudProvider Provider { get; }

    Task<ConnectionTestResult> TestAsync(ConnectAccountRequest request, CancellationToken ct);
}

/// <summary>The outcome of a connection test. <see cref="Field"/> names the request field the failure points at.</summary>
public sealed record ConnectionTestResult(bool Succeeded, string? Identity, string? Field, string? Reason, string? ProviderCode)
{
    public static ConnectionTestResult Ok(string identity) => new(true, identity, null, null, null);

    public static ConnectionTestResult Failed(string field, string reason, string? providerCode = null) => new(false, null, field, reason, providerCode);
}
