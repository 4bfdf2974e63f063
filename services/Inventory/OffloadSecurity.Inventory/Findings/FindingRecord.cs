using System.Text.Json.Serialization;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>Where a finding is in its life, as the inventory tracks it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingStatus>))]
public enum FindingStatus
{
    New,
    Active,
    Resolved,
    Reopened,
}

/// <summary>A finding as the API shows it: the normalized finding plus its life cycle.</summary>
public sealed record FindingRecord
{
    public required string Fingerprint { get; init; }
    public required Guid AccountId { get; init; }
    public required FindingStatus Status { get; init; }
    public required FindingClass Class { get; init; }
    public required Severity Severity { get; init; }
    public required int SeverityId { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Remediation { get; init; }
    public string? RemediationUrl { get; init; }
    public required CloudProvider Provider { get; init; }
    public string? CloudAccountId { get; init; }
    public string? Region { get; init; }
    public required string Source { get; init; }
    public required string NativeId { get; init; }
    public required ResourceRef Resource { get; init; }
    public IReadOnlyList<ComplianceRef> Compliance { get; init; } = [];
    public IReadOnlyList<VulnerabilityRef> Vulnerabilities { get; init; } = [];
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public required Guid LastScanId { get; init; }
}

/// <summary>Filters of <c>GET /api/findings</c>; every one optional.</summary>
public sealed record FindingQuery
{
    public Severity? Severity { get; init; }
    public FindingStatus? Status { get; init; }
    public CloudProvider? Provider { get; init; }
    public Guid? AccountId { get; init; }
    public string? Source { get; init; }
    public string? Region { get; init; }
    public string? ResourceType { get; init; }
    public int Limit { get; init; } = 100;
    /// <summary>Opaque cursor from the previous page.</summary>
    public string? Cursor { get; init; }
}

public sealed record FindingPage(IReadOnlyList<FindingRecord> Items, string? NextCursor);
