using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The query string of <c>GET /api/findings</c> and the export, bound as text so that a bad value gets a problem
/// naming its field (not a bare 400 from the binder). Each parameter carries its OpenAPI name and description.
/// </summary>
public sealed record FindingFilter(
    [property: FromQuery(Name = "severity"), Description("Informational, Low, Medium, High or Critical.")]
    string? Severity = null,
    [property: FromQuery(Name = "status"), Description("Life-cycle status: New, Active, Resolved or Reopened.")]
    string? Status = null,
    [property: FromQuery(Name = "workflow"), Description("Analyst state in force: None, Acknowledged, Suppressed or RiskAccepted (a lapsed risk acceptance is None).")]
    string? Workflow = null,
    [property: FromQuery(Name = "provider"), Description("Aws, Azure, Gcp, Kubernetes or Registry.")]
    string? Provider = null,
    [property: FromQuery(Name = "accountId"), Description("The connected account (a GUID).")]
    string? AccountId = null,
    [property: FromQuery(Name = "source"), Description("Exact source, e.g. aws.securityhub.")]
    string? Source = null,
    [property: FromQuery(Name = "region"), Description("Exact region, e.g. eu-west-1.")]
    string? Region = null,
    [property: FromQuery(Name = "resourceType"), Description("Exact resource type, e.g. AwsS3Bucket.")]
    string? ResourceType = null,
    [property: FromQuery(Name = "resourceId"), Description(
        "Exact, case-sensitive resource id as the scanners normalize it (an ARN, an Azure resource id, a GCP full resource name, " +
        "cluster/namespace/kind/name for a Kubernetes workload): only the findings on that resource. Indexed; at most 2048 characters.")]
    string? ResourceId = null,
    [property: FromQuery(Name = "compliance"), Description("Exact compliance requirement, e.g. CIS AWS Foundations 2.9.")]
    string? Compliance = null,
    [property: FromQuery(Name = "cve"), Description("Exact vulnerability id, e.g. CVE-2024-3094.")]
    string? Cve = null,
    [property: FromQuery(Name = "q"), Description("Case-insensitive substring of the title or the resource id.")]
    string? Q = null,
    [property: FromQuery(Name = "sort"), Description("severity_desc (default), severity_asc, last_seen_desc, last_seen_asc, first_seen_desc or first_seen_asc.")]
    string? Sort = null,
    [property: FromQuery(Name = "limit"), Description("Page size, 1 to 500 (default 100); the export ignores it.")]
    string? Limit = null,
    [property: FromQuery(Name = "cursor"), Description("The nextCursor of the previous page; the export ignores it.")]
    string? Cursor = null)
{
    public const int MaxPageSize = 500;
    public const int MaxTextLength = 200;

    /// <summary>Resource ids are longer than other text filters: an IAM ARN may take 2048 characters.</summary>
    public const int MaxResourceIdLength = 2048;

    public static readonly string[] SortNames =
        ["severity_desc", "severity_asc", "last_seen_desc", "last_seen_asc", "first_seen_desc", "first_seen_asc"];

    /// <summary>The query, or the problems keyed by field name.</summary>
    public (FindingQuery? Query, Dictionary<string, string[]> Errors) Parse()
    {
        var errors = new Dictionary<string, string[]>();
        T? EnumOf<T>(string field, string? value) where T : struct, Enum
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            if (Enum.TryParse<T>(value.Replace("-", "").Replace("_", ""), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                && !int.TryParse(value, out _))
            {
                return parsed;
            }

            errors[field] = [$"'{value}' is not one of: {string.Join(", ", Enum.GetNames<T>())}."];
            return null;
        }

        string? Text(string field, string? value, int maxLength = MaxTextLength)
        {
            if (value is null)
            {
                return null;
            }

            if (value.Length == 0 || value.Length > maxLength)
            {
                errors[field] = [$"Between 1 and {maxLength} characters."];
                return null;
            }

            return value;
        }

        Guid? account = null;
        if (!string.IsNullOrWhiteSpace(AccountId))
        {
            if (Guid.TryParse(AccountId, out var parsed))
            {
                account = parsed;
            }
            else
            {
                errors["accountId"] = ["Not an account id (a GUID)."];
            }
        }

        var limit = 100;
        if (Limit is not null && (!int.TryParse(Limit, out limit) || limit is < 1 or > MaxPageSize))
        {
            errors["limit"] = [$"Between 1 and {MaxPageSize}."];
        }

        var sort = FindingSort.SeverityDesc;
        if (!string.IsNullOrWhiteSpace(Sort))
        {
            var index = Array.FindIndex(SortNames, n => string.Equals(n, Sort, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                errors["sort"] = [$"'{Sort}' is not one of: {string.Join(", ", SortNames)}."];
            }
            else
            {
                sort = (FindingSort)index;
            }
        }

        var query = new FindingQuery
        {
            Severity = EnumOf<Severity>("severity", Severity),
            Status = EnumOf<FindingStatus>("status", Status),
            Workflow = EnumOf<WorkflowState>("workflow", Workflow),
            Provider = EnumOf<CloudProvider>("provider", Provider),
            AccountId = account,
            Source = Text("source", Source),
            Region = Text("region", Region),
            ResourceType = Text("resourceType", ResourceType),
            ResourceId = Text("resourceId", ResourceId, MaxResourceIdLength),
            Compliance = Text("compliance", Compliance),
            Cve = Text("cve", Cve),
            Text = Text("q", Q),
            Sort = sort,
            Limit = limit,
            Cursor = Cursor,
        };
        if (!errors.ContainsKey("sort") && FindingCursor.Validate(Cursor, sort) is { } cursorProblem)
        {
            errors["cursor"] = [cursorProblem];
        }

        return errors.Count == 0 ? (query, errors) : (null, errors);
    }
}
