using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.CloudSandbox.Aws.Throttling;

namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>
/// Security Hub's GetFindings (<c>POST /findings</c>, rest-json). Findings are generated on the fly, a page at a
/// time, so large accounts cost no memory; changes recorded in <see cref="SecurityHubActivity"/> are applied on top.
/// Of the filters only <c>RecordState</c> and <c>UpdatedAt</c> are applied (AND-ed); others are ignored.
/// </summary>
internal static partial class SecurityHubEndpoints
{
    public const string ServiceName = "securityhub";
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapSecurityHub(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/findings", GetFindingsAsync);
        return routes;
    }

    private static async Task<IResult> GetFindingsAsync(
        HttpContext context, SandboxThrottling throttling, SecurityHubActivity activity, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        if (caller.Service != ServiceName)
        {
            return AwsError.InvalidSignature($"Credential should be scoped to correct service: '{ServiceName}'.");
        }

        if (throttling.Check(caller, "GetFindings") is { } refused)
        {
            return refused;
        }

        GetFindingsRequest request;
        try
        {
            using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
            request = GetFindingsRequest.Read(json.RootElement);
        }
        catch (JsonException)
        {
            return AwsError.InvalidInput("The request body is not valid JSON.");
        }
        catch (InvalidInputException e)
        {
            return AwsError.InvalidInput(e.Message);
        }

        var account = caller.Account.AccountId;
        var total = caller.Account.SecurityHubFindings;
        var start = 0;
        if (request.NextToken is not null &&
            !FindingsPageToken.TryRead(request.NextToken, account, caller.Region, request.FilterKey, total, out start))
        {
            return AwsError.InvalidInput("The NextToken is invalid.");
        }

        var region = caller.Region;
        var now = time.GetUtcNow();
        bool Matches(int index) =>
            request.RecordStateMatches(activity.RecordState(account, region, index)) &&
            (request.UpdatedAtFilters.Count == 0 || request.UpdatedAtMatches(activity.UpdatedAt(account, region, index), now));

        return Results.Stream(async stream =>
        {
            await using var writer = new Utf8JsonWriter(stream);
            writer.WriteStartObject();
            writer.WriteStartArray("Findings");
            var index = start;
            for (var written = 0; index < total && written < request.MaxResults; index++)
            {
                if (Matches(index))
                {
                    FindingGenerator.Write(writer, account, region, index, activity.Find(account, region, index));
                    if (++written % 20 == 0)
                    {
                        await writer.FlushAsync(cancellationToken);
                    }
                }
            }

            writer.WriteEndArray();

            // Only hand out a token when another matching finding exists.
            while (index < total && !Matches(index))
            {
                index++;
            }

            if (index < total)
            {
                writer.WriteString("NextToken", FindingsPageToken.Create(account, caller.Region, request.FilterKey, index));
            }

            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken);
        }, "application/json");
    }

    private sealed class InvalidInputException(string message) : Exception(message);

    /// <summary>The parts of a GetFindings request the sandbox understands.</summary>
    private sealed record GetFindingsRequest(
        int MaxResults, string? NextToken, IReadOnlyList<(string Value, string Comparison)> RecordStateFilters,
        IReadOnlyList<DateFilter> UpdatedAtFilters)
    {
        /// <summary>Binds a NextToken to the filter it was issued for.</summary>
        public string FilterKey
        {
            get
            {
                var recordState = string.Join(',', RecordStateFilters.Select(f => $"{f.Comparison}:{f.Value}"));
                return UpdatedAtFilters.Count == 0
                    ? recordState
                    : recordState + "|UpdatedAt:" + string.Join(',', UpdatedAtFilters.Select(f => f.Key));
            }
        }

        /// <summary>EQUALS filters are OR-ed, NOT_EQUALS filters AND-ed, as Security Hub documents.</summary>
        public bool RecordStateMatches(string recordState)
        {
            var equals = RecordStateFilters.Where(f => f.Comparison == "EQUALS").ToList();
            return (equals.Count == 0 || equals.Any(f => f.Value == recordState)) &&
                RecordStateFilters.Where(f => f.Comparison == "NOT_EQUALS").All(f => f.Value != recordState);
        }

        /// <summary>
        /// Several date filters on one field are OR-ed: a finding matches when any of them matches. Security Hub's
        /// DateFilter reference does not say how they combine; its StringFilter reference says that positive filters
        /// on the same field (EQUALS, PREFIX, CONTAINS) are joined by OR, and a date range is a positive filter
        /// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StringFilter.html). Filters on different
        /// fields are AND-ed (<see cref="GetFindingsAsync"/>).
        /// </summary>
        public bool UpdatedAtMatches(DateTimeOffset updatedAt, DateTimeOffset now) =>
            UpdatedAtFilters.Count == 0 || UpdatedAtFilters.Any(f => f.Matches(updatedAt, now));

        public static GetFindingsRequest Read(JsonElement body)
        {
            if (body.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException("The request body must be a JSON object.");
            }

            var maxResults = MaxPageSize;
            if (body.TryGetProperty("MaxResults", out var max) && max.ValueKind != JsonValueKind.Null)
            {
                if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out maxResults) || maxResults is < 1 or > MaxPageSize)
                {
                    throw new InvalidInputException($"MaxResults must be an integer between 1 and {MaxPageSize}.");
                }
            }

            string? nextToken = null;
            if (body.TryGetProperty("NextToken", out var token) && token.ValueKind != JsonValueKind.Null)
            {
                nextToken = token.ValueKind == JsonValueKind.String
                    ? token.GetString()
                    : throw new InvalidInputException("NextToken must be a string.");
            }

            var filters = new List<(string, string)>();
            var updatedAt = new List<DateFilter>();
            if (body.TryGetProperty("Filters", out var all) && all.ValueKind == JsonValueKind.Object)
            {
                if (all.TryGetProperty("RecordState", out var recordState))
                {
                    const string Invalid = "Filters.RecordState must be a list of { Value, Comparison: EQUALS or NOT_EQUALS }.";
                    if (recordState.ValueKind != JsonValueKind.Array)
                    {
                        throw new InvalidInputException(Invalid);
                    }

                    foreach (var filter in recordState.EnumerateArray())
                    {
                        var value = StringMember(filter, "Value");
                        var comparison = StringMember(filter, "Comparison");
                        if (value is null || comparison is not ("EQUALS" or "NOT_EQUALS"))
                        {
                            throw new InvalidInputException(Invalid);
                        }

                        filters.Add((value, comparison));
                    }
                }

                if (all.TryGetProperty("UpdatedAt", out var updated) && updated.ValueKind != JsonValueKind.Null)
                {
                    updatedAt.AddRange(DateFilter.ReadList(updated, "Filters.UpdatedAt"));
                }
            }

            return new GetFindingsRequest(maxResults, string.IsNullOrEmpty(nextToken) ? null : nextToken, filters, updatedAt);
        }
    }

    /// <summary>
    /// One <c>DateFilter</c> of the service model: <c>Start</c> and/or <c>End</c> (ISO 8601, both inclusive; either may
    /// be absent), or a <c>DateRange</c> of days relative to now: <c>WITHIN</c> (the default) the last N days, or
    /// <c>OLDER_THAN</c> N days. A filter giving both kinds, or neither, is refused.
    /// </summary>
    private sealed partial record DateFilter(DateTimeOffset? Start, DateTimeOffset? End, int? RangeDays, bool OlderThan)
    {
        /// <summary>A canonical form, for binding page tokens to the filter.</summary>
        public string Key => RangeDays is { } days
            ? $"{(OlderThan ? "OLDER_THAN" : "WITHIN")}:{days}"
            : $"{Start?.UtcTicks}..{End?.UtcTicks}";

        public bool Matches(DateTimeOffset value, DateTimeOffset now)
        {
            if (RangeDays is { } days)
            {
                var since = now.AddDays(-days);
                return OlderThan ? value < since : value >= since && value <= now;
            }

            return (Start is null || value >= Start) && (End is null || value <= End);
        }

        public static List<DateFilter> ReadList(JsonElement list, string field)
        {
            var invalid = $"{field} must be a list of {{ Start, End }} (ISO 8601 timestamps, either may be absent) " +
                "or of { DateRange: { Value, Unit: DAYS, Comparison: WITHIN or OLDER_THAN } }.";
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidInputException(invalid);
            }

            var filters = new List<DateFilter>();
            foreach (var filter in list.EnumerateArray())
            {
                if (filter.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidInputException(invalid);
                }

                var start = Timestamp(filter, "Start", field, invalid);
                var end = Timestamp(filter, "End", field, invalid);
                int? days = null;
                var olderThan = false;
                if (filter.TryGetProperty("DateRange", out var range) && range.ValueKind != JsonValueKind.Null)
                {
                    var value = range.ValueKind == JsonValueKind.Object && range.TryGetProperty("Value", out var v) &&
                        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0 ? n : (int?)null;
                    var comparison = range.ValueKind == JsonValueKind.Object && range.TryGetProperty("Comparison", out var c)
                        ? c.ValueKind == JsonValueKind.String ? c.GetString() : ""
                        : "WITHIN";
                    if (value is null || StringMember(range, "Unit") != "DAYS" || comparison is not ("WITHIN" or "OLDER_THAN"))
                    {
                        throw new InvalidInputException(
                            $"{field}: DateRange must be {{ Value: a non-negative integer, Unit: DAYS, Comparison: WITHIN or OLDER_THAN (optional) }}.");
                    }

                    days = value;
                    olderThan = comparison == "OLDER_THAN";
                }

                if (days is not null && (start is not null || end is not null))
                {
                    throw new InvalidInputException($"{field}: a filter gives either Start and End or a DateRange, not both.");
                }

                if (days is null && start is null && end is null)
                {
                    throw new InvalidInputException(invalid);
                }

                filters.Add(new DateFilter(start, end, days, olderThan));
            }

            return filters;
        }

        /// <summary>
        /// An ISO 8601 timestamp as Security Hub accepts them: date, <c>T</c>, hours and minutes, optional seconds with
        /// up to nine fractional digits, and <c>Z</c> or an offset
        /// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html#timestamps).
        /// </summary>
        private static DateTimeOffset? Timestamp(JsonElement filter, string name, string field, string invalid)
        {
            if (!filter.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (member.ValueKind != JsonValueKind.String)
            {
                throw new InvalidInputException(invalid);
            }

            var text = member.GetString()!;
            if (Iso8601().Match(text) is not { Success: true } match ||
                !DateTimeOffset.TryParseExact(Normalized(match), "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out var time))
            {
                throw new InvalidInputException($"{field}: {name} '{text}' is not an ISO 8601 timestamp such as 2026-11-01T12:00:00.000Z.");
            }

            return time;
        }

        /// <summary>The timestamp with seconds, seven fractional digits (.NET's precision) and a <c>+HH:MM</c> offset.</summary>
        private static string Normalized(Match match)
        {
            var seconds = match.Groups["seconds"].Success ? match.Groups["seconds"].Value : "00";
            var fraction = match.Groups["fraction"].Value.PadRight(7, '0')[..7];
            var offset = match.Groups["offset"].Value switch
            {
                "Z" => "+00:00",
                var o when o.Length == 5 => o.Insert(3, ":"),
                var o => o,
            };
            return $"{match.Groups["date"].Value}T{match.Groups["time"].Value}:{seconds}.{fraction}{offset}";
        }

        [GeneratedRegex(
            @"^(?<date>\d{4}-\d{2}-\d{2})T(?<time>\d{2}:\d{2})(:(?<seconds>\d{2})(\.(?<fraction>\d{1,9}))?)?(?<offset>Z|[+-]\d{2}:?\d{2})$",
            RegexOptions.CultureInvariant)]
        private static partial Regex Iso8601();
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var member) &&
        member.ValueKind == JsonValueKind.String
            ? member.GetString()
            : null;
}
