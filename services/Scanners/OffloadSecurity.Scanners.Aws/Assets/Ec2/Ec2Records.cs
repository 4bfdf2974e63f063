namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>One rule of a security group (an <c>IpPermission</c>), as DescribeSecurityGroups returns it.</summary>
/// <param name="Protocol">As AWS gives it: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>-1</c> (all) or a protocol number.</param>
public sealed record SecurityGroupRule(
    string Protocol,
    int? FromPort,
    int? ToPort,
    IReadOnlyList<string> Ipv4Ranges,
    IReadOnlyList<string> Ipv6Ranges,
    IReadOnlyList<string> PrefixListIds,
    IReadOnlyList<string> SourceGroupIds);

/// <summary>A security group of a region, with its inbound and outbound rules and tags.</summary>
public sealed record SecurityGroupInfo(
    string GroupId,
    string GroupName,
    string? Description,
    string? VpcId,
    string OwnerId,
    string Region,
    IReadOnlyList<SecurityGroupRule> Ingress,
    IReadOnlyList<SecurityGroupRule> Egress,
    IReadOnlyDictionary<string, string> Tags,
    string? Arn = null)
{
    /// <summary>The ARN DescribeSecurityGroups gave, else the one AWS documents for the group.</summary>
    public string ResourceId => Arn ?? AwsArns.SecurityGroup(Region, OwnerId, GroupId);
}

/// <summary>An EC2 instance of a region, from DescribeInstances (its reservation's owner is the account).</summary>
public sealed record InstanceInfo(
    string InstanceId,
    string OwnerId,
    string Region,
    string? State,
    string? InstanceType,
    string? ImageId,
    string? VpcId,
    string? SubnetId,
    string? AvailabilityZone,
    string? PrivateIpAddress,
    string? PublicIpAddress,
    DateTimeOffset? LaunchTime,
    string? Platform,
    string? IamInstanceProfileArn,
    string? MetadataHttpTokens,
    IReadOnlyList<string> SecurityGroupIds,
    IReadOnlyDictionary<string, string> Tags)
{
    public string ResourceId => AwsArns.Instance(Region, OwnerId, InstanceId);

    /// <summary>Its <c>Name</c> tag, else its id.</summary>
    public string Name => Tags.TryGetValue("Name", out var name) && name.Length > 0 ? name : InstanceId;
}

/// <summary>One page of a Describe call: its items and the token of the next page (null on the last).</summary>
public sealed record Ec2Page<T>(IReadOnlyList<T> Items, string? NextToken);
