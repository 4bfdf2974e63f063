using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Encryption;

/// <summary>
/// Re-wraps every stored secret's data key under the current key-encryption key. Runs while the service serves:
/// records not yet re-wrapped still decrypt, because the previous keys stay in the ring until rotation is done.
/// </summary>
public sealed class KeyRotation(IAccountStore store, KeyRing keys, EnvelopeEncryption encryption, ILogger<KeyRotation> logger)
{
    public async Task<KeyRotationResult> RewrapAllAsync(CancellationToken ct)
    {
        var current = keys.Current.Id;
        var rewrapped = await store.RewrapAllAsync(
            (tenantId, accountId, envelope) => EnvelopeEncryption.KeyIdOf(envelope) == current ? null : encryption.Rewrap(envelope, tenantId, accountId),
            ct);
        logger.LogInformation("Key rotation: {Count} secret(s) re-wrapped under key {KeyId}.", rewrapped, current);
        return new KeyRotationResult(current, rewrapped);
    }
}

public sealed record KeyRotationResult(string KeyId, int Rewrapped);
