using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Scanners.Aws.Assets;

/// <summary>
/// The fingerprint of an observed cloud resource: SHA-256 over (tenant, provider, resource id), cut to 128 bits, with
/// the length-prefixed encoding of Scanners.Core's <c>Fingerprint</c> under its own tag, so an asset never shares a
/// key with a finding or an image. It belongs beside <c>Fingerprint.ForFinding</c> once Scanners.Core grows an asset kind.
/// </summary>
public static class AssetFingerprint
{
    private const string Tag = "offload.asset.v1";

    public static string For(string tenantId, CloudProvider provider, string resourceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var component in new[] { Tag, tenantId, provider.ToString(), resourceId })
        {
            var bytes = Encoding.UTF8.GetBytes(component);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }
}
