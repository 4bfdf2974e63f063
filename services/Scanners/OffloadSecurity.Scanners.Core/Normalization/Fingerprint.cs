using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.Scanners.Core.Normalization;

/// <summary>
/// The de-duplication key of a normalized record: SHA-256 over its identity, as lowercase hex.
/// </summary>
/// <remarks>
/// Encoding: a kind tag, then each component as a 4-byte big-endian UTF-8 length followed by its UTF-8 bytes,
/// so no choice of component text can make two different tuples encode alike (("a|b","c") vs ("a","b|c")),
/// and a finding can never share a key with a workload check. The hash is cut to its first 128 bits
/// (32 hex chars): fingerprints are index keys, and at 2^64 records before a likely accidental collision
/// the shorter key halves index size at no practical risk. Changing this encoding re-keys every stored
/// finding, so it is versioned in the tag.
/// </remarks>
public static class Fingerprint
{
    /// <summary>Hex characters kept: 128 bits of SHA-256.</summary>
    public const int Length = 32;

    private const string FindingTag = "offload.finding.v1";
    private const string WorkloadCheckTag = "offload.workload-check.v1";

    /// <summary>Fingerprint of a provider finding: (tenant, our account id, source, provider's finding id).</summary>
    public static string ForFinding(string tenantId, Guid accountId, string source, string nativeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(nativeId);
        return Hash(FindingTag, tenantId, accountId.ToString("D"), source, nativeId);
    }

    /// <summary>
    /// Fingerprint of one of our own Kubernetes checks on a workload. <paramref name="namespace"/> is empty
    /// for cluster-scoped objects.
    /// </summary>
    public static string ForWorkloadCheck(
        string tenantId, string cluster, string @namespace, string kind, string name, string checkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        return Hash(WorkloadCheckTag, tenantId, cluster, @namespace, kind, name, checkId);
    }

    private static string Hash(params string[] components)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var component in components)
        {
            var bytes = Encoding.UTF8.GetBytes(component);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..Length];
    }
}
