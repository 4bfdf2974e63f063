using System.ComponentModel;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Inventory.Ingest;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>The findings API. The tenant only ever comes from the caller's token.</summary>
public static class FindingsApi
{
    public const int MaxNoteLength = 2000;
    public static readonly TimeSpan MaxRiskAcceptance = TimeSpan.FromDays(366);

    public static IEndpointRouteBuilder MapFindingsApi(this IEndpointRouteBuilder app)
    {
        var findings = app.MapGroup("/api/findings").WithTags("Findings").RequireAuthorization(Policies.Reader);
        findings.MapGet("/", List);
        findings.MapGet("/export", Export);
        findings.MapGet("/{fingerprint}", Get);
        findings.MapPost("/{fingerprint}/workflow", SetWorkflow).RequireAuthorization(Policies.Triage);
        return app;
    }

    private static async Task<Results<Ok<FindingPage>, ValidationProblem>> List(
        HttpContext http, IInventoryStore store, [AsParameters] FindingFilter filter, CancellationToken ct)
    {
        var (query, errors) = filter.Parse();
        return query is null
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await store.QueryAsync(http.User.GetTenantId(), query, ct));
    }

    private static async Task<Results<Ok<FindingRecord>, NotFound>> Get(string fingerprint, HttpContext http, IInventoryStore store, CancellationToken ct) =>
        await store.FindAsync(http.User.GetTenantId(), fingerprint, ct) is { } finding
            ? TypedResults.Ok(finding)
            : TypedResults.NotFound();

    /// <summary><c>format=jsonl</c> (OCSF JSON Lines, the default) or <c>csv</c>, with the list's filters; streamed.</summary>
    private static Results<PushStreamHttpResult, ValidationProblem> Export(
        HttpContext http, IInventoryStore store, [AsParameters] FindingFilter filter,
        [Description("jsonl (OCSF JSON Lines, the default) or csv.")] string? format = null)
    {
        var (query, errors) = (filter with { Limit = null, Cursor = null }).Parse();
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && format is not null && !string.Equals(format, "jsonl", StringComparison.OrdinalIgnoreCase))
        {
            errors["format"] = ["Either jsonl or csv."];
            query = null;
        }

        if (query is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.GetTenantId();
        var ct = http.RequestAborted;
        var rows = store.ExportAsync(tenant, query, ct);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return csv
            ? TypedResults.Stream(body => FindingExport.WriteCsvAsync(body, rows, ct), "text/csv; charset=utf-8", $"findings-{stamp}.csv")
            : TypedResults.Stream(body => FindingExport.WriteJsonLinesAsync(body, tenant, rows, ct), "application/x-ndjson", $"findings-{stamp}.jsonl");
    }

    private static async Task<Results<Ok<FindingRecord>, NotFound, ValidationProblem>> SetWorkflow(
        string fingerprint, WorkflowRequest request, HttpContext http, IInventoryStore store, IPublishEndpoint publisher, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var state = request.Action?.Replace("-", "").Replace("_", "").ToLowerInvariant() switch
        {
            "acknowledge" => WorkflowState.Acknowledged,
            "suppress" => WorkflowState.Suppressed,
            "riskaccept" => WorkflowState.RiskAccepted,
            "clear" => WorkflowState.None,
            _ => (WorkflowState?)null,
        };
        if (state is null)
        {
            errors["action"] = ["One of: acknowledge, suppress, risk-accept, clear."];
        }

        if (request.Note is { Length: > MaxNoteLength })
        {
            errors["note"] = [$"At most {MaxNoteLength} characters."];
        }
        else if (state is WorkflowState.Suppressed or WorkflowState.RiskAccepted && string.IsNullOrWhiteSpace(request.Note))
        {
            errors["note"] = ["Say why: a suppression or risk acceptance needs a note."];
        }

        var now = time.GetUtcNow();
        if (state == WorkflowState.RiskAccepted)
        {
            if (request.ExpiresAt is not { } expires)
            {
                errors["expiresAt"] = ["A risk acceptance needs an expiry."];
            }
            else if (expires <= now || expires > now + MaxRiskAcceptance)
            {
                errors["expiresAt"] = [$"In the future and at most {MaxRiskAcceptance.TotalDays:0} days ahead."];
            }
        }
        else if (request.ExpiresAt is not null)
        {
            errors["expiresAt"] = ["Only a risk acceptance expires."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = http.User.GetTenantId();
        var actor = http.User.FindFirst("sub")?.Value ?? http.User.Identity?.Name ?? "unknown";
        var change = new WorkflowChange(state!.Value, string.IsNullOrWhiteSpace(request.Note) ? null : request.Note, actor, request.ExpiresAt);
        if (await store.SetWorkflowAsync(tenant, fingerprint, change, ct) is not { } delta)
        {
            return TypedResults.NotFound();
        }

        await FindingChanges.PublishAsync(publisher, tenant, [delta], ct);
        return TypedResults.Ok((await store.FindAsync(tenant, fingerprint, ct))!);
    }
}

/// <summary>Body of <c>POST /api/findings/{fingerprint}/workflow</c>.</summary>
/// <param name="Action">acknowledge, suppress, risk-accept or clear (back to active).</param>
/// <param name="Note">Why; required to suppress or accept a risk.</param>
/// <param name="ExpiresAt">When a risk acceptance lapses (required for risk-accept, at most a year ahead).</param>
public sealed record WorkflowRequest(string? Action, string? Note, DateTimeOffset? ExpiresAt);
