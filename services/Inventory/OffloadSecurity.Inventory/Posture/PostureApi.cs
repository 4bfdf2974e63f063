using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Inventory.Posture;

public static class PostureApi
{
    public const int MaxTrendDays = 365;

    public static IEndpointRouteBuilder MapPostureApi(this IEndpointRouteBuilder app)
    {
        var posture = app.MapGroup("/api/posture").WithTags("Posture").RequireAuthorization(Policies.Reader);
        posture.MapGet("/summary", Summary);
        posture.MapGet("/trend", Trend);
        return app;
    }

    private static async Task<Ok<PostureSummary>> Summary(HttpContext http, IInventoryStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.SummarizeAsync(http.User.GetTenantId(), ct));

    private static async Task<Results<Ok<PostureTrend>, ValidationProblem>> Trend(
        HttpContext http, IInventoryStore store, CancellationToken ct, string? days = null)
    {
        var count = 30;
        if (days is not null && (!int.TryParse(days, out count) || count is < 1 or > MaxTrendDays))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = [$"Between 1 and {MaxTrendDays}."] });
        }

        return TypedResults.Ok(await store.TrendAsync(http.User.GetTenantId(), count, ct));
    }
}
