using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// Assets, images, clusters and workloads, each detail with the open findings that touch it. The tenant only ever
/// comes from the caller's token: another tenant's record is not found, and never in a list.
/// </summary>
public static class AssetsApi
{
    /// <summary>Images of a workload looked up (by the digests its image references pin).</summary>
    public const int MaxWorkloadImages = 50;

    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/api/assets").WithTags("Assets").RequireAuthorization(Policies.Reader);
        assets.MapGet("/", ListAssets);
        assets.MapGet("/{id}", GetAsset);

        var images = app.MapGroup("/api/images").WithTags("Images").RequireAuthorization(Policies.Reader);
        images.MapGet("/", ListImages);
        images.MapGet("/{id}", GetImage);

        var clusters = app.MapGroup("/api/clusters").WithTags("Clusters").RequireAuthorization(Policies.Reader);
        clusters.MapGet("/", ListClusters);

        var workloads = app.MapGroup("/api/workloads").WithTags("Workloads").RequireAuthorization(Policies.Reader);
        workloads.MapGet("/", ListWorkloads);
        workloads.MapGet("/{id}", GetWorkload);
        return app;
    }

    private static async Task<Results<Ok<ItemPage<AssetRecord>>, ValidationProblem>> ListAssets(
        HttpContext http, IAssetStore store, [AsParameters] AssetFilter filter, CancellationToken ct)
    {
        var (query, errors) = filter.Parse();
        return query is null
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await store.QueryAssetsAsync(http.User.GetTenantId(), query, ct));
    }

    private static async Task<Results<Ok<AssetDetail>, NotFound, ValidationProblem>> GetAsset(
        string id, HttpContext http, IAssetStore store, IInventoryStore findings, CancellationToken ct)
    {
        if (BadId(id) is { } problem)
        {
            return problem;
        }

        var tenant = http.User.GetTenantId();
        if (await store.FindAssetAsync(tenant, id, ct) is not { } asset)
        {
            return TypedResults.NotFound();
        }

        var related = await RelatedFindings.OnResourceAsync(findings, tenant, asset.ResourceId, ct);
        return TypedResults.Ok(new AssetDetail(asset, related.Summaries, related.Truncated));
    }

    private static async Task<Results<Ok<ItemPage<ImageRecord>>, ValidationProblem>> ListImages(
        HttpContext http, IAssetStore store, [AsParameters] ImageFilter filter, CancellationToken ct)
    {
        var (query, errors) = filter.Parse();
        return query is null
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await store.QueryImagesAsync(http.User.GetTenantId(), query, ct));
    }

    private static async Task<Results<Ok<ImageDetail>, NotFound, ValidationProblem>> GetImage(
        string id, HttpContext http, IAssetStore store, IInventoryStore findings, CancellationToken ct)
    {
        if (BadId(id) is { } problem)
        {
            return problem;
        }

        var tenant = http.User.GetTenantId();
        if (await store.FindImageAsync(tenant, id, ct) is not { } image)
        {
            return TypedResults.NotFound();
        }

        var related = await RelatedFindings.OnImageAsync(findings, tenant, image, ct);
        return TypedResults.Ok(new ImageDetail(image, RelatedFindings.Vulnerabilities(related.Findings), related.Summaries, related.Truncated));
    }

    private static async Task<Results<Ok<ClusterList>, ValidationProblem>> ListClusters(
        HttpContext http, IAssetStore store, CancellationToken ct, string? accountId = null)
    {
        var parser = new FilterParser();
        var account = parser.Account(accountId);
        return parser.Errors.Count > 0
            ? TypedResults.ValidationProblem(parser.Errors)
            : TypedResults.Ok(new ClusterList(await store.ClustersAsync(http.User.GetTenantId(), account, ct)));
    }

    private static async Task<Results<Ok<ItemPage<WorkloadRecord>>, ValidationProblem>> ListWorkloads(
        HttpContext http, IAssetStore store, [AsParameters] WorkloadFilter filter, CancellationToken ct)
    {
        var (query, errors) = filter.Parse();
        return query is null
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await store.QueryWorkloadsAsync(http.User.GetTenantId(), query, ct));
    }

    private static async Task<Results<Ok<WorkloadDetail>, NotFound, ValidationProblem>> GetWorkload(
        string id, HttpContext http, IAssetStore store, IInventoryStore findings, CancellationToken ct)
    {
        if (BadId(id) is { } problem)
        {
            return problem;
        }

        var tenant = http.User.GetTenantId();
        if (await store.FindWorkloadAsync(tenant, id, ct) is not { } workload)
        {
            return TypedResults.NotFound();
        }

        var images = new List<ImageRecord>();
        foreach (var digest in PinnedDigests(workload.Images).Take(MaxWorkloadImages))
        {
            images.AddRange((await store.QueryImagesAsync(tenant, new ImageQuery { Digest = digest, Limit = 10 }, ct)).Items);
        }

        var related = await RelatedFindings.OnResourceAsync(findings, tenant, workload.ResourceId, ct);
        return TypedResults.Ok(new WorkloadDetail(workload, images, related.Summaries, related.Truncated));
    }

    /// <summary>The digests of the references that pin one (<c>name@sha256:...</c>), each once.</summary>
    public static IEnumerable<string> PinnedDigests(IEnumerable<string> references) =>
        references.Select(r => r.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? r[(at + 1)..] : "")
            .Where(d => d.Contains(':', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);

    private static ValidationProblem? BadId(string id) => AssetKeys.IsKey(id)
        ? null
        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [$"Not an id this API issued ({AssetKeys.Length} lowercase hex characters)."] });
}
