namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>An inbound rule that lets the whole internet reach some of the ports a check looks at.</summary>
/// <param name="Source">The world-wide source: <c>0.0.0.0/0</c> or <c>::/0</c>.</param>
/// <param name="Ports">The watched ports the rule opens, ascending.</param>
public sealed record Exposure(string Protocol, int? FromPort, int? ToPort, string Source, IReadOnlyList<int> Ports);

/// <summary>
/// Which watched ports a security group opens to the whole internet. A rule counts when its source is
/// <c>0.0.0.0/0</c> or <c>::/0</c> and it carries TCP (<c>tcp</c>, <c>6</c>), UDP (<c>udp</c>, <c>17</c>) or every
/// protocol (<c>-1</c>, which opens every port whatever range it names), with a port range that covers the port, as
/// CIS AWS Foundations 5.2/5.3 define it. ICMP and other protocols carry no ports and never count; sources narrower
/// than /0 (a VPC range, a prefix list, another security group) never count.
/// </summary>
public static class SecurityGroupExposure
{
    public const string AnyIpv4 = "0.0.0.0/0";
    public const string AnyIpv6 = "::/0";

    /// <summary>SSH and RDP: the remote administration ports of CIS AWS Foundations 5.2/5.3.</summary>
    public static readonly IReadOnlyList<int> AdministrationPorts = [22, 3389];

    /// <summary>
    /// Database and data store ports that should never face the internet: SQL Server 1433, Oracle 1521, MySQL/MariaDB
    /// 3306, PostgreSQL 5432, Redis 6379, Elasticsearch/OpenSearch 9200, MongoDB 27017.
    /// </summary>
    public static readonly IReadOnlyList<int> DataStorePorts = [1433, 1521, 3306, 5432, 6379, 9200, 27017];

    public static IReadOnlyList<Exposure> OpenToTheInternet(SecurityGroupInfo group, IReadOnlyList<int> ports)
    {
        ArgumentNullException.ThrowIfNull(group);
        var exposures = new List<Exposure>();
        foreach (var rule in group.Ingress)
        {
            if (PortRange(rule) is not var (from, to))
            {
                continue;
            }

            var opened = ports.Where(p => p >= from && p <= to).Order().ToList();
            if (opened.Count == 0)
            {
                continue;
            }

            foreach (var source in rule.Ipv4Ranges.Where(c => Is(c, AnyIpv4)).Select(_ => AnyIpv4).Distinct()
                .Concat(rule.Ipv6Ranges.Where(c => Is(c, AnyIpv6)).Select(_ => AnyIpv6).Distinct()))
            {
                exposures.Add(new Exposure(rule.Protocol, rule.FromPort, rule.ToPort, source, opened));
            }
        }

        return exposures;
    }

    /// <summary>The ports a rule opens, or null for a protocol that has none (ICMP, ESP, ...).</summary>
    private static (int From, int To)? PortRange(SecurityGroupRule rule)
    {
        switch (rule.Protocol.Trim().ToLowerInvariant())
        {
            case "-1" or "all":
                return (0, 65535);
            case "tcp" or "6" or "udp" or "17":
                // A missing or -1 bound (as for ICMP) means no bound on that side.
                var from = rule.FromPort is { } f && f >= 0 ? f : 0;
                var to = rule.ToPort is { } t && t >= 0 ? t : 65535;
                return (from, to);
            default:
                return null;
        }
    }

    private static bool Is(string cidr, string world) => string.Equals(cidr.Trim(), world, StringComparison.Ordinal);
}
