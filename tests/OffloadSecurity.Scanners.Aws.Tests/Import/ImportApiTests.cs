using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.Import;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Aws.Tests.Import;

/// <summary>The import API on the real AWS scanner host, publishing to MassTransit's test harness.</summary>
public sealed class ImportApiTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private ServiceHost<AwsScannerEntryPoint> _host = null!;
    private Uri _address = null!;
    private ITestHarness _bus = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _host = new ServiceHost<AwsScannerEntryPoint>(
            new Dictionary<string, string?>(TestAuth.Settings)
            {
                ["CredentialBroker:BaseUrl"] = "http://127.0.0.1:9/",
                ["Store:DataDirectory"] = _data.Path,
            },
            services => services.AddMassTransitTestHarness());
        _address = _host.Start();
        _bus = _host.Services.GetRequiredService<ITestHarness>();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_security_hub_export_imports_every_finding_under_one_derived_account()
    {
        using var client = Client("tenant-a", Roles.Analyst);
        var file = SharedPaths.Corpus("aws-securityhub", "defectdojo", "config_many_findings.json");

        var body = await PostAsync(client, "asff", await File.ReadAllBytesAsync(file, Ct), HttpStatusCode.Accepted);

        body["findings"]!.GetValue<int>().ShouldBe(3);
        var account = body["accounts"]!.AsArray().ShouldHaveSingleItem()!;
        account["awsAccountId"]!.GetValue<string>().ShouldBe("012345678912");
        var accountId = ImportAccount.For("tenant-a", "012345678912");
        account["accountId"]!.GetValue<Guid>().ShouldBe(accountId);

        var completed = await Completed(body);
        completed.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            c => c.Source.ShouldBe("aws.securityhub.import"),
            c => c.TenantId.ShouldBe("tenant-a"),
            c => c.AccountId.ShouldBe(accountId),
            c => c.Complete.ShouldBeTrue(),
            c => c.FindingCount.ShouldBe(3));
        var observed = Observed(body);
        observed.SelectMany(o => o.Findings).Count().ShouldBe(3);
        observed.ShouldAllBe(o => o.TenantId == "tenant-a" && o.AccountId == accountId && o.Source == "aws.securityhub.import");
    }

    [Fact]
    public async Task A_guardduty_get_findings_response_imports()
    {
        using var client = Client("tenant-gd", Roles.TenantAdmin);
        var file = SharedPaths.Corpus("aws-guardduty", "awscli", "get-findings-recon-iamuser-userpermissions.json");

        var body = await PostAsync(client, "guardduty", await File.ReadAllBytesAsync(file, Ct), HttpStatusCode.Accepted);

        body["findings"]!.GetValue<int>().ShouldBe(1);
        var completed = (await Completed(body)).ShouldHaveSingleItem();
        completed.Source.ShouldBe("aws.guardduty.import");
        completed.AccountId.ShouldBe(ImportAccount.For("tenant-gd", "111122223333"));
        Observed(body).ShouldHaveSingleItem().Findings.ShouldHaveSingleItem().Source.ShouldBe("aws.guardduty.import");
    }

    [Fact]
    public async Task A_malformed_record_in_the_middle_is_named_and_nothing_is_published()
    {
        using var client = Client("tenant-bad", Roles.Analyst);
        var findings = Enumerable.Range(0, 5).Select(i => Asff($"finding-{i}", "111111111111")).ToList();
        findings[2].Remove("Title");
        var json = new JsonObject { ["Findings"] = new JsonArray([.. findings]) }.ToJsonString();

        using var response = await client.PostAsync("api/imports/asff", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        problem["record"]!.GetValue<string>().ShouldStartWith("findings[2]");
        problem["reason"]!.GetValue<string>().ShouldContain("Title");
        await NothingPublishedFor("tenant-bad");
    }

    [Fact]
    public async Task JSON_lines_import_and_a_bad_line_is_named_by_its_number()
    {
        using var client = Client("tenant-jsonl", Roles.Analyst);
        var lines = string.Join('\n', Enumerable.Range(0, 4).Select(i => Asff($"line-{i}", "222222222222").ToJsonString()));

        var body = await PostAsync(client, "asff", Encoding.UTF8.GetBytes(lines + "\n"), HttpStatusCode.Accepted);
        body["findings"]!.GetValue<int>().ShouldBe(4);
        (await Completed(body)).ShouldHaveSingleItem().FindingCount.ShouldBe(4);

        using var bad = Client("tenant-jsonl-bad", Roles.Analyst);
        var broken = lines + "\n{\"Id\": \"x\", \"Title\": \n" + Asff("after", "222222222222").ToJsonString();
        using var response = await bad.PostAsync("api/imports/asff", new StringContent(broken, Encoding.UTF8, "application/x-ndjson"), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["record"]!.GetValue<string>().ShouldBe("line 5");
        await NothingPublishedFor("tenant-jsonl-bad");
    }

    [Fact]
    public async Task The_tenant_comes_from_the_token_not_a_header()
    {
        using var client = Client("tenant-token", Roles.Analyst);
        client.DefaultRequestHeaders.Add("X-Tenant-Id", "tenant-other");

        var body = await PostAsync(client, "asff", Encoding.UTF8.GetBytes(new JsonArray(Asff("t", "333333333333")).ToJsonString()), HttpStatusCode.Accepted);

        (await Completed(body)).ShouldHaveSingleItem().TenantId.ShouldBe("tenant-token");
        Observed(body).ShouldAllBe(o => o.TenantId == "tenant-token");
    }

    [Fact]
    public async Task An_auditor_is_refused_and_no_token_is_unauthorized()
    {
        using var auditor = Client("tenant-audit", Roles.Auditor);
        using var refused = await auditor.PostAsync("api/imports/asff", new StringContent("[]"), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var anonymous = _host.CreateLoopbackClient(_address);
        using var unauthorized = await anonymous.PostAsync("api/imports/guardduty", new StringContent("[]"), Ct);
        unauthorized.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_file_mixing_accounts_is_split_per_account()
    {
        using var client = Client("tenant-mixed", Roles.Analyst);
        var json = new JsonArray(Asff("a1", "444444444444"), Asff("b1", "555555555555"), Asff("a2", "444444444444")).ToJsonString();

        var body = await PostAsync(client, "asff", Encoding.UTF8.GetBytes(json), HttpStatusCode.Accepted);

        var completed = await Completed(body, expected: 2);
        completed.Select(c => (c.AccountId, c.FindingCount)).OrderBy(c => c.FindingCount).ShouldBe(
        [
            (ImportAccount.For("tenant-mixed", "555555555555"), 1),
            (ImportAccount.For("tenant-mixed", "444444444444"), 2),
        ]);
    }

    [Fact]
    public async Task A_re_import_replaces_the_previous_one_on_the_same_records()
    {
        using var client = Client("tenant-again", Roles.Analyst);
        var first = await PostAsync(client, "asff", Encoding.UTF8.GetBytes(new JsonArray(Asff("keep", "666666666666"), Asff("gone", "666666666666")).ToJsonString()), HttpStatusCode.Accepted);
        var second = await PostAsync(client, "asff", Encoding.UTF8.GetBytes(new JsonArray(Asff("keep", "666666666666")).ToJsonString()), HttpStatusCode.Accepted);

        var before = (await Completed(first)).ShouldHaveSingleItem();
        var after = (await Completed(second)).ShouldHaveSingleItem();
        after.AccountId.ShouldBe(before.AccountId);
        after.Complete.ShouldBeTrue();
        var kept = Observed(second).SelectMany(o => o.Findings).ShouldHaveSingleItem();
        Observed(first).SelectMany(o => o.Findings).Where(f => f.NativeId == "keep").ShouldHaveSingleItem().Fingerprint.ShouldBe(kept.Fingerprint);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_with_413()
    {
        using var client = Client("tenant-big", Roles.Analyst);

        // The server refuses on the declared length, before any of the body is sent.
        client.DefaultRequestHeaders.ExpectContinue = true;
        using var content = new ByteArrayContent(new byte[AwsImportApi.MaxBodyBytes + 1]);

        using var response = await client.PostAsync("api/imports/asff", content, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        await NothingPublishedFor("tenant-big");
    }

    private static JsonObject Asff(string id, string awsAccountId) => new()
    {
        ["SchemaVersion"] = "2018-10-08",
        ["Id"] = id,
        ["ProductArn"] = "arn:aws:securityhub:us-east-1::product/aws/securityhub",
        ["AwsAccountId"] = awsAccountId,
        ["Title"] = "Title of " + id,
        ["Severity"] = new JsonObject { ["Label"] = "HIGH" },
        ["Resources"] = new JsonArray(new JsonObject { ["Type"] = "AwsAccount", ["Id"] = "AWS::::Account:" + awsAccountId }),
    };

    private HttpClient Client(string tenant, string role) => _host.CreateLoopbackClient(_address).WithToken(tenant, role);

    private static async Task<JsonObject> PostAsync(HttpClient client, string kind, byte[] file, HttpStatusCode expected)
    {
        using var response = await client.PostAsync($"api/imports/{kind}", new ByteArrayContent(file), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(expected, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<List<SourceScanCompleted>> Completed(JsonObject body, int expected = 1)
    {
        var importId = body["importId"]!.GetValue<Guid>();
        (await _bus.Published.Any<SourceScanCompleted>(m => m.Context.Message.ScanId == importId, Ct)).ShouldBeTrue();
        List<SourceScanCompleted> completed = [.. _bus.Published.Select<SourceScanCompleted>(m => m.Context.Message.ScanId == importId).Select(m => m.Context.Message)];
        completed.Count.ShouldBe(expected);
        return completed;
    }

    private List<FindingsObserved> Observed(JsonObject body)
    {
        var importId = body["importId"]!.GetValue<Guid>();
        return [.. _bus.Published.Select<FindingsObserved>(m => m.Context.Message.ScanId == importId).Select(m => m.Context.Message)];
    }

    private async Task NothingPublishedFor(string tenant)
    {
        await Task.Delay(200, Ct);
        _bus.Published.Select<FindingsObserved>(m => m.Context.Message.TenantId == tenant).ShouldBeEmpty();
        _bus.Published.Select<SourceScanCompleted>(m => m.Context.Message.TenantId == tenant).ShouldBeEmpty();
    }
}
