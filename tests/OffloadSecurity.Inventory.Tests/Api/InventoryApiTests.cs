using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Api;

/// <summary>The inventory's real Program on loopback (in-memory bus), called with tokens of two tenants.</summary>
public sealed class InventoryApiTests : IAsyncLifetime
{
    private const string TenantA = "tenant-a";
    private const string TenantB = "tenant-b";
    private static readonly Guid AccountB = Guid.NewGuid();
    private readonly TempDirectory _data = new();
    private ServiceHost<InventoryEntryPoint> _host = null!;
    private Uri _base = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = new ServiceHost<InventoryEntryPoint>(new Dictionary<string, string?>(TestAuth.Settings) { ["Store:DataDirectory"] = _data.Path });
        _base = _host.Start();
        var store = _host.Services.GetRequiredService<IInventoryStore>();
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        await store.IngestAsync(Batch(TenantB, AccountB, Guid.NewGuid(), at, 0,
            Finding("b1", Severity.Critical) with { Title = "secret of tenant b" }, Finding("b2")), Ct);
        await store.IngestAsync(Batch(TenantA, Guid.NewGuid(), Guid.NewGuid(), at, 0, Finding("a1") with { Title = "=1+1, \"a\"" }), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private HttpClient Client(string tenant, params string[] roles) => new HttpClient { BaseAddress = _base }.WithToken(tenant, roles);

    [Fact]
    public async Task Tenant_a_cannot_read_export_triage_or_summarize_tenant_b_data()
    {
        using var a = Client(TenantA);

        var page = (await a.GetFromJsonAsync<FindingPage>("api/findings?limit=500", Ct))!;
        page.Items.Select(f => f.NativeId).ShouldBe(["a1"]);
        (await a.GetAsync("api/findings/fp-b1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await a.GetFromJsonAsync<FindingPage>($"api/findings?accountId={AccountB}", Ct))!.Items.ShouldBeEmpty();
        (await a.GetFromJsonAsync<FindingPage>("api/findings?q=secret", Ct))!.Items.ShouldBeEmpty();
        foreach (var format in new[] { "jsonl", "csv" })
        {
            var export = await a.GetStringAsync($"api/findings/export?format={format}", Ct);
            export.ShouldNotContain("fp-b1");
            export.ShouldNotContain("secret of tenant b");
            export.ShouldContain("fp-a1");
        }

        var workflow = await a.PostAsJsonAsync("api/findings/fp-b1/workflow", new { action = "suppress", note = "hide it" }, Ct);
        workflow.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var summary = (await a.GetFromJsonAsync<PostureSummary>("api/posture/summary", Ct))!;
        summary.Total.ShouldBe(1);
        summary.Counts.ShouldAllBe(c => c.AccountId != AccountB);
        (await a.GetFromJsonAsync<PostureTrend>("api/posture/trend?days=3", Ct))!.Days[^1].Open.ShouldBe(1);

        using var b = Client(TenantB);
        var untouched = (await b.GetFromJsonAsync<FindingRecord>("api/findings/fp-b1", Ct))!;
        untouched.Workflow.ShouldBeNull();
        untouched.History!.Count.ShouldBe(1);
        (await b.GetFromJsonAsync<PostureSummary>("api/posture/summary", Ct))!.Total.ShouldBe(2);
    }

    [Fact]
    public async Task An_analyst_risk_accepts_a_finding_with_history_and_an_auditor_may_not()
    {
        using var auditor = Client(TenantB, Roles.Auditor);
        using var analyst = Client(TenantB, Roles.Analyst);
        var body = new { action = "risk-accept", note = "compensating WAF rule", expiresAt = DateTimeOffset.UtcNow.AddDays(30) };

        (await auditor.PostAsJsonAsync("api/findings/fp-b2/workflow", body, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var response = await analyst.PostAsJsonAsync("api/findings/fp-b2/workflow", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var finding = (await response.Content.ReadFromJsonAsync<FindingRecord>(Ct))!;
        finding.Workflow!.State.ShouldBe(WorkflowState.RiskAccepted);
        finding.Workflow.By.ShouldBe("user@" + TenantB);
        finding.History!.Last().ShouldSatisfyAllConditions(
            h => h.Transition.ShouldBe("RiskAccepted"),
            h => h.Actor.ShouldBe("user@" + TenantB),
            h => h.Note.ShouldBe("compensating WAF rule"));
        (await analyst.GetFromJsonAsync<FindingPage>("api/findings?workflow=risk-accepted", Ct))!.Items.Single().Fingerprint.ShouldBe("fp-b2");
    }

    [Theory]
    [InlineData("api/findings?severity=Urgent", "severity")]
    [InlineData("api/findings?status=Closed", "status")]
    [InlineData("api/findings?provider=Oracle", "provider")]
    [InlineData("api/findings?accountId=nope", "accountId")]
    [InlineData("api/findings?limit=0", "limit")]
    [InlineData("api/findings?sort=title", "sort")]
    [InlineData("api/findings?cursor=garbage!", "cursor")]
    [InlineData("api/findings?workflow=ignored", "workflow")]
    [InlineData("api/findings/export?format=xlsx", "format")]
    [InlineData("api/findings/export?severity=9", "severity")]
    [InlineData("api/posture/trend?days=0", "days")]
    [InlineData("api/posture/trend?days=many", "days")]
    public async Task Bad_query_input_gets_a_problem_naming_the_field(string url, string field)
    {
        using var a = Client(TenantA);

        var response = await a.GetAsync(url, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task The_resource_id_filter_lists_and_exports_only_that_resources_findings_of_the_callers_tenant()
    {
        const string role = "arn:aws:iam::123456789012:role/admin";
        var store = _host.Services.GetRequiredService<IInventoryStore>();
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        NormalizedFinding On(string id, string resourceId) => Finding(id) with { Resource = new ResourceRef { Type = "AwsIamRole", Id = resourceId } };
        await store.IngestAsync(Batch(TenantA, Guid.NewGuid(), Guid.NewGuid(), at, 0, On("role-1", role), On("role-2", role), On("admin-2", role + "2")), Ct);
        await store.IngestAsync(Batch(TenantB, AccountB, Guid.NewGuid(), at, 0, On("b-role", role)), Ct);
        using var a = Client(TenantA);
        var query = "resourceId=" + Uri.EscapeDataString(role);

        var page = (await a.GetFromJsonAsync<FindingPage>("api/findings?" + query, Ct))!;
        var export = await a.GetStringAsync("api/findings/export?format=csv&" + query, Ct);

        page.Items.Select(f => f.NativeId).ShouldBe(["role-1", "role-2"], ignoreOrder: true);
        export.ShouldContain("fp-role-1");
        export.ShouldContain("fp-role-2");
        export.ShouldNotContain("fp-admin-2");
        export.ShouldNotContain("fp-b-role");
        using var b = Client(TenantB);
        (await b.GetFromJsonAsync<FindingPage>("api/findings?" + query, Ct))!.Items.Select(f => f.NativeId).ShouldBe(["b-role"]);
    }

    [Fact]
    public async Task A_resource_id_longer_than_2048_characters_gets_a_problem_naming_the_field()
    {
        using var a = Client(TenantA);

        var response = await a.GetAsync("api/findings?resourceId=" + new string('x', FindingFilter.MaxResourceIdLength + 1), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").TryGetProperty("resourceId", out _).ShouldBeTrue();
        (await a.GetAsync("api/findings?resourceId=" + new string('x', FindingFilter.MaxResourceIdLength), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_resource_id_filter_of_the_list_and_the_export()
    {
        using var anonymous = new HttpClient { BaseAddress = _base };

        var document = JsonDocument.Parse(await anonymous.GetStringAsync("openapi/v1.json", Ct)).RootElement;

        foreach (var path in new[] { "/api/findings", "/api/findings/export" })
        {
            var parameter = document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "resourceId");
            parameter.GetProperty("in").GetString().ShouldBe("query");
            parameter.GetProperty("description").GetString()!.ShouldContain("Exact, case-sensitive resource id", Case.Sensitive, path);
        }

        // The filters carry the names callers use (binding ignores case), each described.
        var list = document.GetProperty("paths").GetProperty("/api/findings").GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
        list.Select(p => p.GetProperty("name").GetString()).ShouldContain("accountId");
        list.Where(p => !p.TryGetProperty("description", out var description) || description.GetString() is not { Length: > 0 }).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"action":"ignore"}""", "action")]
    [InlineData("""{"action":"suppress"}""", "note")]
    [InlineData("""{"action":"risk-accept","note":"n"}""", "expiresAt")]
    [InlineData("""{"action":"risk-accept","note":"n","expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"action":"acknowledge","expiresAt":"2099-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task Bad_workflow_input_gets_a_problem_naming_the_field(string json, string field)
    {
        using var a = Client(TenantA);

        var response = await a.PostAsync("api/findings/fp-a1/workflow", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await a.GetFromJsonAsync<FindingRecord>("api/findings/fp-a1", Ct))!.Workflow.ShouldBeNull();
    }

    [Fact]
    public async Task The_csv_export_streams_with_a_download_name_and_guards_formulas()
    {
        using var a = Client(TenantA);

        var response = await a.GetAsync("api/findings/export?format=csv", HttpCompletionOption.ResponseHeadersRead, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.FileName!.ShouldEndWith(".csv");
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(",\"'=1+1, \"\"a\"\"\",");
    }
}
