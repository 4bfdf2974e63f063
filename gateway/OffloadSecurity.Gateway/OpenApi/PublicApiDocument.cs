using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.ServiceDefaults.OpenApi;
using Yarp.ReverseProxy.Configuration;

namespace OffloadSecurity.Gateway.OpenApi;

/// <summary>
/// The one OpenAPI document of the public API: each service's own document, reduced to the paths a gateway route
/// sends to that service, merged. Served at the same path the services use, ahead of the gateway's own (empty) one.
/// </summary>
public static class PublicApiDocument
{
    public const string HttpClientName = "openapi";

    public static IHostApplicationBuilder AddPublicApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        return builder;
    }

    public static WebApplication MapPublicApiDocument(this WebApplication app)
    {
        // Order -1 wins over the service defaults' document at the same path.
        app.MapGet(OpenApiDefaults.DocumentPath, GetAsync).AllowAnonymous().ExcludeFromDescription().WithOrder(-1);
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(
        IProxyConfigProvider proxy, IHttpClientFactory clients, CancellationToken ct)
    {
        var config = proxy.GetConfig();
        var prefixes = config.Routes
            .Where(route => route.ClusterId is not null && route.Match.Path is not null)
            .Select(route => (route.ClusterId!, Prefix: PathPrefix(route.Match.Path!)))
            .ToList();

        JsonObject? merged = null;
        foreach (var cluster in config.Clusters.Where(c => prefixes.Any(p => p.Item1 == c.ClusterId)))
        {
            if (cluster.Destinations?.Values.FirstOrDefault() is not { } destination)
            {
                continue;
            }

            JsonObject document;
            try
            {
                var json = await clients.CreateClient(HttpClientName).GetStringAsync(new Uri(new Uri(destination.Address), OpenApiDefaults.DocumentPath), ct);
                document = JsonNode.Parse(json)!.AsObject();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "The API description is incomplete.",
                    detail: $"The {cluster.ClusterId} service did not give its API description; try again when /health shows it healthy.");
            }

            var clusterPrefixes = prefixes.Where(p => p.Item1 == cluster.ClusterId).Select(p => p.Prefix).ToList();
            merged = Merge(merged, document, path => clusterPrefixes.Any(prefix => path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal)));
        }

        merged ??= new JsonObject { ["openapi"] = "3.1.1", ["paths"] = new JsonObject() };
        return TypedResults.Content(merged.ToJsonString(), "application/json");
    }

    /// <summary>The fixed part of a route's path pattern: <c>/api/accounts/{**rest}</c> → <c>/api/accounts</c>.</summary>
    public static string PathPrefix(string pattern)
    {
        var brace = pattern.IndexOf('{', StringComparison.Ordinal);
        return (brace < 0 ? pattern : pattern[..brace]).TrimEnd('/');
    }

    /// <summary>Adds <paramref name="document"/>'s public paths and every component it defines to <paramref name="into"/>.</summary>
    public static JsonObject Merge(JsonObject? into, JsonObject document, Func<string, bool> isPublic)
    {
        if (into is null)
        {
            into = (JsonObject)document.DeepClone();
            into["paths"] = new JsonObject();
            into["components"] = new JsonObject();
        }

        var paths = into["paths"]!.AsObject();
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            if (isPublic(path) && !paths.ContainsKey(path))
            {
                paths[path] = item?.DeepClone();
            }
        }

        var components = into["components"]!.AsObject();
        foreach (var (kind, entries) in document["components"]?.AsObject() ?? [])
        {
            if (entries is not JsonObject definitions)
            {
                continue;
            }

            var target = components[kind] as JsonObject ?? (JsonObject)(components[kind] = new JsonObject());
            foreach (var (name, definition) in definitions)
            {
                if (!target.ContainsKey(name))
                {
                    target[name] = definition?.DeepClone();
                }
            }
        }

        return into;
    }
}
