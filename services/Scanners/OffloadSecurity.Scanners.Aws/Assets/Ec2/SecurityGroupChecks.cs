using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Assets.Checks;

namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>
/// OFFLOAD-AWS-EC2-001 (administration ports open to the internet) and OFFLOAD-AWS-EC2-002 (database and data store
/// ports open to the internet) on one security group: a finding for each check the group fails, none when it passes.
/// </summary>
public static class SecurityGroupChecks
{
    public const string ResourceType = "AwsEc2SecurityGroup";

    /// <summary>CIS AWS Foundations Benchmark v2.0.0 controls on administration ports (IPv4 and IPv6 sources).</summary>
    public const string CisIpv4 = "CIS AWS Foundations Benchmark v2.0.0/5.2";
    public const string CisIpv6 = "CIS AWS Foundations Benchmark v2.0.0/5.3";

    public static IReadOnlyList<NormalizedFinding> Evaluate(SecurityGroupInfo group, CheckContext context)
    {
        ArgumentNullException.ThrowIfNull(group);
        var findings = new List<NormalizedFinding>(2);
        var admin = SecurityGroupExposure.OpenToTheInternet(group, SecurityGroupExposure.AdministrationPorts);
        if (admin.Count > 0)
        {
            IReadOnlyList<ComplianceRef> cis =
            [
                .. admin.Any(e => e.Source == SecurityGroupExposure.AnyIpv4) ? [new ComplianceRef { Requirement = CisIpv4, Status = "FAILED" }] : Array.Empty<ComplianceRef>(),
                .. admin.Any(e => e.Source == SecurityGroupExposure.AnyIpv6) ? [new ComplianceRef { Requirement = CisIpv6, Status = "FAILED" }] : Array.Empty<ComplianceRef>(),
            ];
            findings.Add(Finding(AwsChecks.SecurityGroupAdminPortsOpen, group, context, admin, "remote administration", cis));
        }

        var dataStores = SecurityGroupExposure.OpenToTheInternet(group, SecurityGroupExposure.DataStorePorts);
        if (dataStores.Count > 0)
        {
            findings.Add(Finding(AwsChecks.SecurityGroupDataStorePortsOpen, group, context, dataStores, "database and data store", []));
        }

        return findings;
    }

    public static ResourceRef Resource(SecurityGroupInfo group) => new()
    {
        Type = ResourceType,
        Id = group.ResourceId,
        Name = group.GroupName,
        Region = group.Region,
        Tags = group.Tags,
    };

    private static NormalizedFinding Finding(
        PostureCheck check, SecurityGroupInfo group, CheckContext context, IReadOnlyList<Exposure> exposures, string kind,
        IReadOnlyList<ComplianceRef> compliance)
    {
        var ports = exposures.SelectMany(e => e.Ports).Distinct().Order();
        var sources = exposures.Select(e => e.Source).Distinct();
        var description = $"Security group {group.GroupName} ({group.GroupId}{(group.VpcId is null ? "" : ", " + group.VpcId)}) allows inbound "
            + $"traffic from {string.Join(" and ", sources)} to {kind} port{(ports.Count() == 1 ? "" : "s")} {string.Join(", ", ports)} "
            + $"through {exposures.Count} rule{(exposures.Count == 1 ? "" : "s")}.";
        var evidence = new { groupId = group.GroupId, groupName = group.GroupName, vpcId = group.VpcId, rules = exposures };
        return CheckFindings.Failed(check, context, Resource(group), group.OwnerId, description, compliance, evidence);
    }
}
