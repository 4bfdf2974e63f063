using System.Globalization;
using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Core.Normalization;

namespace OffloadSecurity.Scanners.Aws.SecurityHub;

/// <summary>
/// AWS Security Finding Format (ASFF, as returned by Security Hub GetFindings or exported) to
/// <see cref="NormalizedFinding"/>. Only <c>Id</c> and <c>Title</c> are required; every other field is optional.
/// </summary>
public static class AsffNormalizer
{
    private const string ResourceNameKey = "Name";
    private const string VulnerabilityTypes = "Software and Configuration Checks/Vulnerabilities";
    private const string ComplianceTypes = "Software and Configuration Checks/Industry and Regulatory Standards";

    /// <summary>ASFF type namespaces of threat findings (Macie's sensitive-data findings included).</summary>
    private static readonly string[] DetectionTypes = ["TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"];

    /// <summary>Properties of <c>Resources[].Details.&lt;Type&gt;</c> that hold the resource's name.</summary>
    private static readonly string[] DetailNameKeys =
    [
        "Name", "RepositoryName", "FunctionName", "RoleName", "UserName", "GroupName", "TableName",
        "ClusterName", "DBInstanceIdentifier", "DbClusterIdentifier", "TrailName", "TopicName", "QueueName",
    ];

    /// <summary>Normalizes every record of a document, all or nothing.</summary>
    /// <exception cref="AsffFormatException">A record cannot be normalized; names its index and line.</exception>
    public static IReadOnlyList<NormalizedFinding> NormalizeAll(AsffDocument document, AsffContext context)
    {
        ArgumentNullException.ThrowIfNull(document);
        var findings = new List<NormalizedFinding>(document.Count);
        foreach (var record in document.Records)
        {
            try
            {
                findings.Add(Normalize(record.Finding, context));
            }
            catch (AsffFormatException ex) when (ex.RecordIndex is null)
            {
                throw ex.AtRecord(record.Index, record.Line);
            }
        }

        return findings;
    }

    /// <exception cref="AsffFormatException">The finding has no <c>Id</c> or no <c>Title</c>, or is not an object.</exception>
    public static NormalizedFinding Normalize(JsonElement asff, AsffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (asff.ValueKind != JsonValueKind.Object)
        {
            throw new AsffFormatException($"A finding must be a JSON object, found {asff.ValueKind}.");
        }

        var id = Text(asff, "Id") ?? throw Missing("Id");
        var title = Text(asff, "Title") ?? throw Missing("Title");
        var productName = ProductName(asff);
        var isGuardDuty = IsGuardDuty(asff, productName);
        var severity = SeverityOf(asff, isGuardDuty);
        var region = Text(asff, "Region") ?? Text(FirstResource(asff), "Region");
        var cloudAccountId = CloudAccountOf(asff);

        return new NormalizedFinding
        {
            Fingerprint = Fingerprint.ForFinding(context.TenantId, context.AccountId, context.Source, id),
            Class = ClassOf(asff, isGuardDuty),
            Severity = severity,
            SeverityId = (int)severity,
            State = StateOf(asff),
            Title = title,
            Description = Text(asff, "Description"),
            Remediation = Text(asff, "Remediation", "Recommendation", "Text"),
            RemediationUrl = Text(asff, "Remediation", "Recommendation", "Url"),
            Provider = CloudProvider.Aws,
            CloudAccountId = cloudAccountId,
            Region = region,
            Source = context.Source,
            NativeId = id,
            ProductName = productName,
            Resource = ResourceOf(asff, region, cloudAccountId ?? id),
            FirstObservedAt = Timestamp(asff, "FirstObservedAt") ?? Timestamp(asff, "CreatedAt"),
            UpdatedAt = Timestamp(asff, "UpdatedAt") ?? Timestamp(asff, "LastObservedAt") ?? Timestamp(asff, "CreatedAt"),
            Compliance = ComplianceOf(asff),
            Vulnerabilities = VulnerabilitiesOf(asff),
            IsSample = IsSample(asff, title, isGuardDuty),
            RawJson = asff.GetRawText(),
        };
    }

