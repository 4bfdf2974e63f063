using System.Text;
using System.Text.Json;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings;

public sealed class PostureAndExportTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.NewGuid();
    private static readonly Guid OtherAccount = Guid.NewGuid();
    private readonly ManualTime _time = new(T0.AddDays(3));
    private readonly TempInventoryStore _db;
    private readonly SqliteInventoryStore _store;

    public PostureAndExportTests()
    {
        _db = new TempInventoryStore(_time);
        _store = _db.Store;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task The_summary_counts_by_severity_status_provider_and_account_and_scores_the_posture()
    {
        await Scan(Account, T0, Finding("crit", Severity.Critical), Finding("low", Severity.Low), Finding("passed", Severity.High, ObservedState.Closed));
        await Scan(OtherAccount, T0, Finding("med", Severity.Medium));
        await _store.SetWorkflowAsync(Tenant, "fp-low", new WorkflowChange(WorkflowState.Suppressed, "false positive", "a", null), Ct);
        await _store.IngestAsync(Batch("tenant-b", Account, Guid.NewGuid(), T0, 0, Finding("other-tenant", Severity.Critical)), Ct);

        var summary = await _store.SummarizeAsync(Tenant, Ct);

        summary.Total.ShouldBe(4);
        summary.Open.ShouldBe(2);
        summary.Counts.ShouldContain(new PostureCount(Contracts.CloudProvider.Aws, Account, Severity.Critical, "New", 1));
        summary.Counts.ShouldContain(new PostureCount(Contracts.CloudProvider.Aws, Account, Severity.Low, "Suppressed", 1));
        summary.Counts.ShouldContain(new PostureCount(Contracts.CloudProvider.Aws, Account, Severity.High, "Resolved", 1));
        summary.Counts.ShouldContain(new PostureCount(Contracts.CloudProvider.Aws, OtherAccount, Severity.Medium, "New", 1));
        summary.OpenBySeverity["Critical"].ShouldBe(1);
        // handled = High 7 (passed); open = Critical 15 + Medium 3; the suppressed Low counts on neither side.
        summary.Score.ShouldBe(Math.Round(100.0 * 7 / (7 + 15 + 3), 1));
    }

    [Fact]
    public async Task The_trend_replays_open_counts_per_day()
    {
        await Scan(Account, T0, Finding("a"), Finding("b"), Finding("c"));       // day 0: 3 open
        await Scan(Account, T0.AddDays(1), Finding("a"), Finding("b"));          // day 1: c resolved
        await Scan(Account, T0.AddDays(3), Finding("a"), Finding("b"), Finding("c"), Finding("d")); // day 3: c reopened, d new

        var trend = (await _store.TrendAsync(Tenant, 5, Ct)).Days;

        trend.Select(d => d.Date).ShouldBe([.. Enumerable.Range(-1, 5).Select(i => DateOnly.FromDateTime(T0.AddDays(i).UtcDateTime))]);
        trend.Select(d => d.Open).ShouldBe([0, 3, 2, 2, 4]);
        trend.Select(d => d.Opened).ShouldBe([0, 3, 0, 0, 2]);
        trend.Select(d => d.Resolved).ShouldBe([0, 0, 1, 0, 0]);
        trend[^1].OpenBySeverity["High"].ShouldBe(4);
    }

    [Fact]
    public async Task Csv_cells_are_escaped_and_formulas_neutralized()
    {
        FindingExport.Cell("plain").ShouldBe("plain");
        FindingExport.Cell("a,b").ShouldBe("\"a,b\"");
        FindingExport.Cell("say \"hi\"").ShouldBe("\"say \"\"hi\"\"\"");
        FindingExport.Cell("line1\nline2").ShouldBe("\"line1\nline2\"");
        FindingExport.Cell("=HYPERLINK(\"http://x\")").ShouldBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
        FindingExport.Cell("+1").ShouldBe("'+1");
        FindingExport.Cell("-2").ShouldBe("'-2");
        FindingExport.Cell("@SUM(A1)").ShouldBe("'@SUM(A1)");
        FindingExport.Cell(null).ShouldBe("");

        await Scan(Account, T0, Finding("a") with { Title = "=cmd|' /C calc'!A0, \"quoted\"\r\nsecond line" });
        using var output = new MemoryStream();
        await FindingExport.WriteCsvAsync(output, _store.ExportAsync(Tenant, new FindingQuery(), Ct), Ct);

        var csv = Encoding.UTF8.GetString(output.ToArray());
        csv.ShouldStartWith(string.Join(',', FindingExport.CsvColumns) + "\r\n");
        csv.ShouldContain(",\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\r\nsecond line\",");
        ParseCsv(csv).ShouldSatisfyAllConditions(
            rows => rows.Count.ShouldBe(2),
            rows => rows[1][Array.IndexOf(FindingExport.CsvColumns, "title")].ShouldBe("'=cmd|' /C calc'!A0, \"quoted\"\r\nsecond line"));
    }

    [Fact]
    public async Task The_jsonl_export_writes_one_ocsf_finding_per_line_with_the_filters()
    {
        await Scan(Account, T0, Finding("a", Severity.Critical), Finding("b", Severity.Low), Finding("c", Severity.Critical));
        using var output = new MemoryStream();

        await FindingExport.WriteJsonLinesAsync(output, Tenant, _store.ExportAsync(Tenant, new FindingQuery { Severity = Severity.Critical }, Ct), Ct);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("finding_info").GetProperty("uid").GetString())
            .ShouldBe(["fp-a", "fp-c"], ignoreOrder: true);
        lines.ShouldAllBe(l => JsonDocument.Parse(l).RootElement.GetProperty("severity_id").GetInt32() == 5);
    }

    /// <summary>A small RFC 4180 reader, to prove the output parses back to the original cells.</summary>
    private static List<List<string>> ParseCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                cell.Append(c);
            }
        }

        return rows;
    }

    private async Task Scan(Guid account, DateTimeOffset at, params NormalizedFinding[] findings)
    {
        var scan = Guid.NewGuid();
        await _store.IngestAsync(Batch(Tenant, account, scan, at, 0, findings), Ct);
        await _store.CompleteSourceScanAsync(Completed(Tenant, account, scan, at, batches: 1), Ct);
    }
}
