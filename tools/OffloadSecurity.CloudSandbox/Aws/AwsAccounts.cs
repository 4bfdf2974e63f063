using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

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

    internal SandboxControl(AwsAccounts accounts) => _accounts = accounts;

    /// <summary>Gives an access key a new secret: requests signed with the old one are refused from now on.</summary>
    public void RotateAwsSecret(string accessKeyId, string newSecret)
    {
        if (!_accounts.Rotate(accessKeyId, newSecret))
        {
            throw new ArgumentException($"The sandbox has no access key {accessKeyId}.", nameof(accessKeyId));
        }
    }
}
