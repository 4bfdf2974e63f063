using System.Globalization;
using System.Text;
using System.Text.Json;
using static OffloadSecurity.CloudSandbox.Aws.SecurityHub.SecurityHubCatalog;

namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>
/// Writes ASFF findings that look like real Security Hub output: CSPM control results, Inspector CVEs and
/// GuardDuty threats. Finding <c>n</c> of an account and region is always the same (seeded by all three), so
/// nothing is stored and any page can be produced on demand. A <see cref="FindingUpdate"/> (from
/// <see cref="SecurityHubActivity"/>) layers a later change on top: a new <c>UpdatedAt</c>, maybe a new record state.
/// </summary>
/// <remarks>
/// Each finding is generated in two steps from one seeded <see cref="Random"/>: <c>Draw*</c> takes everything up to
/// and including the timestamps (so <see cref="UpdatedAt"/> is cheap and matches what is written), then
/// <c>Write*</c> writes the JSON, drawing the rest. The order of the draws is the generator's output: keep it.
/// </remarks>
internal static class FindingGenerator
{
    /// <summary>All timestamps (UpdatedAt too) lie in the year before this instant, so output never changes with the clock.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private const int ArchivedPercent = 12;

    /// <summary>The generated record state of finding <paramref name="index"/> (before any <see cref="FindingUpdate"/>).</summary>
    public static string RecordState(string accountId, string region, int index) =>
        RecordState(NewRandom(accountId, region, index));

    /// <summary>
    /// The generated <c>UpdatedAt</c> of finding <paramref name="index"/> (before any <see cref="FindingUpdate"/>), to the
    /// millisecond, exactly as <see cref="Write"/> writes it; without writing the finding.
    /// </summary>
    public static DateTimeOffset UpdatedAt(string accountId, string region, int index) =>
        Draw(accountId, region, index).Common.Updated;

    /// <summary>Writes finding <paramref name="index"/>, with <paramref name="update"/> applied when given.</summary>
    public static void Write(Utf8JsonWriter json, string accountId, string region, int index, FindingUpdate? update = null)
    {
        var drawn = Draw(accountId, region, index);
        var state = new State(
            update?.RecordState ?? drawn.F.RecordState,
            update is null ? drawn.Common.Updated : TruncateToMilliseconds(update.At),
            Workflow(drawn, update?.RecordState ?? drawn.F.RecordState));
        switch (drawn)
        {
            case ControlDrawn control:
                WriteControlFinding(json, control, state);
                break;
            case InspectorDrawn inspector:
                WriteInspectorFinding(json, inspector, state);
                break;
            case GuardDutyDrawn guardDuty:
                WriteGuardDutyFinding(json, guardDuty, state);
                break;
        }
    }

    /// <summary>A timestamp as Security Hub writes it, to the millisecond.</summary>
    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>The seed of one finding; <see cref="RecordState"/> is the generated one.</summary>
    private sealed record Context(Random Random, string AccountId, string Region, string RecordState);

    /// <summary>The members every finding has, drawn before its JSON is written.</summary>
    private sealed record Common(
        string Id, string ProductArn, string ProductName, string CompanyName, string GeneratorId, string Type, string Title,
        string Description, string SeverityLabel, string WorkflowStatus, int? ProductSeverity,
        DateTimeOffset FirstObserved, DateTimeOffset Updated);

    /// <summary>What is written after an update is applied: record state, <c>UpdatedAt</c>/<c>LastObservedAt</c>, workflow status.</summary>
    private sealed record State(string RecordState, DateTimeOffset Updated, string WorkflowStatus);

    private abstract record Drawn(Context F, Common Common);

    private sealed record ControlDrawn(Context F, Common Common, Control Control, bool Passed) : Drawn(F, Common);

    private sealed record InspectorDrawn(Context F, Common Common, Cve Cve, Resource Resource, string NvdUrl) : Drawn(F, Common);

    private sealed record GuardDutyDrawn(Context F, Common Common, ThreatType Threat, Resource Resource, string Detector, string FindingId)
        : Drawn(F, Common);

    private sealed record Resource(string Type, string Id, string Name, string? DetailsKey, (string Name, string Value)[] Details);

    private static Drawn Draw(string accountId, string region, int index)
    {
        var random = NewRandom(accountId, region, index);
        var f = new Context(random, accountId, region, RecordState(random));
        var kind = random.Next(100);
        return kind < 60 ? DrawControlFinding(f) : kind < 85 ? DrawInspectorFinding(f) : DrawGuardDutyFinding(f);
    }

