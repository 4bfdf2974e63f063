using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Inventory;

namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>Security groups and instances as observed assets: keyed by their ARNs, tagged as EC2 describes them.</summary>
public static class Ec2Assets
{
    public const string InstanceType = "AwsEc2Instance";

    public static ObservedAsset SecurityGroup(string tenantId, SecurityGroupInfo group) => new()
    {
        Fingerprint = AssetFingerprint.For(tenantId, CloudProvider.Aws, group.ResourceId),
        Provider = CloudProvider.Aws,
        Type = SecurityGroupChecks.ResourceType,
        Id = group.ResourceId,
        Name = group.GroupName,
        Region = group.Region,
        Tags = group.Tags,
        RawJson = AssetJson.Of(group),
    };

    public static ObservedAsset Instance(string tenantId, InstanceInfo instance) => new()
    {
        Fingerprint = AssetFingerprint.For(tenantId, CloudProvider.Aws, instance.ResourceId),
        Provider = CloudProvider.Aws,
        Type = InstanceType,
        Id = instance.ResourceId,
        Name = instance.Name,
        Region = instance.Region,
        Tags = instance.Tags,
        RawJson = AssetJson.Of(instance),
    };
}