    private static AsffFormatException Missing(string field) =>
        new($"The finding has no usable '{field}' (a non-empty string is required).", field);

    /// <summary>Label, then the provider's label, then Normalized (0..100), then the native Original/Product.</summary>
    private static Severity SeverityOf(JsonElement asff, bool isGuardDuty)
    {
        var label = AwsSeverity.FromAsffLabel(Text(asff, "Severity", "Label"))
            ?? AwsSeverity.FromAsffLabel(Text(asff, "FindingProviderFields", "Severity", "Label"));
        if (label is { } fromLabel)
        {
            return fromLabel;
        }

        if (Number(Get(asff, "Severity", "Normalized")) is { } normalized)
        {
            return AwsSeverity.FromAsffNormalized(normalized);
        }

        JsonElement?[] natives =
        [
            Get(asff, "Severity", "Original"),
            Get(asff, "FindingProviderFields", "Severity", "Original"),
            Get(asff, "Severity", "Product"),
        ];
        foreach (var native in natives)
        {
            if (AwsSeverity.FromAsffLabel(Text(native)) is { } nativeLabel)
            {
                return nativeLabel;
            }

            if (Number(native) is { } value)
            {
                // The native scale is the product's own: GuardDuty's is documented, else assume ASFF's 0..100.
                return isGuardDuty ? AwsSeverity.FromGuardDuty(value) : AwsSeverity.FromAsffNormalized(value);
            }
        }

        return Severity.Informational;
    }

    private static FindingClass ClassOf(JsonElement asff, bool isGuardDuty)
    {
        if (Get(asff, "Vulnerabilities") is { ValueKind: JsonValueKind.Array } vulnerabilities
            && vulnerabilities.GetArrayLength() > 0)
        {
            return FindingClass.Vulnerability;
        }

        if (Get(asff, "Compliance") is { ValueKind: JsonValueKind.Object })
        {
            return FindingClass.Compliance;
        }

        var types = Strings(Get(asff, "Types"));
        if (types.Count == 0)
        {
            types = Strings(Get(asff, "FindingProviderFields", "Types"));
        }

        if (types.Any(type => DetectionTypes.Any(prefix => IsUnder(type, prefix))))
        {
            return FindingClass.Detection;
        }

        if (types.Any(type => IsUnder(type, VulnerabilityTypes)))
        {
            return FindingClass.Vulnerability;
        }

        if (types.Any(type => IsUnder(type, ComplianceTypes)))
        {
            return FindingClass.Compliance;
        }

        return isGuardDuty ? FindingClass.Detection : FindingClass.Compliance;
    }

    /// <summary>True when <paramref name="type"/> is the namespace/category <paramref name="prefix"/> or below it.</summary>
    private static bool IsUnder(string type, string prefix) =>
        type.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
        && (type.Length == prefix.Length || type[prefix.Length] == '/');

    private static ObservedState StateOf(JsonElement asff)
    {
        var closed =
            Is(Text(asff, "RecordState"), "ARCHIVED")
            || Is(Text(asff, "Compliance", "Status"), "PASSED", "NOT_AVAILABLE")
            || Is(Text(asff, "Workflow", "Status") ?? Text(asff, "WorkflowState"), "RESOLVED", "SUPPRESSED");
        return closed ? ObservedState.Closed : ObservedState.Open;
    }

