using System.Net;
using System.Xml.Linq;
using OffloadSecurity.CloudSandbox.Aws.S3;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.S3;

/// <summary>The sandbox's S3 on the wire (REST-XML, path-style, SigV4 with x-amz-content-sha256).</summary>
public sealed class S3EndpointsTests : IAsyncLifetime
{
    private const string Home = "us-east-1";
    private const string Other = "eu-west-3";
    private static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static readonly SandboxAwsAccount Account = Configure(SandboxServer.Account("626262626262", findings: 0));
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Rejects_a_bad_signature_with_SignatureDoesNotMatch()
    {
        using var response = await GetAsync("/", new AwsCredentials(Account.AccessKeyId, "not-the-secret"));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.XmlErrorCodeAsync()).ShouldBe("SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Rejects_an_unknown_access_key_with_InvalidAccessKeyId()
    {
        using var response = await GetAsync("/", new AwsCredentials("AKIAUNKNOWN000000000", "whatever"));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.XmlErrorCodeAsync()).ShouldBe("InvalidAccessKeyId");
    }

    [Fact]
    public async Task ListBuckets_pages_with_a_continuation_token_and_names_each_buckets_region()
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            using var response = await GetAsync("/?max-buckets=2" + (token is null ? "" : "&continuation-token=" + Uri.EscapeDataString(token)), Account.Credentials());
            var root = await response.XmlAsync();
            root.Name.ShouldBe(Ns + "ListAllMyBucketsResult");
            var buckets = root.Element(Ns + "Buckets")!.Elements(Ns + "Bucket").ToList();
            buckets.ShouldAllBe(b => b.Element(Ns + "BucketRegion") != null);
            names.AddRange(buckets.Select(b => b.Element(Ns + "Name")!.Value));
            token = root.Element(Ns + "ContinuationToken")?.Value;
        }
        while (token is not null);

        names.ShouldBe(S3Generator.Buckets(Account).Select(b => b.Name));
    }

    [Fact]
    public async Task ListBuckets_with_bucket_region_lists_the_buckets_located_there()
    {
        using var response = await GetAsync($"/?max-buckets=100&bucket-region={Other}", Account.Credentials(), Other);

        var buckets = (await response.XmlAsync()).Element(Ns + "Buckets")!.Elements(Ns + "Bucket").ToList();
        buckets.Select(b => b.Element(Ns + "Name")!.Value).ShouldBe(S3Generator.Buckets(Account).Where(b => b.Region == Other).Select(b => b.Name));
        buckets.ShouldAllBe(b => b.Element(Ns + "BucketRegion")!.Value == Other);
    }

    [Fact]
    public async Task An_unpaginated_ListBuckets_names_no_regions()
    {
        using var response = await GetAsync("/", Account.Credentials());

        var buckets = (await response.XmlAsync()).Element(Ns + "Buckets")!.Elements(Ns + "Bucket").ToList();
        buckets.Count.ShouldBe(Account.S3Buckets);
        buckets.ShouldAllBe(b => b.Element(Ns + "BucketRegion") == null);
    }

    [Fact]
    public async Task Missing_configuration_answers_the_errors_S3_answers()
    {
        var website = S3Generator.BucketAt(Account, 1);
        var exports = S3Generator.BucketAt(Account, 2);
        var audit = S3Generator.BucketAt(Account, 5);

        using var noBlock = await GetAsync($"/{website.Name}?publicAccessBlock", Account.Credentials(), website.Region);
        using var noEncryption = await GetAsync($"/{exports.Name}?encryption", Account.Credentials(), exports.Region);
        using var noPolicy = await GetAsync($"/{audit.Name}?policyStatus", Account.Credentials(), audit.Region);
        using var publicPolicy = await GetAsync($"/{website.Name}?policyStatus", Account.Credentials(), website.Region);

        (noBlock.StatusCode, await noBlock.XmlErrorCodeAsync()).ShouldBe((HttpStatusCode.NotFound, "NoSuchPublicAccessBlockConfiguration"));
        (noEncryption.StatusCode, await noEncryption.XmlErrorCodeAsync()).ShouldBe((HttpStatusCode.NotFound, "ServerSideEncryptionConfigurationNotFoundError"));
        (noPolicy.StatusCode, await noPolicy.XmlErrorCodeAsync()).ShouldBe((HttpStatusCode.NotFound, "NoSuchBucketPolicy"));
        (await publicPolicy.XmlAsync()).Element(Ns + "IsPublic")!.Value.ShouldBe("true");
    }

    [Fact]
    public async Task A_public_ACL_grants_READ_to_AllUsers()
    {
        var shared = S3Generator.BucketAt(Account, 3);

        using var response = await GetAsync($"/{shared.Name}?acl", Account.Credentials(), shared.Region);

        var grants = (await response.XmlAsync()).Element(Ns + "AccessControlList")!.Elements(Ns + "Grant").ToList();
        grants.ShouldContain(g => g.Element(Ns + "Grantee")!.Element(Ns + "URI") != null
            && g.Element(Ns + "Grantee")!.Element(Ns + "URI")!.Value == S3Generator.AllUsers && g.Element(Ns + "Permission")!.Value == "READ");
    }

    [Fact]
    public async Task A_bucket_is_read_in_its_own_region_but_located_from_any()
    {
        var bucket = S3Generator.Buckets(Account).First(b => b.Region == Other);

        using var wrongRegion = await GetAsync($"/{bucket.Name}?encryption", Account.Credentials(), Home);
        using var location = await GetAsync($"/{bucket.Name}?location", Account.Credentials(), Home);
        using var missing = await GetAsync("/no-such-bucket-here?acl", Account.Credentials());

        (await wrongRegion.XmlErrorCodeAsync()).ShouldBe("AuthorizationHeaderMalformed");
        (await location.XmlAsync()).Value.ShouldBe(Other);
        (missing.StatusCode, await missing.XmlErrorCodeAsync()).ShouldBe((HttpStatusCode.NotFound, "NoSuchBucket"));
    }

    [Fact]
    public async Task A_denied_region_answers_AccessDenied()
    {
        using var response = await GetAsync("/", Account.Credentials(), "sa-east-1");

        (response.StatusCode, await response.XmlErrorCodeAsync()).ShouldBe((HttpStatusCode.Forbidden, "AccessDenied"));
    }

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery, AwsCredentials credentials, string region = Home)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_sandbox.Address, pathAndQuery));
        await new SigV4Signer().SignAsync(request, credentials, region, "s3", Ct);
        return await _http.SendAsync(request, Ct);
    }

    private static SandboxAwsAccount Configure(SandboxAwsAccount account)
    {
        account.S3Buckets = 6;
        account.S3BucketRegions.AddRange([Home, Other]);
        account.S3AccessDeniedRegions.Add("sa-east-1");
        return account;
    }
}
