using OffloadSecurity.CloudSandbox.Aws.SecurityHub;

namespace OffloadSecurity.CloudSandbox.Aws.S3;

/// <summary>
/// The buckets of an account, derived from seeds so nothing is stored: bucket <c>i</c> is always the same. Buckets
/// are spread over the account's <see cref="SandboxAwsAccount.S3BucketRegions"/> and cycle through
/// <see cref="Templates"/>: private and encrypted, public by policy, without default encryption, public by ACL, public
/// policy neutralised by Block Public Access, no configuration at all. Two of every three are tagged.
/// </summary>
internal static class S3Generator
{
    public const string DefaultRegion = "us-east-1";
    public const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    /// <param name="PublicAccessBlock">BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets; null: none configured.</param>
    /// <param name="Policy">null: no bucket policy; else whether GetBucketPolicyStatus calls it public.</param>
    /// <param name="PublicAclGrantee">A group the ACL grants READ to (AllUsers, AuthenticatedUsers), if any.</param>
    /// <param name="Encryption">SSEAlgorithm of the default encryption; null: none configured.</param>
    /// <param name="Public">Whether OFFLOAD-AWS-S3-001 flags it.</param>
    public sealed record Template(
        string Name, bool[]? PublicAccessBlock, bool? Policy, string? PublicAclGrantee, string? Encryption, bool Public);

    public sealed record Bucket(
        int Index, string Name, string Region, DateTimeOffset CreatedAt, bool[]? PublicAccessBlock, bool? PolicyIsPublic, string? PublicAclGrantee,
        string? Encryption, string? KmsKeyId, Template Template, IReadOnlyDictionary<string, string> Tags)
    {
        public string Arn => $"arn:aws:s3:::{Name}";

        /// <summary>What OFFLOAD-AWS-S3-001 should say now (after any change made through <see cref="SandboxControl"/>).</summary>
        public bool IsPublic =>
            (PolicyIsPublic == true && PublicAccessBlock is not [_, _, _, true])
            || (PublicAclGrantee is not null && PublicAccessBlock is not [_, true, _, _]);
    }

    public static readonly Template[] Templates =
    [
        new("app-data", [true, true, true, true], null, null, "AES256", false),
        new("public-website", null, true, null, "AES256", true),
        new("legacy-exports", [true, true, true, true], false, null, null, false),
        new("shared-downloads", [false, false, false, false], null, AllUsers, "aws:kms", true),
        new("partner-drop", [true, true, false, true], true, null, "AES256", false),
        new("audit-logs", null, null, null, "aws:kms", false),
    ];

    private static readonly string[] Teams = ["payments", "platform", "data", "identity", "web"];

    public static IReadOnlyList<string> Regions(SandboxAwsAccount account) =>
        account.S3BucketRegions.Count == 0 ? [DefaultRegion] : account.S3BucketRegions;

    public static Bucket BucketAt(SandboxAwsAccount account, int index)
    {
        var random = SandboxRandom.For($"s3/{account.AccountId}/bucket/{index}");
        var template = Templates[index % Templates.Length];
        var regions = Regions(account);
        var region = regions[index % regions.Count];
        var team = SandboxRandom.Pick(random, Teams);
        var name = $"{team}-{template.Name}-{account.AccountId}-{index:000}";
        var kmsKey = template.Encryption == "aws:kms" ? $"arn:aws:kms:{region}:{account.AccountId}:key/{Guid.Parse(SandboxRandom.Hex(random, 32))}" : null;
        var tags = index % 3 == 2
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["Team"] = team, ["Environment"] = index % 2 == 0 ? "production" : "staging", ["CostCenter"] = $"cc-{random.Next(100, 999)}" };
        return new Bucket(index, name, region, FindingGenerator.Epoch.AddDays(-30 - random.Next(900)).AddSeconds(-random.Next(86_400)),
            template.PublicAccessBlock, template.Policy, template.PublicAclGrantee, template.Encryption, kmsKey, template, tags);
    }

    public static IEnumerable<Bucket> Buckets(SandboxAwsAccount account) =>
        Enumerable.Range(0, account.S3Buckets).Select(i => BucketAt(account, i));
}
