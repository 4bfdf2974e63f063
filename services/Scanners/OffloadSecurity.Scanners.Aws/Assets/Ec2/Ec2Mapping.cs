using Amazon.EC2.Model;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;

namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>
/// The SDK's EC2 model to our records. SDK v4 leaves absent lists null (not empty) and value types nullable, so every
/// member is read defensively.
/// </summary>
internal static class Ec2Mapping
{
    public static SecurityGroupInfo? SecurityGroup(SecurityGroup group, string region)
    {
        if (string.IsNullOrEmpty(group.GroupId) || string.IsNullOrEmpty(group.OwnerId))
        {
            return null;
        }

        return new SecurityGroupInfo(
            group.GroupId, group.GroupName ?? group.GroupId, group.Description, group.VpcId, group.OwnerId, region,
            [.. (group.IpPermissions ?? []).Select(Rule)],
            [.. (group.IpPermissionsEgress ?? []).Select(Rule)],
            Tags(group.Tags),
            string.IsNullOrEmpty(group.SecurityGroupArn) ? null : group.SecurityGroupArn);
    }

    public static InstanceInfo? Instance(Instance instance, string ownerId, string region)
    {
        if (string.IsNullOrEmpty(instance.InstanceId) || string.IsNullOrEmpty(ownerId))
        {
            return null;
        }

        return new InstanceInfo(
            instance.InstanceId, ownerId, region, instance.State?.Name?.Value, instance.InstanceType?.Value, instance.ImageId,
            instance.VpcId, instance.SubnetId, instance.Placement?.AvailabilityZone, instance.PrivateIpAddress,
            instance.PublicIpAddress, SdkTime.Utc(instance.LaunchTime),
            instance.PlatformDetails ?? instance.Platform?.Value, instance.IamInstanceProfile?.Arn, instance.MetadataOptions?.HttpTokens?.Value,
            [.. (instance.SecurityGroups ?? []).Select(g => g.GroupId).OfType<string>()],
            Tags(instance.Tags));
    }

    private static SecurityGroupRule Rule(IpPermission permission) => new(
        permission.IpProtocol ?? "",
        permission.FromPort,
        permission.ToPort,
        [.. (permission.Ipv4Ranges ?? []).Select(r => r.CidrIp).OfType<string>()],
        [.. (permission.Ipv6Ranges ?? []).Select(r => r.CidrIpv6).OfType<string>()],
        [.. (permission.PrefixListIds ?? []).Select(p => p.Id).OfType<string>()],
        [.. (permission.UserIdGroupPairs ?? []).Select(p => p.GroupId).OfType<string>()]);

    private static Dictionary<string, string> Tags(List<Tag>? tags)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags ?? [])
        {
            if (!string.IsNullOrEmpty(tag.Key))
            {
                result[tag.Key] = tag.Value ?? "";
            }
        }

        return result;
    }
}
