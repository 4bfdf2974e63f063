using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Assets.Tagging;

/// <summary>
/// The AWS Resource Groups Tagging API over plain HTTP, from its service-2.json (API 2017-01-26, JSON 1.1 protocol:
/// <c>POST /</c> with <c>X-Amz-Target: ResourceGroupsTaggingAPI_20170126.GetResources</c>; endpoint prefix and SigV4
/// signing name <c>tagging</c>): GetResources, paged with <c>PaginationToken</c> and <c>ResourcesPerPage</c>. It
/// returns the tagged (or once tagged) resources of the region it is called in. With a call policy every page waits
/// for the API's token and is retried on throttling, 5xx and expired credentials.
/// </summary>
public sealed class TaggingClient(
    HttpClient httpClient, IOptions<AwsEndpointOptions> endpoints, TimeProvider? timeProvider = null, AwsCallPolicy? policy = null)
{
    public const string SigningName = "tagging";
    public const string EndpointPrefix = "tagging";
    public const string TargetPrefix = "ResourceGroupsTaggingAPI_20170126";
    public const string ContentType = AwsJson11.ContentType;

    /// <summary>service-2.json: ResourcesPerPage 1..100.</summary>
    public const int MaxPageSize = 100;

    private readonly SigV4Signer _signer = new(timeProvider);

    /// <summary>
    /// Every resource of the region whose type matches <paramref name="resourceTypeFilters"/> (<c>service[:type]</c>,
    /// e.g. <c>s3</c> or <c>ec2:instance</c>), page by page to the end.
    /// </summary>
    public async IAsyncEnumerable<TaggingPage> GetResourcesAsync(
        IAwsCredentialSource credentials, string region, IReadOnlyList<string> resourceTypeFilters, int pageSize,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var pageToken = token;
            Func<AwsCredentials, CancellationToken, Task<TaggingPage>> call =
                (signWith, attemptCt) => GetResourcesPageAsync(signWith, region, resourceTypeFilters, pageToken, pageSize, attemptCt);
            var page = await policy.CallAsync(SigningName + ":GetResources", TaggingRates.GetResources, credentials, region, call, ct);
            yield return page;
            token = page.PaginationToken is { } next && next == pageToken
                ? throw new AwsServiceException(HttpStatusCode.OK, "RepeatedPaginationToken", "RepeatedPaginationToken: the Tagging API returned the PaginationToken it was sent; paging stopped.")
                : page.PaginationToken;
        }
        while (token is not null);
    }

    /// <summary>One GetResources call.</summary>
    public async Task<TaggingPage> GetResourcesPageAsync(
        AwsCredentials credentials, string region, IReadOnlyList<string> resourceTypeFilters, string? paginationToken, int resourcesPerPage,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resourcesPerPage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resourcesPerPage, MaxPageSize);
        using var json = await AwsJson11.SendAsync(
            httpClient, _signer, endpoints.Value.Resolve(EndpointPrefix, region), TargetPrefix + ".GetResources",
            Body(resourceTypeFilters, paginationToken, resourcesPerPage), credentials, region, SigningName, ct);
        return Read(json.RootElement);
    }

    private static TaggingPage Read(JsonElement root)
    {
        var resources = new List<ResourceTags>();
        if (root.TryGetProperty("ResourceTagMappingList", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var mapping in list.EnumerateArray())
            {
                if (String(mapping, "ResourceARN") is { Length: > 0 } arn)
                {
                    resources.Add(new ResourceTags(arn, Tags(mapping)));
                }
            }
        }

        return new TaggingPage(resources, String(root, "PaginationToken") is { Length: > 0 } token ? token : null);
    }

    private static Dictionary<string, string> Tags(JsonElement mapping)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mapping.TryGetProperty("Tags", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var tag in list.EnumerateArray())
            {
                if (String(tag, "Key") is { Length: > 0 } key)
                {
                    tags[key] = String(tag, "Value") ?? "";
                }
            }
        }

        return tags;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static byte[] Body(IReadOnlyList<string> resourceTypeFilters, string? paginationToken, int resourcesPerPage)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (resourceTypeFilters.Count > 0)
            {
                json.WriteStartArray("ResourceTypeFilters");
                foreach (var filter in resourceTypeFilters)
                {
                    json.WriteStringValue(filter);
                }

                json.WriteEndArray();
            }

            json.WriteNumber("ResourcesPerPage", resourcesPerPage);
            if (!string.IsNullOrEmpty(paginationToken))
            {
                json.WriteString("PaginationToken", paginationToken);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
