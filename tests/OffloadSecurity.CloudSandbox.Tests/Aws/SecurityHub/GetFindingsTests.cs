using System.Net;
using System.Text.Json;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.Testing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.SecurityHub;

public sealed class GetFindingsTests : IAsyncLifetime
{
    private const string ActiveOnly = "\"Filters\":{\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]}";
    private static readonly SandboxAwsAccount Account = SandboxServer.Account("210987654321", findings: 250);
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Paging_without_a_filter_returns_every_finding_exactly_once()
    {
        var findings = await ReadAllAsync(maxResults: 37, filter: null);

        findings.Count.ShouldBe(250);
        findings.Select(f => f.GetProperty("Id").GetString()).Distinct().Count().ShouldBe(250);
        findings.ShouldAllBe(f => f.GetProperty("AwsAccountId").GetString() == Account.AccountId);
    }

    [Fact]
    public async Task The_active_filter_leaves_out_archived_findings()
    {
        var all = await ReadAllAsync(maxResults: 100, filter: null);
        var active = await ReadAllAsync(maxResults: 100, filter: ActiveOnly);

        active.ShouldAllBe(f => f.GetProperty("RecordState").GetString() == "ACTIVE");
        active.Count.ShouldBe(all.Count(f => f.GetProperty("RecordState").GetString() == "ACTIVE"));
        active.Count.ShouldBeInRange(150, 249);
    }

    [Fact]
    public async Task Findings_are_the_same_on_every_call_and_differ_by_region()
    {
        var first = await PageAsync("{\"MaxResults\":5}", "eu-west-1");
        var again = await PageAsync("{\"MaxResults\":5}", "eu-west-1");
        var otherRegion = await PageAsync("{\"MaxResults\":5}", "ap-southeast-2");

        again.ShouldBe(first);
        otherRegion.ShouldNotBe(first);
        using var json = JsonDocument.Parse(otherRegion);
        json.RootElement.GetProperty("Findings")[0].GetProperty("Region").GetString().ShouldBe("ap-southeast-2");
    }

    [Fact]
    public async Task Every_finding_has_the_members_the_ASFF_model_requires()
    {
        using var model = JsonDocument.Parse(await File.ReadAllTextAsync(
            SharedPaths.Reference("aws", "securityhub", "service-2.json"), Ct));
        var required = model.RootElement.GetProperty("shapes").GetProperty("AwsSecurityFinding").GetProperty("required")
            .EnumerateArray().Select(r => r.GetString()!).ToList();

        var findings = await ReadAllAsync(maxResults: 100, filter: null);

        foreach (var finding in findings)
        {
            required.Where(name => !finding.TryGetProperty(name, out _)).ShouldBeEmpty(finding.GetProperty("Id").GetString());
        }
    }

    [Theory]
    [InlineData("{\"NextToken\":\"garbage\"}")]
    [InlineData("{\"NextToken\":\"MTAuMDAwMDAwMDAwMDAwMDAwMA\"}")]
    [InlineData("{\"MaxResults\":0}")]
    [InlineData("{\"MaxResults\":101}")]
    [InlineData("{\"MaxResults\":\"ten\"}")]
    [InlineData("{\"Filters\":{\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"SOUNDS_LIKE\"}]}}")]
    [InlineData("not json")]
    public async Task Rejects_bad_input_with_400_InvalidInputException(string body)
    {
        using var response = await SendAsync(body, "us-east-1");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.AwsErrorAsync()).Code.ShouldBe("InvalidInputException");
    }

    [Fact]
    public async Task Rejects_a_token_issued_for_another_region_or_filter()
    {
        using var json = JsonDocument.Parse(await PageAsync("{\"MaxResults\":10}", "us-east-1"));
        var token = json.RootElement.GetProperty("NextToken").GetString();

        using var otherRegion = await SendAsync($"{{\"NextToken\":\"{token}\"}}", "us-west-2");
        using var otherFilter = await SendAsync($"{{{ActiveOnly},\"NextToken\":\"{token}\"}}", "us-east-1");

        otherRegion.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        otherFilter.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public void Generates_a_mix_of_products_resources_and_compliance_results()
    {
        var findings = Enumerable.Range(0, 300).Select(i => Generate("123456789012", "us-east-1", i)).ToList();

        findings.Select(f => f.GetProperty("ProductName").GetString()).Distinct()
            .ShouldBe(["Security Hub", "Inspector", "GuardDuty"], ignoreOrder: true);
        var resourceTypes = findings.Select(f => f.GetProperty("Resources")[0].GetProperty("Type").GetString()).ToHashSet();
        resourceTypes.ShouldContain("AwsS3Bucket");
        resourceTypes.ShouldContain("AwsEc2Instance");
        resourceTypes.ShouldContain("AwsEc2SecurityGroup");
        resourceTypes.ShouldContain("AwsEcrContainerImage");
        var controls = findings.Where(f => f.TryGetProperty("Compliance", out _)).ToList();
        controls.Select(f => f.GetProperty("Compliance").GetProperty("Status").GetString()).Distinct()
            .ShouldBe(["FAILED", "PASSED"], ignoreOrder: true);
        controls.ShouldAllBe(f => f.GetProperty("Compliance").GetProperty("RelatedRequirements").GetArrayLength() > 0);
        findings.Where(f => f.GetProperty("ProductName").GetString() == "Inspector")
            .ShouldAllBe(f => f.GetProperty("Vulnerabilities")[0].GetProperty("Id").GetString()!.StartsWith("CVE-"));
        findings.Select(f => f.GetProperty("RecordState").GetString()).Distinct().ShouldBe(["ACTIVE", "ARCHIVED"], ignoreOrder: true);
    }

    [Fact]
    public void Generates_any_finding_of_a_large_account_without_generating_the_ones_before_it()
    {
        var last = Generate("123456789012", "us-east-1", 99_999);

        last.GetProperty("AwsAccountId").GetString().ShouldBe("123456789012");
        FindingGenerator.RecordState("123456789012", "us-east-1", 99_999).ShouldBe(last.GetProperty("RecordState").GetString());
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    private static JsonElement Generate(string accountId, string region, int index)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            FindingGenerator.Write(writer, accountId, region, index);
        }

        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    private async Task<List<JsonElement>> ReadAllAsync(int maxResults, string? filter)
    {
        var findings = new List<JsonElement>();
        string? token = null;
        do
        {
            var body = "{" + string.Join(',', new[]
            {
                filter, $"\"MaxResults\":{maxResults}", token is null ? null : $"\"NextToken\":\"{token}\"",
            }.Where(p => p is not null)) + "}";
            using var json = JsonDocument.Parse(await PageAsync(body, "us-east-1"));
            findings.AddRange(json.RootElement.GetProperty("Findings").EnumerateArray().Select(f => f.Clone()));
            token = json.RootElement.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return findings;
    }

    private async Task<string> PageAsync(string body, string region)
    {
        using var response = await SendAsync(body, region);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<HttpResponseMessage> SendAsync(string body, string region)
    {
        using var request = await SignedRequests.SignedGetFindingsAsync(_sandbox.Address, Account.Credentials(), body, region);
        return await _http.SendAsync(request, Ct);
    }
}
