using System.Text;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>Seeded randomness for generated resources, so resource <c>i</c> of an account and region is always the same.</summary>
internal static class SandboxRandom
{
    /// <summary>A generator seeded by FNV-1a over the key (string.GetHashCode changes every run).</summary>
    public static Random For(string key)
    {
        var hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 16777619;
        }

        return new Random(unchecked((int)hash));
    }

    public static string Hex(Random random, int length)
    {
        var bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    public static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];
}
