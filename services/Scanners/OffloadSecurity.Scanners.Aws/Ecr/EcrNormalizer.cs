using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Core.Normalization;
using static OffloadSecurity.Scanners.Aws.Normalization.AwsJson;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>
/// ECR image scan findings to <see cref="NormalizedFinding"/>s of class Vulnerability: basic scanning's
/// <c>ImageScanFinding</c> (CVE, severity, package and CVSS in key/value attributes) and enhanced scanning's
/// Inspector-shaped findings (CVE, CVSS, packages, status, the resource they are about).
/// </summary>
public static class EcrNormalizer
{
    public const string ImageResourceType = "AwsEcrContainerImage";
    public const string BasicProductName = "Amazon ECR";
    public const string EnhancedProductName = "Inspector";

    /// <summary>Every finding of a page: the basic ones about the page's image, then the enhanced ones.</summary>
    /// <exception cref="EcrFormatException">Basic findings without an image to attribute them to.</exception>
    public static IReadOnlyList<NormalizedFinding> NormalizeAll(EcrScanPage page, EcrContext context)
    {
        ArgumentNullException.ThrowIfNull(page);
        var image = page.Image;
        if (page.Findings.Count > 0 && image is null)
        {
            throw new EcrFormatException("Basic findings need the registryId, repositoryName and imageId.imageDigest of their image.");
        }

        return
        [
            .. page.Findings.Select(f => NormalizeBasic(f, image!, context, page.ScanCompletedAt)),
            .. page.EnhancedFindings.Select(f => NormalizeEnhanced(f, context, image)),
        ];
    }

    /// <summary>A basic scanning finding about <paramref name="image"/>.</summary>
    /// <exception cref="EcrFormatException">No <c>name</c>.</exception>
    public static NormalizedFinding NormalizeBasic(JsonElement finding, EcrImageRef image, EcrContext context, DateTimeOffset? scanCompletedAt)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(context);
        var name = Text(finding, "name") ?? throw new EcrFormatException("A basic finding has no 'name' (its CVE id).");
        var attributes = Attributes(finding);
        var package = attributes.GetValueOrDefault("package_name");
        var severity = AwsSeverity.FromEcr(Text(finding, "severity"));
        var imageId = image.ResourceId(context.Region);
        var nativeId = package is null ? $"{imageId}/{name}" : $"{imageId}/{name}/{package}";

