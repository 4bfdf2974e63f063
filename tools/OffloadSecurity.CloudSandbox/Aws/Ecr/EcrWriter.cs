using System.Text.Json;
using static OffloadSecurity.CloudSandbox.Aws.Ecr.EcrGenerator;

namespace OffloadSecurity.CloudSandbox.Aws.Ecr;

/// <summary>Writes ECR's JSON 1.1 response members (timestamps as epoch seconds, as the protocol does).</summary>
internal static class EcrWriter
{
    public static void Repository(Utf8JsonWriter json, string accountId, string region, Repository repository)
    {
        json.WriteStartObject();
        json.WriteString("repositoryArn", $"arn:aws:ecr:{region}:{accountId}:repository/{repository.Name}");
        json.WriteString("registryId", accountId);
        json.WriteString("repositoryName", repository.Name);
        json.WriteString("repositoryUri", $"{accountId}.dkr.ecr.{region}.amazonaws.com/{repository.Name}");
        json.WriteNumber("createdAt", repository.CreatedAt.ToUnixTimeSeconds());
        json.WriteString("imageTagMutability", "MUTABLE");
        json.WriteStartObject("imageScanningConfiguration");
        json.WriteBoolean("scanOnPush", repository.Scanning == ScanKind.Basic);
        json.WriteEndObject();
        json.WriteStartObject("encryptionConfiguration");
        json.WriteString("encryptionType", "AES256");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static void ImageDetail(Utf8JsonWriter json, string accountId, Image image)
    {
        json.WriteStartObject();
        json.WriteString("registryId", accountId);
        json.WriteString("repositoryName", image.Repository.Name);
        json.WriteString("imageDigest", image.Digest);
        Strings(json, "imageTags", image.Tags);
        json.WriteNumber("imageSizeInBytes", image.SizeInBytes);
        json.WriteNumber("imagePushedAt", image.PushedAt.ToUnixTimeSeconds());
        if (image.ScanStatus is { } status)
        {
            json.WriteStartObject("imageScanStatus");
            json.WriteString("status", status);
            json.WriteString("description", Describe(status));
            json.WriteEndObject();
        }

        if (image.ScanStatus is "COMPLETE" or "ACTIVE")
        {
            json.WriteStartObject("imageScanFindingsSummary");
            json.WriteNumber("imageScanCompletedAt", ScanCompletedAt(image).ToUnixTimeSeconds());
            json.WriteNumber("vulnerabilitySourceUpdatedAt", ScanCompletedAt(image).AddHours(-6).ToUnixTimeSeconds());
            SeverityCounts(json, image);
            json.WriteEndObject();
        }

        json.WriteString("imageManifestMediaType", "application/vnd.docker.distribution.manifest.v2+json");
        json.WriteString("artifactMediaType", "application/vnd.docker.container.image.v1+json");
        json.WriteString("imageStatus", "ACTIVE");
        json.WriteEndObject();
    }

    public static string Describe(string status) => status switch
    {
        "COMPLETE" => "The scan was completed successfully.",
        "ACTIVE" => "Continuous scan is selected for image.",
        "IN_PROGRESS" => "The scan is in progress.",
        _ => status,
    };

    public static DateTimeOffset ScanCompletedAt(Image image) => image.PushedAt.AddMinutes(3);

    /// <summary>findingSeverityCounts over the whole scan, as basic or enhanced scanning labels them.</summary>
    public static void SeverityCounts(Utf8JsonWriter json, Image image)
    {
        json.WriteStartObject("findingSeverityCounts");
        foreach (var group in image.Vulnerabilities.GroupBy(v => Severity(image, v)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(group.Key, group.Count());
        }

        json.WriteEndObject();
    }

    /// <summary>A basic scanning finding: CVE, severity, and the package and CVSS in key/value attributes.</summary>
    public static void BasicFinding(Utf8JsonWriter json, EcrCatalog.Vulnerability v)
    {
        json.WriteStartObject();
        json.WriteString("name", v.Id);
        json.WriteString("description", v.Description);
        json.WriteString("uri", $"https://security-tracker.debian.org/tracker/{v.Id}");
        json.WriteString("severity", v.Severity);
        json.WriteStartArray("attributes");
        Attribute(json, "package_version", v.Version);
        Attribute(json, "package_name", v.Package);
        if (v.Vector is not null && v.Score is { } score)
        {
            Attribute(json, "CVSS3_VECTOR", v.Vector);
            Attribute(json, "CVSS3_SCORE", score.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>An enhanced scanning finding, Inspector's shape as service-2.json's <c>EnhancedImageScanFinding</c> has it.</summary>
    public static void EnhancedFinding(Utf8JsonWriter json, string accountId, string region, Image image, EcrCatalog.Vulnerability v)
    {
        var id = HexFor(accountId, region, $"finding/{image.Digest}/{v.Id}");
        var observed = ScanCompletedAt(image);
        json.WriteStartObject();
        json.WriteString("awsAccountId", accountId);
        json.WriteString("description", v.Description);
        json.WriteString("findingArn", $"arn:aws:inspector2:{region}:{accountId}:finding/{id}");
        json.WriteNumber("firstObservedAt", observed.ToUnixTimeSeconds());
        json.WriteNumber("lastObservedAt", observed.AddDays(2).ToUnixTimeSeconds());
        json.WriteStartObject("packageVulnerabilityDetails");
        json.WriteStartArray("cvss");
        if (v.Score is { } baseScore)
        {
            json.WriteStartObject();
            json.WriteNumber("baseScore", baseScore);
            json.WriteString("scoringVector", v.Vector);
            json.WriteString("source", "NVD");
            json.WriteString("version", "3.1");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Strings(json, "referenceUrls", [$"https://nvd.nist.gov/vuln/detail/{v.Id}"]);
        Strings(json, "relatedVulnerabilities", []);
        json.WriteString("source", "NVD");
        json.WriteString("sourceUrl", $"https://nvd.nist.gov/vuln/detail/{v.Id}");
        json.WriteString("vendorSeverity", v.Severity);
        json.WriteString("vulnerabilityId", v.Id);
        json.WriteStartArray("vulnerablePackages");
        json.WriteStartObject();
        json.WriteString("arch", "AMD64");
        json.WriteNumber("epoch", 0);
        json.WriteString("name", v.Package);
        json.WriteString("packageManager", v.PackageManager);
        json.WriteString("version", v.Version);
        json.WriteString("fixedInVersion", v.FixedIn ?? "NotAvailable");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("remediation");
        json.WriteStartObject("recommendation");
        json.WriteString("text", v.FixedIn is null ? "None Provided" : $"Upgrade {v.Package} to {v.FixedIn} or later.");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("resources");
        json.WriteStartObject();
        json.WriteStartObject("details");
        json.WriteStartObject("awsEcrContainerImage");
        json.WriteString("architecture", "amd64");
        json.WriteString("imageHash", image.Digest);
        Strings(json, "imageTags", image.Tags);
        json.WriteString("platform", "DEBIAN_12");
        json.WriteNumber("pushedAt", image.PushedAt.ToUnixTimeSeconds());
        json.WriteString("registry", accountId);
        json.WriteString("repositoryName", image.Repository.Name);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("id", $"arn:aws:ecr:{region}:{accountId}:repository/{image.Repository.Name}/{image.Digest}");
        json.WriteStartObject("tags");
        json.WriteEndObject();
        json.WriteString("type", "AWS_ECR_CONTAINER_IMAGE");
        json.WriteEndObject();
        json.WriteEndArray();
        if (v.Score is { } score)
        {
            json.WriteNumber("score", score);
            json.WriteStartObject("scoreDetails");
            json.WriteStartObject("cvss");
            json.WriteStartArray("adjustments");
            json.WriteEndArray();
            json.WriteNumber("score", score);
            json.WriteString("scoreSource", "NVD");
            json.WriteString("scoringVector", v.Vector);
            json.WriteString("version", "3.1");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteString("severity", v.Severity);
        json.WriteString("status", "ACTIVE");
        json.WriteString("title", $"{v.Id} - {v.Package}");
        json.WriteString("type", "PACKAGE_VULNERABILITY");
        json.WriteNumber("updatedAt", observed.AddDays(2).ToUnixTimeSeconds());
        json.WriteString("fixAvailable", v.FixedIn is null ? "NO" : "YES");
        json.WriteString("exploitAvailable", v.Score >= 9 ? "YES" : "NO");
        json.WriteEndObject();
    }

    /// <summary>Basic scanning has no UNTRIAGED; its unrated CVEs are UNDEFINED.</summary>
    private static string Severity(Image image, EcrCatalog.Vulnerability v) =>
        image.Repository.Scanning == ScanKind.Basic && v.Severity == "UNTRIAGED" ? "UNDEFINED" : v.Severity;

    private static void Attribute(Utf8JsonWriter json, string key, string value)
    {
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
