namespace OffloadSecurity.CloudSandbox.Aws.GuardDuty;

/// <summary>
/// GuardDuty finding types the generated findings are drawn from (names, severities and resource kinds as GuardDuty's
/// finding-type reference gives them), across the four severity bands.
/// </summary>
internal static class GuardDutyCatalog
{
    /// <summary>The kind of <c>resource</c> a finding type is about, as GuardDuty's <c>resourceType</c> names it.</summary>
    public enum ResourceKind
    {
        Instance,
        AccessKey,
        S3Bucket,
        EksCluster,
        AttackSequence,
    }

    /// <param name="ActionType">The <c>service.action.actionType</c>; null for attack sequences, which carry signals instead.</param>
    /// <param name="TitleFormat">{0}: the resource's name or id; {1}: a remote IP address; {2}: a principal name.</param>
    public sealed record FindingType(
        string Type, double Severity, ResourceKind Resource, string? ActionType, string TitleFormat, string DescriptionFormat);

    public static readonly FindingType[] Types =
    [
        new("Recon:EC2/PortProbeUnprotectedPort", 2, ResourceKind.Instance, "PORT_PROBE",
            "Unprotected port on EC2 instance {0} is being probed.",
            "EC2 instance {0} has an unprotected port which is being probed by a known malicious host {1}."),
        new("UnauthorizedAccess:EC2/SSHBruteForce", 2, ResourceKind.Instance, "NETWORK_CONNECTION",
            "{1} is performing SSH brute force attacks against {0}.",
            "{1} is performing SSH brute force attacks against {0}. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password."),
        new("Recon:EC2/Portscan", 5, ResourceKind.Instance, "NETWORK_CONNECTION",
            "Outbound portscan from EC2 instance {0}.",
            "EC2 instance {0} is performing outbound port scans against remote host {1}."),
        new("Backdoor:EC2/C&CActivity.B!DNS", 8, ResourceKind.Instance, "DNS_REQUEST",
            "Command and Control server domain name queried by EC2 instance {0}.",
            "EC2 instance {0} is querying a domain name associated with a known Command & Control server."),
        new("CryptoCurrency:EC2/BitcoinTool.B!DNS", 8, ResourceKind.Instance, "DNS_REQUEST",
            "Bitcoin-related domain name queried by EC2 instance {0}.",
            "EC2 instance {0} is querying a domain name that is associated with Bitcoin-related activity."),
        new("Recon:IAMUser/UserPermissions", 5, ResourceKind.AccessKey, "AWS_API_CALL",
            "Unusual user permission reconnaissance activity by {2}.",
            "APIs commonly used to discover the users, groups, policies and permissions in an account, was invoked by IAM principal {2} under unusual circumstances."),
        new("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8, ResourceKind.AccessKey, "AWS_API_CALL",
            "Credentials for instance role {2} used from external IP address.",
            "Credentials that were created exclusively for an EC2 instance using instance role {2} have been used from external IP address {1}."),
        new("Policy:S3/BucketBlockPublicAccessDisabled", 2, ResourceKind.S3Bucket, "AWS_API_CALL",
            "Amazon S3 Block Public Access was disabled for S3 bucket {0}.",
            "Amazon S3 Block Public Access was disabled for S3 bucket {0} by {2} calling PutBucketPublicAccessBlock."),
        new("Exfiltration:S3/AnomalousBehavior", 8, ResourceKind.S3Bucket, "AWS_API_CALL",
            "Anomalous S3 data access by {2} from bucket {0}.",
            "An IAM entity invoked an S3 API in a suspicious way: {2} read an unusual volume of objects from bucket {0}."),
        new("PrivilegeEscalation:Kubernetes/PrivilegedContainer", 5, ResourceKind.EksCluster, "KUBERNETES_API_CALL",
            "Privileged container with root level access launched on EKS Cluster {0}.",
            "A privileged container with root level access was launched on EKS Cluster {0} by {2}."),
        new("AttackSequence:IAM/CompromisedCredentials", 9, ResourceKind.AttackSequence, null,
            "Potential credential compromise of IAMUser/{2} indicated by a sequence of actions.",
            "A sequence of actions involving several signals indicating a possible credential compromise was observed for IAMUser/{2} from {1}."),
        new("AttackSequence:S3/CompromisedData", 9, ResourceKind.AttackSequence, null,
            "Potential data compromise of one or more S3 buckets involving a sequence of actions associated with IAMUser/{2}.",
            "A sequence of actions involving several signals indicating a possible data compromise of one or more S3 buckets was observed for IAMUser/{2}."),
    ];
}