    private static bool Is(string? value, params string[] candidates) =>
        value is not null && candidates.Any(candidate => string.Equals(value, candidate, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>AwsAccountId</c>; else the account in a resource ARN, else in the ProductArn (custom products).</summary>
    private static string? CloudAccountOf(JsonElement asff)
    {
        if (Text(asff, "AwsAccountId") is { } account)
        {
            return account;
        }

        if (Get(asff, "Resources") is { ValueKind: JsonValueKind.Array } resources)
        {
            foreach (var resource in resources.EnumerateArray())
            {
                if (Arn.AccountOf(Text(resource, "Id")) is { } fromResource)
                {
                    return fromResource;
                }
            }
        }

        return Arn.AccountOf(Text(asff, "ProductArn"));
    }

    /// <summary>Security Hub's product attribution, else the finding's ProductName, else the ProductArn's last part.</summary>
    private static string? ProductName(JsonElement asff) =>
        Text(asff, "ProductFields", "aws/securityhub/ProductName")
        ?? Text(asff, "ProductName")
        ?? Arn.LastSegment(Text(asff, "ProductArn"));

    private static bool IsGuardDuty(JsonElement asff, string? productName) =>
        string.Equals(productName, "GuardDuty", StringComparison.OrdinalIgnoreCase)
        || (Text(asff, "ProductArn")?.EndsWith("/aws/guardduty", StringComparison.OrdinalIgnoreCase) ?? false);

    private static bool IsSample(JsonElement asff, string title, bool isGuardDuty)
    {
        if (Get(asff, "Sample") is { ValueKind: JsonValueKind.True })
        {
            return true;
        }

        if (Get(asff, "ProductFields") is { ValueKind: JsonValueKind.Object } productFields
            && productFields.EnumerateObject().Any(field =>
                field.Name.EndsWith("/additionalInfo/sample", StringComparison.OrdinalIgnoreCase)
                && Is(Text(field.Value), "true")))
        {
            return true;
        }

        return isGuardDuty && title.StartsWith("[SAMPLE]", StringComparison.OrdinalIgnoreCase);
    }

    private static JsonElement? FirstResource(JsonElement asff) =>
        Get(asff, "Resources") is { ValueKind: JsonValueKind.Array } resources && resources.GetArrayLength() > 0
            ? resources[0]
            : null;

    /// <summary>
    /// <c>Resources[0]</c>. The contract holds one resource; the others stay in <see cref="NormalizedFinding.RawJson"/>.
    /// Without resources (ASFF requires them), the AWS account stands in, else the finding itself.
    /// </summary>
    private static ResourceRef ResourceOf(JsonElement asff, string? findingRegion, string fallbackId)
    {
        var resource = FirstResource(asff);
        var type = Text(resource, "Type") ?? "Other";
        var id = Text(resource, "Id") ?? fallbackId;
        var tags = TagsOf(Get(resource, "Tags"));
        var name = DetailName(Get(resource, "Details", type))
            ?? tags.GetValueOrDefault(ResourceNameKey)
            ?? Arn.LastSegment(id);

        return new ResourceRef
        {
            Type = type,
            Id = id,
            Name = name,
            Region = Text(resource, "Region") ?? findingRegion,
            Tags = tags,
        };
    }

    private static string? DetailName(JsonElement? details) =>
        DetailNameKeys.Select(key => Text(details, key)).FirstOrDefault(name => name is not null);

    private static Dictionary<string, string> TagsOf(JsonElement? tags)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tags is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var tag in map.EnumerateObject())
            {
                result[tag.Name] = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString()! : tag.Value.GetRawText();
            }
        }

