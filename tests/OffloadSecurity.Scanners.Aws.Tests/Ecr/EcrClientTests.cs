using System.Text.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Ecr;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Tests.Ecr;

/// <summary>The ECR client's JSON 1.1 wire behaviour against a recording handler.</summary>
public sealed class EcrClientTests
{
    private static readonly AwsCredentials Credentials = new("AKIAIOSFODNN7EXAMPLE", "ecr-client-test-secret");
    private static readonly EcrImage Image = new("111122223333", "team/api", "sha256:abc", ["1.0.0"], null, "COMPLETE");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Calls_are_signed_json_1_1_posts_to_the_regional_api_ecr_endpoint_naming_the_operation()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"repositories\":[]}"));

        await Client(handler).DescribeRepositoriesAsync(Credentials, "eu-west-1", Ct).ToListAsync(Ct);

        var request = handler.Requests.ShouldHaveSingleItem();
        (request.Method, request.Uri).ShouldBe(("POST", new Uri("https://api.ecr.eu-west-1.amazonaws.com/")));
        request.Header("X-Amz-Target").ShouldBe("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
        request.Header("Content-Type").ShouldBe("application/x-amz-json-1.1");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("maxResults").GetInt32().ShouldBe(100);
        var verification = SigV4Verifier.Verify(request.AsReceived(), SecretFor, DateTimeOffset.UtcNow);
        verification.IsValid.ShouldBeTrue(verification.Message);
        (verification.Region, verification.Service).ShouldBe(("eu-west-1", "ecr"));
        request.Header("Authorization")!.ShouldContain("x-amz-target");
    }

    [Fact]
    public async Task Repositories_and_images_are_read_page_by_page()
    {
        var handler = new RecordingHandler(request => (Target(request), NextToken(request)) switch
        {
            ("DescribeRepositories", null) => RecordingHandler.Json("""{"repositories":[{"registryId":"111122223333","repositoryName":"a","repositoryUri":"111122223333.dkr.ecr.us-east-1.amazonaws.com/a"}],"nextToken":"r2"}"""),
            ("DescribeRepositories", "r2") => RecordingHandler.Json("""{"repositories":[{"registryId":"111122223333","repositoryName":"b"}]}"""),
            ("DescribeImages", null) => RecordingHandler.Json("""{"imageDetails":[{"imageDigest":"sha256:1","imageTags":["v1"],"imagePushedAt":1579839105.0}],"nextToken":"i2"}"""),
            _ => RecordingHandler.Json("""{"imageDetails":[{"imageDigest":"sha256:2"}]}"""),
        });
        var client = Client(handler);

        var repositories = await client.DescribeRepositoriesAsync(Credentials, "us-east-1", Ct).ToListAsync(Ct);
        var images = await client.DescribeImagesAsync(Credentials, "us-east-1", repositories[0], Ct).ToListAsync(Ct);

        repositories.Select(r => r.Name).ShouldBe(["a", "b"]);
        repositories[0].RegistryHost("us-east-1").ShouldBe("111122223333.dkr.ecr.us-east-1.amazonaws.com");
        repositories[1].RegistryHost("eu-west-1").ShouldBe("111122223333.dkr.ecr.eu-west-1.amazonaws.com");
        images.Select(i => (i.Repository, i.Digest)).ShouldBe([("a", "sha256:1"), ("a", "sha256:2")]);
        images[0].Tags.ShouldBe(["v1"]);
        images[0].PushedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1579839105));
        using var body = JsonDocument.Parse(handler.Requests.First(r => Target(r) == "DescribeImages").Body);
        (body.RootElement.GetProperty("registryId").GetString(), body.RootElement.GetProperty("repositoryName").GetString()).ShouldBe(("111122223333", "a"));
        body.RootElement.GetProperty("filter").GetProperty("tagStatus").GetString().ShouldBe("ANY");
    }

    [Fact]
    public async Task Scan_findings_are_asked_for_by_digest_and_every_page_is_read()
    {
        var handler = new RecordingHandler(request => NextToken(request) is null
            ? RecordingHandler.Json("""{"imageScanStatus":{"status":"COMPLETE"},"imageScanFindings":{"findings":[{"name":"CVE-1"}]},"nextToken":"p2"}""")
            : RecordingHandler.Json("""{"imageScanStatus":{"status":"COMPLETE"},"imageScanFindings":{"findings":[{"name":"CVE-2"}]}}"""));

        var pages = await Client(handler).DescribeImageScanFindingsAsync(Credentials, "us-east-1", Image, Ct).ToListAsync(Ct);

        pages.SelectMany(p => p.Findings).Select(f => f.GetProperty("name").GetString()).ShouldBe(["CVE-1", "CVE-2"]);
        using var body = JsonDocument.Parse(handler.Requests[0].Body);
        body.RootElement.GetProperty("imageId").GetProperty("imageDigest").GetString().ShouldBe("sha256:abc");
        body.RootElement.GetProperty("repositoryName").GetString().ShouldBe("team/api");
        Target(handler.Requests[0]).ShouldBe("DescribeImageScanFindings");
    }

    [Fact]
    public async Task A_scan_in_progress_is_a_page_with_its_status_and_no_findings()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("""{"imageScanStatus":{"status":"IN_PROGRESS","description":"The scan is in progress."}}"""));

        var page = (await Client(handler).DescribeImageScanFindingsAsync(Credentials, "us-east-1", Image, Ct).ToListAsync(Ct)).ShouldHaveSingleItem();

        page.Status.ShouldBe("IN_PROGRESS");
        page.Findings.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ScanNotFoundException")]
    [InlineData("RepositoryNotFoundException")]
    public async Task Json_1_1_errors_surface_with_their_type(string type)
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json($"{{\"__type\":\"{type}\",\"message\":\"nope\"}}", System.Net.HttpStatusCode.BadRequest));

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client(handler).DescribeImageScanFindingsAsync(Credentials, "us-east-1", Image, Ct).ToListAsync(Ct).AsTask());

        error.ErrorCode.ShouldBe(type);
    }

    [Fact]
    public void A_400_ThrottlingException_and_ECRs_ThrottleException_count_as_throttling()
    {
        AwsServiceException.Parse(System.Net.HttpStatusCode.BadRequest, null, "{\"__type\":\"ThrottlingException\"}").IsThrottling.ShouldBeTrue();
        AwsServiceException.Parse(System.Net.HttpStatusCode.BadRequest, null, "{\"__type\":\"ThrottleException\"}").IsThrottling.ShouldBeTrue();
    }

    [Fact]
    public async Task Calls_the_configured_service_url_instead_of_AWS()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"repositories\":[]}"));

        await Client(handler, "http://127.0.0.1:4566").DescribeRepositoriesAsync(Credentials, "us-east-1", Ct).ToListAsync(Ct);

        handler.Requests.Single().Uri.ShouldBe(new Uri("http://127.0.0.1:4566/"));
    }

    private static string? Target(RecordedRequest request) => request.Header("X-Amz-Target")?.Split('.')[1];

    private static string? NextToken(RecordedRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return body.RootElement.TryGetProperty("nextToken", out var token) ? token.GetString() : null;
    }

    private static string? SecretFor(string key) => key == Credentials.AccessKeyId ? Credentials.SecretAccessKey : null;

    private static EcrClient Client(RecordingHandler handler, string? serviceUrl = null) =>
        new(new HttpClient(handler), Options.Create(new AwsEndpointOptions { ServiceUrl = serviceUrl }));
}
