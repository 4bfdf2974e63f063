using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.S3;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>The configured sandbox accounts, by access key id, with each key's current secret.</summary>
internal sealed class AwsAccounts(IOptions<SandboxOptions> options)
{
    private readonly Dictionary<string, SandboxAwsAccount> _byAccessKey =
        options.Value.Aws.Accounts.ToDictionary(a => a.AccessKeyId, StringComparer.Ordinal);

    // Secrets replaced since start, as when a tenant rotates a key in IAM.
    private readonly ConcurrentDictionary<string, string> _rotated = new(StringComparer.Ordinal);

    public SandboxAwsAccount? FindByAccessKey(string accessKeyId) => _byAccessKey.GetValueOrDefault(accessKeyId);

    public string? SecretFor(string accessKeyId) =>
        _rotated.TryGetValue(accessKeyId, out var rotated) ? rotated : FindByAccessKey(accessKeyId)?.SecretAccessKey;

    public bool Rotate(string accessKeyId, string newSecret)
    {
        if (!_byAccessKey.ContainsKey(accessKeyId))
        {
            return false;
        }

        _rotated[accessKeyId] = newSecret;
        return true;
    }
}

/// <summary>
/// What a test or demo can do to the emulated cloud from outside its API, as a person would in the AWS console.
/// </summary>
public sealed class SandboxControl
{
    private readonly AwsAccounts _accounts;
    private readonly S3BucketChanges _buckets;

    internal SandboxControl(AwsAccounts accounts, S3BucketChanges buckets)
    {
        _accounts = accounts;
        _buckets = buckets;
    }

    /// <summary>Gives an access key a new secret: requests signed with the old one are refused from now on.</summary>
    public void RotateAwsSecret(string accessKeyId, string newSecret)
    {
        if (!_accounts.Rotate(accessKeyId, newSecret))
        {
            throw new ArgumentException($"The sandbox has no access key {accessKeyId}.", nameof(accessKeyId));
        }
    }

    /// <summary>Turns on all four S3 Block Public Access settings of a bucket of the account.</summary>
    public void BlockS3PublicAccess(string accessKeyId, string bucket) =>
        _buckets.Change(Bucket(accessKeyId, bucket), b => b with { PublicAccessBlock = [true, true, true, true] });

    /// <summary>Sets a bucket's default encryption to SSE-S3 (AES256).</summary>
    public void EncryptS3Bucket(string accessKeyId, string bucket) =>
        _buckets.Change(Bucket(accessKeyId, bucket), b => b with { Encryption = b.Encryption ?? "AES256" });

    private S3Generator.Bucket Bucket(string accessKeyId, string name)
    {
        var account = _accounts.FindByAccessKey(accessKeyId)
            ?? throw new ArgumentException($"The sandbox has no access key {accessKeyId}.", nameof(accessKeyId));
        return S3Generator.Buckets(account).FirstOrDefault(b => b.Name == name)
            ?? throw new ArgumentException($"The account {account.AccountId} has no bucket {name}.", nameof(name));
    }
}
