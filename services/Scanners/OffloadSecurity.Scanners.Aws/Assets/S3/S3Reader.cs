using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Assets.S3;

/// <summary>
/// Reads buckets with the official SDK (AWSSDK.S3, REST-XML): ListBuckets page by page, asking for the buckets located
/// in the region it is sent to (<c>bucket-region</c>, as S3 requires), a bucket's region (ListBuckets' BucketRegion,
/// else GetBucketLocation), and, in the bucket's own region, its Block Public Access settings, policy status, ACL and
/// default encryption. S3's "not configured"
/// answers are errors (404 NoSuchPublicAccessBlockConfiguration, NoSuchBucketPolicy,
/// ServerSideEncryptionConfigurationNotFoundError) and are read as "none"; every other error propagates. One reader
/// serves one scan (its SDK clients are disposed with it).
/// </summary>
public sealed class S3Reader(AwsSdkClientFactory sdk, AssetScanOptions options, AwsCallPolicy? policy = null) : IDisposable
{
    public const string SigningName = "s3";
    public const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    private readonly SdkClients<AmazonS3Client> _clients = new(sdk.S3);
    private readonly int _pageSize = options.Clamped().S3PageSize;

    /// <summary>The account's buckets located in <paramref name="region"/>, page by page, listed there.</summary>
    public async IAsyncEnumerable<BucketPage> ListBucketPagesAsync(
        IAwsCredentialSource credentials, string region, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var pageToken = token;
            var page = await CallAsync("ListBuckets", S3Rates.ListBuckets, credentials, region,
                (signWith, attemptCt) => ListBucketsPageAsync(signWith, region, region, pageToken, _pageSize, attemptCt), ct);
            yield return page;
            token = page.ContinuationToken is not null && page.ContinuationToken == pageToken
                ? throw new AwsServiceException(HttpStatusCode.OK, "RepeatedContinuationToken", "RepeatedContinuationToken: S3 ListBuckets returned the token it was sent; paging stopped.")
                : page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>
    /// One paginated ListBuckets call (max-buckets 1..10000) sent to <paramref name="region"/>; with
    /// <paramref name="bucketRegion"/>, only the buckets located there (S3 wants it equal to the region called).
    /// </summary>
    public async Task<BucketPage> ListBucketsPageAsync(
        AwsCredentials credentials, string region, string? bucketRegion, string? continuationToken, int maxBuckets, CancellationToken ct)
    {
        var client = _clients.For(credentials, region);
        var response = await SdkErrors.CallAsync(() => client.ListBucketsAsync(
            new ListBucketsRequest { MaxBuckets = maxBuckets, ContinuationToken = continuationToken, BucketRegion = bucketRegion }, ct));
        return new BucketPage(
            [
                .. (response.Buckets ?? []).Where(b => !string.IsNullOrEmpty(b.BucketName)).Select(b => new BucketListing(
                    b.BucketName, SdkTime.Utc(b.CreationDate),
                    string.IsNullOrEmpty(b.BucketRegion) ? null : b.BucketRegion)),
            ],
            string.IsNullOrEmpty(response.ContinuationToken) ? null : response.ContinuationToken);
    }

    /// <summary>The bucket's region by GetBucketLocation, sent to <paramref name="region"/> (any region answers it).</summary>
    public Task<string> GetBucketRegionAsync(IAwsCredentialSource credentials, string region, string bucket, CancellationToken ct) =>
        CallAsync("GetBucketLocation", S3Rates.BucketConfiguration, credentials, region, async (signWith, attemptCt) =>
        {
            var client = _clients.For(signWith, region);
            var response = await SdkErrors.CallAsync(() => client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, attemptCt));
            return RegionOf(response.Location?.Value);
        }, ct);

