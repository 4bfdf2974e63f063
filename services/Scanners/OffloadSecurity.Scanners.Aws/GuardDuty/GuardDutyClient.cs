using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// Amazon GuardDuty over plain HTTP (rest-json protocol, API version 2017-11-28, SigV4 signing name
/// <c>guardduty</c>): ListDetectors, ListFindings and GetFindings, with the wire (camelCase) member names of
/// service-2.json. With a call policy every call waits for its API's token and is retried on throttling and 5xx;
/// without one, errors surface at once as <see cref="AwsServiceException"/>.
/// </summary>
public sealed class GuardDutyClient(
    HttpClient httpClient, IOptions<AwsEndpointOptions> endpoints, TimeProvider? timeProvider = null, AwsCallPolicy? policy = null)
{
    public const string ServiceName = "guardduty";

    /// <summary>The largest ListDetectors and ListFindings page (service-2.json: MaxResults 1..50).</summary>
    public const int MaxPageSize = 50;

    /// <summary>The most finding ids one GetFindings call takes (service-2.json: FindingIds max 50).</summary>
    public const int MaxFindingIdsPerCall = 50;

    private readonly SigV4Signer _signer = new(timeProvider);

    /// <summary>Every detector id of the region: none when GuardDuty is not enabled there.</summary>
    public async IAsyncEnumerable<string> ListDetectorsAsync(
        IAwsCredentialSource credentials, string region, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var pageToken = token;
            var page = await CallAsync("ListDetectors", GuardDutyRates.ListDetectors, credentials, region,
                (signWith, attemptCt) => ListDetectorsPageAsync(signWith, region, pageToken, MaxPageSize, attemptCt), ct);
            foreach (var id in page.Ids)
            {
                yield return id;
            }

            token = NextOrThrow(pageToken, page.NextToken);
        }
        while (token is not null);
    }

    /// <summary>One ListDetectors call: <c>GET /detector?maxResults=&amp;nextToken=</c>.</summary>
    public async Task<GuardDutyIdPage> ListDetectorsPageAsync(
        AwsCredentials credentials, string region, string? nextToken, int maxResults, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, MaxPageSize);
        var query = "maxResults=" + maxResults.ToString(CultureInfo.InvariantCulture)
            + (string.IsNullOrEmpty(nextToken) ? "" : "&nextToken=" + Uri.EscapeDataString(nextToken));
        using var json = await SendAsync(HttpMethod.Get, "detector?" + query, body: null, credentials, region, ct);
        return IdPage(json.RootElement, "detectorIds");
    }

    /// <summary>
    /// The ids of every finding that is not archived, page by page (ListFindings with the criterion
    /// <c>service.archived</c> equals <c>false</c>).
    /// </summary>
    public async IAsyncEnumerable<GuardDutyIdPage> ListFindingsAsync(
        IAwsCredentialSource credentials, string region, string detectorId, [EnumeratorCancellation] CancellationToken ct,
        string? startToken = null)
    {
        var token = startToken;
        do
        {
            var pageToken = token;
            var page = await CallAsync("ListFindings", GuardDutyRates.ListFindings, credentials, region,
                (signWith, attemptCt) => ListFindingsPageAsync(signWith, region, detectorId, pageToken, MaxPageSize, attemptCt), ct);
            yield return page;
            token = NextOrThrow(pageToken, page.NextToken);
        }
        while (token is not null);
    }

    /// <summary>One ListFindings call: <c>POST /detector/{detectorId}/findings</c> for findings that are not archived.</summary>
    public async Task<GuardDutyIdPage> ListFindingsPageAsync(
        AwsCredentials credentials, string region, string detectorId, string? nextToken, int maxResults, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(detectorId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, MaxPageSize);
        using var json = await SendAsync(HttpMethod.Post, DetectorPath(detectorId) + "/findings",
            ListFindingsBody(nextToken, maxResults), credentials, region, ct);
        return IdPage(json.RootElement, "findingIds");
    }

    /// <summary>
    /// The findings with the given ids, in calls of at most <see cref="MaxFindingIdsPerCall"/> ids. Ids GuardDuty no
    /// longer knows are left out, as GetFindings does.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> GetFindingsAsync(
        IAwsCredentialSource credentials, string region, string detectorId, IReadOnlyList<string> findingIds, CancellationToken ct)
    {
        var findings = new List<JsonElement>(findingIds.Count);
        foreach (var chunk in findingIds.Chunk(MaxFindingIdsPerCall))
        {
            findings.AddRange(await CallAsync("GetFindings", GuardDutyRates.GetFindings, credentials, region,
                (signWith, attemptCt) => GetFindingsBatchAsync(signWith, region, detectorId, chunk, attemptCt), ct));
        }

        return findings;
    }

    /// <summary>One GetFindings call: <c>POST /detector/{detectorId}/findings/get</c> with 1 to 50 ids.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetFindingsBatchAsync(
        AwsCredentials credentials, string region, string detectorId, IReadOnlyList<string> findingIds, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(detectorId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(findingIds.Count, MaxFindingIdsPerCall);
        if (findingIds.Count == 0)
        {
            return [];
        }

        using var json = await SendAsync(HttpMethod.Post, DetectorPath(detectorId) + "/findings/get",
            GetFindingsBody(findingIds), credentials, region, ct);
        return json.RootElement.TryGetProperty("findings", out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Select(f => f.Clone())]
            : [];
    }

    private Task<T> CallAsync<T>(
        string api, ApiRate rate, IAwsCredentialSource credentials, string region, Func<AwsCredentials, CancellationToken, Task<T>> call,
        CancellationToken ct) =>
        policy.CallAsync(ServiceName + ":" + api, rate, credentials, region, call, ct);

    private async Task<JsonDocument> SendAsync(
        HttpMethod method, string relativeUri, byte[]? body, AwsCredentials credentials, string region, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(endpoints.Value.Resolve(ServiceName, region), relativeUri));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        await _signer.SignAsync(request, credentials, region, ServiceName, ct);
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await AwsServiceException.FromResponseAsync(response, ct);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(stream, cancellationToken: ct);
    }

    /// <summary>A service handing back the token it was given would page forever: stop with an error (the region ends partial).</summary>
    private static string? NextOrThrow(string? sent, string? received) =>
        received is not null && received == sent
            ? throw new AwsServiceException(HttpStatusCode.OK, "RepeatedNextToken", "RepeatedNextToken: GuardDuty returned the nextToken it was sent; paging stopped.")
            : received;

    private static string DetectorPath(string detectorId) => "detector/" + Uri.EscapeDataString(detectorId);

    private static GuardDutyIdPage IdPage(JsonElement root, string idsMember)
    {
        var ids = root.TryGetProperty(idsMember, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList()
            : [];
        var next = root.TryGetProperty("nextToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        return new GuardDutyIdPage(ids, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>
    /// <c>{"findingCriteria":{"criterion":{"service.archived":{"equals":["false"]}}},"maxResults":n,"nextToken":t}</c>.
    /// <c>equals</c> rather than <c>eq</c>: service-2.json marks <c>Eq</c> deprecated in favour of <c>Equals</c>.
    /// </summary>
    private static byte[] ListFindingsBody(string? nextToken, int maxResults) => Json(json =>
    {
        json.WriteStartObject("findingCriteria");
        json.WriteStartObject("criterion");
        json.WriteStartObject("service.archived");
        json.WriteStartArray("equals");
        json.WriteStringValue("false");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteNumber("maxResults", maxResults);
        if (!string.IsNullOrEmpty(nextToken))
        {
            json.WriteString("nextToken", nextToken);
        }
    });

    private static byte[] GetFindingsBody(IReadOnlyList<string> findingIds) => Json(json =>
    {
        json.WriteStartArray("findingIds");
        foreach (var id in findingIds)
        {
            json.WriteStringValue(id);
        }

        json.WriteEndArray();
    });

    private static byte[] Json(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
