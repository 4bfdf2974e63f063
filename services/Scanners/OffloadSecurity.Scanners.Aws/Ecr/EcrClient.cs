using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core.RateLimiting;
using static OffloadSecurity.Scanners.Aws.Normalization.AwsJson;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>
/// Amazon ECR over plain HTTP (JSON 1.1 protocol: <c>POST /</c> with <c>X-Amz-Target:
/// AmazonEC2ContainerRegistry_V20150921.{Operation}</c>; endpoint prefix <c>api.ecr</c>, SigV4 signing name
/// <c>ecr</c>): DescribeRepositories, DescribeImages and DescribeImageScanFindings, paged. With a call policy every
/// call waits for its API's token and is retried on throttling and 5xx.
/// </summary>
public sealed class EcrClient(
    HttpClient httpClient, IOptions<AwsEndpointOptions> endpoints, TimeProvider? timeProvider = null, AwsCallPolicy? policy = null)
{
    public const string SigningName = "ecr";
    public const string EndpointPrefix = "api.ecr";
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921";
    public const string ContentType = AwsJson11.ContentType;

    /// <summary>The page size we ask for (service-2.json allows 1..1000 on all three operations).</summary>
    public const int PageSize = 100;

    public const int MaxPageSize = 1000;

    private readonly SigV4Signer _signer = new(timeProvider);

    public IAsyncEnumerable<EcrRepository> DescribeRepositoriesAsync(IAwsCredentialSource credentials, string region, CancellationToken ct) =>
        PagesAsync("DescribeRepositories", EcrRates.DescribeRepositories, credentials, region,
            (token, signWith, attemptCt) => DescribeRepositoriesPageAsync(signWith, region, token, PageSize, attemptCt), ct);

    public async Task<EcrPage<EcrRepository>> DescribeRepositoriesPageAsync(
        AwsCredentials credentials, string region, string? nextToken, int maxResults, CancellationToken ct)
    {
        using var json = await SendAsync("DescribeRepositories", Body(maxResults, nextToken, _ => { }), credentials, region, ct);
        var repositories = Items(json.RootElement, "repositories")
            .Where(r => Text(r, "repositoryName") is not null)
            .Select(r => new EcrRepository(
                Text(r, "registryId") ?? "", Text(r, "repositoryName")!, Text(r, "repositoryArn"), Text(r, "repositoryUri"), Timestamp(r, "createdAt")))
            .ToList();
        return new EcrPage<EcrRepository>(repositories, Next(json.RootElement));
    }

    public IAsyncEnumerable<EcrImage> DescribeImagesAsync(IAwsCredentialSource credentials, string region, EcrRepository repository, CancellationToken ct) =>
        PagesAsync("DescribeImages", EcrRates.DescribeImages, credentials, region,
            (token, signWith, attemptCt) => DescribeImagesPageAsync(signWith, region, repository.RegistryId, repository.Name, token, PageSize, attemptCt), ct);

    public async Task<EcrPage<EcrImage>> DescribeImagesPageAsync(
        AwsCredentials credentials, string region, string? registryId, string repositoryName, string? nextToken, int maxResults, CancellationToken ct)
    {
        using var json = await SendAsync("DescribeImages", Body(maxResults, nextToken, body =>
        {
            WriteRepository(body, registryId, repositoryName);
            body.WriteStartObject("filter");
            body.WriteString("tagStatus", "ANY");
            body.WriteEndObject();
        }), credentials, region, ct);
        var images = Items(json.RootElement, "imageDetails")
            .Where(i => Text(i, "imageDigest") is not null)
            .Select(i => new EcrImage(
                Text(i, "registryId") ?? registryId ?? "", Text(i, "repositoryName") ?? repositoryName, Text(i, "imageDigest")!,
                [.. Items(i, "imageTags").Select(t => Text(t)).OfType<string>()], Timestamp(i, "imagePushedAt"), Text(i, "imageScanStatus", "status")))
            .ToList();
        return new EcrPage<EcrImage>(images, Next(json.RootElement));
    }

    /// <summary>Every page of an image's scan findings (a page carries basic and enhanced findings alike).</summary>
    public async IAsyncEnumerable<EcrScanPage> DescribeImageScanFindingsAsync(
        IAwsCredentialSource credentials, string region, EcrImage image, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var pageToken = token;
            var page = await CallAsync("DescribeImageScanFindings", EcrRates.DescribeImageScanFindings, credentials, region,
                (signWith, attemptCt) => DescribeImageScanFindingsPageAsync(signWith, region, image.RegistryId, image.Repository, image.Digest, pageToken, PageSize, attemptCt), ct);
            yield return page;
            token = NextOrThrow(pageToken, page.NextToken);
        }
        while (token is not null);
    }

    public async Task<EcrScanPage> DescribeImageScanFindingsPageAsync(
        AwsCredentials credentials, string region, string? registryId, string repositoryName, string digest, string? nextToken, int maxResults,
        CancellationToken ct)
    {
        using var json = await SendAsync("DescribeImageScanFindings", Body(maxResults, nextToken, body =>
        {
            WriteRepository(body, registryId, repositoryName);
            body.WriteStartObject("imageId");
            body.WriteString("imageDigest", digest);
            body.WriteEndObject();
        }), credentials, region, ct);
        return EcrScanDocument.Read(json.RootElement);
    }

    private async IAsyncEnumerable<T> PagesAsync<T>(
        string api, ApiRate rate, IAwsCredentialSource credentials, string region, Func<string?, AwsCredentials, CancellationToken, Task<EcrPage<T>>> page,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var pageToken = token;
            var result = await CallAsync(api, rate, credentials, region, (signWith, attemptCt) => page(pageToken, signWith, attemptCt), ct);
            foreach (var item in result.Items)
            {
                yield return item;
            }

            token = NextOrThrow(pageToken, result.NextToken);
        }
        while (token is not null);
    }

    private Task<T> CallAsync<T>(
        string api, ApiRate rate, IAwsCredentialSource credentials, string region, Func<AwsCredentials, CancellationToken, Task<T>> call,
        CancellationToken ct) =>
        policy.CallAsync(SigningName + ":" + api, rate, credentials, region, call, ct);

    private Task<JsonDocument> SendAsync(string operation, byte[] body, AwsCredentials credentials, string region, CancellationToken ct) =>
        AwsJson11.SendAsync(httpClient, _signer, endpoints.Value.Resolve(EndpointPrefix, region), TargetPrefix + "." + operation, body,
            credentials, region, SigningName, ct);

    private static byte[] Body(int maxResults, string? nextToken, Action<Utf8JsonWriter> members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, MaxPageSize);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteNumber("maxResults", maxResults);
            if (!string.IsNullOrEmpty(nextToken))
            {
                json.WriteString("nextToken", nextToken);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteRepository(Utf8JsonWriter body, string? registryId, string repositoryName)
    {
        if (!string.IsNullOrEmpty(registryId))
        {
            body.WriteString("registryId", registryId);
        }

        body.WriteString("repositoryName", repositoryName);
    }

    private static string? Next(JsonElement root) => Text(root, "nextToken");

    /// <summary>A service handing back the token it was given would page forever: stop with an error (the region ends partial).</summary>
    private static string? NextOrThrow(string? sent, string? received) =>
        received is not null && received == sent
            ? throw new AwsServiceException(HttpStatusCode.OK, "RepeatedNextToken", "RepeatedNextToken: ECR returned the nextToken it was sent; paging stopped.")
            : received;
}
