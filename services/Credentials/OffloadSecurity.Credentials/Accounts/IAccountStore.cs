using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>The credentials service's accounts. Every tenant-facing operation is scoped to one tenant.</summary>
public interface IAccountStore : IStoreLifecycle
{
    Task AddAsync(Account account, CancellationToken ct);
    Task<Account?> FindAsync(string tenantId, Guid accountId, CancellationToken ct);
    Task<IReadOnlyList<Account>> ListAsync(string tenantId, CancellationToken ct);

    /// <summary>Applies a scan-driven status unless the account already has a newer one. Returns false when ignored.</summary>
    Task<bool> ApplyStatusAsync(string tenantId, Guid accountId, StatusChange change, CancellationToken ct);

    /// <summary>Changes display name, regions or sync interval; returns the updated account, or null when there is none.</summary>
    Task<Account?> UpdateAsync(string tenantId, Guid accountId, AccountChanges changes, DateTimeOffset now, CancellationToken ct);

    /// <summary>Removes the secret and marks the account Disconnected, keeping everything else. Null when there is no account.</summary>
    Task<Account?> DisconnectAsync(string tenantId, Guid accountId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Removes the account record. False when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, Guid accountId, CancellationToken ct);

    /// <summary>
    /// Key rotation: offers every stored secret to <paramref name="rewrap"/> (tenant, account, envelope) and stores what it
    /// returns; null means "leave it". A secret changed or removed meanwhile is left alone. Returns how many were rewritten.
    /// </summary>
    Task<int> RewrapAllAsync(Func<string, Guid, byte[], byte[]?> rewrap, CancellationToken ct);

    /// <summary>
    /// Takes or renews the named lease for <paramref name="holder"/> until <paramref name="now"/> + <paramref name="duration"/>,
    /// unless another holder has it and it has not expired. Returns whether <paramref name="holder"/> now holds it.
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Atomically takes up to <paramref name="limit"/> connected accounts whose next sync is due and moves each one's next
    /// sync a full interval ahead, so no other caller can take them for this round.
    /// </summary>
    Task<IReadOnlyList<Account>> ClaimDueAsync(DateTimeOffset now, int limit, CancellationToken ct);
}
