using System.Text.Json.Serialization;

namespace OffloadSecurity.Contracts.Findings;

/// <summary>OCSF severity; the numeric value is OCSF's <c>severity_id</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    Informational = 1,
    Low = 2,
    Medium = 3,
    High = 4,
    Critical = 5,
}

/// <summary>OCSF finding class the record maps to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingClass>))]
public enum FindingClass
{
    /// <summary>OCSF Detection Finding (2004): threats, e.g. GuardDuty, Defender alerts.</summary>
    Detection,
    /// <summary>OCSF Compliance Finding (2003): control and posture checks.</summary>
    Compliance,
    /// <summary>OCSF Vulnerability Finding (2002): CVEs in images and hosts.</summary>
    Vulnerability,
}

/// <summary>What the provider says about the finding at the time it was observed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObservedState>))]
public enum ObservedState
{
    /// <summary>Open: something to act on.</summary>
    Open,
    /// <summary>The provider reports the check passed or the record was archived/resolved: not open.</summary>
    Closed,
}

/// <summary>The resource a finding is about.</summary>
public sealed record ResourceRef
{
    /// <summary>Provider resource type, e.g. <c>AwsS3Bucket</c>, <c>AwsEc2Instance</c>.</summary>
    public required string Type { get; init; }
    /// <summary>Provider id: an ARN, an Azure resource id, a GCP full resource name.</summary>
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? Region { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>A compliance framework reference, e.g. CIS AWS Foundations 1.2 control 2.9.</summary>
public sealed record ComplianceRef
{
    /// <summary>Control or requirement id, e.g. <c>CIS AWS Foundations 2.9</c> or <c>PCI DSS 10.1</c>.</summary>
    public required string Requirement { get; init; }
    /// <summary>PASSED, FAILED, WARNING, NOT_AVAILABLE as the provider says; null when not given.</summary>
    public string? Status { get; init; }
}

/// <summary>One vulnerability (CVE) a finding reports.</summary>
public sealed record VulnerabilityRef
{
    public required string Id { get; init; }
    public double? CvssScore { get; init; }
    public string? Package { get; init; }
    public string? InstalledVersion { get; init; }
    public string? FixedVersion { get; init; }
}

/// <summary>
/// A finding in the normalized, OCSF-aligned model. Scanners fill it; the inventory keeps its life cycle.
/// </summary>
public sealed record NormalizedFinding
{
    /// <summary>Stable hash of (tenant, account, source, native id): the de-duplication key.</summary>
    public required string Fingerprint { get; init; }
    public required FindingClass Class { get; init; }
    public required Severity Severity { get; init; }
    /// <summary>OCSF <c>severity_id</c>, 1..5, equal to <see cref="Severity"/>'s value.</summary>
    public required int SeverityId { get; init; }
    public required ObservedState State { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Remediation { get; init; }
    public string? RemediationUrl { get; init; }
    public required CloudProvider Provider { get; init; }
    /// <summary>The provider's own account: AWS account number, Azure subscription, GCP project.</summary>
    public string? CloudAccountId { get; init; }
    public string? Region { get; init; }
    /// <summary>Where the finding comes from: <c>aws.securityhub</c>, <c>aws.guardduty</c>, <c>k8s.posture</c>, ...</summary>
    public required string Source { get; init; }
    /// <summary>The provider's id for the finding (ASFF Id, GuardDuty id, SCC name, ...).</summary>
    public required string NativeId { get; init; }
    /// <summary>The provider product that generated it (e.g. Inspector inside Security Hub), when known.</summary>
    public string? ProductName { get; init; }
    public required ResourceRef Resource { get; init; }
    /// <summary>When the provider first saw it.</summary>
    public DateTimeOffset? FirstObservedAt { get; init; }
    /// <summary>When the provider last updated it.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    public IReadOnlyList<ComplianceRef> Compliance { get; init; } = [];
    public IReadOnlyList<VulnerabilityRef> Vulnerabilities { get; init; } = [];
    /// <summary>True for the provider's sample/test findings (GuardDuty sample, ...).</summary>
    public bool IsSample { get; init; }
    /// <summary>The provider's JSON for this record, as received.</summary>
    public required string RawJson { get; init; }
}
