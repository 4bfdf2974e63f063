using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Throttling;

namespace OffloadSecurity.CloudSandbox.Aws.GuardDuty;

/// <summary>
/// GuardDuty (rest-json, API 2017-11-28): ListDetectors (<c>GET /detector</c>), ListFindings
/// (<c>POST /detector/{detectorId}/findings</c>) and GetFindings (<c>POST /detector/{detectorId}/findings/get</c>),
/// per account and region. Of ListFindings' criteria only <c>service.archived</c> is applied; others are ignored.
/// </summary>
internal static class GuardDutyEndpoints
{
    public const string ServiceName = "guardduty";

    /// <summary>GuardDuty sits behind API Gateway, which refuses excess calls with 429 TooManyRequestsException.</summary>
    private static readonly AwsError Throttled = new(StatusCodes.Status429TooManyRequests, "TooManyRequestsException", "Too Many Requests");

    public static IEndpointRouteBuilder MapGuardDuty(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/detector", ListDetectors);
        routes.MapPost("/detector/{detectorId}/findings", ListFindingsAsync);
        routes.MapPost("/detector/{detectorId}/findings/get", GetFindingsAsync);
        return routes;
    }

    private static IResult ListDetectors(HttpContext context, SandboxThrottling throttling)
    {
        if (Refuse(context, throttling, "ListDetectors") is { } refused)
        {
            return refused;
        }

        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        var query = context.Request.Query;
        if (query.TryGetValue("maxResults", out var max) &&
            (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var maxResults) || maxResults is < 1 or > GuardDutyRequests.MaxPageSize))
        {
            return GuardDutyRequests.BadRequest("maxResults must be between 1 and 50.");
        }

        // One detector per account and region (GuardDuty quotas), so there is never a second page.
        string[] detectors = IsEnabled(caller) && string.IsNullOrEmpty(query["nextToken"])
            ? [GuardDutyFindingGenerator.DetectorId(caller.Account.AccountId, caller.Region)]
            : [];
        return Results.Json(new Dictionary<string, string[]> { ["detectorIds"] = detectors });
    }

    private static async Task<IResult> ListFindingsAsync(string detectorId, HttpContext context, SandboxThrottling throttling, CancellationToken ct)
    {
        if (Refuse(context, throttling, "ListFindings", detectorId) is { } refused)
        {
            return refused;
        }

        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        var read = await GuardDutyRequests.ReadListFindingsAsync(context.Request, ct);
        if (read.Error is not null)
        {
            return read.Error;
        }

        var request = read.Request!;
        var (account, region, total) = (caller.Account.AccountId, caller.Region, caller.Account.GuardDutyFindings);
        var filterKey = $"guardduty|{detectorId}|{request.FilterKey}";
        var start = 0;
        if (request.NextToken is not null && !FindingsPageToken.TryRead(request.NextToken, account, region, filterKey, total, out start))
        {
            return GuardDutyRequests.BadRequest("The request is rejected because an invalid or out-of-range value is specified as an input parameter: nextToken.");
        }

        var ids = new List<string>(request.MaxResults);
        var index = start;
        for (; index < total && ids.Count < request.MaxResults; index++)
        {
            if (request.ArchivedMatches(GuardDutyFindingGenerator.IsArchived(account, region, index)))
            {
                ids.Add(GuardDutyFindingGenerator.FindingId(account, region, index));
            }
        }

        // Only hand out a token when another matching finding exists.
        while (index < total && !request.ArchivedMatches(GuardDutyFindingGenerator.IsArchived(account, region, index)))
        {
            index++;
        }

        var response = new Dictionary<string, object> { ["findingIds"] = ids };
        if (index < total)
        {
            response["nextToken"] = FindingsPageToken.Create(account, region, filterKey, index);
        }

        return Results.Json(response);
    }

    private static async Task<IResult> GetFindingsAsync(string detectorId, HttpContext context, SandboxThrottling throttling, CancellationToken ct)
    {
        if (Refuse(context, throttling, "GetFindings", detectorId) is { } refused)
        {
            return refused;
        }

        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        var read = await GuardDutyRequests.ReadFindingIdsAsync(context.Request, ct);
        if (read.Error is not null)
        {
            return read.Error;
        }

        var (account, region, total) = (caller.Account.AccountId, caller.Region, caller.Account.GuardDutyFindings);
        return Results.Stream(async stream =>
        {
            await using var writer = new Utf8JsonWriter(stream);
            writer.WriteStartObject();
            writer.WriteStartArray("findings");
            foreach (var id in read.Ids!)
            {
                // GetFindings leaves out ids it does not know.
                if (GuardDutyFindingGenerator.TryIndexOf(account, region, id, total, out var index))
                {
                    GuardDutyFindingGenerator.Write(writer, account, region, index);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await writer.FlushAsync(ct);
        }, "application/json");
    }

    /// <summary>
    /// What AWS answers before looking at the request: a credential scoped to another service, throttling, an
    /// account not allowed GuardDuty in the region, or a detector the account does not own there.
    /// </summary>
    private static IResult? Refuse(HttpContext context, SandboxThrottling throttling, string action, string? detectorId = null)
    {
        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        if (caller.Service != ServiceName)
        {
            return AwsError.InvalidSignature($"Credential should be scoped to correct service: '{ServiceName}'.");
        }

        if (throttling.Check(caller, ServiceName + ":" + action, Throttled) is { } throttled)
        {
            return throttled;
        }

        if (caller.Account.GuardDutyAccessDeniedRegions.Contains(caller.Region, StringComparer.Ordinal))
        {
            return new AwsError(StatusCodes.Status403Forbidden, "AccessDeniedException",
                $"User: arn:aws:iam::{caller.Account.AccountId}:user/sandbox is not authorized to perform: guardduty:{action} in {caller.Region}");
        }

        return detectorId is not null &&
            (!IsEnabled(caller) || detectorId != GuardDutyFindingGenerator.DetectorId(caller.Account.AccountId, caller.Region))
            ? GuardDutyRequests.BadRequest("The request is rejected because the input detectorId is not owned by the current account.")
            : null;
    }

    private static bool IsEnabled(AwsCaller caller) => !caller.Account.GuardDutyDisabledRegions.Contains(caller.Region, StringComparer.Ordinal);
}
