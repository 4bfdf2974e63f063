using System.Net;
using System.Text.Json;
using OffloadSecurity.CloudSandbox.Aws.GuardDuty;
using OffloadSecurity.Testing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.GuardDuty;

/// <summary>The sandbox's GuardDuty on the wire: raw signed requests, checked against service-2.json.</summary>
public sealed class GuardDutyEndpointsTests : IAsyncLifetime
{
    private const string Region = "eu-west-1";
    private const string NotArchived = "\"findingCriteria\":{\"criterion\":{\"service.archived\":{\"equals\":[\"false\"]}}}";
    private static readonly SandboxAwsAccount Account = WithRegions(SandboxServer.Account("123412341234", findings: 0, guardDutyFindings: 230));
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Detector => GuardDutyFindingGenerator.DetectorId(Account.AccountId, Region);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task ListDetectors_answers_the_one_detector_of_the_account_in_the_region()
    {
        using var json = await OkAsync(HttpMethod.Get, "/detector", null);
        using var other = await OkAsync(HttpMethod.Get, "/detector?maxResults=1", null, "us-east-2");

        var detector = json.RootElement.GetProperty("detectorIds").EnumerateArray().ShouldHaveSingleItem().GetString()!;
        detector.ShouldMatch("^[0-9a-f]{32}$");
        detector.ShouldBe(Detector);
        other.RootElement.GetProperty("detectorIds")[0].GetString().ShouldNotBe(detector);
        json.RootElement.TryGetProperty("nextToken", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_region_where_guardduty_is_not_enabled_has_no_detector_and_refuses_any_detector_id()
    {
        using var json = await OkAsync(HttpMethod.Get, "/detector", null, "ap-south-1");
        using var listFindings = await SendAsync(HttpMethod.Post, $"/detector/{GuardDutyFindingGenerator.DetectorId(Account.AccountId, "ap-south-1")}/findings", "{}", "ap-south-1");

        json.RootElement.GetProperty("detectorIds").GetArrayLength().ShouldBe(0);
        listFindings.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await listFindings.AwsErrorAsync()).Code.ShouldBe("BadRequestException");
    }

    [Fact]
    public async Task ListFindings_pages_every_finding_exactly_once()
    {
        var ids = await ListAllAsync("\"maxResults\":37");

        ids.Count.ShouldBe(Account.GuardDutyFindings);
        ids.Distinct().Count().ShouldBe(ids.Count);
        ids.ShouldAllBe(id => id.Length == 32);
    }

    [Theory]
    [InlineData("equals")]
    [InlineData("eq")]
    public async Task The_not_archived_criterion_leaves_out_archived_findings(string op)
    {
        var expected = Enumerable.Range(0, Account.GuardDutyFindings)
            .Where(i => !GuardDutyFindingGenerator.IsArchived(Account.AccountId, Region, i))
            .Select(i => GuardDutyFindingGenerator.FindingId(Account.AccountId, Region, i)).ToList();

        var ids = await ListAllAsync($"\"findingCriteria\":{{\"criterion\":{{\"service.archived\":{{\"{op}\":[\"false\"]}}}}}}");

        ids.ShouldBe(expected);
        ids.Count.ShouldBeInRange(150, 229);
    }

    [Fact]
    public async Task Archived_findings_are_those_the_not_equals_criterion_keeps()
    {
        var archived = await ListAllAsync("\"findingCriteria\":{\"criterion\":{\"service.archived\":{\"notEquals\":[\"false\"]}}}");
        var current = await ListAllAsync(NotArchived);

        (archived.Count + current.Count).ShouldBe(Account.GuardDutyFindings);
        archived.Intersect(current).ShouldBeEmpty();
        var findings = await GetAsync(archived.Take(20));
        findings.ShouldAllBe(f => f.GetProperty("service").GetProperty("archived").GetBoolean());
    }

    [Fact]
    public async Task GetFindings_answers_findings_with_every_member_the_model_requires_in_wire_names()
    {
        using var model = JsonDocument.Parse(await File.ReadAllTextAsync(SharedPaths.Reference("aws", "guardduty", "service-2.json"), Ct));
        var shape = model.RootElement.GetProperty("shapes").GetProperty("Finding");
        var required = shape.GetProperty("required").EnumerateArray()
            .Select(r => shape.GetProperty("members").GetProperty(r.GetString()!).GetProperty("locationName").GetString()!).ToList();
        var ids = await ListAllAsync("\"maxResults\":50");

        var findings = await GetAsync(ids);

        findings.Count.ShouldBe(ids.Count);
        foreach (var finding in findings)
        {
            required.Where(name => !finding.TryGetProperty(name, out _)).ShouldBeEmpty(finding.GetProperty("id").GetString());
            finding.GetProperty("accountId").GetString().ShouldBe(Account.AccountId);
            finding.GetProperty("region").GetString().ShouldBe(Region);
            finding.GetProperty("arn").GetString().ShouldBe(
                $"arn:aws:guardduty:{Region}:{Account.AccountId}:detector/{Detector}/finding/{finding.GetProperty("id").GetString()}");
        }
    }

    [Fact]
    public async Task Findings_span_several_types_resources_and_every_severity_band_with_some_archived_and_some_samples()
    {
        var findings = await GetAsync(await ListAllAsync("\"maxResults\":50"));

        findings.Select(f => f.GetProperty("type").GetString()).Distinct().Count().ShouldBeGreaterThanOrEqualTo(8);
        findings.Select(f => f.GetProperty("resource").GetProperty("resourceType").GetString()).Distinct()
            .ShouldBe(["Instance", "AccessKey", "S3Bucket", "EKSCluster", "AttackSequence"], ignoreOrder: true);
        findings.Select(f => f.GetProperty("severity").GetDouble() switch { >= 9 => 4, >= 7 => 3, >= 4 => 2, _ => 1 }).Distinct()
            .ShouldBe([1, 2, 3, 4], ignoreOrder: true);
        findings.Count(f => f.GetProperty("service").GetProperty("archived").GetBoolean()).ShouldBeInRange(10, 70);
        findings.Count(f => f.GetProperty("service").TryGetProperty("additionalInfo", out var info) &&
            info.GetProperty("value").GetString() == "{\"sample\":true}").ShouldBeInRange(3, 40);
    }

    [Fact]
    public async Task Findings_are_the_same_on_every_call()
    {
        var ids = (await ListAllAsync(NotArchived)).Take(5).ToList();

        var first = (await GetAsync(ids)).Select(f => f.GetRawText());
        var again = (await GetAsync(ids)).Select(f => f.GetRawText());

        again.ShouldBe(first);
    }

    [Fact]
    public async Task GetFindings_refuses_more_than_50_ids_with_400_BadRequestException()
    {
        var ids = (await ListAllAsync("\"maxResults\":50")).Take(51);

        using var response = await SendAsync(HttpMethod.Post, $"/detector/{Detector}/findings/get", JsonSerializer.Serialize(new { findingIds = ids }));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (code, message) = await response.AwsErrorAsync();
        code.ShouldBe("BadRequestException");
        message.ShouldContain("at most 50");
    }

    [Fact]
    public async Task GetFindings_leaves_out_ids_it_does_not_know()
    {
        var known = (await ListAllAsync(NotArchived))[0];

        var findings = await GetAsync([known, "0123456789abcdef0123456789abcdef", "nope", known[..24] + "7fffffff"]);

        findings.ShouldHaveSingleItem().GetProperty("id").GetString().ShouldBe(known);
    }

    [Theory]
    [InlineData("{\"maxResults\":0}")]
    [InlineData("{\"maxResults\":51}")]
    [InlineData("{\"maxResults\":\"ten\"}")]
    [InlineData("{\"nextToken\":\"garbage\"}")]
    [InlineData("{\"nextToken\":42}")]
    [InlineData("{\"findingCriteria\":{\"criterion\":{\"service.archived\":{\"gt\":1}}}}")]
    [InlineData("{\"findingCriteria\":{\"criterion\":{\"service.archived\":{\"equals\":[\"maybe\"]}}}}")]
    [InlineData("not json")]
    public async Task ListFindings_refuses_bad_input_with_400_BadRequestException(string body)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/detector/{Detector}/findings", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.AwsErrorAsync()).Code.ShouldBe("BadRequestException");
    }

