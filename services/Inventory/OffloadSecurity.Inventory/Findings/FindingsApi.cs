using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Inventory.Findings;

public static class FindingsApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapFindingsApi(this IEndpointRouteBuilder app)
    {
        var findings = app.MapGroup("/api/findings").WithTags("Findings").RequireAuthorization(Policies.Reader);
        findings.MapGet("/", List);
        findings.MapGet("/{fingerprint}", Get);
        return app;
    }

    private static async Task<Results<Ok<FindingPage>, ValidationProblem>> List(
        HttpContext http, IInventoryStore store, CancellationToken ct,
        Severity? severity = null, FindingStatus? status = null, CloudProvider? provider = null, Guid? accountId = null,
        string? source = null, string? region = null, string? resourceType = null, int limit = 100, string? cursor = null)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Between 1 and {MaxPageSize}."] });
        }

        if (!FindingCursor.IsValid(cursor))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["Not a cursor this API issued; start again without it."] });
        }

        var query = new FindingQuery
        {
            Severity = severity,
            Status = status,
            Provider = provider,
            AccountId = accountId,
            Source = source,
            Region = region,
            ResourceType = resourceType,
            Limit = limit,
            Cursor = cursor,
        };
        return TypedResults.Ok(await store.QueryAsync(http.User.GetTenantId(), query, ct));
    }

    private static async Task<Results<Ok<FindingRecord>, NotFound>> Get(string fingerprint, HttpContext http, IInventoryStore store, CancellationToken ct) =>
        await store.FindAsync(http.User.GetTenantId(), fingerprint, ct) is { } finding
            ? TypedResults.Ok(finding)
            : TypedResults.NotFound();
}
