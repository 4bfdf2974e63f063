using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Tests.Aws.Sts;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.SecurityHub;

/// <summary>
/// GetFindings' <c>UpdatedAt</c> filter and the findings <see cref="SecurityHubActivity"/> changes, over the real HTTP
/// path. The sandbox and the signer share a clock the tests move, set three weeks after the generator's epoch.
/// </summary>
public sealed class UpdatedAtFilterTests : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private const string ActiveOnly = "\"RecordState\":[{\"Value\":\"ACTIVE\",\"Comparison\":\"EQUALS\"}]";
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Epoch = FindingGenerator.Epoch;
    private static readonly SandboxAwsAccount Account = SandboxServer.Account("313131313131", findings: 300);
    private readonly ManualClock _clock = new(Now);
    private readonly SandboxServer _sandbox;
    private readonly HttpClient _http = new();

    public UpdatedAtFilterTests()
    {
        _sandbox = new SandboxServer(Account)
        {
            ConfigureHost = web => web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)),
        };
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string A => Account.AccountId;

    private SecurityHubActivity Activity => _sandbox.Services.GetRequiredService<SecurityHubActivity>();

    [Fact]
    public async Task A_Start_filter_returns_exactly_the_findings_updated_since_recorded_updates_included()
    {
        var start = Epoch.AddDays(-20);
        var before = Enumerable.Range(0, 300).Where(i => FindingGenerator.UpdatedAt(A, Region, i) < start).Take(2).ToArray();
        var updatedAt = Now.AddHours(-1);
        Activity.Update(A, Region, before[0], updatedAt);
        Activity.Archive(A, Region, before[1], updatedAt.AddMinutes(5));
        var all = await ReadAllAsync(filters: null, maxResults: 100);

        var since = await ReadAllAsync(Filters(UpdatedAt(Since(start))), maxResults: 7);

        Ids(since).ShouldBe(Ids(all.Where(f => UpdatedAtOf(f) >= start)));
        Ids(since).ShouldBeUnique();
        since.Count.ShouldBeInRange(5, 299);
        var updated = since.Single(f => Id(f) == IdOf(before[0]));
        updated.GetProperty("UpdatedAt").GetString().ShouldBe(Stamp(updatedAt));
        updated.GetProperty("LastObservedAt").GetString().ShouldBe(Stamp(updatedAt));
        since.Single(f => Id(f) == IdOf(before[1])).GetProperty("RecordState").GetString().ShouldBe("ARCHIVED");
    }

    [Fact]
    public async Task An_incremental_scan_sees_only_what_changed_since_the_last_scan()
    {
        var lastScan = _clock.GetUtcNow();
        (await ReadAllAsync(Filters(UpdatedAt(Since(lastScan))), 100)).ShouldBeEmpty();

        _clock.Advance(TimeSpan.FromMinutes(10));
        Activity.Update(A, Region, 42);
        Activity.Archive(A, Region, 43);
        var changed = await ReadAllAsync(Filters(UpdatedAt(Since(lastScan))), 100);

        Ids(changed).ShouldBe([IdOf(42), IdOf(43)]);
        changed.ShouldAllBe(f => f.GetProperty("UpdatedAt").GetString() == Stamp(Now.AddMinutes(10)));
        changed[1].GetProperty("RecordState").GetString().ShouldBe("ARCHIVED");
        (await ReadAllAsync(Filters(UpdatedAt(Since(lastScan))), 100, region: "us-west-2")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_DateRange_counts_days_back_from_the_sandbox_clock()
    {
        var all = await ReadAllAsync(filters: null, maxResults: 100);
        var since = Now.AddDays(-30);

        var within = await ReadAllAsync(Filters(UpdatedAt(Days(30))), 100);
        var withinExplicitly = await ReadAllAsync(Filters(UpdatedAt(Days(30, "WITHIN"))), 100);
        var older = await ReadAllAsync(Filters(UpdatedAt(Days(30, "OLDER_THAN"))), 100);

        Ids(within).ShouldBe(Ids(all.Where(f => UpdatedAtOf(f) >= since)));
        Ids(withinExplicitly).ShouldBe(Ids(within));
        Ids(older).ShouldBe(Ids(all.Where(f => UpdatedAtOf(f) < since)));
        within.ShouldNotBeEmpty();
        older.ShouldNotBeEmpty();

        _clock.Advance(TimeSpan.FromDays(60));
        (await ReadAllAsync(Filters(UpdatedAt(Days(30))), 100)).ShouldBeEmpty();
        Activity.Update(A, Region, 9);
        Ids(await ReadAllAsync(Filters(UpdatedAt(Days(1))), 100)).ShouldBe([IdOf(9)]);
    }

    [Fact]
    public async Task Start_and_End_bound_a_window_and_several_windows_are_ORed()
    {
        var all = await ReadAllAsync(filters: null, maxResults: 100);
        (DateTimeOffset Start, DateTimeOffset End)[] windows = [(Epoch.AddDays(-60), Epoch.AddDays(-50)), (Epoch.AddDays(-10), Epoch)];
        bool In((DateTimeOffset Start, DateTimeOffset End) w, JsonElement f) => UpdatedAtOf(f) >= w.Start && UpdatedAtOf(f) <= w.End;

        var first = await ReadAllAsync(Filters(UpdatedAt(Between(windows[0]))), 5);
        var either = await ReadAllAsync(Filters(UpdatedAt(Between(windows[0]), Between(windows[1]))), 5);
        var endOnly = await ReadAllAsync(Filters(UpdatedAt($"{{\"End\":\"{Stamp(Epoch.AddDays(-300))}\"}}")), 5);

        Ids(first).ShouldBe(Ids(all.Where(f => In(windows[0], f))));
        Ids(either).ShouldBe(Ids(all.Where(f => windows.Any(w => In(w, f)))));
        either.Count.ShouldBeGreaterThan(first.Count);
        Ids(endOnly).ShouldBe(Ids(all.Where(f => UpdatedAtOf(f) <= Epoch.AddDays(-300))));
        endOnly.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task UpdatedAt_and_RecordState_filters_are_ANDed()
    {
        var start = Epoch.AddDays(-90);
        var all = await ReadAllAsync(filters: null, maxResults: 100);

        var both = await ReadAllAsync(Filters(UpdatedAt(Since(start)), ActiveOnly), 10);

        Ids(both).ShouldBe(Ids(all.Where(f => UpdatedAtOf(f) >= start && f.GetProperty("RecordState").GetString() == "ACTIVE")));
        both.Count.ShouldBeLessThan(all.Count(f => UpdatedAtOf(f) >= start));
        both.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_finding_archived_in_aws_reads_archived_and_leaves_the_active_filter_until_it_comes_back()
    {
        var index = Enumerable.Range(0, 300).First(i => FindingGenerator.RecordState(A, Region, i) == "ACTIVE");
        var activeBefore = await ReadAllAsync(Filters(ActiveOnly), 100);
        var recent = UpdatedAt(Since(Now.AddMinutes(-1)));

        Activity.Archive(A, Region, index);

        var changed = (await ReadAllAsync(Filters(recent), 100)).ShouldHaveSingleItem();
        Id(changed).ShouldBe(IdOf(index));
        changed.GetProperty("RecordState").GetString().ShouldBe("ARCHIVED");
        changed.GetProperty("UpdatedAt").GetString().ShouldBe(Stamp(Now));
        (await ReadAllAsync(Filters(recent, ActiveOnly), 100)).ShouldBeEmpty();
        var activeAfter = await ReadAllAsync(Filters(ActiveOnly), 100);
        Ids(activeAfter).ShouldBe(Ids(activeBefore).Where(id => id != IdOf(index)));

        _clock.Advance(TimeSpan.FromHours(1));
        Activity.Reactivate(A, Region, index);

        var back = (await ReadAllAsync(Filters(recent, ActiveOnly), 100)).ShouldHaveSingleItem();
        Id(back).ShouldBe(IdOf(index));
        back.GetProperty("UpdatedAt").GetString().ShouldBe(Stamp(Now.AddHours(1)));
    }

    [Fact]
    public async Task Paging_over_a_filtered_set_is_complete_and_has_no_duplicates()
    {
        var start = Epoch.AddDays(-45);
        foreach (var i in new[] { 0, 1, 150, 299 })
        {
            Activity.Update(A, Region, i, Now.AddDays(-1));
        }

        var all = await ReadAllAsync(filters: null, maxResults: 100);
        var expected = Ids(all.Where(f => UpdatedAtOf(f) >= start));

        foreach (var pageSize in new[] { 1, 3, 100 })
        {
            var paged = await ReadAllAsync(Filters(UpdatedAt(Since(start))), pageSize);
            Ids(paged).ShouldBe(expected, $"page size {pageSize}");
        }

        expected.ShouldContain(IdOf(299));
    }

    [Fact]
    public async Task A_token_is_bound_to_the_UpdatedAt_filter_it_was_issued_for()
    {
        var filters = Filters(UpdatedAt(Since(Epoch.AddDays(-100))));
        using var first = JsonDocument.Parse(await PageAsync(Body(filters, 2, null)));
        var token = first.RootElement.GetProperty("NextToken").GetString();

        using var same = await SendAsync(Body(filters, 2, token));
        using var otherStart = await SendAsync(Body(Filters(UpdatedAt(Since(Epoch.AddDays(-99)))), 2, token));
        using var otherRange = await SendAsync(Body(Filters(UpdatedAt(Days(100))), 2, token));
        using var noFilter = await SendAsync(Body(null, 2, token));
        using var withRecordState = await SendAsync(Body(Filters(UpdatedAt(Since(Epoch.AddDays(-100))), ActiveOnly), 2, token));

        same.StatusCode.ShouldBe(HttpStatusCode.OK);
        otherStart.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        otherRange.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        noFilter.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        withRecordState.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await otherStart.AwsErrorAsync()).Code.ShouldBe("InvalidInputException");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[\"2026-11-01T00:00:00Z\"]")]
    [InlineData("[{}]")]
    [InlineData("[{\"Start\":20261101}]")]
    [InlineData("[{\"Start\":\"yesterday\"}]")]
    [InlineData("[{\"Start\":\"2026-11-01\"}]")]
    [InlineData("[{\"End\":\"2026-13-01T00:00:00Z\"}]")]
    [InlineData("[{\"DateRange\":{\"Value\":7,\"Unit\":\"HOURS\"}}]")]
    [InlineData("[{\"DateRange\":{\"Value\":-1,\"Unit\":\"DAYS\"}}]")]
    [InlineData("[{\"DateRange\":{\"Value\":\"7\",\"Unit\":\"DAYS\"}}]")]
    [InlineData("[{\"DateRange\":{\"Unit\":\"DAYS\"}}]")]
    [InlineData("[{\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\",\"Comparison\":\"NEWER_THAN\"}}]")]
    [InlineData("[{\"Start\":\"2026-11-01T00:00:00Z\",\"DateRange\":{\"Value\":7,\"Unit\":\"DAYS\"}}]")]
    [InlineData("[{\"Start\":\"2026-11-01T00:00:00Z\"},{\"End\":\"soon\"}]")]
    public async Task Rejects_a_malformed_UpdatedAt_filter_naming_the_field(string updatedAt)
    {
        using var response = await SendAsync($"{{\"Filters\":{{\"UpdatedAt\":{updatedAt}}}}}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (code, message) = await response.AwsErrorAsync();
        code.ShouldBe("InvalidInputException");
        message.ShouldContain("Filters.UpdatedAt");
    }

    [Theory]
    [InlineData("2026-10-01T00:00:00Z")]
    [InlineData("2026-10-01T00:00Z")]
    [InlineData("2026-10-01T00:00:00.000Z")]
    [InlineData("2026-10-01T00:00:00.000000000Z")]
    [InlineData("2026-10-01T02:00:00+02:00")]
    [InlineData("2026-09-30T19:00:00-0500")]
    public async Task Accepts_the_timestamp_forms_Security_Hub_documents(string start)
    {
        var expected = Ids(await ReadAllAsync(Filters(UpdatedAt(Since(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)))), 100));

        var found = await ReadAllAsync(Filters(UpdatedAt($"{{\"Start\":\"{start}\"}}")), 100);

        Ids(found).ShouldBe(expected);
        found.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task The_first_findings_of_each_region_read_as_updated_when_the_sandbox_started_if_configured()
    {
        var account = SandboxServer.Account("323232323232", findings: 50);
        account.SecurityHubRecentlyUpdated = 4;
        await using var sandbox = new SandboxServer(account)
        {
            ConfigureHost = web => web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)),
        };
        var activity = sandbox.Services.GetRequiredService<SecurityHubActivity>();
        var started = _clock.GetUtcNow();
        activity.StartedAt.ShouldBe(started);
        _clock.Advance(TimeSpan.FromMinutes(5));
        activity.Archive(account.AccountId, "eu-west-1", 2);

        foreach (var region in new[] { "us-east-1", "eu-west-1" })
        {
            var recent = await ReadAllAsync(Filters(UpdatedAt(Since(started))), 100, region, sandbox, account);

            Ids(recent).ShouldBe(Enumerable.Range(0, 4).Select(i => IdOf(i, account.AccountId, region)));
            recent.Where((_, i) => !(region == "eu-west-1" && i == 2))
                .ShouldAllBe(f => f.GetProperty("UpdatedAt").GetString() == Stamp(started));
        }

        var archived = (await ReadAllAsync(Filters(UpdatedAt(Since(started.AddMinutes(1)))), 100, "eu-west-1", sandbox, account))
            .ShouldHaveSingleItem();
        archived.GetProperty("RecordState").GetString().ShouldBe("ARCHIVED");
        archived.GetProperty("UpdatedAt").GetString().ShouldBe(Stamp(started.AddMinutes(5)));
    }

    [Fact]
    public async Task Refuses_to_start_with_a_negative_SecurityHubRecentlyUpdated_naming_the_field()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = "123456789012",
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = "AKIATEST123456789012",
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = "test-secret",
            ["Sandbox:Aws:Accounts:0:SecurityHubRecentlyUpdated"] = "-1",
        });
        builder.AddCloudSandbox();
        await using var app = builder.Build();
        app.MapCloudSandbox();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync(Ct));

        error.Message.ShouldContain("Sandbox:Aws:Accounts:0:SecurityHubRecentlyUpdated must not be negative");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    private static string Stamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Since(DateTimeOffset start) => $"{{\"Start\":\"{Stamp(start)}\"}}";

    private static string Between((DateTimeOffset Start, DateTimeOffset End) window) =>
        $"{{\"Start\":\"{Stamp(window.Start)}\",\"End\":\"{Stamp(window.End)}\"}}";

    private static string Days(int days, string? comparison = null) =>
        $"{{\"DateRange\":{{\"Value\":{days},\"Unit\":\"DAYS\"{(comparison is null ? "" : $",\"Comparison\":\"{comparison}\"")}}}}}";

    private static string UpdatedAt(params string[] filters) => $"\"UpdatedAt\":[{string.Join(',', filters)}]";

    private static string Filters(params string[] fields) => $"\"Filters\":{{{string.Join(',', fields)}}}";

    private static string Body(string? filters, int maxResults, string? token) =>
        "{" + string.Join(',', new[] { filters, $"\"MaxResults\":{maxResults}", token is null ? null : $"\"NextToken\":\"{token}\"" }
            .Where(p => p is not null)) + "}";

    private static string Id(JsonElement finding) => finding.GetProperty("Id").GetString()!;

    private static List<string> Ids(IEnumerable<JsonElement> findings) => findings.Select(Id).ToList();

    private static DateTimeOffset UpdatedAtOf(JsonElement finding) =>
        DateTimeOffset.Parse(finding.GetProperty("UpdatedAt").GetString()!, CultureInfo.InvariantCulture);

    private string IdOf(int index) => IdOf(index, A, Region);

    private static string IdOf(int index, string accountId, string region)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            FindingGenerator.Write(writer, accountId, region, index);
        }

        using var json = JsonDocument.Parse(buffer.WrittenMemory);
        return Id(json.RootElement);
    }

    private async Task<List<JsonElement>> ReadAllAsync(
        string? filters, int maxResults, string region = Region, SandboxServer? sandbox = null, SandboxAwsAccount? account = null)
    {
        var findings = new List<JsonElement>();
        string? token = null;
        do
        {
            using var json = JsonDocument.Parse(await PageAsync(Body(filters, maxResults, token), region, sandbox, account));
            findings.AddRange(json.RootElement.GetProperty("Findings").EnumerateArray().Select(f => f.Clone()));
            token = json.RootElement.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return findings;
    }

    private async Task<string> PageAsync(string body, string region = Region, SandboxServer? sandbox = null, SandboxAwsAccount? account = null)
    {
        using var response = await SendAsync(body, region, sandbox, account);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<HttpResponseMessage> SendAsync(
        string body, string region = Region, SandboxServer? sandbox = null, SandboxAwsAccount? account = null)
    {
        using var request = SignedRequests.GetFindings((sandbox ?? _sandbox).Address, body);
        await new SigV4Signer(_clock).SignAsync(request, (account ?? Account).Credentials(), region, "securityhub", Ct);
        return await _http.SendAsync(request, Ct);
    }
}
