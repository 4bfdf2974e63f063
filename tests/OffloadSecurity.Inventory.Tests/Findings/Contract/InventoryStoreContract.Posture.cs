using System.Text;
using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>Posture summary and trend, exports, and deleting an account's data.</summary>
public abstract partial class InventoryStoreContract
{
    [Fact]
    public async Task The_summary_counts_by_severity_status_provider_and_account_and_scores_the_posture()
    {
        await Scan(Account, T0, true, Finding("crit", Severity.Critical), Finding("low", Severity.Low), Finding("passed", Severity.High, ObservedState.Closed));
        await Scan(OtherAccount, T0, true, Finding("med", Severity.Medium));
        await Store.SetWorkflowAsync(Tenant, "fp-low", new WorkflowChange(WorkflowState.Suppressed, "false positive", "a", null), Ct);
        await Store.IngestAsync(Batch("tenant-b", Account, Guid.NewGuid(), T0, 0, Finding("other-tenant", Severity.Critical)), Ct);

        var summary = await Store.SummarizeAsync(Tenant, Ct);

        summary.Total.ShouldBe(4);
        summary.Open.ShouldBe(2);
        summary.Counts.Count.ShouldBe(4);
        summary.Counts.ShouldContain(new PostureCount(CloudProvider.Aws, Account, Severity.Critical, "New", 1));
        summary.Counts.ShouldContain(new PostureCount(CloudProvider.Aws, Account, Severity.Low, "Suppressed", 1));
        summary.Counts.ShouldContain(new PostureCount(CloudProvider.Aws, Account, Severity.High, "Resolved", 1));
        summary.Counts.ShouldContain(new PostureCount(CloudProvider.Aws, OtherAccount, Severity.Medium, "New", 1));
        summary.OpenBySeverity["Critical"].ShouldBe(1);
        summary.OpenBySeverity["Low"].ShouldBe(0);
        summary.ByStatus.ShouldBe(new Dictionary<string, long> { ["New"] = 2, ["Suppressed"] = 1, ["Resolved"] = 1 }, ignoreOrder: true);
        // handled = High 7 (passed); open = Critical 15 + Medium 3; the suppressed Low counts on neither side.
        summary.Score.ShouldBe(Math.Round(100.0 * 7 / (7 + 15 + 3), 1));
    }

    [Fact]
    public async Task An_empty_tenant_has_a_perfect_score()
    {
        var summary = await Store.SummarizeAsync(Tenant, Ct);

        summary.Total.ShouldBe(0);
        summary.Score.ShouldBe(100);
        summary.Counts.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_trend_replays_open_counts_per_day()
    {
        var start = T0.AddDays(-3);
        await Scan(start, Finding("a"), Finding("b"), Finding("c"));                            // day 0: 3 open
        await Scan(start.AddDays(1), Finding("a"), Finding("b"));                               // day 1: c resolved
        await Scan(start.AddDays(3), Finding("a"), Finding("b"), Finding("c"), Finding("d"));   // day 3: c reopened, d new

        var trend = (await Store.TrendAsync(Tenant, 5, Ct)).Days;

        trend.Select(d => d.Date).ShouldBe([.. Enumerable.Range(-1, 5).Select(i => DateOnly.FromDateTime(start.AddDays(i).UtcDateTime))]);
        trend.Select(d => d.Open).ShouldBe([0, 3, 2, 2, 4]);
        trend.Select(d => d.Opened).ShouldBe([0, 3, 0, 0, 2]);
        trend.Select(d => d.Resolved).ShouldBe([0, 0, 1, 0, 0]);
        trend[^1].OpenBySeverity["High"].ShouldBe(4);
    }

    [Fact]
    public async Task The_trend_follows_a_severity_change_and_another_tenant_does_not_count()
    {
        var start = T0.AddDays(-1);
        await Scan(start, Finding("a", Severity.Low));
        await Scan(T0, Finding("a", Severity.Critical));
        await Store.IngestAsync(Batch("tenant-b", Account, Guid.NewGuid(), start, 0, Finding("x")), Ct);

        var trend = (await Store.TrendAsync(Tenant, 2, Ct)).Days;

        trend.Select(d => d.Open).ShouldBe([1, 1]);
        trend[0].OpenBySeverity["Low"].ShouldBe(1);
        trend[0].OpenBySeverity["Critical"].ShouldBe(0);
        trend[1].OpenBySeverity["Low"].ShouldBe(0);
        trend[1].OpenBySeverity["Critical"].ShouldBe(1);
    }

    [Fact]
    public async Task The_jsonl_export_writes_one_ocsf_finding_per_line_with_the_filters()
    {
        await Scan(T0, Finding("a", Severity.Critical), Finding("b", Severity.Low), Finding("c", Severity.Critical));
        using var output = new MemoryStream();

        await FindingExport.WriteJsonLinesAsync(output, Tenant, Store.ExportAsync(Tenant, new FindingQuery { Severity = Severity.Critical }, Ct), Ct);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("finding_info").GetProperty("uid").GetString())
            .ShouldBe(["fp-a", "fp-c"], ignoreOrder: true);
        lines.ShouldAllBe(l => JsonDocument.Parse(l).RootElement.GetProperty("severity_id").GetInt32() == 5);
        lines.ShouldAllBe(l => JsonDocument.Parse(l).RootElement.GetProperty("raw_data").GetString()!.StartsWith("{\"Id\":"));
    }