    /// <summary>
    /// The workflow status once the record state is <paramref name="recordState"/>. Unchanged state: as generated.
    /// Archived since: Inspector and GuardDuty resolved the issue (RESOLVED); a control finding keeps its status (AWS
    /// archives control findings when the resource or control goes away). Active again: NOTIFIED or RESOLVED become NEW,
    /// as Security Hub does when a finding's record state changes from ARCHIVED to ACTIVE — except a PASSED control
    /// finding, which stays RESOLVED (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Workflow.html).
    /// </summary>
    private static string Workflow(Drawn drawn, string recordState)
    {
        var generated = drawn.Common.WorkflowStatus;
        if (recordState == drawn.F.RecordState)
        {
            return generated;
        }

        return (recordState, drawn) switch
        {
            ("ARCHIVED", ControlDrawn) => generated,
            ("ARCHIVED", _) => "RESOLVED",
            (_, ControlDrawn { Passed: true }) => "RESOLVED",
            _ => generated is "NOTIFIED" or "RESOLVED" ? "NEW" : generated,
        };
    }

    private static ControlDrawn DrawControlFinding(Context f)
    {
        var random = f.Random;
        var control = Pick(random, Controls);
        var passed = random.Next(100) < 35;
        var id = $"arn:aws:securityhub:{f.Region}:{f.AccountId}:security-control/{control.Id}/finding/{NewGuid(random)}";
        var productArn = $"arn:aws:securityhub:{f.Region}::product/aws/securityhub";
        var workflow = passed ? "RESOLVED" : Pick(random, "NEW", "NEW", "NEW", "NOTIFIED", "SUPPRESSED");
        var common = NewCommon(f, id, productArn, "Security Hub", "AWS", $"security-control/{control.Id}",
            "Software and Configuration Checks/Industry and Regulatory Standards", control.Title, control.Description,
            passed ? "INFORMATIONAL" : control.Severity, workflow);
        return new ControlDrawn(f, common, control, passed);
    }

    private static void WriteControlFinding(Utf8JsonWriter json, ControlDrawn d, State state)
    {
        var (f, control, passed) = (d.F, d.Control, d.Passed);
        json.WriteStartObject();
        WriteCommon(json, f, d.Common, state);
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
        WriteProductFields(json, d.Common.ProductArn, d.Common.Id, ("ControlId", control.Id), ("aws/securityhub/ProductName", "Security Hub"));
        WriteResources(json, f, NewResource(f, control.ResourceType));
        json.WriteEndObject();
    }

    private static InspectorDrawn DrawInspectorFinding(Context f)
    {
        var random = f.Random;
        var cve = Pick(random, Cves);
        var onImage = cve.PackageManager != "OS" || random.Next(2) == 0;
        var resource = NewResource(f, onImage ? "AwsEcrContainerImage" : "AwsEc2Instance");
        var id = $"arn:aws:inspector2:{f.Region}:{f.AccountId}:finding/{Hex(random, 32)}";
        var productArn = $"arn:aws:securityhub:{f.Region}::product/aws/inspector";
        var nvdUrl = $"https://nvd.nist.gov/vuln/detail/{cve.Id}";
        var common = NewCommon(f, id, productArn, "Inspector", "Amazon", "AWSInspector",
            "Software and Configuration Checks/Vulnerabilities/CVE", $"{cve.Id} - {cve.Package}",
            $"{cve.Package} {cve.Version} on {resource.Name} is affected by {cve.Id}.", cve.Severity,
            Pick(random, "NEW", "NEW", "NEW", "NOTIFIED", "SUPPRESSED"));
        return new InspectorDrawn(f, common, cve, resource, nvdUrl);
    }

    private static void WriteInspectorFinding(Utf8JsonWriter json, InspectorDrawn d, State state)
    {
        var (f, cve, nvdUrl) = (d.F, d.Cve, d.NvdUrl);
        json.WriteStartObject();
        WriteCommon(json, f, d.Common, state);
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
        WriteProductFields(json, d.Common.ProductArn, d.Common.Id,
            ("aws/inspector/FindingStatus", state.RecordState == "ACTIVE" ? "ACTIVE" : "CLOSED"),
            ("aws/inspector/inspectorScore", cve.Score.ToString("0.0", CultureInfo.InvariantCulture)),
            ("aws/inspector/ProductVersion", "2"));
        WriteResources(json, f, d.Resource);
        json.WriteEndObject();
    }

