namespace OffloadSecurity.Scanners.Aws.Assets;

/// <summary>The ARNs our assets and check findings are keyed by (the inventory relates them by this id).</summary>
public static class AwsArns
{
    /// <summary>The partition of a region: <c>aws-cn</c> for China, <c>aws-us-gov</c> for GovCloud, else <c>aws</c>.</summary>
    public static string Partition(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    public static string SecurityGroup(string region, string ownerId, string groupId) =>
        $"arn:{Partition(region)}:ec2:{region}:{ownerId}:security-group/{groupId}";

    public static string Instance(string region, string ownerId, string instanceId) =>
        $"arn:{Partition(region)}:ec2:{region}:{ownerId}:instance/{instanceId}";

    /// <summary>A bucket's ARN names neither its region nor its account (bucket names are global).</summary>
    public static string Bucket(string region, string name) => $"arn:{Partition(region)}:s3:::{name}";
}
