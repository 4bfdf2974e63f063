using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>The credentials service's accounts. Every operation is scoped to one tenant.</summary>
public interface IAccountStore : IStoreLifecycle
{
    Task AddAsync(Account account, CancellationToken ct);
    Task<Account?> FindAsync(string tenantId, Guid accountId, CancellationToken ct);
    Task<IReadOnlyList<Account>> ListAsync(string tenantId, CancellationToken ct);

    /// <summary>Applies a scan-driven status unless the account already has a newer one. Returns false when ignored.</summary>
    Task<bool> ApplyStatusAsync(string tenantId, Guid accountId, StatusChange change, CancellationToken ct);
}
