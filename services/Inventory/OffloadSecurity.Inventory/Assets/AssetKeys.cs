using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The keys of the asset inventory. Each record is stored once per tenant under a key derived from its natural id —
/// the resource id of an asset; registry, repository and digest of an image; cluster, namespace, kind and name of a
/// workload — so a redelivered batch or a re-scan finds the same record. The key is the first 128 bits of SHA-256
/// over a kind tag and the length-prefixed components (as lowercase hex): opaque and URL-safe for the API's
/// <c>{id}</c>, and no choice of component text makes two different natural ids share one.
/// </summary>
public static class AssetKeys
{
    /// <summary>Hex characters in a key.</summary>
    public const int Length = 32;

    private const string AssetTag = "offload.asset.v1";
    private const string ImageTag = "offload.image.v1";
    private const string WorkloadTag = "offload.workload.v1";

    public static string Asset(string resourceId) => Hash(AssetTag, resourceId);

    public static string Image(string registry, string repository, string digest) => Hash(ImageTag, registry, repository, digest);

    public static string Workload(string cluster, string @namespace, string kind, string name) => Hash(WorkloadTag, cluster, @namespace, kind, name);

    /// <summary><c>registry/repository@digest</c>: how an image is named (and how lists of images are ordered).</summary>
    public static string ImageReference(string registry, string repository, string digest) => $"{registry}/{repository}@{digest}";

    /// <summary>
    /// <c>cluster/namespace/kind/name</c>, or <c>cluster/kind/name</c> for a cluster-scoped object: the resource id a
    /// finding about a workload carries (our Kubernetes checks must use it), and the order of lists of workloads.
    /// </summary>
    public static string WorkloadResourceId(string cluster, string @namespace, string kind, string name) =>
        @namespace.Length == 0 ? $"{cluster}/{kind}/{name}" : $"{cluster}/{@namespace}/{kind}/{name}";

    /// <summary>Whether <paramref name="id"/> has the shape of a key (not whether one exists).</summary>
    public static bool IsKey(string? id) => id is { Length: Length } && id.All(char.IsAsciiHexDigitLower);

    private static string Hash(string tag, params string[] components)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> prefix = stackalloc byte[4];
        foreach (var part in components.Prepend(tag))
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(prefix, bytes.Length);
            hash.AppendData(prefix);
            hash.AppendData(bytes);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..(Length / 2)]);
    }
}