        return result;
    }

    /// <summary>The control (<c>SecurityControlId</c>, or the older <c>ProductFields.ControlId</c>) and related requirements.</summary>
    private static List<ComplianceRef> ComplianceOf(JsonElement asff)
    {
        var refs = new List<ComplianceRef>();
        if (Get(asff, "Compliance") is not { ValueKind: JsonValueKind.Object } compliance)
        {
            return refs;
        }

        var status = Text(compliance, "Status");
        var control = Text(compliance, "SecurityControlId") ?? Text(asff, "ProductFields", "ControlId");
        IEnumerable<string> requirements = control is null ? [] : [control];
        foreach (var requirement in requirements.Concat(Strings(Get(compliance, "RelatedRequirements"))).Distinct())
        {
            refs.Add(new ComplianceRef { Requirement = requirement, Status = status });
        }

        return refs;
    }

    /// <summary>
    /// Each <c>Vulnerabilities[]</c> entry, plus its <c>RelatedVulnerabilities</c> aliases (e.g. the CVE of a GHSA)
    /// as their own entries with the same score and package, so a search by CVE finds them.
    /// </summary>
    private static List<VulnerabilityRef> VulnerabilitiesOf(JsonElement asff)
    {
        var refs = new List<VulnerabilityRef>();
        if (Get(asff, "Vulnerabilities") is not { ValueKind: JsonValueKind.Array } vulnerabilities)
        {
            return refs;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var vulnerability in vulnerabilities.EnumerateArray())
        {
            if (Text(vulnerability, "Id") is not { } id)
            {
                continue;
            }

            var package = Get(vulnerability, "VulnerablePackages") is { ValueKind: JsonValueKind.Array } packages
                && packages.GetArrayLength() > 0 ? packages[0] : (JsonElement?)null;
            var template = new VulnerabilityRef
            {
                Id = id,
                CvssScore = CvssScore(Get(vulnerability, "Cvss")),
                Package = Text(package, "Name"),
                InstalledVersion = Text(package, "Version"),
                FixedVersion = Text(package, "FixedInVersion"),
            };

            foreach (var alias in Strings(Get(vulnerability, "RelatedVulnerabilities")).Prepend(id))
            {
                if (seen.Add(alias))
                {
                    refs.Add(template with { Id = alias });
                }
            }
        }

        return refs;
    }

    /// <summary>The base score of the newest CVSS version given (v3.1 over v2), first listed on a tie.</summary>
    private static double? CvssScore(JsonElement? cvss)
    {
        if (cvss is not { ValueKind: JsonValueKind.Array } entries)
        {
            return null;
        }

        double? score = null;
        var bestVersion = double.MinValue;
        foreach (var entry in entries.EnumerateArray())
        {
            var version = Number(Get(entry, "Version")) ?? 0;
            if (Number(Get(entry, "BaseScore")) is { } baseScore && version > bestVersion)
            {
                score = baseScore;
                bestVersion = version;
            }
        }

        return score;
    }

    /// <summary>ISO 8601 as ASFF requires; also "yyyy-MM-dd HH:mm:ss.fffffffff" as some pipelines write it (UTC assumed).</summary>
    private static DateTimeOffset? Timestamp(JsonElement asff, string name) =>
        Text(asff, name) is { } text && DateTimeOffset.TryParse(
            text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;

    private static JsonElement? Get(JsonElement? element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current is not { ValueKind: JsonValueKind.Object } node || !node.TryGetProperty(name, out var next))
            {
                return null;
            }

            current = next;
        }

        return current is { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : current;
    }

    private static string? Text(JsonElement? element, params string[] path) => Text(Get(element, path));

    /// <summary>A non-blank string, or a number's text; else null.</summary>
    private static string? Text(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } s when !string.IsNullOrWhiteSpace(s.GetString()) => s.GetString()!.Trim(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    /// <summary>A number, or a string holding one (ASFF producers write both).</summary>
    private static double? Number(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var value) => value,
        { ValueKind: JsonValueKind.String } s when double.TryParse(
            s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    private static List<string> Strings(JsonElement? array) =>
        array is { ValueKind: JsonValueKind.Array } items
            ? items.EnumerateArray().Select(item => Text(item)).OfType<string>().ToList()
            : [];

    /// <summary>Partition-independent ARN parts: arn:partition:service:region:account:resource.</summary>
    private static class Arn
    {
        public static string? AccountOf(string? arn)
        {
            var parts = Split(arn);
            return parts is not null && parts[4].Length > 0 ? parts[4] : null;
        }

        /// <summary>The last <c>/</c> or <c>:</c> separated part of an ARN's resource, or of any other id.</summary>
        public static string? LastSegment(string? id)
        {
            var resource = Split(id)?[5] ?? id;
            if (string.IsNullOrEmpty(resource))
            {
                return null;
            }

            var last = resource.Split(['/', ':'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return last.Length > 0 ? last[^1] : null;
        }

        private static string[]? Split(string? arn)
        {
            if (arn is null || !arn.StartsWith("arn:", StringComparison.Ordinal))
            {
                return null;
            }

            var parts = arn.Split(':', 6);
            return parts.Length == 6 ? parts : null;
        }
    }
}
