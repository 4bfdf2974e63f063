using System.Globalization;
using System.Text;
using System.Text.Json;
using static OffloadSecurity.CloudSandbox.Aws.SecurityHub.SecurityHubCatalog;

namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>
/// Writes ASFF findings that look like real Security Hub output: CSPM control results, Inspector CVEs and
/// GuardDuty threats. Finding <c>n</c> of an account and region is always the same (seeded by all three), so
/// nothing is stored and any page can be produced on demand.
/// </summary>
internal static class FindingGenerator
{
    /// <summary>All timestamps lie in the year before this instant, so output never changes with the clock.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private const int ArchivedPercent = 12;

    public static string RecordState(string accountId, string region, int index) =>
        RecordState(NewRandom(accountId, region, index));

    public static void Write(Utf8JsonWriter json, string accountId, string region, int index)
    {
        var random = NewRandom(accountId, region, index);
        var finding = new Context(json, random, accountId, region, RecordState(random));
        var kind = random.Next(100);
        if (kind < 60)
        {
            WriteControlFinding(finding);
        }
        else if (kind < 85)
        {
            WriteInspectorFinding(finding);
        }
        else
        {
            WriteGuardDutyFinding(finding);
        }
    }

    private sealed record Context(Utf8JsonWriter Json, Random Random, string AccountId, string Region, string RecordState);

    private sealed record Resource(string Type, string Id, string Name, string? DetailsKey, (string Name, string Value)[] Details);

    private static void WriteControlFinding(Context f)
    {
        var (json, random) = (f.Json, f.Random);
        var control = Pick(random, Controls);
        var passed = random.Next(100) < 35;
        var id = $"arn:aws:securityhub:{f.Region}:{f.AccountId}:security-control/{control.Id}/finding/{NewGuid(random)}";
        var productArn = $"arn:aws:securityhub:{f.Region}::product/aws/securityhub";
        var workflow = passed ? "RESOLVED" : Pick(random, "NEW", "NEW", "NEW", "NOTIFIED", "SUPPRESSED");

        json.WriteStartObject();
        WriteCommon(f, id, productArn, "Security Hub", "AWS", $"security-control/{control.Id}",
            "Software and Configuration Checks/Industry and Regulatory Standards", control.Title, control.Description,
            passed ? "INFORMATIONAL" : control.Severity, workflow);
        WriteRemediation(json, "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
            $"https://docs.aws.amazon.com/console/securityhub/{control.Id}/remediation");
        json.WriteStartObject("Compliance");
        json.WriteString("Status", passed ? "PASSED" : "FAILED");
        json.WriteString("SecurityControlId", control.Id);
        WriteStrings(json, "RelatedRequirements", control.RelatedRequirements);
        json.WriteStartArray("AssociatedStandards");
        json.WriteStartObject();
        json.WriteString("StandardsId", "standards/aws-foundational-security-best-practices/v/1.0.0");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        WriteProductFields(json, productArn, id, ("ControlId", control.Id), ("aws/securityhub/ProductName", "Security Hub"));
        WriteResources(f, NewResource(f, control.ResourceType));
        json.WriteEndObject();
    }

    private static void WriteInspectorFinding(Context f)
    {
        var (json, random) = (f.Json, f.Random);
        var cve = Pick(random, Cves);
        var onImage = cve.PackageManager != "OS" || random.Next(2) == 0;
        var resource = NewResource(f, onImage ? "AwsEcrContainerImage" : "AwsEc2Instance");
        var id = $"arn:aws:inspector2:{f.Region}:{f.AccountId}:finding/{Hex(random, 32)}";
        var productArn = $"arn:aws:securityhub:{f.Region}::product/aws/inspector";
        var nvdUrl = $"https://nvd.nist.gov/vuln/detail/{cve.Id}";

        json.WriteStartObject();
        WriteCommon(f, id, productArn, "Inspector", "Amazon", "AWSInspector",
            "Software and Configuration Checks/Vulnerabilities/CVE", $"{cve.Id} - {cve.Package}",
            $"{cve.Package} {cve.Version} on {resource.Name} is affected by {cve.Id}.", cve.Severity,
            Pick(random, "NEW", "NEW", "NEW", "NOTIFIED", "SUPPRESSED"));
        WriteRemediation(json, $"Upgrade {cve.Package} to version {cve.FixedIn} or later.", nvdUrl);
        json.WriteStartArray("Vulnerabilities");
        json.WriteStartObject();
        json.WriteString("Id", cve.Id);
        json.WriteStartArray("VulnerablePackages");
        json.WriteStartObject();
        json.WriteString("Name", cve.Package);
        json.WriteString("Version", cve.Version);
        json.WriteString("PackageManager", cve.PackageManager);
        json.WriteString("FixedInVersion", cve.FixedIn);
        json.WriteString("Remediation", $"Upgrade to {cve.FixedIn}");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("Cvss");
        json.WriteStartObject();
        json.WriteString("Version", "3.1");
        json.WriteNumber("BaseScore", cve.Score);
        json.WriteString("BaseVector", cve.Vector);
        json.WriteString("Source", "NVD");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("Vendor");
        json.WriteString("Name", "NVD");
        json.WriteString("Url", nvdUrl);
        json.WriteString("VendorSeverity", cve.Severity);
        json.WriteEndObject();
        WriteStrings(json, "ReferenceUrls", [nvdUrl]);
        json.WriteString("FixAvailable", "YES");
        json.WriteString("ExploitAvailable", cve.Epss > 0.1 ? "YES" : "NO");
        json.WriteNumber("EpssScore", cve.Epss);
        json.WriteEndObject();
        json.WriteEndArray();
        WriteProductFields(json, productArn, id,
            ("aws/inspector/FindingStatus", f.RecordState == "ACTIVE" ? "ACTIVE" : "CLOSED"),
            ("aws/inspector/inspectorScore", cve.Score.ToString("0.0", CultureInfo.InvariantCulture)),
            ("aws/inspector/ProductVersion", "2"));
        WriteResources(f, resource);
        json.WriteEndObject();
    }

