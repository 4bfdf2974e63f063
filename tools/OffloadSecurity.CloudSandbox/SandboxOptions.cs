using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OffloadSecurity.CloudSandbox;

/// <summary>Configuration section <c>Sandbox</c>: the emulated cloud accounts.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    public AwsSandboxOptions Aws { get; set; } = new();
}

public sealed class AwsSandboxOptions
{
    /// <summary><c>Sandbox:Aws:Accounts</c>. When empty, <see cref="SandboxAwsAccount.Demo"/> is used.</summary>
    public List<SandboxAwsAccount> Accounts { get; set; } = [];
}

public sealed class SandboxAwsAccount
{
    public string AccountId { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";

    /// <summary>How many Security Hub findings (ACTIVE and ARCHIVED) the account has in each region.</summary>
    public int SecurityHubFindings { get; set; } = 250;

    /// <summary>
    /// How many Security Hub findings (the first ones of each region) read as updated when the sandbox started, so an
    /// incremental scan (an <c>UpdatedAt</c> filter) picks them up. None by default.
    /// </summary>
    public int SecurityHubRecentlyUpdated { get; set; }

    /// <summary>
    /// How many GuardDuty findings (current and archived, some of them samples) the account's detector has in each
    /// region. None by default, so an account configured for Security Hub alone reads as before.
    /// </summary>
    public int GuardDutyFindings { get; set; }

    /// <summary>Regions where GuardDuty is not enabled: ListDetectors answers an empty list.</summary>
    public List<string> GuardDutyDisabledRegions { get; set; } = [];

    /// <summary>Regions where the caller may not use GuardDuty: every GuardDuty call answers 403 AccessDeniedException.</summary>
    public List<string> GuardDutyAccessDeniedRegions { get; set; } = [];

    /// <summary>
    /// How many ECR repositories the account has in each region (none by default). Every third uses enhanced scanning
    /// (Inspector findings), the others basic scanning.
    /// </summary>
    public int EcrRepositories { get; set; }

    /// <summary>Images in each ECR repository; most have a completed scan, a few were never scanned.</summary>
    public int EcrImagesPerRepository { get; set; } = 3;

    /// <summary>How many images (the first ones listed in each region) have a scan still IN_PROGRESS.</summary>
    public int EcrScansInProgress { get; set; }

    /// <summary>Regions where the caller may not use ECR: every ECR call answers AccessDeniedException.</summary>
    public List<string> EcrAccessDeniedRegions { get; set; } = [];

    /// <summary>
    /// How many EC2 security groups the account has in each region (none by default). They cycle through a catalog of
    /// realistic groups: the 3rd, 5th, 6th and 7th of every 11 open SSH or RDP to the internet (OFFLOAD-AWS-EC2-001),
    /// the 6th to 8th a database port (OFFLOAD-AWS-EC2-002); see docs/aws-checks.md.
    /// </summary>
    public int Ec2SecurityGroups { get; set; }

    /// <summary>How many EC2 instances the account has in each region (none by default); every tenth is terminated.</summary>
    public int Ec2Instances { get; set; }

    /// <summary>Regions where the caller may not use EC2: every EC2 call answers 403 UnauthorizedOperation.</summary>
    public List<string> Ec2AccessDeniedRegions { get; set; } = [];

    /// <summary>
    /// How many S3 buckets the account has (none by default), spread over <see cref="S3BucketRegions"/>. They cycle
    /// through six kinds: the 2nd and 4th of every six are public (OFFLOAD-AWS-S3-001), the 3rd has no default
    /// encryption (OFFLOAD-AWS-S3-002); two of every three are tagged.
    /// </summary>
    public int S3Buckets { get; set; }

    /// <summary>The regions the buckets are located in, in turn; empty (the default) means us-east-1 only.</summary>
    public List<string> S3BucketRegions { get; set; } = [];

    /// <summary>Regions where the caller may not use S3: every S3 request signed for the region answers 403 AccessDenied.</summary>
    public List<string> S3AccessDeniedRegions { get; set; } = [];

    /// <summary>Regions where the caller may not use the Tagging API: GetResources answers AccessDeniedException.</summary>
    public List<string> TaggingAccessDeniedRegions { get; set; } = [];

    /// <summary>
    /// The longest session (seconds) STS issues for this account, by GetSessionToken or AssumeRole of one of its roles,
    /// whatever duration was asked for; the Expiration it returns says so. Null (the default): AWS's limits only.
    /// </summary>
    public int? MaxSessionSeconds { get; set; }

    /// <summary>
    /// The account that exists when none is configured. Its secret is public (it only opens the sandbox) and shaped
    /// like a real one (40 base64 characters), so the credentials service accepts it.
    /// </summary>
    public static SandboxAwsAccount Demo => new()
    {
        AccountId = "123456789012",
        AccessKeyId = "AKIASANDBOXDEMO00001",
        SecretAccessKey = "sandbox/DEMO/secret/not+a+real+aws+key01",
    };
}

/// <summary>Rejects bad account configuration at start-up, naming the field.</summary>
internal sealed partial class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public const int MaxFindingsPerRegion = 1_000_000;
    public const int MaxEcrItems = 1000;
    public const int MaxAssetsPerRegion = 100_000;

    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Aws.Accounts.Count; i++)
        {
            var account = options.Aws.Accounts[i];
            var field = $"Sandbox:Aws:Accounts:{i}";
            if (!AccountIdPattern().IsMatch(account.AccountId))
            {
                errors.Add($"{field}:AccountId must be 12 digits.");
            }

            if (string.IsNullOrWhiteSpace(account.AccessKeyId))
            {
                errors.Add($"{field}:AccessKeyId is required.");
            }

            if (string.IsNullOrWhiteSpace(account.SecretAccessKey))
            {
                errors.Add($"{field}:SecretAccessKey is required.");
            }

            if (account.SecurityHubFindings is < 0 or > MaxFindingsPerRegion)
            {
                errors.Add($"{field}:SecurityHubFindings must be between 0 and {MaxFindingsPerRegion}.");
            }

            if (account.GuardDutyFindings is < 0 or > MaxFindingsPerRegion)
            {
                errors.Add($"{field}:GuardDutyFindings must be between 0 and {MaxFindingsPerRegion}.");
            }

            if (account.EcrRepositories is < 0 or > MaxEcrItems)
            {
                errors.Add($"{field}:EcrRepositories must be between 0 and {MaxEcrItems}.");
            }

            if (account.EcrImagesPerRepository is < 0 or > MaxEcrItems)
            {
                errors.Add($"{field}:EcrImagesPerRepository must be between 0 and {MaxEcrItems}.");
            }

            foreach (var (setting, count) in new[]
            {
                (nameof(account.Ec2SecurityGroups), account.Ec2SecurityGroups),
                (nameof(account.Ec2Instances), account.Ec2Instances),
                (nameof(account.S3Buckets), account.S3Buckets),
            })
            {
                if (count is < 0 or > MaxAssetsPerRegion)
                {
                    errors.Add($"{field}:{setting} must be between 0 and {MaxAssetsPerRegion}.");
                }
            }

            if (account.EcrScansInProgress < 0)
            {
                errors.Add($"{field}:EcrScansInProgress must not be negative.");
            }

            if (account.SecurityHubRecentlyUpdated < 0)
            {
                errors.Add($"{field}:SecurityHubRecentlyUpdated must not be negative.");
            }

            if (account.MaxSessionSeconds is < 1)
            {
                errors.Add($"{field}:MaxSessionSeconds must be at least 1 (or absent).");
            }

            foreach (var (list, regions) in new[]
            {
                (nameof(account.GuardDutyDisabledRegions), account.GuardDutyDisabledRegions),
                (nameof(account.GuardDutyAccessDeniedRegions), account.GuardDutyAccessDeniedRegions),
                (nameof(account.EcrAccessDeniedRegions), account.EcrAccessDeniedRegions),
                (nameof(account.Ec2AccessDeniedRegions), account.Ec2AccessDeniedRegions),
                (nameof(account.S3BucketRegions), account.S3BucketRegions),
                (nameof(account.S3AccessDeniedRegions), account.S3AccessDeniedRegions),
                (nameof(account.TaggingAccessDeniedRegions), account.TaggingAccessDeniedRegions),
            })
            {
                errors.AddRange(regions.Where(r => !RegionPattern().IsMatch(r)).Select(r => $"{field}:{list}: '{r}' is not an AWS region name."));
            }
        }

        errors.AddRange(options.Aws.Accounts
            .GroupBy(a => a.AccessKeyId, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"Sandbox:Aws:Accounts: AccessKeyId '{g.Key}' is used by more than one account."));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
