using System.Text.Json;
using OffloadSecurity.Contracts.Findings;
using static OffloadSecurity.Scanners.Aws.Normalization.AwsJson;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// GuardDuty's <c>resource</c> to a <see cref="ResourceRef"/>, with the resource types and ids Security Hub uses for
/// the same resources (<c>AwsEc2Instance</c> and its ARN, <c>AwsIamAccessKey</c> and <c>AWS::IAM::AccessKey:{id}</c>,
/// ...), so one resource is one resource whichever source reported it. Findings about no single resource (attack
/// sequences, findings without a <c>resource</c>, types not known here) are about the account.
/// </summary>
public static class GuardDutyResource
{
    public const string AccountType = "AwsAccount";

    public static ResourceRef Of(GuardDutyFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var resource = Get(finding.Json, "resource");
        var mapped = finding.ResourceType switch
        {
            "Instance" => Instance(finding, Get(resource, "instanceDetails")),
            "AccessKey" => AccessKey(Get(resource, "accessKeyDetails")),
            "S3Bucket" => S3Bucket(finding, Items(resource, "s3BucketDetails").FirstOrDefault()),
            "EKSCluster" => Named("AwsEksCluster", Get(resource, "eksClusterDetails"), "arn", "name",
                name => $"arn:{Partition(finding)}:eks:{finding.Region}:{finding.AccountId}:cluster/{name}"),
            "ECSCluster" => Named("AwsEcsCluster", Get(resource, "ecsClusterDetails"), "arn", "name",
                name => $"arn:{Partition(finding)}:ecs:{finding.Region}:{finding.AccountId}:cluster/{name}"),
            "Lambda" => Named("AwsLambdaFunction", Get(resource, "lambdaDetails"), "functionArn", "functionName",
                name => $"arn:{Partition(finding)}:lambda:{finding.Region}:{finding.AccountId}:function:{name}"),
            "RDSDBInstance" => Named("AwsRdsDbInstance", Get(resource, "rdsDbInstanceDetails"), "dbInstanceArn", "dbInstanceIdentifier",
                name => $"arn:{Partition(finding)}:rds:{finding.Region}:{finding.AccountId}:db:{name}"),
            "RDSLimitlessDB" => Named("AwsRdsDbShardGroup", Get(resource, "rdsLimitlessDbDetails"), "dbShardGroupArn", "dbShardGroupIdentifier", null),
            "Container" => Named("Container", Get(resource, "containerDetails"), "id", "name", null),
            "EBSSnapshot" => Named("AwsEc2Snapshot", Get(resource, "ebsSnapshotDetails"), "snapshotArn", null, null),
            "EC2Image" => Named("AwsEc2Image", Get(resource, "ec2ImageDetails"), "imageArn", null, null),
            "RecoveryPoint" => Named("AwsBackupRecoveryPoint", Get(resource, "recoveryPointDetails"), "recoveryPointArn", null, null),
            _ => null,
        };

        return (mapped ?? Account(finding)) with { Region = finding.Region };
    }

    private static ResourceRef? Instance(GuardDutyFinding finding, JsonElement? details)
    {
        if (Text(details, "instanceId") is not { } instanceId)
        {
            return null;
        }

        var tags = Tags(Get(details, "tags"));
        return new ResourceRef
        {
            Type = "AwsEc2Instance",
            Id = $"arn:{Partition(finding)}:ec2:{finding.Region}:{finding.AccountId}:instance/{instanceId}",
            Name = tags.GetValueOrDefault("Name") ?? instanceId,
            Tags = tags,
        };
    }

    private static ResourceRef? AccessKey(JsonElement? details) =>
        Text(details, "accessKeyId") is { } accessKeyId
            ? new ResourceRef
            {
                Type = "AwsIamAccessKey",
                Id = "AWS::IAM::AccessKey:" + accessKeyId,
                Name = Text(details, "userName") ?? accessKeyId,
            }
            : null;

    private static ResourceRef? S3Bucket(GuardDutyFinding finding, JsonElement bucket)
    {
        var name = Text(bucket, "name");
        var arn = Text(bucket, "arn") ?? (name is null ? null : $"arn:{Partition(finding)}:s3:::{name}");
        return arn is null
            ? null
            : new ResourceRef { Type = "AwsS3Bucket", Id = arn, Name = name ?? LastSegment(arn), Tags = Tags(Get(bucket, "tags")) };
    }

    /// <summary>A resource known by an ARN (or id) member, else by a name the ARN can be built from.</summary>
    private static ResourceRef? Named(
        string type, JsonElement? details, string idMember, string? nameMember, Func<string, string>? arnFromName)
    {
        var name = nameMember is null ? null : Text(details, nameMember);
        var id = Text(details, idMember) ?? (name is not null ? arnFromName?.Invoke(name) : null);
        return id is null
            ? null
            : new ResourceRef { Type = type, Id = id, Name = name ?? LastSegment(id), Tags = Tags(Get(details, "tags")) };
    }

    private static ResourceRef Account(GuardDutyFinding finding)
    {
        var account = finding.AccountId ?? "unknown";
        return new ResourceRef { Type = AccountType, Id = "AWS::::Account:" + account, Name = account };
    }

    private static string Partition(GuardDutyFinding finding) => finding.Partition ?? "aws";

    private static string LastSegment(string id) => id.Split(['/', ':'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts[^1] : id;
}
