using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using OffloadSecurity.Credentials.Encryption;

namespace OffloadSecurity.Credentials.Tests.Encryption;

public class EnvelopeEncryptionTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzzPLANTED";
    private static readonly Guid AccountA = Guid.NewGuid();
    private static readonly Guid AccountB = Guid.NewGuid();

    private static KeyEncryptionKey NewKey() => KeyRing.FromBase64(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    [Fact]
    public void Decrypts_what_it_encrypted_for_the_same_record()
    {
        var encryption = new EnvelopeEncryption(new KeyRing(NewKey()));

        var envelope = encryption.Encrypt(Secret, "tenant-a", AccountA);

        encryption.Decrypt(envelope, "tenant-a", AccountA).ShouldBe(Secret);
        Encoding.UTF8.GetString(envelope).ShouldNotContain(Secret);
    }

    [Fact]
    public void A_ciphertext_moved_to_another_account_does_not_decrypt()
    {
        var encryption = new EnvelopeEncryption(new KeyRing(NewKey()));
        var envelope = encryption.Encrypt(Secret, "tenant-a", AccountA);

        Should.Throw<CryptographicException>(() => encryption.Decrypt(envelope, "tenant-a", AccountB));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_tenant_does_not_decrypt()
    {
        var encryption = new EnvelopeEncryption(new KeyRing(NewKey()));
        var envelope = encryption.Encrypt(Secret, "tenant-a", AccountA);

        Should.Throw<CryptographicException>(() => encryption.Decrypt(envelope, "tenant-b", AccountA));
    }

    [Fact]
    public void A_tampered_ciphertext_does_not_decrypt()
    {
        var encryption = new EnvelopeEncryption(new KeyRing(NewKey()));
        var envelope = encryption.Encrypt(Secret, "tenant-a", AccountA);
        envelope[^1] ^= 0x01;

        Should.Throw<CryptographicException>(() => encryption.Decrypt(envelope, "tenant-a", AccountA));
    }

    [Fact]
    public void Each_record_gets_its_own_data_key_and_nonce()
    {
        var encryption = new EnvelopeEncryption(new KeyRing(NewKey()));

        var first = encryption.Encrypt(Secret, "tenant-a", AccountA);
        var second = encryption.Encrypt(Secret, "tenant-a", AccountA);

        first.ShouldNotBe(second);
    }

    [Fact]
    public void Rewrapped_records_open_with_the_new_key_alone()
    {
        var oldKey = NewKey();
        var newKey = NewKey();
        var envelope = new EnvelopeEncryption(new KeyRing(oldKey)).Encrypt(Secret, "tenant-a", AccountA);
        var duringRotation = new EnvelopeEncryption(new KeyRing(newKey, [oldKey]));

        var rewrapped = duringRotation.Rewrap(envelope, "tenant-a", AccountA);

        EnvelopeEncryption.KeyIdOf(envelope).ShouldBe(oldKey.Id);
        EnvelopeEncryption.KeyIdOf(rewrapped).ShouldBe(newKey.Id);
        new EnvelopeEncryption(new KeyRing(newKey)).Decrypt(rewrapped, "tenant-a", AccountA).ShouldBe(Secret);
        Should.Throw<CryptographicException>(() => new EnvelopeEncryption(new KeyRing(newKey)).Decrypt(envelope, "tenant-a", AccountA))
            .Message.ShouldContain(oldKey.Id);
    }

    [Theory]
    [InlineData("", "will not start without an encryption key")]
    [InlineData("not base64!", "not valid base64")]
    [InlineData("c2hvcnQ=", "must be 32 bytes")]
    public void Refuses_a_missing_or_malformed_key_saying_how_to_make_one(string key, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ENCRYPTION_KEY"] = key }).Build();

        var error = Should.Throw<InvalidOperationException>(() => KeyRing.FromConfiguration(configuration));

        error.Message.ShouldContain(expected);
        error.Message.ShouldContain("openssl rand -base64 32");
    }

    [Fact]
    public void Reads_the_key_from_a_key_file()
    {
        using var dir = new OffloadSecurity.Testing.TempDirectory();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(dir.File("kek"), key + "\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Encryption:KeyFile"] = dir.File("kek") }).Build();

        KeyRing.FromConfiguration(configuration).Current.Id.ShouldBe(KeyRing.FromBase64(key).Id);
    }
}
