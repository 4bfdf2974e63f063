using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.Scanners.Aws.Import;

/// <summary>
/// Our account id for imported findings: a name-based UUID (version 8 layout) over SHA-256 of (tenant, AWS account
/// id), so importing the same AWS account's findings again lands on the same inventory records.
/// </summary>
public static class ImportAccount
{
    private const string Namespace = "offload.import.aws.v1";

    /// <summary>The account id for <paramref name="awsAccountId"/> (empty when the findings name none).</summary>
    public static Guid For(string tenantId, string awsAccountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentNullException.ThrowIfNull(awsAccountId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Namespace}\n{tenantId.Length}:{tenantId}\n{awsAccountId}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
