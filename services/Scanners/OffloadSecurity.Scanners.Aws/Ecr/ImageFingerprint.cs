using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>
/// The fingerprint of an observed image: SHA-256 over (tenant, registry, repository, digest), cut to 128 bits, with
/// the length-prefixed encoding of Scanners.Core's <c>Fingerprint</c> under its own tag, so an image never shares a
/// key with a finding. It belongs beside <c>Fingerprint.ForFinding</c> in Scanners.Core once that grows an image kind.
/// </summary>
public static class ImageFingerprint
{
    private const string Tag = "offload.image.v1";

    public static string For(string tenantId, string registry, string repository, string digest)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(registry);
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(digest);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var component in new[] { Tag, tenantId, registry, repository, digest })
        {
            var bytes = Encoding.UTF8.GetBytes(component);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }
}
