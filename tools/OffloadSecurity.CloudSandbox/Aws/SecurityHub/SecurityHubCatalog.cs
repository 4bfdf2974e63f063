namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>
/// Real-world material the generated findings are drawn from: Security Hub CSPM controls, CVEs that Inspector
/// reports, and GuardDuty finding types.
/// </summary>
internal static class SecurityHubCatalog
{
    public sealed record Control(
        string Id, string Title, string Description, string Severity, string ResourceType, string[] RelatedRequirements);

    public sealed record Cve(
        string Id, string Package, string Version, string FixedIn, string PackageManager, string Severity,
        double Score, string Vector, double Epss);

    public sealed record ThreatType(string Type, string AsffType, int Severity, string ResourceType, string TitleFormat);

    public static readonly Control[] Controls =
    [
        new("S3.5", "S3 general purpose buckets should require requests to use SSL",
            "This control checks whether Amazon S3 general purpose buckets have policies that require requests to use SSL.",
            "MEDIUM", "AwsS3Bucket", ["NIST.800-53.r5 AC-17(2)", "NIST.800-53.r5 SC-8", "PCI DSS v3.2.1/4.1"]),
        new("S3.8", "S3 general purpose buckets should block public access",
            "This control checks whether an Amazon S3 general purpose bucket blocks public access at the bucket level.",
            "HIGH", "AwsS3Bucket", ["CIS AWS Foundations Benchmark v3.0.0/2.1.4", "NIST.800-53.r5 AC-21"]),
        new("EC2.2", "VPC default security groups should not allow inbound or outbound traffic",
            "This control checks whether the default security group of a VPC allows inbound or outbound traffic.",
            "HIGH", "AwsEc2SecurityGroup", ["CIS AWS Foundations Benchmark v1.2.0/4.3", "PCI DSS v3.2.1/1.2.1"]),
        new("EC2.19", "Security groups should not allow unrestricted access to ports with high risk",
            "This control checks whether unrestricted incoming traffic is accessible to high-risk ports such as 22, 3389 and 5432.",
            "CRITICAL", "AwsEc2SecurityGroup", ["NIST.800-53.r5 AC-4", "NIST.800-53.r5 SC-7"]),
        new("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
            "This control checks whether your EC2 instance metadata version is configured with IMDSv2.",
            "HIGH", "AwsEc2Instance", ["NIST.800-53.r5 AC-3", "PCI DSS v4.0.1/2.2.6"]),
        new("EC2.9", "EC2 instances should not have a public IPv4 address",
            "This control checks whether EC2 instances have a public IP address.",
            "HIGH", "AwsEc2Instance", ["NIST.800-53.r5 AC-4", "PCI DSS v4.0.1/1.4.4"]),
        new("IAM.1", "IAM policies should not allow full \"*\" administrative privileges",
            "This control checks whether the default version of an IAM customer managed policy has administrator access.",
            "HIGH", "AwsIamPolicy", ["CIS AWS Foundations Benchmark v1.2.0/1.22", "PCI DSS v3.2.1/7.2.1"]),
        new("IAM.4", "IAM root user access key should not exist",
            "This control checks whether the root user access key is present.",
            "CRITICAL", "AwsAccount", ["CIS AWS Foundations Benchmark v1.2.0/1.12", "PCI DSS v3.2.1/2.1"]),
        new("KMS.4", "AWS KMS key rotation should be enabled",
            "This control checks whether automatic key rotation is enabled for each customer managed AWS KMS key.",
            "MEDIUM", "AwsKmsKey", ["CIS AWS Foundations Benchmark v1.2.0/2.8", "NIST.800-53.r5 SC-12"]),
    ];

    public static readonly Cve[] Cves =
    [
        new("CVE-2021-44228", "log4j-core", "2.14.1", "2.15.0", "JAR", "CRITICAL", 10.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 0.97),
        new("CVE-2023-37920", "certifi", "2022.12.7", "2023.7.22", "PYTHONPKG", "CRITICAL", 9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 0.0021),
        new("CVE-2023-4863", "libwebp", "1.2.4", "1.3.2", "OS", "HIGH", 8.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 0.42),
        new("CVE-2024-6387", "openssh", "8.9p1", "9.8p1", "OS", "HIGH", 8.1, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 0.38),
        new("CVE-2023-44487", "nghttp2", "1.51.0", "1.57.0", "OS", "HIGH", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 0.81),
        new("CVE-2022-25883", "semver", "7.5.1", "7.5.2", "NPM", "HIGH", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 0.0025),
        new("CVE-2022-32149", "golang.org/x/text", "v0.3.7", "0.3.8", "GOMOD", "HIGH", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 0.0012),
        new("CVE-2023-2650", "openssl", "1.1.1t", "1.1.1u", "OS", "MEDIUM", 6.5, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 0.0024),
    ];

    public static readonly ThreatType[] ThreatTypes =
    [
        new("Recon:EC2/PortProbeUnprotectedPort", "TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort", 2, "AwsEc2Instance",
            "Unprotected port on EC2 instance {0} is being probed."),
        new("UnauthorizedAccess:EC2/SSHBruteForce", "TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce", 2, "AwsEc2Instance",
            "198.51.100.7 is performing SSH brute force attacks against {0}."),
        new("Backdoor:EC2/C&CActivity.B", "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B", 8, "AwsEc2Instance",
            "EC2 instance {0} is communicating with a known command and control server IP address."),
        new("CryptoCurrency:EC2/BitcoinTool.B!DNS", "TTPs/Impact/CryptoCurrency:EC2-BitcoinTool.B!DNS", 8, "AwsEc2Instance",
            "EC2 instance {0} is querying a domain name that is associated with Bitcoin-related activity."),
        new("DefenseEvasion:EC2/UnusualDNSResolver", "TTPs/Defense Evasion/DefenseEvasion:EC2-UnusualDNSResolver", 5, "AwsEc2Instance",
            "EC2 instance {0} is communicating with an unusual DNS resolver."),
        new("Discovery:IAMUser/AnomalousBehavior", "TTPs/Discovery/Discovery:IAMUser-AnomalousBehavior", 2, "AwsIamAccessKey",
            "User AssumedRole : {0} is anomalously invoking APIs commonly used in Discovery tactics."),
        new("Policy:IAMUser/RootCredentialUsage", "Software and Configuration Checks/AWS Security Best Practices/Policy:IAMUser-RootCredentialUsage", 2, "AwsIamAccessKey",
            "API GetCallerIdentity was invoked using root credentials from {0}."),
    ];

    public static readonly string[] Workloads = ["payments", "checkout", "analytics", "audit-logs", "ml-training", "web-assets", "backups", "customer-exports"];

    public static readonly string[] EnvironmentNames = ["prod", "staging", "dev"];

    public static readonly string[] Teams = ["platform", "data", "payments", "security"];
}
