using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The query string of <c>GET /api/findings</c> and the export, bound as text so that a bad value gets a problem
/// naming its field (not a bare 400 from the binder).
/// </summary>
public sealed record FindingFilter(
    string? Severity = null,
    string? Status = null,
    string? Workflow = null,
    string? Provider = null,
    string? AccountId = null,
    string? Source = null,
    string? Region = null,
    string? ResourceType = null,
    string? Compliance = null,
    string? Cve = null,
    string? Q = null,
    string? Sort = null,
    string? Limit = null,
    string? Cursor = null)
{
    public const int MaxPageSize = 500;
    public const int MaxTextLength = 200;

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

        string? Text(string field, string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (value.Length is 0 or > MaxTextLength)
            {
                errors[field] = [$"Between 1 and {MaxTextLength} characters."];
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
