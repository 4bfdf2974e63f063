using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.SecurityHub;

/// <summary>
/// AWS Security Hub over plain HTTP (rest-json protocol, SigV4 signing name <c>securityhub</c>).
/// Errors become <see cref="AwsServiceException"/>; retries belong to the caller.
/// </summary>
public sealed class SecurityHubClient(
    HttpClient httpClient, IOptions<AwsEndpointOptions> endpoints, TimeProvider? timeProvider = null, AwsCallPolicy? policy = null)
{
    public const string ServiceName = "securityhub";

    /// <summary>The largest page GetFindings allows (service-2.json: MaxResults 1..100).</summary>
    public const int MaxPageSize = 100;

    private readonly SigV4Signer _signer = new(timeProvider);

    /// <summary>
    /// Reads every ACTIVE finding, one page at a time, starting at <paramref name="startToken"/> (null: the beginning).
    /// With <paramref name="updatedSince"/>, reads instead every finding updated since then, archived ones included
    /// (an incremental read must see what was closed). With a call policy, pages are fetched within GetFindings'
    /// documented rate and throttled or failed calls retried.
    /// </summary>
    public async IAsyncEnumerable<SecurityHubPage> GetFindingsAsync(
        IAwsCredentialSource credentials, string region, string? startToken,
        [EnumeratorCancellation] CancellationToken ct, DateTimeOffset? updatedSince = null)
    {
        var end = (timeProvider ?? TimeProvider.System).GetUtcNow().AddDays(1);
        var token = startToken;
        do
        {
            var pageToken = token;
            Func<AwsCredentials, CancellationToken, Task<SecurityHubPage>> call =
                (signWith, attemptCt) => GetFindingsPageAsync(signWith, region, pageToken, MaxPageSize, attemptCt, updatedSince, end);
            var page = await policy.CallAsync("GetFindings", AwsCallPolicy.SecurityHubGetFindings, credentials, region, call, ct);
            yield return page;
            token = page.NextToken is { } next && next == pageToken
                ? throw new AwsServiceException(HttpStatusCode.OK, "RepeatedNextToken", "RepeatedNextToken: Security Hub returned the NextToken it was sent; paging stopped.")
                : page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>
    /// One GetFindings call (<c>POST /findings</c>) with the filter RecordState EQUALS ACTIVE, or with
    /// <paramref name="updatedSince"/> the filter UpdatedAt from then to <paramref name="updatedUntil"/>.
    /// </summary>
    public async Task<SecurityHubPage> GetFindingsPageAsync(
        AwsCredentials credentials, string region, string? nextToken, int maxResults, CancellationToken ct,
        DateTimeOffset? updatedSince = null, DateTimeOffset? updatedUntil = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, MaxPageSize);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoints.Value.Resolve(ServiceName, region), "findings"))
        {
            Content = new ByteArrayContent(GetFindingsBody(nextToken, maxResults, updatedSince, updatedUntil)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await _signer.SignAsync(request, credentials, region, ServiceName, ct);

        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await AwsServiceException.FromResponseAsync(response, ct);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        var findings = json.RootElement.TryGetProperty("Findings", out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(f => f.Clone()).ToList()
            : [];
        var next = json.RootElement.TryGetProperty("NextToken", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;
        return new SecurityHubPage(findings, string.IsNullOrEmpty(next) ? null : next);
    }

    private static byte[] GetFindingsBody(string? nextToken, int maxResults, DateTimeOffset? updatedSince, DateTimeOffset? updatedUntil)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Filters");
            if (updatedSince is { } since)
            {
                // DateFilter: Start and End as ISO-8601 timestamps (API reference, "Timestamps").
                json.WriteStartArray("UpdatedAt");
                json.WriteStartObject();
                json.WriteString("Start", Timestamp(since));
                json.WriteString("End", Timestamp(updatedUntil ?? since.AddYears(1)));
                json.WriteEndObject();
                json.WriteEndArray();
            }
            else
            {
                json.WriteStartArray("RecordState");
                json.WriteStartObject();
                json.WriteString("Value", "ACTIVE");
                json.WriteString("Comparison", "EQUALS");
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteEndObject();
            if (!string.IsNullOrEmpty(nextToken))
            {
                json.WriteString("NextToken", nextToken);
            }

            json.WriteNumber("MaxResults", maxResults);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
