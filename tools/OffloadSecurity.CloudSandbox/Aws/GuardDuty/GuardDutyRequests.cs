using System.Text.Json;

namespace OffloadSecurity.CloudSandbox.Aws.GuardDuty;

/// <summary>Reads and checks ListFindings and GetFindings request bodies as GuardDuty does, naming the bad member.</summary>
internal static class GuardDutyRequests
{
    /// <summary>MaxResults of ListDetectors and ListFindings: 1..50 (service-2.json).</summary>
    public const int MaxPageSize = 50;

    /// <summary>FindingIds of GetFindings: at most 50 (service-2.json).</summary>
    public const int MaxFindingIds = 50;

    private const string ArchivedField = "service.archived";

    public static AwsError BadRequest(string message) => new(StatusCodes.Status400BadRequest, "BadRequestException", message);

    /// <param name="ArchivedEquals">The values <c>service.archived</c> must equal; null: any.</param>
    /// <param name="ArchivedNotEquals">The values <c>service.archived</c> must not equal.</param>
    public sealed record ListFindingsRequest(int MaxResults, string? NextToken, bool[]? ArchivedEquals, bool[] ArchivedNotEquals)
    {
        /// <summary>Binds a nextToken to the criteria it was issued for.</summary>
        public string FilterKey =>
            $"eq:{string.Join(',', ArchivedEquals ?? [])}|neq:{string.Join(',', ArchivedNotEquals)}";

        public bool ArchivedMatches(bool archived) =>
            (ArchivedEquals is null || ArchivedEquals.Contains(archived)) && !ArchivedNotEquals.Contains(archived);
    }

    public static async Task<(ListFindingsRequest? Request, AwsError? Error)> ReadListFindingsAsync(HttpRequest http, CancellationToken ct)
    {
        try
        {
            using var json = await JsonDocument.ParseAsync(http.Body, cancellationToken: ct);
            var body = json.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                return (null, BadRequest("The request body must be a JSON object."));
            }

            var maxResults = MaxPageSize;
            if (body.TryGetProperty("maxResults", out var max) && max.ValueKind != JsonValueKind.Null &&
                (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out maxResults) || maxResults is < 1 or > MaxPageSize))
            {
                return (null, BadRequest($"The request is rejected because maxResults must be between 1 and {MaxPageSize}."));
            }

            string? nextToken = null;
            if (body.TryGetProperty("nextToken", out var token) && token.ValueKind != JsonValueKind.Null)
            {
                if (token.ValueKind != JsonValueKind.String)
                {
                    return (null, BadRequest("The request is rejected because nextToken must be a string."));
                }

                nextToken = token.GetString();
            }

            var (equals, notEquals) = ArchivedCondition(body);
            return (new ListFindingsRequest(maxResults, string.IsNullOrEmpty(nextToken) ? null : nextToken, equals, notEquals), null);
        }
        catch (JsonException)
        {
            return (null, BadRequest("The request body is not valid JSON."));
        }
        catch (InvalidCriterionException ex)
        {
            return (null, BadRequest(ex.Message));
        }
    }

    public static async Task<(IReadOnlyList<string>? Ids, AwsError? Error)> ReadFindingIdsAsync(HttpRequest http, CancellationToken ct)
    {
        try
        {
            using var json = await JsonDocument.ParseAsync(http.Body, cancellationToken: ct);
            if (json.RootElement.ValueKind != JsonValueKind.Object ||
                !json.RootElement.TryGetProperty("findingIds", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                return (null, BadRequest("The request is rejected because the findingIds parameter is missing."));
            }

            if (ids.GetArrayLength() > MaxFindingIds)
            {
                return (null, BadRequest(
                    $"The request is rejected because findingIds has {ids.GetArrayLength()} items; at most {MaxFindingIds} are allowed."));
            }

            if (ids.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: >= 1 and <= 300 }))
            {
                return (null, BadRequest("The request is rejected because a findingIds item is not a string of 1 to 300 characters."));
            }

            return ([.. ids.EnumerateArray().Select(id => id.GetString()!)], null);
        }
        catch (JsonException)
        {
            return (null, BadRequest("The request body is not valid JSON."));
        }
    }

    /// <summary>
    /// <c>findingCriteria.criterion["service.archived"]</c>: <c>eq</c>/<c>equals</c> and <c>neq</c>/<c>notEquals</c>
    /// with "true"/"false" values (the deprecated and the current names, as GuardDuty accepts both).
    /// </summary>
    private static (bool[]? MustEqual, bool[] MustNotEqual) ArchivedCondition(JsonElement body)
    {
        if (!body.TryGetProperty("findingCriteria", out var criteria) || criteria.ValueKind != JsonValueKind.Object ||
            !criteria.TryGetProperty("criterion", out var criterion) || criterion.ValueKind != JsonValueKind.Object ||
            !criterion.TryGetProperty(ArchivedField, out var condition))
        {
            return (null, []);
        }

        if (condition.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidCriterionException($"The criterion {ArchivedField} must be an object.");
        }

        bool[]? equals = null;
        var notEquals = new List<bool>();
        foreach (var op in condition.EnumerateObject())
        {
            var values = Booleans(op.Value, op.Name);
            switch (op.Name)
            {
                case "eq" or "equals":
                    equals = [.. equals ?? [], .. values];
                    break;
                case "neq" or "notEquals":
                    notEquals.AddRange(values);
                    break;
                default:
                    throw new InvalidCriterionException($"The criterion {ArchivedField} supports eq, equals, neq and notEquals, not {op.Name}.");
            }
        }

        return (equals, [.. notEquals]);
    }

    private static List<bool> Booleans(JsonElement values, string op)
    {
        if (values.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidCriterionException($"The {op} condition of {ArchivedField} must be a list of strings.");
        }

        return [.. values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String && bool.TryParse(v.GetString(), out var b)
            ? b
            : throw new InvalidCriterionException($"The {op} condition of {ArchivedField} takes \"true\" or \"false\"."))];
    }

    private sealed class InvalidCriterionException(string message) : Exception(message);
}