    [Fact]
    public async Task A_detector_the_account_does_not_own_in_the_region_is_refused()
    {
        var otherRegions = GuardDutyFindingGenerator.DetectorId(Account.AccountId, "us-east-2");

        using var response = await SendAsync(HttpMethod.Post, $"/detector/{otherRegions}/findings", "{}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.AwsErrorAsync()).Message.ShouldContain("not owned by the current account");
    }

    [Theory]
    [InlineData("GET", "/detector", null)]
    [InlineData("POST", "/detector/{0}/findings", "{}")]
    [InlineData("POST", "/detector/{0}/findings/get", "{\"findingIds\":[\"x\"]}")]
    public async Task A_region_where_the_caller_may_not_use_guardduty_answers_403_AccessDeniedException(string method, string path, string? body)
    {
        using var response = await SendAsync(new HttpMethod(method),
            string.Format(System.Globalization.CultureInfo.InvariantCulture, path, GuardDutyFindingGenerator.DetectorId(Account.AccountId, "sa-east-1")),
            body, "sa-east-1");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var (code, message) = await response.AwsErrorAsync();
        code.ShouldBe("AccessDeniedException");
        message.ShouldContain("is not authorized to perform: guardduty:");
    }

    [Fact]
    public async Task A_credential_scoped_to_another_service_is_refused()
    {
        using var request = await SignedRequests.SignedAsync(HttpMethod.Get, _sandbox.Address, "/detector", null, Account.Credentials(), Region, "securityhub");
        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("InvalidSignatureException");
    }

    [Fact]
    public async Task An_unsigned_request_is_refused()
    {
        using var response = await _http.GetAsync(new Uri(_sandbox.Address, "/detector"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("MissingAuthenticationTokenException");
    }

    private static SandboxAwsAccount WithRegions(SandboxAwsAccount account)
    {
        account.GuardDutyDisabledRegions.Add("ap-south-1");
        account.GuardDutyAccessDeniedRegions.Add("sa-east-1");
        return account;
    }

    private async Task<List<string>> ListAllAsync(string members)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var body = "{" + members + (token is null ? "" : $",\"nextToken\":\"{token}\"") + "}";
            using var json = await OkAsync(HttpMethod.Post, $"/detector/{Detector}/findings", body);
            ids.AddRange(json.RootElement.GetProperty("findingIds").EnumerateArray().Select(i => i.GetString()!));
            token = json.RootElement.TryGetProperty("nextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return ids;
    }

    private async Task<List<JsonElement>> GetAsync(IEnumerable<string> ids)
    {
        var findings = new List<JsonElement>();
        foreach (var chunk in ids.Chunk(50))
        {
            using var json = await OkAsync(HttpMethod.Post, $"/detector/{Detector}/findings/get", JsonSerializer.Serialize(new { findingIds = chunk }));
            findings.AddRange(json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone()));
        }

        return findings;
    }

    private async Task<JsonDocument> OkAsync(HttpMethod method, string path, string? body, string region = Region)
    {
        using var response = await SendAsync(method, path, body, region);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string region = Region)
    {
        using var request = await SignedRequests.SignedAsync(method, _sandbox.Address, path, body, Account.Credentials(), region, "guardduty");
        return await _http.SendAsync(request, Ct);
    }
}
