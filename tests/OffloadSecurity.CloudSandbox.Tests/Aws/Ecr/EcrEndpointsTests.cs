using System.Net;
using System.Text;
using System.Text.Json;
using OffloadSecurity.CloudSandbox.Aws.Ecr;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Testing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Ecr;

/// <summary>The sandbox's ECR on the wire (JSON 1.1 on <c>POST /</c>), checked against service-2.json.</summary>
public sealed class EcrEndpointsTests : IAsyncLifetime
{
    private const string Region = "eu-central-1";
    private static readonly SandboxAwsAccount Account = Configure(SandboxServer.Account("246824682468", findings: 0));
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
    public async Task DescribeRepositories_pages_every_repository_of_the_registry()
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            using var json = await OkAsync("DescribeRepositories", token is null ? "{\"maxResults\":2}" : $"{{\"maxResults\":2,\"nextToken\":\"{token}\"}}");
            foreach (var repository in json.RootElement.GetProperty("repositories").EnumerateArray())
            {
                names.Add(repository.GetProperty("repositoryName").GetString()!);
                repository.GetProperty("registryId").GetString().ShouldBe(Account.AccountId);
                repository.GetProperty("repositoryUri").GetString().ShouldStartWith($"{Account.AccountId}.dkr.ecr.{Region}.amazonaws.com/");
                repository.GetProperty("createdAt").ValueKind.ShouldBe(JsonValueKind.Number);
            }

            token = json.RootElement.TryGetProperty("nextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        names.Count.ShouldBe(Account.EcrRepositories);
        names.Distinct().Count().ShouldBe(names.Count);
    }

