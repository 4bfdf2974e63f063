using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Scanners.Aws.Import;

/// <summary>
/// POST /api/imports/asff and /api/imports/guardduty: the body is the file. Everything is parsed and normalized
/// first; a bad record answers 400 naming it and nothing is published. Then 202 with what was imported.
/// </summary>
public static class AwsImportApi
{
    /// <summary>Largest file taken (413 beyond).</summary>
    public const long MaxBodyBytes = 50L * 1024 * 1024;

    public static IEndpointRouteBuilder MapAwsImportApi(this IEndpointRouteBuilder app)
    {
        var imports = app.MapGroup("/api/imports").WithTags("Imports")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .RequireAuthorization(Policies.Triage);
        imports.MapPost("/asff", (HttpContext http, FindingImporter importer) => Import(http, importer, ImportKind.Asff));
        imports.MapPost("/guardduty", (HttpContext http, FindingImporter importer) => Import(http, importer, ImportKind.GuardDuty));
        return app;
    }

    private static async Task<IResult> Import(HttpContext http, FindingImporter importer, ImportKind kind)
    {
        var ct = http.RequestAborted;
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        using var body = new MemoryStream();
        try
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (body.Length + read > MaxBodyBytes)
                {
                    return TooLarge();
                }

                body.Write(buffer, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        var tenantId = http.User.GetTenantId();
        IReadOnlyList<Contracts.Findings.NormalizedFinding> findings;
        try
        {
            findings = ImportParser.Parse(kind, body.GetBuffer().AsMemory(0, (int)body.Length), tenantId);
        }
        catch (ImportFormatException ex)
        {
            return Results.Problem(
                title: "The file cannot be imported.",
                detail: ex.Message,
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["record"] = ex.Record, ["reason"] = ex.Reason });
        }

        var result = await importer.ImportAsync(tenantId, ImportParser.SourceOf(kind), findings, ct);
        return Results.Json(
            new { importId = result.ImportId, findings = result.Findings, accounts = result.Accounts },
            statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult TooLarge() => Results.Problem(
        title: "The file is too large.",
        detail: $"Files up to {MaxBodyBytes / (1024 * 1024)} MB can be imported.",
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