    private static void WriteGuardDutyFinding(Context f)
    {
        var (json, random) = (f.Json, f.Random);
        var threat = Pick(random, ThreatTypes);
        var resource = NewResource(f, threat.ResourceType);
        var detector = Hex(NewRandom(f.AccountId, f.Region, -1), 32);
        var findingId = Hex(random, 32);
        var id = $"arn:aws:guardduty:{f.Region}:{f.AccountId}:detector/{detector}/finding/{findingId}";
        var productArn = $"arn:aws:securityhub:{f.Region}::product/aws/guardduty";
        var title = string.Format(CultureInfo.InvariantCulture, threat.TitleFormat, resource.Name);

        json.WriteStartObject();
        WriteCommon(f, id, productArn, "GuardDuty", "Amazon", $"arn:aws:guardduty:{f.Region}:{f.AccountId}:detector/{detector}",
            threat.AsffType, title, title, GuardDutySeverityLabel(threat.Severity),
            f.RecordState == "ARCHIVED" ? "RESOLVED" : Pick(random, "NEW", "NEW", "NEW", "NOTIFIED"),
            productSeverity: threat.Severity);
        json.WriteString("SourceUrl",
            $"https://{f.Region}.console.aws.amazon.com/guardduty/home?region={f.Region}#/findings?macros=current&fId={findingId}");
        WriteRemediation(json, $"Investigate and remediate the {threat.Type} finding as the GuardDuty user guide describes.",
            "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_remediate.html");
        WriteProductFields(json, productArn, id,
            ("aws/guardduty/service/archived", f.RecordState == "ARCHIVED" ? "true" : "false"),
            ("aws/guardduty/service/count", (1 + random.Next(300)).ToString(CultureInfo.InvariantCulture)),
            ("aws/guardduty/service/detectorId", detector));
        WriteResources(f, resource);
        json.WriteEndObject();
    }

    private static void WriteCommon(
        Context f, string id, string productArn, string productName, string companyName, string generatorId,
        string type, string title, string description, string severityLabel, string workflowStatus, int? productSeverity = null)
    {
        var json = f.Json;
        var firstObserved = Epoch.AddDays(-1 - f.Random.Next(365)).AddSeconds(-f.Random.Next(86_400));
        var updated = firstObserved.AddDays(f.Random.NextDouble() * 30);

        json.WriteString("SchemaVersion", "2018-10-08");
        json.WriteString("Id", id);
        json.WriteString("ProductArn", productArn);
        json.WriteString("ProductName", productName);
        json.WriteString("CompanyName", companyName);
        json.WriteString("Region", f.Region);
        json.WriteString("GeneratorId", generatorId);
        json.WriteString("AwsAccountId", f.AccountId);
        WriteStrings(json, "Types", [type]);
        json.WriteString("FirstObservedAt", Timestamp(firstObserved));
        json.WriteString("LastObservedAt", Timestamp(updated));
        json.WriteString("CreatedAt", Timestamp(firstObserved));
        json.WriteString("UpdatedAt", Timestamp(updated));
        json.WriteStartObject("Severity");
        json.WriteString("Label", severityLabel);
        json.WriteNumber("Normalized", productSeverity * 10 ?? NormalizedSeverity(severityLabel));
        if (productSeverity is { } product)
        {
            json.WriteNumber("Product", product);
        }

        json.WriteString("Original", productSeverity?.ToString(CultureInfo.InvariantCulture) ?? severityLabel);
        json.WriteEndObject();
        json.WriteString("Title", title);
        json.WriteString("Description", description);
        json.WriteStartObject("Workflow");
        json.WriteString("Status", workflowStatus);
        json.WriteEndObject();
        json.WriteString("RecordState", f.RecordState);
    }

