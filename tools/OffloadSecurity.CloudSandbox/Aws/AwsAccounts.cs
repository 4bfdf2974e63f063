using Microsoft.Extensions.Options;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>The configured sandbox accounts, by access key id.</summary>
internal sealed class AwsAccounts(IOptions<SandboxOptions> options)
{
    private readonly Dictionary<string, SandboxAwsAccount> _byAccessKey =
        options.Value.Aws.Accounts.ToDictionary(a => a.AccessKeyId, StringComparer.Ordinal);

    public SandboxAwsAccount? FindByAccessKey(string accessKeyId) => _byAccessKey.GetValueOrDefault(accessKeyId);

    public string? SecretFor(string accessKeyId) => FindByAccessKey(accessKeyId)?.SecretAccessKey;
}
