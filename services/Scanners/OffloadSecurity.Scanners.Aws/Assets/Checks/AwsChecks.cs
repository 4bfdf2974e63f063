using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Scanners.Aws.Assets.Checks;

/// <summary>
/// The AWS posture checks we run on the assets we read. Ids, severities and remediation are documented in
/// docs/aws-checks.md; a change here is a change there.
/// </summary>
public static class AwsChecks
{
    /// <summary>The product name our findings carry, telling them apart from the provider's own.</summary>
    public const string ProductName = "Offload Security";

    public static readonly PostureCheck SecurityGroupAdminPortsOpen = new(
        "OFFLOAD-AWS-EC2-001",
        "Security group allows ingress from the internet to remote administration ports",
        Severity.High,
        "Remove the inbound rules that allow 0.0.0.0/0 or ::/0 to port 22 (SSH) or 3389 (RDP), or narrow their source to "
        + "the addresses that administer the instances. Prefer AWS Systems Manager Session Manager, a VPN or a bastion "
        + "over administration ports open to the internet.",
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html");

    public static readonly PostureCheck SecurityGroupDataStorePortsOpen = new(
        "OFFLOAD-AWS-EC2-002",
        "Security group allows ingress from the internet to database and data store ports",
        Severity.High,
        "Remove the inbound rules that allow 0.0.0.0/0 or ::/0 to the database or data store port, and allow it only "
        + "from the security groups of the applications that use it.",
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html");

    public static readonly PostureCheck BucketPublic = new(
        "OFFLOAD-AWS-S3-001",
        "S3 bucket is public",
        Severity.Critical,
        "Turn on S3 Block Public Access for the bucket (all four settings), or remove the bucket policy statements and "
        + "ACL grants that give access to everyone (Principal \"*\", AllUsers, AuthenticatedUsers). Serve public content "
        + "through CloudFront with origin access control instead.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html");

    public static readonly PostureCheck BucketWithoutDefaultEncryption = new(
        "OFFLOAD-AWS-S3-002",
        "S3 bucket has no default encryption configuration",
        Severity.Medium,
        "Set a default encryption configuration on the bucket (SSE-S3, or SSE-KMS with a customer managed key where key "
        + "control is required).",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html");

    public static IReadOnlyList<PostureCheck> All { get; } =
        [SecurityGroupAdminPortsOpen, SecurityGroupDataStorePortsOpen, BucketPublic, BucketWithoutDefaultEncryption];
}
