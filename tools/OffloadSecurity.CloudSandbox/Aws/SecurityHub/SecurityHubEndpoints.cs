using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.CloudSandbox.Aws.Throttling;

namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>
/// Security Hub's GetFindings (<c>POST /findings</c>, rest-json). Findings are generated on the fly, a page at a
/// time, so large accounts cost no memory. Of the filters only <c>RecordState</c> is applied; others are ignored.
/// </summary>
internal static class SecurityHubEndpoints
{
    public const string ServiceName = "securityhub";
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapSecurityHub(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/findings", GetFindingsAsync);
        return routes;
    }

    private static async Task<IResult> GetFindingsAsync(HttpContext context, SandboxThrottling throttling, CancellationToken cancellationToken)
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

        bool Matches(int index) => request.RecordStateMatches(FindingGenerator.RecordState(account, caller.Region, index));

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
                    FindingGenerator.Write(writer, account, caller.Region, index);
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
        int MaxResults, string? NextToken, IReadOnlyList<(string Value, string Comparison)> RecordStateFilters)
    {
        /// <summary>Binds a NextToken to the filter it was issued for.</summary>
        public string FilterKey => string.Join(',', RecordStateFilters.Select(f => $"{f.Comparison}:{f.Value}"));

        /// <summary>EQUALS filters are OR-ed, NOT_EQUALS filters AND-ed, as Security Hub documents.</summary>
        public bool RecordStateMatches(string recordState)
        {
            var equals = RecordStateFilters.Where(f => f.Comparison == "EQUALS").ToList();
            return (equals.Count == 0 || equals.Any(f => f.Value == recordState)) &&
                RecordStateFilters.Where(f => f.Comparison == "NOT_EQUALS").All(f => f.Value != recordState);
        }

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
            if (body.TryGetProperty("Filters", out var all) && all.ValueKind == JsonValueKind.Object &&
                all.TryGetProperty("RecordState", out var recordState))
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

            return new GetFindingsRequest(maxResults, string.IsNullOrEmpty(nextToken) ? null : nextToken, filters);
        }

        private static string? StringMember(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var member) &&
            member.ValueKind == JsonValueKind.String
                ? member.GetString()
                : null;
    }
}
