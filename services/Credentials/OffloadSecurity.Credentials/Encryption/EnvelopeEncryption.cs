using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.Credentials.Encryption;

/// <summary>
/// AES-256-GCM envelope encryption of account secrets. Every record gets its own random data key, which
/// is itself encrypted ("wrapped") by the key-encryption key. The tenant and account ids are associated
/// data of both layers, so a ciphertext copied onto another record does not decrypt.
/// </summary>
/// <remarks>
/// Layout (version 1): <c>[1][keyIdLength:1][keyId][wrapNonce:12][wrapTag:16][wrappedKey:32][nonce:12][tag:16][ciphertext]</c>.
/// </remarks>
public sealed class EnvelopeEncryption(KeyRing keys)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    public byte[] Encrypt(string plaintext, string tenantId, Guid accountId) =>
        Encrypt(Encoding.UTF8.GetBytes(plaintext), tenantId, accountId, keys.Current);

    public string Decrypt(byte[] envelope, string tenantId, Guid accountId) =>
        Encoding.UTF8.GetString(DecryptBytes(envelope, tenantId, accountId));

    /// <summary>The id of the key-encryption key that wraps <paramref name="envelope"/>.</summary>
    public static string KeyIdOf(byte[] envelope)
    {
        if (envelope.Length < 2 || envelope[0] != Version)
        {
            throw new CryptographicException("Unknown secret envelope format.");
        }

        return Encoding.ASCII.GetString(envelope, 2, envelope[1]);
    }

    /// <summary>Re-wraps the data key under the current key-encryption key; the secret itself is not re-encrypted.</summary>
    public byte[] Rewrap(byte[] envelope, string tenantId, Guid accountId) =>
        Encrypt(DecryptBytes(envelope, tenantId, accountId), tenantId, accountId, keys.Current);

    private static byte[] Encrypt(byte[] plaintext, string tenantId, Guid accountId, KeyEncryptionKey kek)
    {
        var aad = AssociatedData(tenantId, accountId);
        var keyId = Encoding.ASCII.GetBytes(kek.Id);
        var dataKey = RandomNumberGenerator.GetBytes(KeySize);
        try
        {
            var envelope = new byte[2 + keyId.Length + NonceSize + TagSize + KeySize + NonceSize + TagSize + plaintext.Length];
            var span = envelope.AsSpan();
            span[0] = Version;
            span[1] = checked((byte)keyId.Length);
            keyId.CopyTo(span[2..]);
            var rest = span[(2 + keyId.Length)..];

            var wrapNonce = rest[..NonceSize];
            var wrapTag = rest.Slice(NonceSize, TagSize);
            var wrappedKey = rest.Slice(NonceSize + TagSize, KeySize);
            RandomNumberGenerator.Fill(wrapNonce);
            using (var wrap = new AesGcm(kek.Key, TagSize))
            {
                wrap.Encrypt(wrapNonce, dataKey, wrappedKey, wrapTag, WrapAssociatedData(aad, kek.Id));
            }

            var body = rest[(NonceSize + TagSize + KeySize)..];
            var nonce = body[..NonceSize];
            var tag = body.Slice(NonceSize, TagSize);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(dataKey, TagSize))
            {
                aes.Encrypt(nonce, plaintext, body[(NonceSize + TagSize)..], tag, aad);
            }

            return envelope;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private byte[] DecryptBytes(byte[] envelope, string tenantId, Guid accountId)
    {
        var keyId = KeyIdOf(envelope);
        var kek = keys.Find(keyId);
        var aad = AssociatedData(tenantId, accountId);
        var rest = envelope.AsSpan(2 + envelope[1]);
        if (rest.Length < NonceSize + TagSize + KeySize + NonceSize + TagSize)
        {
            throw new CryptographicException("The secret envelope is truncated.");
        }

        var dataKey = new byte[KeySize];
        try
        {
            using (var wrap = new AesGcm(kek.Key, TagSize))
            {
                wrap.Decrypt(rest[..NonceSize], rest.Slice(NonceSize + TagSize, KeySize), rest.Slice(NonceSize, TagSize), dataKey, WrapAssociatedData(aad, kek.Id));
            }

            var body = rest[(NonceSize + TagSize + KeySize)..];
            var plaintext = new byte[body.Length - NonceSize - TagSize];
            using var aes = new AesGcm(dataKey, TagSize);
            aes.Decrypt(body[..NonceSize], body[(NonceSize + TagSize)..], body.Slice(NonceSize, TagSize), plaintext, aad);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static byte[] AssociatedData(string tenantId, Guid accountId)
    {
        // Length-prefixed so that no two (tenant, account) pairs share an encoding.
        var tenant = Encoding.UTF8.GetBytes(tenantId);
        var aad = new byte[4 + tenant.Length + 16];
        BinaryPrimitives.WriteInt32BigEndian(aad, tenant.Length);
        tenant.CopyTo(aad, 4);
        accountId.TryWriteBytes(aad.AsSpan(4 + tenant.Length), bigEndian: true, out _);
        return aad;
    }

    private static byte[] WrapAssociatedData(byte[] aad, string keyId) => [.. Encoding.ASCII.GetBytes(keyId), .. aad];
}
