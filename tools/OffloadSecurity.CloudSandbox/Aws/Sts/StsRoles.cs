using Microsoft.Extensions.Options;

namespace OffloadSecurity.CloudSandbox.Aws.Sts;

/// <summary>The assumable roles of the configured sandbox accounts, by role ARN.</summary>
internal sealed class StsRoles
{
    private readonly Dictionary<string, (SandboxAwsAccount Account, SandboxRole Role)> _byArn = new(StringComparer.Ordinal);

    public StsRoles(IOptions<SandboxOptions> sandbox, IOptions<StsSandboxOptions> sts)
    {
        var accounts = sandbox.Value.Aws.Accounts;
        var configured = sts.Value.Accounts.Where(a => a.Roles.Count > 0).ToList();
        if (configured.Count == 0 && accounts.Any(a => a.AccountId == SandboxAwsAccount.Demo.AccountId))
        {
            configured.Add(new StsSandboxAccount { AccountId = SandboxAwsAccount.Demo.AccountId, Roles = [SandboxRole.Demo] });
        }

        foreach (var entry in configured)
        {
            var account = accounts.FirstOrDefault(a => a.AccountId == entry.AccountId);
            if (account is null)
            {
                continue;
            }

            foreach (var role in entry.Roles.Where(r => !string.IsNullOrWhiteSpace(r.Name)))
            {
                _byArn[ArnOf(account.AccountId, role.Name)] = (account, role);
            }
        }
    }

    public static string ArnOf(string accountId, string roleName) => $"arn:aws:iam::{accountId}:role/{roleName}";

    public bool TryFind(string roleArn, out SandboxAwsAccount account, out SandboxRole role)
    {
        var found = _byArn.TryGetValue(roleArn, out var entry);
        (account, role) = entry;
        return found;
    }
}
