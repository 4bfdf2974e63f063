using System.Text.Json;
using static OffloadSecurity.Scanners.Aws.Normalization.AwsJson;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// The fields of one GuardDuty finding (service-2.json's <c>Finding</c>) that normalization needs, read from either
/// casing: the API's wire names (camelCase, also EventBridge and S3 exports) or the AWS CLI's member names (PascalCase).
/// </summary>
public sealed record GuardDutyFinding
{
    /// <summary>GuardDuty's finding id (32 hex characters for real findings).</summary>
    public required string Id { get; init; }

    /// <summary>The finding ARN as given, or null when the record has none.</summary>
    public string? Arn { get; init; }

    /// <summary>The finding type, e.g. <c>Recon:IAMUser/UserPermissions</c>.</summary>
    public string? Type { get; init; }

    public string? AccountId { get; init; }

    /// <summary>The finding's <c>region</c> (which may differ from the region in its ARN for global service events).</summary>
    public string? Region { get; init; }

    public string? Partition { get; init; }

    /// <summary>GuardDuty's numeric severity (1.0–10.0).</summary>
    public double? Severity { get; init; }

    public string? Title { get; init; }
    public string? Description { get; init; }

    /// <summary><c>service.archived</c>.</summary>
    public bool Archived { get; init; }

    /// <summary>A sample finding (CreateSampleFindings): <c>service.additionalInfo</c> says so, or the title carries [SAMPLE].</summary>
    public bool IsSample { get; init; }

    public string? DetectorId { get; init; }

    /// <summary><c>resource.resourceType</c> as GuardDuty writes it (<c>Instance</c>, <c>AccessKey</c>, ...); null without a resource.</summary>
    public string? ResourceType { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? EventFirstSeen { get; init; }
    public DateTimeOffset? EventLastSeen { get; init; }

    /// <summary><c>service.count</c>: occurrences aggregated into this finding.</summary>
    public int? Count { get; init; }

    /// <summary>The finding's JSON as received.</summary>
    public required JsonElement Json { get; init; }

    /// <summary>
    /// The id the finding is known by: its ARN, else one built from partition, region, account, detector and id,
    /// else the bare id.
    /// </summary>
    public string NativeId =>
        Arn ?? (Region is not null && AccountId is not null && DetectorId is not null
            ? $"arn:{Partition ?? "aws"}:guardduty:{Region}:{AccountId}:detector/{DetectorId}/finding/{Id}"
            : Id);

    /// <exception cref="GuardDutyFormatException">Not an object, or neither an id nor an ARN to know it by.</exception>
    public static GuardDutyFinding Read(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new GuardDutyFormatException($"A finding must be a JSON object, found {json.ValueKind}.");
        }

        var arn = Text(json, "arn");
        var id = Text(json, "id") ?? IdFromArn(arn)
            ?? throw new GuardDutyFormatException("The finding has neither an 'id' nor an 'arn'.");
        var service = Get(json, "service");
        var title = Text(json, "title");
        var type = Text(json, "type");

        return new GuardDutyFinding
        {
            Id = id,
            Arn = arn,
            Type = type,
            AccountId = Text(json, "accountId") ?? ArnPart(arn, 4),
            Region = Text(json, "region") ?? ArnPart(arn, 3),
            Partition = Text(json, "partition") ?? ArnPart(arn, 1),
            Severity = Number(json, "severity"),
            Title = title,
            Description = Text(json, "description"),
            Archived = Bool(service, "archived") ?? false,
            IsSample = IsSampleInfo(Get(service, "additionalInfo")) || HasSamplePrefix(title) || HasSamplePrefix(type),
            DetectorId = Text(service, "detectorId") ?? DetectorFromArn(arn),
            ResourceType = Text(json, "resource", "resourceType"),
            CreatedAt = Timestamp(json, "createdAt"),
            UpdatedAt = Timestamp(json, "updatedAt"),
            EventFirstSeen = Timestamp(service, "eventFirstSeen"),
            EventLastSeen = Timestamp(service, "eventLastSeen"),
            Count = Number(service, "count") is { } count ? (int)count : null,
            Json = json,
        };
    }

    /// <summary>
    /// <c>additionalInfo</c> says sample either as EventBridge and exports write it (<c>"sample": true</c>) or as
    /// the API's <c>ServiceAdditionalInfo</c> does, inside the JSON string <c>value</c> (<c>"{\"sample\":true}"</c>).
    /// </summary>
    private static bool IsSampleInfo(JsonElement? additionalInfo)
    {
        if (Bool(additionalInfo, "sample") == true)
        {
            return true;
        }

        if (Text(additionalInfo, "value") is not { } value || !value.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var parsed = JsonDocument.Parse(value);
            return Bool(parsed.RootElement, "sample") == true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool HasSamplePrefix(string? text) => text?.StartsWith("[SAMPLE]", StringComparison.OrdinalIgnoreCase) ?? false;

    /// <summary>arn:partition:guardduty:region:account:detector/{detector}/finding/{id}.</summary>
    private static string? ArnPart(string? arn, int index)
    {
        if (arn is null || !arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[index].Length > 0 ? parts[index] : null;
    }

    private static string? IdFromArn(string? arn) => ResourcePart(arn, "finding");

    private static string? DetectorFromArn(string? arn) => ResourcePart(arn, "detector");

    private static string? ResourcePart(string? arn, string name)
    {
        var segments = ArnPart(arn, 5)?.Split('/') ?? [];
        var at = Array.IndexOf(segments, name);
        return at >= 0 && at + 1 < segments.Length && segments[at + 1].Length > 0 ? segments[at + 1] : null;
    }
}
