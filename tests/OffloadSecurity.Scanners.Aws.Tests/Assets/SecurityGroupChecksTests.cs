using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Assets.Checks;
using OffloadSecurity.Scanners.Aws.Assets.Ec2;
using OffloadSecurity.Scanners.Core.Normalization;

namespace OffloadSecurity.Scanners.Aws.Tests.Assets;

public sealed class SecurityGroupChecksTests
{
    private static readonly CheckContext Context = new("tenant-a", Guid.Parse("5d0c8f0e-58d8-4f06-9d1a-0b0fbc3f1a11"), "aws.ec2");

    [Fact]
    public void Flags_ssh_open_to_the_world_as_a_high_CIS_5_2_compliance_finding()
    {
        var finding = Admin(Group(Tcp(22, 22, ipv4: "0.0.0.0/0"))).ShouldHaveSingleItem();

        (finding.Class, finding.Severity, finding.SeverityId, finding.State).ShouldBe((FindingClass.Compliance, Severity.High, 4, ObservedState.Open));
        finding.Compliance.ShouldBe([new ComplianceRef { Requirement = "CIS AWS Foundations Benchmark v2.0.0/5.2", Status = "FAILED" }]);
        (finding.Source, finding.ProductName, finding.Provider, finding.CloudAccountId, finding.Region)
            .ShouldBe(("aws.ec2", "Offload Security", CloudProvider.Aws, "111122223333", "us-east-1"));
        (finding.Resource.Type, finding.Resource.Name, finding.Resource.Region).ShouldBe(("AwsEc2SecurityGroup", "bastion", "us-east-1"));
        finding.Resource.Tags.ShouldBe(new Dictionary<string, string> { ["Team"] = "platform" });
        finding.Resource.Id.ShouldBe("arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0");
        finding.NativeId.ShouldBe("OFFLOAD-AWS-EC2-001/arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0");
        finding.Fingerprint.ShouldBe(Fingerprint.ForFinding(Context.TenantId, Context.AccountId, "aws.ec2", finding.NativeId));
        finding.Description.ShouldNotBeNull().ShouldContain("port 22");
        finding.RemediationUrl.ShouldBe("https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html");
    }

    [Fact]
    public void Does_not_flag_ssh_from_a_private_range()
    {
        Admin(Group(Tcp(22, 22, ipv4: "10.0.0.0/8"))).ShouldBeEmpty();
    }

    [Fact]
    public void Does_not_flag_https_open_to_the_world()
    {
        SecurityGroupChecks.Evaluate(Group(Tcp(443, 443, ipv4: "0.0.0.0/0", ipv6: "::/0")), Context).ShouldBeEmpty();
    }

    [Fact]
    public void Flags_all_traffic_rules_whatever_ports_they_name()
    {
        var group = Group(new SecurityGroupRule("-1", null, null, ["0.0.0.0/0"], [], [], []));

        SecurityGroupChecks.Evaluate(group, Context).Select(f => f.NativeId[..19]).ShouldBe(["OFFLOAD-AWS-EC2-001", "OFFLOAD-AWS-EC2-002"]);
    }

    [Fact]
    public void Flags_a_port_range_that_covers_an_admin_port()
    {
        Admin(Group(Tcp(0, 65535, ipv4: "0.0.0.0/0"))).ShouldHaveSingleItem();
        Admin(Group(Tcp(3000, 4000, ipv4: "0.0.0.0/0"))).ShouldHaveSingleItem().Description.ShouldNotBeNull().ShouldContain("3389");
        Admin(Group(Tcp(23, 3388, ipv4: "0.0.0.0/0"))).ShouldBeEmpty();
    }

    [Fact]
    public void Flags_rdp_open_to_all_IPv6_addresses_as_CIS_5_3()
    {
        var finding = Admin(Group(Tcp(3389, 3389, ipv6: "::/0"))).ShouldHaveSingleItem();

        finding.Compliance.Select(c => c.Requirement).ShouldBe(["CIS AWS Foundations Benchmark v2.0.0/5.3"]);
    }

    [Fact]
    public void Counts_udp_and_protocol_numbers_but_not_icmp()
    {
        Admin(Group(new SecurityGroupRule("udp", 3389, 3389, ["0.0.0.0/0"], [], [], []))).ShouldHaveSingleItem();
        Admin(Group(new SecurityGroupRule("6", 22, 22, ["0.0.0.0/0"], [], [], []))).ShouldHaveSingleItem();
        Admin(Group(new SecurityGroupRule("icmp", -1, -1, ["0.0.0.0/0"], [], [], []))).ShouldBeEmpty();
        Admin(Group(new SecurityGroupRule("50", null, null, ["0.0.0.0/0"], [], [], []))).ShouldBeEmpty();
    }

    [Fact]
    public void Egress_rules_and_security_group_sources_never_count()
    {
        var group = Group(new SecurityGroupRule("-1", null, null, [], [], ["pl-12345678"], ["sg-0aaaaaaaaaaaaaaaa"])) with
        {
            Egress = [new SecurityGroupRule("-1", null, null, ["0.0.0.0/0"], ["::/0"], [], [])],
        };

        SecurityGroupChecks.Evaluate(group, Context).ShouldBeEmpty();
    }

    [Fact]
    public void Flags_database_ports_open_to_the_world_separately()
    {
        var finding = SecurityGroupChecks.Evaluate(Group(Tcp(5432, 5432, ipv4: "0.0.0.0/0")), Context).ShouldHaveSingleItem();

        finding.NativeId.ShouldStartWith("OFFLOAD-AWS-EC2-002/");
        finding.Compliance.ShouldBeEmpty();
    }

    [Fact]
    public void The_same_group_gives_the_same_finding_on_every_scan()
    {
        var first = SecurityGroupChecks.Evaluate(Group(Tcp(22, 22, ipv4: "0.0.0.0/0"), Tcp(3389, 3389, ipv6: "::/0")), Context).Single();
        var second = SecurityGroupChecks.Evaluate(Group(Tcp(22, 22, ipv4: "0.0.0.0/0"), Tcp(3389, 3389, ipv6: "::/0")), Context).Single();

        second.ShouldBeEquivalentTo(first);
        first.Compliance.Count.ShouldBe(2);
        using var raw = JsonDocument.Parse(first.RawJson);
        raw.RootElement.GetProperty("checkId").GetString().ShouldBe("OFFLOAD-AWS-EC2-001");
        raw.RootElement.GetProperty("evidence").GetProperty("rules").GetArrayLength().ShouldBe(2);
    }

    private static IReadOnlyList<NormalizedFinding> Admin(SecurityGroupInfo group) =>
        [.. SecurityGroupChecks.Evaluate(group, Context).Where(f => f.NativeId.StartsWith(AwsChecks.SecurityGroupAdminPortsOpen.Id, StringComparison.Ordinal))];

    private static SecurityGroupRule Tcp(int from, int to, string? ipv4 = null, string? ipv6 = null) =>
        new("tcp", from, to, ipv4 is null ? [] : [ipv4], ipv6 is null ? [] : [ipv6], [], []);

    private static SecurityGroupInfo Group(params SecurityGroupRule[] ingress) => new(
        "sg-0123456789abcdef0", "bastion", "bastion hosts", "vpc-0abc", "111122223333", "us-east-1", ingress, [],
        new Dictionary<string, string> { ["Team"] = "platform" });
}
