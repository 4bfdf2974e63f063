using System.Security.Cryptography;
using OffloadSecurity.Credentials.Aws;

namespace OffloadSecurity.Credentials.Encryption;

/// <summary>A key-encryption key (KEK) and the id stored beside everything it wraps.</summary>
public sealed record KeyEncryptionKey(string Id, byte[] Key)
{
    public override string ToString() => $"KeyEncryptionKey {Id}";
}

/// <summary>
/// The key-encryption keys the service knows: the current one wraps new records, older ones still unwrap
/// records made before a rotation. Keys come from <c>ENCRYPTION_KEY</c> (base64, 32 bytes) or the file
/// named by <c>Encryption:KeyFile</c>, or AWS KMS unwraps it at start-up (<see cref="KmsKeyOptions"/>); previous keys
/// from <c>Encryption:PreviousKeys</c> (base64, comma-separated).
/// </summary>
public sealed class KeyRing
{
    public const string HowToMakeAKey =
        "Set ENCRYPTION_KEY to 32 random bytes in base64 (for example `openssl rand -base64 32`), " +
        "or point Encryption:KeyFile at a file that holds such a key, " +
        "or set Encryption:Kms:WrappedKey to a data key wrapped by AWS KMS (see docs/accounts.md).";

    private readonly Dictionary<string, KeyEncryptionKey> _byId;

    public KeyRing(KeyEncryptionKey current, IEnumerable<KeyEncryptionKey>? previous = null)
    {
        Current = current;
        _byId = new[] { current }.Concat(previous ?? []).DistinctBy(k => k.Id).ToDictionary(k => k.Id);
    }

    public KeyEncryptionKey Current { get; }

    public KeyEncryptionKey Find(string id) =>
        _byId.TryGetValue(id, out var key)
            ? key
            : throw new CryptographicException($"Key-encryption key '{id}' is not configured; add it to Encryption:PreviousKeys.");

    public static KeyEncryptionKey FromBase64(string base64)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("The encryption key is not valid base64. " + HowToMakeAKey);
        }

        if (key.Length != 32)
        {
            throw new InvalidOperationException($"The encryption key must be 32 bytes, not {key.Length}. " + HowToMakeAKey);
        }

        // The id names the key without revealing it: a truncated hash.
        var id = "k-" + Convert.ToHexStringLower(SHA256.HashData(key))[..12];
        return new KeyEncryptionKey(id, key);
    }

    public static KeyRing FromConfiguration(IConfiguration configuration)
    {
        var base64 = configuration["ENCRYPTION_KEY"] ?? configuration["Encryption:Key"];
        var keyFile = configuration["Encryption:KeyFile"];
        var kms = configuration.GetSection(KmsKeyOptions.Section).Get<KmsKeyOptions>() ?? new KmsKeyOptions();
        if (kms.IsConfigured)
        {
            if (!string.IsNullOrWhiteSpace(base64) || !string.IsNullOrWhiteSpace(keyFile))
            {
                throw new InvalidOperationException(
                    "Both a local encryption key (ENCRYPTION_KEY or Encryption:KeyFile) and Encryption:Kms:WrappedKey are set. " +
                    "Keep one; to move between them, name the old key in Encryption:PreviousKeys and run rotate-keys.");
            }

            // Start-up only: the service cannot serve anything before it has its key.
            var platform = configuration.GetSection(AwsOptions.Section).Get<AwsOptions>()?.Platform ?? new AwsPlatformPrincipal();
            var current = KmsWrappedKey.UnwrapAsync(kms, platform, CancellationToken.None).GetAwaiter().GetResult();
            return new KeyRing(current, PreviousKeys(configuration));
        }

        if (string.IsNullOrWhiteSpace(base64) && !string.IsNullOrWhiteSpace(keyFile))
        {
            base64 = File.Exists(keyFile)
                ? File.ReadAllText(keyFile)
                : throw new InvalidOperationException($"Encryption:KeyFile '{keyFile}' does not exist. " + HowToMakeAKey);
        }

        if (string.IsNullOrWhiteSpace(base64))
        {
            throw new InvalidOperationException("The credentials service will not start without an encryption key. " + HowToMakeAKey);
        }

        return new KeyRing(FromBase64(base64), PreviousKeys(configuration));
    }

    private static IEnumerable<KeyEncryptionKey> PreviousKeys(IConfiguration configuration) =>
        (configuration["Encryption:PreviousKeys"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(FromBase64);
}