    private static GuardDutyDrawn DrawGuardDutyFinding(Context f)
    {
        var random = f.Random;
        var threat = Pick(random, ThreatTypes);
        var resource = NewResource(f, threat.ResourceType);
        var detector = Hex(NewRandom(f.AccountId, f.Region, -1), 32);
        var findingId = Hex(random, 32);
        var id = $"arn:aws:guardduty:{f.Region}:{f.AccountId}:detector/{detector}/finding/{findingId}";
        var productArn = $"arn:aws:securityhub:{f.Region}::product/aws/guardduty";
        var title = string.Format(CultureInfo.InvariantCulture, threat.TitleFormat, resource.Name);
        var common = NewCommon(f, id, productArn, "GuardDuty", "Amazon", $"arn:aws:guardduty:{f.Region}:{f.AccountId}:detector/{detector}",
            threat.AsffType, title, title, GuardDutySeverityLabel(threat.Severity),
            f.RecordState == "ARCHIVED" ? "RESOLVED" : Pick(random, "NEW", "NEW", "NEW", "NOTIFIED"),
            productSeverity: threat.Severity);
        return new GuardDutyDrawn(f, common, threat, resource, detector, findingId);
    }

    private static void WriteGuardDutyFinding(Utf8JsonWriter json, GuardDutyDrawn d, State state)
    {
        var (f, random) = (d.F, d.F.Random);
        json.WriteStartObject();
        WriteCommon(json, f, d.Common, state);
        json.WriteString("SourceUrl",
            $"https://{f.Region}.console.aws.amazon.com/guardduty/home?region={f.Region}#/findings?macros=current&fId={d.FindingId}");
        WriteRemediation(json, $"Investigate and remediate the {d.Threat.Type} finding as the GuardDuty user guide describes.",
            "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_remediate.html");
        WriteProductFields(json, d.Common.ProductArn, d.Common.Id,
            ("aws/guardduty/service/archived", state.RecordState == "ARCHIVED" ? "true" : "false"),
            ("aws/guardduty/service/count", (1 + random.Next(300)).ToString(CultureInfo.InvariantCulture)),
            ("aws/guardduty/service/detectorId", d.Detector));
        WriteResources(json, f, d.Resource);
        json.WriteEndObject();
    }

    private static Common NewCommon(
        Context f, string id, string productArn, string productName, string companyName, string generatorId,
        string type, string title, string description, string severityLabel, string workflowStatus, int? productSeverity = null)
    {
        var firstObserved = Epoch.AddDays(-1 - f.Random.Next(365)).AddSeconds(-f.Random.Next(86_400));

        // Updated up to 30 days later, but before the epoch (firstObserved is at least a day before it), so an
        // incremental scan (UpdatedAt since its last run) never sees a generated finding "updated in the future".
        var updated = firstObserved.AddDays(f.Random.NextDouble() * Math.Min(30, (Epoch - firstObserved).TotalDays));
        return new Common(id, productArn, productName, companyName, generatorId, type, title, description, severityLabel,
            workflowStatus, productSeverity, firstObserved, TruncateToMilliseconds(updated));
    }

    private static void WriteCommon(Utf8JsonWriter json, Context f, Common c, State state)
    {
        json.WriteString("SchemaVersion", "2018-10-08");
        json.WriteString("Id", c.Id);
        json.WriteString("ProductArn", c.ProductArn);
        json.WriteString("ProductName", c.ProductName);
        json.WriteString("CompanyName", c.CompanyName);
        json.WriteString("Region", f.Region);
        json.WriteString("GeneratorId", c.GeneratorId);
        json.WriteString("AwsAccountId", f.AccountId);
        WriteStrings(json, "Types", [c.Type]);
        json.WriteString("FirstObservedAt", Timestamp(c.FirstObserved));
        json.WriteString("LastObservedAt", Timestamp(state.Updated));
        json.WriteString("CreatedAt", Timestamp(c.FirstObserved));
        json.WriteString("UpdatedAt", Timestamp(state.Updated));
        json.WriteStartObject("Severity");
        json.WriteString("Label", c.SeverityLabel);
        json.WriteNumber("Normalized", c.ProductSeverity * 10 ?? NormalizedSeverity(c.SeverityLabel));
        if (c.ProductSeverity is { } product)
        {
            json.WriteNumber("Product", product);
        }

        json.WriteString("Original", c.ProductSeverity?.ToString(CultureInfo.InvariantCulture) ?? c.SeverityLabel);
        json.WriteEndObject();
        json.WriteString("Title", c.Title);
        json.WriteString("Description", c.Description);
        json.WriteStartObject("Workflow");
        json.WriteString("Status", state.WorkflowStatus);
        json.WriteEndObject();
        json.WriteString("RecordState", state.RecordState);
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

    private static void WriteResources(Utf8JsonWriter json, Context f, Resource resource)
    {
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
