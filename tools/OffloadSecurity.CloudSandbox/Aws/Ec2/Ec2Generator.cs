using OffloadSecurity.CloudSandbox.Aws.SecurityHub;

namespace OffloadSecurity.CloudSandbox.Aws.Ec2;

/// <summary>
/// The security groups and instances of an account's region, derived from seeds so nothing is stored: group
/// <c>i</c> and instance <c>j</c> are always the same. Groups cycle through <see cref="Templates"/>, a catalog of
/// realistic rules of which some open administration or database ports to the internet.
/// </summary>
internal static class Ec2Generator
{
    public const string AnyIpv4 = "0.0.0.0/0";
    public const string AnyIpv6 = "::/0";

    /// <summary>One rule; <paramref name="SelfReference"/> allows the group itself as source.</summary>
    public sealed record Rule(
        string Protocol, int? FromPort, int? ToPort, string[]? Ipv4 = null, string[]? Ipv6 = null, string[]? PrefixLists = null, bool SelfReference = false)
    {
        public string[] Ipv4Ranges => Ipv4 ?? [];
        public string[] Ipv6Ranges => Ipv6 ?? [];
        public string[] PrefixListIds => PrefixLists ?? [];
    }

    /// <param name="OpensAdminPorts">Whether the template allows 22 or 3389 from 0.0.0.0/0 or ::/0 (OFFLOAD-AWS-EC2-001).</param>
    /// <param name="OpensDataStorePorts">Whether it allows a database port from the internet (OFFLOAD-AWS-EC2-002).</param>
    public sealed record Template(string Name, string Description, Rule[] Ingress, bool OpensAdminPorts, bool OpensDataStorePorts);

    public sealed record SecurityGroup(int Index, string GroupId, string Name, string Description, string VpcId, Template Template, IReadOnlyDictionary<string, string> Tags);

    public sealed record Instance(
        int Index, string InstanceId, string ReservationId, string ImageId, string InstanceType, string State, int StateCode, string SubnetId,
        string VpcId, string AvailabilityZone, string PrivateIp, string? PublicIp, DateTimeOffset LaunchTime, SecurityGroup Group,
        IReadOnlyDictionary<string, string> Tags);

    public static readonly Template[] Templates =
    [
        new("default", "default VPC security group", [new Rule("-1", null, null, SelfReference: true)], false, false),
        new("web-public", "HTTP and HTTPS from anywhere",
            [new Rule("tcp", 80, 80, [AnyIpv4], [AnyIpv6]), new Rule("tcp", 443, 443, [AnyIpv4], [AnyIpv6])], false, false),
        new("ssh-open", "SSH from anywhere", [new Rule("tcp", 22, 22, [AnyIpv4])], true, false),
        new("ssh-internal", "SSH from the corporate network", [new Rule("tcp", 22, 22, ["10.0.0.0/8", "192.168.0.0/16"])], false, false),
        new("rdp-ipv6", "RDP for the Windows fleet", [new Rule("tcp", 3389, 3389, Ipv6: [AnyIpv6])], true, false),
        new("all-traffic-open", "temporary: open everything", [new Rule("-1", null, null, [AnyIpv4])], true, true),
        new("wide-port-range", "legacy app, all TCP ports", [new Rule("tcp", 0, 65535, [AnyIpv4])], true, true),
        new("postgres-public", "PostgreSQL for the reporting tool", [new Rule("tcp", 5432, 5432, [AnyIpv4])], false, true),
        new("app-internal", "app tier",
            [new Rule("tcp", 8080, 8080, SelfReference: true), new Rule("tcp", 443, 443, PrefixLists: ["pl-6da54004"])], false, false),
        new("icmp-open", "ping from anywhere", [new Rule("icmp", -1, -1, [AnyIpv4])], false, false),
        new("dns-udp", "DNS resolvers", [new Rule("udp", 53, 53, [AnyIpv4])], false, false),
    ];

    private static readonly string[] Teams = ["payments", "platform", "data", "identity", "web"];
    private static readonly string[] InstanceTypes = ["t3.micro", "t3.medium", "m6i.large", "c6g.xlarge", "r6i.2xlarge"];

    public static string VpcId(string accountId, string region) =>
        "vpc-" + SandboxRandom.Hex(SandboxRandom.For($"ec2/{accountId}/{region}/vpc"), 17);

    public static SecurityGroup SecurityGroupAt(string accountId, string region, int index)
    {
        var random = SandboxRandom.For($"ec2/{accountId}/{region}/sg/{index}");
        var template = Templates[index % Templates.Length];
        var suffix = index < Templates.Length ? "" : "-" + (index / Templates.Length);
        var name = template.Name == "default" && index == 0 ? "default" : template.Name + suffix;
        var team = SandboxRandom.Pick(random, Teams);
        var tags = index == 0
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["Name"] = name, ["Team"] = team, ["Environment"] = index % 2 == 0 ? "production" : "staging" };
        return new SecurityGroup(index, "sg-" + SandboxRandom.Hex(random, 17), name, template.Description, VpcId(accountId, region), template, tags);
    }

    public static IEnumerable<SecurityGroup> SecurityGroups(SandboxAwsAccount account, string region) =>
        Enumerable.Range(0, account.Ec2SecurityGroups).Select(i => SecurityGroupAt(account.AccountId, region, i));

    /// <summary>
    /// Instance <paramref name="index"/>: in one of the region's groups (or a default group when the account has none),
    /// running, except every seventh (stopped) and every tenth (terminated); two per reservation.
    /// </summary>
    public static Instance InstanceAt(SandboxAwsAccount account, string region, int index)
    {
        var random = SandboxRandom.For($"ec2/{account.AccountId}/{region}/instance/{index}");
        var group = SecurityGroupAt(account.AccountId, region, account.Ec2SecurityGroups == 0 ? 0 : index % account.Ec2SecurityGroups);
        var (state, code) = index % 10 == 9 ? ("terminated", 48) : index % 7 == 6 ? ("stopped", 80) : ("running", 16);
        var reservation = SandboxRandom.For($"ec2/{account.AccountId}/{region}/reservation/{index / 2}");
        var zone = region + (char)('a' + random.Next(3));
        var name = $"{SandboxRandom.Pick(random, Teams)}-app-{index:000}";
        return new Instance(
            index, "i-" + SandboxRandom.Hex(random, 17), "r-" + SandboxRandom.Hex(reservation, 17), "ami-" + SandboxRandom.Hex(random, 17),
            SandboxRandom.Pick(random, InstanceTypes), state, code, "subnet-" + SandboxRandom.Hex(random, 17), VpcId(account.AccountId, region),
            zone, $"10.0.{random.Next(256)}.{random.Next(1, 255)}", state == "running" && index % 2 == 0 ? $"54.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}" : null,
            FindingGenerator.Epoch.AddDays(-random.Next(400)).AddSeconds(-random.Next(86_400)), group,
            new Dictionary<string, string> { ["Name"] = name, ["Environment"] = index % 3 == 0 ? "production" : "staging" });
    }

    public static IEnumerable<Instance> Instances(SandboxAwsAccount account, string region) =>
        Enumerable.Range(0, account.Ec2Instances).Select(i => InstanceAt(account, region, i));

    public static string SecurityGroupArn(string accountId, string region, string groupId) =>
        $"arn:aws:ec2:{region}:{accountId}:security-group/{groupId}";

    public static string InstanceArn(string accountId, string region, string instanceId) =>
        $"arn:aws:ec2:{region}:{accountId}:instance/{instanceId}";
}