    [Fact]
    public async Task DescribeImages_lists_the_images_of_a_repository_with_tags_and_digests()
    {
        var repository = EcrGenerator.RepositoryAt(Account.AccountId, Region, 0).Name;

        using var json = await OkAsync("DescribeImages", $"{{\"repositoryName\":\"{repository}\"}}");

        var images = json.RootElement.GetProperty("imageDetails").EnumerateArray().ToList();
        images.Count.ShouldBe(Account.EcrImagesPerRepository);
        images.ShouldAllBe(i => i.GetProperty("imageDigest").GetString()!.StartsWith("sha256:", StringComparison.Ordinal));
        images[^1].GetProperty("imageTags").EnumerateArray().Select(t => t.GetString()).ShouldContain("latest");
        images[0].GetProperty("imageTags").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Basic_and_enhanced_scan_findings_carry_the_members_of_their_model_shapes()
    {
        using var model = JsonDocument.Parse(await File.ReadAllTextAsync(SharedPaths.Reference("aws", "ecr", "service-2.json"), Ct));
        var shapes = model.RootElement.GetProperty("shapes");
        string[] Members(string shape) => [.. shapes.GetProperty(shape).GetProperty("members").EnumerateObject().Select(m => m.Name)];
        var basic = await ScanOfFirstScannedImageAsync(EcrGenerator.ScanKind.Basic);
        var enhanced = await ScanOfFirstScannedImageAsync(EcrGenerator.ScanKind.Enhanced);

        basic.GetProperty("imageScanStatus").GetProperty("status").GetString().ShouldBe("COMPLETE");
        enhanced.GetProperty("imageScanStatus").GetProperty("status").GetString().ShouldBe("ACTIVE");
        var basicFindings = basic.GetProperty("imageScanFindings").GetProperty("findings").EnumerateArray().ToList();
        var enhancedFindings = enhanced.GetProperty("imageScanFindings").GetProperty("enhancedFindings").EnumerateArray().ToList();
        basicFindings.ShouldNotBeEmpty();
        enhancedFindings.ShouldNotBeEmpty();
        basicFindings.SelectMany(f => f.EnumerateObject().Select(p => p.Name)).Distinct().ShouldBeSubsetOf(Members("ImageScanFinding"));
        enhancedFindings.SelectMany(f => f.EnumerateObject().Select(p => p.Name)).Distinct().ShouldBeSubsetOf(Members("EnhancedImageScanFinding"));
        var counts = basic.GetProperty("imageScanFindings").GetProperty("findingSeverityCounts").EnumerateObject().Sum(c => c.Value.GetInt32());
        counts.ShouldBe(basicFindings.Count);
    }

    [Fact]
    public async Task Scan_findings_are_paged()
    {
        var image = ScannedImages(EcrGenerator.ScanKind.Enhanced).First(i => i.Vulnerabilities.Count >= 3);
        var body = $"{{\"repositoryName\":\"{image.Repository.Name}\",\"imageId\":{{\"imageDigest\":\"{image.Digest}\"}},\"maxResults\":2}}";

        using var first = await OkAsync("DescribeImageScanFindings", body);
        var token = first.RootElement.GetProperty("nextToken").GetString();
        using var second = await OkAsync("DescribeImageScanFindings", body.Replace("\"maxResults\":2", $"\"maxResults\":2,\"nextToken\":\"{token}\"", StringComparison.Ordinal));

        first.RootElement.GetProperty("imageScanFindings").GetProperty("enhancedFindings").GetArrayLength().ShouldBe(2);
        second.RootElement.GetProperty("imageScanFindings").GetProperty("enhancedFindings").GetArrayLength()
            .ShouldBe(Math.Min(2, image.Vulnerabilities.Count - 2));
    }

    [Fact]
    public async Task An_image_never_scanned_answers_ScanNotFoundException()
    {
        var image = AllImages().First(i => i.ScanStatus is null);

        var (status, code) = await ErrorAsync("DescribeImageScanFindings",
            $"{{\"repositoryName\":\"{image.Repository.Name}\",\"imageId\":{{\"imageDigest\":\"{image.Digest}\"}}}}");

        (status, code).ShouldBe((HttpStatusCode.BadRequest, "ScanNotFoundException"));
    }

    [Fact]
    public async Task A_scan_in_progress_has_its_status_and_no_findings()
    {
        var image = AllImages().First(i => i.ScanStatus == "IN_PROGRESS");

        using var json = await OkAsync("DescribeImageScanFindings",
            $"{{\"repositoryName\":\"{image.Repository.Name}\",\"imageId\":{{\"imageDigest\":\"{image.Digest}\"}}}}");

        json.RootElement.GetProperty("imageScanStatus").GetProperty("status").GetString().ShouldBe("IN_PROGRESS");
        json.RootElement.TryGetProperty("imageScanFindings", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("DescribeImages", "{\"repositoryName\":\"no/such-repository\"}", "RepositoryNotFoundException")]
    [InlineData("DescribeRepositories", "{\"repositoryNames\":[\"no/such-repository\"]}", "RepositoryNotFoundException")]
    [InlineData("DescribeImageScanFindings", "{\"repositoryName\":\"{0}\",\"imageId\":{\"imageDigest\":\"sha256:0000\"}}", "ImageNotFoundException")]
    [InlineData("DescribeImages", "{}", "InvalidParameterException")]
    [InlineData("DescribeRepositories", "{\"maxResults\":1001}", "InvalidParameterException")]
    [InlineData("DescribeRepositories", "{\"nextToken\":\"garbage\"}", "InvalidParameterException")]
    [InlineData("DescribeImages", "{\"repositoryName\":\"{0}\",\"registryId\":\"999999999999\"}", "InvalidParameterException")]
    [InlineData("DescribeRepositories", "not json", "SerializationException")]
    [InlineData("PutImage", "{}", "UnknownOperationException")]
    public async Task Bad_requests_get_ECRs_400_errors(string operation, string body, string code)
    {
        var repository = EcrGenerator.RepositoryAt(Account.AccountId, Region, 0).Name;

        var error = await ErrorAsync(operation, body.Replace("{0}", repository, StringComparison.Ordinal));

        error.ShouldBe((HttpStatusCode.BadRequest, code));
    }

    [Fact]
    public async Task A_region_where_the_caller_may_not_use_ECR_answers_AccessDeniedException()
    {
        (await ErrorAsync("DescribeRepositories", "{}", "ap-northeast-1")).Code.ShouldBe("AccessDeniedException");
    }

    [Fact]
    public async Task A_credential_scoped_to_another_service_is_refused()
    {
        using var response = await SendAsync("DescribeRepositories", "{}", Region, "guardduty");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("InvalidSignatureException");
    }

    [Fact]
    public async Task An_account_configured_without_repositories_has_an_empty_registry()
    {
        var plain = SandboxServer.Account("135713571357", findings: 0);
        await using var sandbox = new SandboxServer(plain);

        using var response = await SendAsync("DescribeRepositories", "{}", Region, account: plain, address: sandbox.Address);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        json.RootElement.GetProperty("repositories").GetArrayLength().ShouldBe(0);
    }

    private static SandboxAwsAccount Configure(SandboxAwsAccount account)
    {
        account.EcrRepositories = 6;
        account.EcrImagesPerRepository = 4;
        account.EcrScansInProgress = 1;
        account.EcrAccessDeniedRegions.Add("ap-northeast-1");
        return account;
    }

    private static IEnumerable<EcrGenerator.Image> AllImages() =>
        EcrGenerator.Repositories(Account, Region).SelectMany(r => EcrGenerator.Images(Account, Region, r));

    private static IEnumerable<EcrGenerator.Image> ScannedImages(EcrGenerator.ScanKind kind) =>
        AllImages().Where(i => i.Repository.Scanning == kind && i.ScanStatus is "COMPLETE" or "ACTIVE");

    private async Task<JsonElement> ScanOfFirstScannedImageAsync(EcrGenerator.ScanKind kind)
    {
        var image = ScannedImages(kind).First(i => i.Vulnerabilities.Count > 0);
        using var json = await OkAsync("DescribeImageScanFindings",
            $"{{\"repositoryName\":\"{image.Repository.Name}\",\"imageId\":{{\"imageDigest\":\"{image.Digest}\"}}}}");
        return json.RootElement.Clone();
    }

    private async Task<JsonDocument> OkAsync(string operation, string body, string region = Region)
    {
        using var response = await SendAsync(operation, body, region);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-amz-json-1.1");
        return JsonDocument.Parse(text);
    }

    private async Task<(HttpStatusCode Status, string Code)> ErrorAsync(string operation, string body, string region = Region)
    {
        using var response = await SendAsync(operation, body, region);
        return (response.StatusCode, (await response.AwsErrorAsync()).Code);
    }

    private async Task<HttpResponseMessage> SendAsync(
        string operation, string body, string region, string service = "ecr", SandboxAwsAccount? account = null, Uri? address = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, address ?? _sandbox.Address)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921." + operation);
        await new SigV4Signer().SignAsync(request, (account ?? Account).Credentials(), region, service, Ct);
        return await _http.SendAsync(request, Ct);
    }
}
