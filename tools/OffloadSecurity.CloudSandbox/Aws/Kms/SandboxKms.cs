using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.CloudSandbox.Aws.Kms;

/// <summary>
/// The sandbox's KMS keys: one symmetric key per account and region (alias <see cref="Alias"/>), whose material is
/// made from a random seed when the sandbox starts and never leaves it. Ciphertext blobs name their key and are
/// bound to the encryption context, as KMS's are; their layout is the sandbox's own.
/// </summary>
internal sealed class SandboxKms
{
    public const string Alias = "alias/offload";
    private const byte Version = 1;
    private const int KeyIdSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _seed = RandomNumberGenerator.GetBytes(32);

    public static string KeyId(SandboxAwsAccount account) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("kms-key:" + account.AccountId))[..KeyIdSize]).ToString();

    public static string KeyArn(SandboxAwsAccount account, string region) => $"arn:aws:kms:{region}:{account.AccountId}:key/{KeyId(account)}";

    /// <summary>Whether <paramref name="keyId"/> (key id, key ARN, alias name or alias ARN) names the account's key in the region.</summary>
    public static bool Names(string keyId, SandboxAwsAccount account, string region) =>
        keyId == KeyId(account) || keyId == KeyArn(account, region) || keyId == Alias ||
        keyId == $"arn:aws:kms:{region}:{account.AccountId}:{Alias}";

    public byte[] Encrypt(SandboxAwsAccount account, string region, byte[] plaintext, IReadOnlyDictionary<string, string> context)
    {
        var keyId = Guid.Parse(KeyId(account)).ToByteArray();
        var blob = new byte[1 + KeyIdSize + NonceSize + TagSize + plaintext.Length];
        blob[0] = Version;
        keyId.CopyTo(blob, 1);
        var nonce = blob.AsSpan(1 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Material(account, region), TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + KeyIdSize + NonceSize + TagSize), blob.AsSpan(1 + KeyIdSize + NonceSize, TagSize), Canonical(context));
        return blob;
    }

    /// <summary>The plaintext, or null when the blob is not one of this key's or the context differs (KMS: InvalidCiphertextException).</summary>
    public byte[]? Decrypt(SandboxAwsAccount account, string region, byte[] blob, IReadOnlyDictionary<string, string> context)
    {
        if (blob.Length < 1 + KeyIdSize + NonceSize + TagSize || blob[0] != Version ||
            !blob.AsSpan(1, KeyIdSize).SequenceEqual(Guid.Parse(KeyId(account)).ToByteArray()))
        {
            return null;
        }

        var plaintext = new byte[blob.Length - (1 + KeyIdSize + NonceSize + TagSize)];
        try
        {
            using var aes = new AesGcm(Material(account, region), TagSize);
            aes.Decrypt(blob.AsSpan(1 + KeyIdSize, NonceSize), blob.AsSpan(1 + KeyIdSize + NonceSize + TagSize), blob.AsSpan(1 + KeyIdSize + NonceSize, TagSize), plaintext, Canonical(context));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private byte[] Material(SandboxAwsAccount account, string region) =>
        HMACSHA256.HashData(_seed, Encoding.UTF8.GetBytes($"{account.AccountId}/{region}/{KeyId(account)}"));

    /// <summary>The encryption context as associated data: pairs sorted by key, so the order a client sends them in does not matter.</summary>
    private static byte[] Canonical(IReadOnlyDictionary<string, string> context) =>
        Encoding.UTF8.GetBytes(string.Join('\n', context.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Key + "=" + pair.Value)));
}