    [Fact]
    public async Task The_export_ignores_limit_and_cursor_and_keeps_the_sort_order()
    {
        await Scan(T0, [.. Enumerable.Range(0, 30).Select(i => Finding("e" + i.ToString("00"), (Severity)(i % 5 + 1)))]);
        var page = await Store.QueryAsync(Tenant, new FindingQuery { Limit = 3 }, Ct);

        var exported = await Store.ExportAsync(Tenant, new FindingQuery { Limit = 3, Cursor = page.NextCursor }, Ct).ToListAsync(Ct);

        exported.Count.ShouldBe(30);
        exported.Select(e => e.Finding.SeverityId).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task The_csv_export_guards_formulas_and_round_trips_the_cells()
    {
        await Scan(T0, Finding("a") with { Title = "=cmd|' /C calc'!A0, \"quoted\"\r\nsecond line" });
        using var output = new MemoryStream();

        await FindingExport.WriteCsvAsync(output, Store.ExportAsync(Tenant, new FindingQuery(), Ct), Ct);

        var csv = Encoding.UTF8.GetString(output.ToArray());
        csv.ShouldStartWith(string.Join(',', FindingExport.CsvColumns) + "\r\n");
        csv.ShouldContain(",\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\r\nsecond line\",");
        FindingExportTests.ParseCsv(csv).ShouldSatisfyAllConditions(
            rows => rows.Count.ShouldBe(2),
            rows => rows[1][Array.IndexOf(FindingExport.CsvColumns, "title")].ShouldBe("'=cmd|' /C calc'!A0, \"quoted\"\r\nsecond line"));
    }

    [Fact]
    public async Task Deleting_an_account_removes_its_findings_history_and_trend_in_its_tenant_only()
    {
        var deleted = Guid.NewGuid();
        await Scan(deleted, T0, true, Finding("d1"), Finding("d2"));
        await Scan(Account, T0, true, Finding("k1"));
        await Store.IngestAsync(Batch("tenant-b", deleted, Guid.NewGuid(), T0, 0, Finding("d1")), Ct);

        var removed = await Store.DeleteAccountAsync(Tenant, deleted, Ct);

        removed.ShouldBe(2);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery(), Ct)).ShouldBe(["k1"]);
        Ids(await Store.QueryAsync("tenant-b", new FindingQuery(), Ct)).ShouldBe(["d1"]);
        (await Store.FindAsync(Tenant, "fp-d1", Ct)).ShouldBeNull();
        (await Store.SummarizeAsync(Tenant, Ct)).Total.ShouldBe(1);
        (await Store.TrendAsync(Tenant, 1, Ct)).Days.Single().ShouldSatisfyAllConditions(
            d => d.Open.ShouldBe(1),
            d => d.Opened.ShouldBe(1));

        var again = await Scan(deleted, T0.AddHours(6), true, Finding("d1"));
        again.Single().Change.Kind.ShouldBe(FindingChangeKind.Created);
    }
}