    /// <summary>
    /// The bucket's public-access and encryption settings, read in its own region (the four calls side by side), or
    /// null when the bucket no longer exists.
    /// </summary>
    public async Task<BucketPosture?> ReadBucketAsync(IAwsCredentialSource credentials, BucketListing bucket, string region, CancellationToken ct)
    {
        var name = bucket.Name;
        try
        {
            var block = Optional("GetPublicAccessBlock", credentials, region, async (client, attemptCt) =>
                (await client.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = name }, attemptCt))
                    .PublicAccessBlockConfiguration is { } c
                    ? new PublicAccessBlock(c.BlockPublicAcls ?? false, c.IgnorePublicAcls ?? false, c.BlockPublicPolicy ?? false, c.RestrictPublicBuckets ?? false)
                    : null,
                "NoSuchPublicAccessBlockConfiguration", ct);
            var policyStatus = Optional<bool?>("GetBucketPolicyStatus", credentials, region, async (client, attemptCt) =>
                (await client.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = name }, attemptCt)).PolicyStatus?.IsPublic,
                "NoSuchBucketPolicy", ct);
            var acl = Optional("GetBucketAcl", credentials, region, async (client, attemptCt) =>
                PublicGrants((await client.GetBucketAclAsync(new GetBucketAclRequest { BucketName = name }, attemptCt)).Grants),
                null, ct);
            var encryption = Optional("GetBucketEncryption", credentials, region, async (client, attemptCt) =>
                Encryption((await client.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = name }, attemptCt))
                    .ServerSideEncryptionConfiguration),
                "ServerSideEncryptionConfigurationNotFoundError", ct);
            await Task.WhenAll(block, policyStatus, acl, encryption);
            return new BucketPosture(name, region, bucket.CreatedAt, await block, await policyStatus ?? false, await acl ?? [], await encryption);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            return null;
        }
    }

    public void Dispose() => _clients.Dispose();

    /// <summary>GetBucketLocation's LocationConstraint: empty (or <c>US</c>) is us-east-1, <c>EU</c> is eu-west-1.</summary>
    public static string RegionOf(string? locationConstraint) => locationConstraint switch
    {
        null or "" or "US" => "us-east-1",
        "EU" => "eu-west-1",
        var region => region,
    };

    private async Task<T?> Optional<T>(
        string api, IAwsCredentialSource credentials, string region, Func<AmazonS3Client, CancellationToken, Task<T>> read, string? absentCode,
        CancellationToken ct)
    {
        try
        {
            return await CallAsync(api, S3Rates.BucketConfiguration, credentials, region,
                (signWith, attemptCt) => SdkErrors.CallAsync(() => read(_clients.For(signWith, region), attemptCt)), ct);
        }
        catch (AwsServiceException ex) when (absentCode is not null && ex.ErrorCode == absentCode)
        {
            return default;
        }
    }

    private static List<PublicGrant> PublicGrants(List<S3Grant>? grants) =>
    [
        .. (grants ?? [])
            .Where(g => g.Grantee?.URI is AllUsers or AuthenticatedUsers)
            .Select(g => new PublicGrant(g.Grantee!.URI == AllUsers ? "AllUsers" : "AuthenticatedUsers", g.Permission?.Value ?? "")),
    ];

    private static DefaultEncryption? Encryption(ServerSideEncryptionConfiguration? configuration) =>
        (configuration?.ServerSideEncryptionRules ?? []).FirstOrDefault(r => r.ServerSideEncryptionByDefault is not null) is { } rule
            ? new DefaultEncryption(
                rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm?.Value ?? "",
                string.IsNullOrEmpty(rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId)
                    ? null
                    : rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId,
                rule.BucketKeyEnabled ?? false)
            : null;

    private Task<T> CallAsync<T>(
        string api, ApiRate rate, IAwsCredentialSource credentials, string region, Func<AwsCredentials, CancellationToken, Task<T>> call,
        CancellationToken ct) =>
        policy.CallAsync(SigningName + ":" + api, rate, credentials, region, call, ct);
}