        return new NormalizedFinding
        {
            Fingerprint = Fingerprint.ForFinding(context.TenantId, context.AccountId, context.Source, nativeId),
            Class = FindingClass.Vulnerability,
            Severity = severity,
            SeverityId = (int)severity,
            State = ObservedState.Open,
            Title = package is null ? name : $"{name} - {package}",
            Description = Text(finding, "description"),
            RemediationUrl = Text(finding, "uri"),
            Provider = CloudProvider.Aws,
            CloudAccountId = image.RegistryId,
            Region = context.Region,
            Source = context.Source,
            NativeId = nativeId,
            ProductName = BasicProductName,
            Resource = ImageResource(image, context.Region),
            UpdatedAt = scanCompletedAt,
            Vulnerabilities =
            [
                new VulnerabilityRef
                {
                    Id = name,
                    CvssScore = Score(attributes.GetValueOrDefault("CVSS3_SCORE")) ?? Score(attributes.GetValueOrDefault("CVSS2_SCORE")),
                    Package = package,
                    InstalledVersion = attributes.GetValueOrDefault("package_version"),
                },
            ],
            RawJson = finding.GetRawText(),
        };
    }

    /// <summary>
    /// An enhanced scanning (Inspector) finding. Its resource is the one it names (an image, or e.g. an EC2 instance
    /// in an Inspector export), else <paramref name="image"/>.
    /// </summary>
    /// <exception cref="EcrFormatException">Neither a <c>findingArn</c> nor a vulnerability id with an image to key it by.</exception>
    public static NormalizedFinding NormalizeEnhanced(JsonElement finding, EcrContext context, EcrImageRef? image = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var details = Get(finding, "packageVulnerabilityDetails");
        var vulnerabilityId = Text(details, "vulnerabilityId");
        var resource = Items(finding, "resources").FirstOrDefault();
        var region = Text(resource, "region") ?? context.Region ?? ArnRegion(Text(finding, "findingArn"));
        var imageId = (image ?? ImageOf(resource))?.ResourceId(region);
        var nativeId = Text(finding, "findingArn")
            ?? (vulnerabilityId is not null && imageId is not null ? $"{imageId}/{vulnerabilityId}" : null)
            ?? throw new EcrFormatException("An enhanced finding has neither a 'findingArn' nor a vulnerability id and image.");
        var severity = AwsSeverity.FromEcr(Text(finding, "severity"));
        var recommendation = Text(finding, "remediation", "recommendation", "text");

        return new NormalizedFinding
        {
            Fingerprint = Fingerprint.ForFinding(context.TenantId, context.AccountId, context.Source, nativeId),
            Class = FindingClass.Vulnerability,
            Severity = severity,
            SeverityId = (int)severity,
            State = Text(finding, "status") is "CLOSED" or "SUPPRESSED" ? ObservedState.Closed : ObservedState.Open,
            Title = Text(finding, "title") ?? vulnerabilityId ?? nativeId,
            Description = Text(finding, "description"),
            Remediation = recommendation is "None Provided" ? null : recommendation,
            RemediationUrl = Text(finding, "remediation", "recommendation", "url") ?? Text(details, "sourceUrl"),
            Provider = CloudProvider.Aws,
            CloudAccountId = Text(finding, "awsAccountId") ?? image?.RegistryId,
            Region = region,
            Source = context.Source,
            NativeId = nativeId,
            ProductName = EnhancedProductName,
            Resource = ResourceOf(resource, finding, region) ?? ImageResource(image!, region),
            FirstObservedAt = Timestamp(finding, "firstObservedAt"),
            UpdatedAt = Timestamp(finding, "updatedAt") ?? Timestamp(finding, "lastObservedAt"),
            Vulnerabilities = VulnerabilitiesOf(finding, details, vulnerabilityId),
            RawJson = finding.GetRawText(),
        };
    }

    private static ResourceRef ImageResource(EcrImageRef image, string? region)
    {
        if (image is null)
        {
            throw new EcrFormatException("An enhanced finding names no resource and no image was given to attribute it to.");
        }

        return new ResourceRef { Type = ImageResourceType, Id = image.ResourceId(region), Name = image.Name, Region = region };
    }

    /// <summary>Inspector's resource types to ours: ECR images, EC2 instances (as their ARN), Lambda functions.</summary>
    private static ResourceRef? ResourceOf(JsonElement resource, JsonElement finding, string? region)
    {
        if (Text(resource, "id") is not { } id)
        {
            return null;
        }

        var tags = Tags(Get(resource, "tags"));
        switch (Text(resource, "type"))
        {
            case "AWS_ECR_CONTAINER_IMAGE":
                var image = ImageOf(resource);
                return new ResourceRef { Type = ImageResourceType, Id = id, Name = image?.Name ?? id, Region = region, Tags = tags };
            case "AWS_EC2_INSTANCE":
                var account = Text(finding, "awsAccountId");
                var arn = id.StartsWith("arn:", StringComparison.Ordinal) || region is null || account is null
                    ? id
                    : $"arn:{Text(resource, "partition") ?? "aws"}:ec2:{region}:{account}:instance/{id}";
                return new ResourceRef { Type = "AwsEc2Instance", Id = arn, Name = id.Split('/')[^1], Region = region, Tags = tags };
            case "AWS_LAMBDA_FUNCTION":
                return new ResourceRef { Type = "AwsLambdaFunction", Id = id, Name = id.Split(':')[^1], Region = region, Tags = tags };
            case { } type:
                return new ResourceRef { Type = type, Id = id, Name = id, Region = region, Tags = tags };
            default:
                return null;
        }
    }

    private static EcrImageRef? ImageOf(JsonElement resource)
    {
        var details = Get(resource, "details", "awsEcrContainerImage");
        return Text(details, "registry") is { } registry && Text(details, "repositoryName") is { } repository &&
            Text(details, "imageHash") is { } digest
            ? new EcrImageRef(registry, repository, digest, [.. Items(details, "imageTags").Select(t => Text(t)).OfType<string>()])
            : null;
    }

    /// <summary>
    /// One entry per distinct vulnerable package (Inspector repeats some), then the related vulnerabilities (e.g. the
    /// CVE of a GHSA) as their own entries, all with the finding's score.
    /// </summary>
    private static List<VulnerabilityRef> VulnerabilitiesOf(JsonElement finding, JsonElement? details, string? vulnerabilityId)
    {
        var refs = new List<VulnerabilityRef>();
        if (vulnerabilityId is null)
        {
            return refs;
        }

        var score = Number(finding, "score") ?? Number(finding, "scoreDetails", "cvss", "score")
            ?? Number(finding, "inspectorScore") ?? Number(finding, "inspectorScoreDetails", "adjustedCvss", "score")
            ?? NewestCvss(details);
        var packages = Items(details, "vulnerablePackages")
            .Select(p => new VulnerabilityRef
            {
                Id = vulnerabilityId,
                CvssScore = score,
                Package = Text(p, "name"),
                InstalledVersion = Text(p, "version"),
                FixedVersion = Text(p, "fixedInVersion") is { } fixedIn && fixedIn != "NotAvailable" ? fixedIn : null,
            })
            .Distinct()
            .ToList();
        refs.AddRange(packages.Count > 0 ? packages : [new VulnerabilityRef { Id = vulnerabilityId, CvssScore = score }]);

        var template = refs[0];
        foreach (var alias in Items(details, "relatedVulnerabilities").Select(a => Text(a)).OfType<string>())
        {
            if (!refs.Any(r => string.Equals(r.Id, alias, StringComparison.OrdinalIgnoreCase)))
            {
                refs.Add(template with { Id = alias });
            }
        }

        return refs;
    }

    /// <summary>The base score of the newest CVSS version listed (v3.1 over v2).</summary>
    private static double? NewestCvss(JsonElement? details) =>
        Items(details, "cvss")
            .Select(c => (Version: Number(c, "version") ?? 0, Score: Number(c, "baseScore")))
            .Where(c => c.Score is not null)
            .OrderByDescending(c => c.Version)
            .Select(c => c.Score)
            .FirstOrDefault();

    private static Dictionary<string, string> Attributes(JsonElement finding)
    {
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var attribute in Items(finding, "attributes"))
        {
            if (Text(attribute, "key") is { } key && Text(attribute, "value") is { } value)
            {
                attributes[key] = value;
            }
        }

        return attributes;
    }

    private static double? Score(string? text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var score) ? score : null;

    private static string? ArnRegion(string? arn) =>
        arn?.Split(':') is { Length: >= 6 } parts && parts[3].Length > 0 ? parts[3] : null;
}