    private static Resource NewResource(Context f, string type)
    {
        var random = f.Random;
        var (account, region) = (f.AccountId, f.Region);
        var workload = Pick(random, Workloads);
        switch (type)
        {
            case "AwsS3Bucket":
                var bucket = $"{workload}-{Pick(random, EnvironmentNames)}-{Hex(random, 6)}";
                return new(type, $"arn:aws:s3:::{bucket}", bucket, "AwsS3Bucket", [("OwnerId", Hex(random, 64))]);
            case "AwsEc2Instance":
                var instance = "i-0" + Hex(random, 16);
                return new(type, $"arn:aws:ec2:{region}:{account}:instance/{instance}", instance, "AwsEc2Instance",
                    [("Type", Pick(random, "t3.medium", "m5.large", "c6i.xlarge")), ("ImageId", "ami-0" + Hex(random, 16)),
                     ("VpcId", "vpc-0" + Hex(random, 16))]);
            case "AwsEc2SecurityGroup":
                var group = "sg-0" + Hex(random, 16);
                return new(type, $"arn:aws:ec2:{region}:{account}:security-group/{group}", group, "AwsEc2SecurityGroup",
                    [("GroupId", group), ("GroupName", $"{workload}-sg")]);
            case "AwsEcrContainerImage":
                var digest = "sha256:" + Hex(random, 64);
                return new(type, $"arn:aws:ecr:{region}:{account}:repository/{workload}/{digest}", $"{workload}@{digest[..19]}",
                    "AwsEcrContainerImage", [("RepositoryName", workload), ("ImageDigest", digest)]);
            case "AwsIamPolicy":
                var policy = $"{workload}-admin-access";
                return new(type, $"arn:aws:iam::{account}:policy/{policy}", policy, "AwsIamPolicy", [("PolicyName", policy)]);
            case "AwsIamAccessKey":
                var principal = $"{workload}-deployer";
                return new(type, $"AWS::IAM::AccessKey:{principal}", principal, "AwsIamAccessKey",
                    [("PrincipalName", principal), ("PrincipalType", "AssumedRole"), ("Status", "Active")]);
            case "AwsKmsKey":
                var key = NewGuid(random).ToString();
                return new(type, $"arn:aws:kms:{region}:{account}:key/{key}", key, "AwsKmsKey", [("KeyId", key), ("KeyState", "Enabled")]);
            default:
                return new(type, $"AWS::::Account:{account}", account, null, []);
        }
    }

    private static void WriteResources(Context f, Resource resource)
    {
        var json = f.Json;
        json.WriteStartArray("Resources");
        json.WriteStartObject();
        json.WriteString("Type", resource.Type);
        json.WriteString("Id", resource.Id);
        json.WriteString("Partition", "aws");
        json.WriteString("Region", f.Region);
        json.WriteStartObject("Tags");
        json.WriteString("Environment", Pick(f.Random, EnvironmentNames));
        json.WriteString("Team", Pick(f.Random, Teams));
        json.WriteEndObject();
        if (resource.DetailsKey is not null)
        {
            json.WriteStartObject("Details");
            json.WriteStartObject(resource.DetailsKey);
            foreach (var (name, value) in resource.Details)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteRemediation(Utf8JsonWriter json, string text, string url)
    {
        json.WriteStartObject("Remediation");
        json.WriteStartObject("Recommendation");
        json.WriteString("Text", text);
        json.WriteString("Url", url);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteProductFields(Utf8JsonWriter json, string productArn, string id, params (string Name, string Value)[] fields)
    {
        json.WriteStartObject("ProductFields");
        foreach (var (name, value) in fields)
        {
            json.WriteString(name, value);
        }

        json.WriteString("aws/securityhub/FindingId", $"{productArn}/{id}");
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, string[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string RecordState(Random random) => random.Next(100) < ArchivedPercent ? "ARCHIVED" : "ACTIVE";

    /// <summary>GuardDuty bands: 1.0-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.</summary>
    private static string GuardDutySeverityLabel(int severity) => severity switch
    {
        < 4 => "LOW",
        < 7 => "MEDIUM",
        < 9 => "HIGH",
        _ => "CRITICAL",
    };

    private static int NormalizedSeverity(string label) => label switch
    {
        "CRITICAL" => 90,
        "HIGH" => 70,
        "MEDIUM" => 40,
        "LOW" => 1,
        _ => 0,
    };

    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A seeded <see cref="Random"/>: the seeded algorithm is stable across .NET versions and runs.</summary>
    private static Random NewRandom(string accountId, string region, int index)
    {
        // FNV-1a: a stable hash (string.GetHashCode changes every run).
        var hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes($"{accountId}/{region}/{index}"))
        {
            hash = (hash ^ b) * 16777619;
        }

        return new Random(unchecked((int)hash));
    }

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    private static string Hex(Random random, int length)
    {
        var bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    private static Guid NewGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
