using System.Text;
using System.Text.Json;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Posture;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary><c>findings export</c> and <c>posture</c> on the demo platform's findings.</summary>
[Collection(DemoPlatformCollection.Name)]
public sealed class FindingExportAndPostureTests(DemoPlatform demo) : IDisposable
{
    private readonly TempDirectory _out = new();

    private RunningPlatform Platform => demo.Platform;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _out.Dispose();

    [Fact]
    public async Task Export_jsonl_to_a_file_writes_one_ocsf_line_per_finding_and_reports_the_count_on_stderr()
    {
        var (account, findings) = await DemoFindingsAsync();
        var file = _out.File("findings.jsonl");

        var export = await RunAsync("findings", "export", "--account", account, "--output", file);

        export.ExitCode.ShouldBe(ExitCodes.Ok, export.ToString());
        export.Output.ShouldBeEmpty();
        var lines = await File.ReadAllLinesAsync(file, Ct);
        lines.Length.ShouldBe(findings.Length);
        var uids = lines.Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            json.RootElement.GetProperty("class_uid").GetInt32().ShouldBeGreaterThan(0);
            return json.RootElement.GetProperty("finding_info").GetProperty("uid").GetString();
        }).ToList();
        uids.ShouldBe(findings.Select(f => f.Fingerprint), ignoreOrder: true);
        export.Error.ShouldContain($"Wrote {findings.Length:N0} findings (jsonl, {new FileInfo(file).Length:N0} bytes, {findings.Length:N0} lines) to {file}.");
        Directory.GetFiles(_out.Path).ShouldBe([file]);
    }

    [Fact]
    public async Task Export_csv_to_stdout_is_a_header_and_one_record_per_finding()
    {
        var (account, findings) = await DemoFindingsAsync();

        var export = await RunAsync("findings", "export", "--format", "csv", "--account", account);

        export.ExitCode.ShouldBe(ExitCodes.Ok, export.ToString());
        var records = CsvRecords(export.Output);
        records[0].ShouldBe(string.Join(',', FindingExport.CsvColumns));
        records.Count.ShouldBe(findings.Length + 1);
        records.Skip(1).Select(r => r[..r.IndexOf(',', StringComparison.Ordinal)]).ShouldBe(findings.Select(f => f.Fingerprint), ignoreOrder: true);
        export.Error.ShouldNotContain("Wrote");
    }

    [Fact]
    public async Task Export_with_filters_matches_findings_list_with_the_same_filters()
    {
        var list = await RunAsync("findings", "list", "--severity", "Critical", "--region", "us-east-1", "--limit", "100000", "--json");
        var file = _out.File("critical.csv");

        var export = await RunAsync("findings", "export", "--severity", "Critical", "--region", "us-east-1", "--format", "csv", "-o", file);

        export.ExitCode.ShouldBe(ExitCodes.Ok, export.ToString());
        var expected = JsonSerializer.Deserialize<FindingRecord[]>(list.Output, PlatformClient.Json)!;
        expected.ShouldNotBeEmpty();
        CsvRecords(await File.ReadAllTextAsync(file, Ct)).Count.ShouldBe(expected.Length + 1);
        export.Error.ShouldContain($"Wrote {expected.Length:N0} findings (csv, ");
    }

    [Fact]
    public async Task Export_problems_name_the_option_and_leave_no_file()
    {
        var tooLong = await RunAsync("findings", "export", "--search", new string('x', FindingFilter.MaxTextLength + 1), "-o", _out.File("x.jsonl"));
        var noFolder = await RunAsync("findings", "export", "-o", Path.Combine(_out.Path, "missing", "x.jsonl"));
        var badFormat = await RunAsync("findings", "export", "--format", "xml");

        tooLong.ExitCode.ShouldBe(ExitCodes.Failed, tooLong.ToString());
        tooLong.Error.ShouldContain("q (--search): Between 1 and 200 characters.");
        noFolder.ExitCode.ShouldBe(ExitCodes.Failed, noFolder.ToString());
        noFolder.Error.ShouldContain("does not exist");
        badFormat.ExitCode.ShouldBe(ExitCodes.Usage, badFormat.ToString());
        Directory.GetFileSystemEntries(_out.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task Posture_prints_the_score_and_counts_by_severity_and_status_and_by_account()
    {
        var posture = await RunAsync("posture", "--trend", "--days", "7");

        posture.ExitCode.ShouldBe(ExitCodes.Ok, posture.ToString());
        posture.Output.ShouldMatch(@"Posture score: \d+\.\d / 100 ");
        posture.Output.ShouldContain("Findings by severity and status");
        foreach (var column in PostureCommand.Statuses)
        {
            posture.Output.ShouldContain(column);
        }

        posture.Output.ShouldContain("By provider and account");
        posture.Output.ShouldContain(DemoAccount.DisplayName);
        posture.Output.ShouldContain("Daily trend");
        posture.Output.ShouldContain(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Posture_json_is_the_summary_whose_counts_add_up_and_with_trend_both()
    {
        var (account, findings) = await DemoFindingsAsync();

        var summaryOnly = await RunAsync("posture", "--json");
        var withTrend = await RunAsync("posture", "--json", "--trend", "--days", "3");

        summaryOnly.ExitCode.ShouldBe(ExitCodes.Ok, summaryOnly.ToString());
        var summary = JsonSerializer.Deserialize<PostureSummary>(summaryOnly.Output, PlatformClient.Json).ShouldNotBeNull();
        summary.Score.ShouldBeInRange(0, 100);
        summary.Total.ShouldBe(summary.Counts.Sum(c => c.Count));
        summary.Counts.Where(c => c.AccountId == Guid.Parse(account)).Sum(c => c.Count).ShouldBe(findings.Length);
        summary.Open.ShouldBe(summary.Counts.Where(c => PostureScore.IsOpen(c.Status)).Sum(c => c.Count));

        withTrend.ExitCode.ShouldBe(ExitCodes.Ok, withTrend.ToString());
        var report = JsonSerializer.Deserialize<PostureReport>(withTrend.Output, PlatformClient.Json).ShouldNotBeNull();
        report.Summary.Total.ShouldBe(summary.Total);
        report.Trend.Days.Count.ShouldBe(3);
        report.Trend.Days[0].OpenBySeverity.Keys.ShouldContain(nameof(Severity.Critical));
    }

    /// <summary>The demo account's id and all its findings, as <c>findings list --json</c> has them.</summary>
    private async Task<(string Account, FindingRecord[] Findings)> DemoFindingsAsync()
    {
        var accounts = JsonSerializer.Deserialize<AccountView[]>((await RunAsync("accounts", "list", "--json")).Output, PlatformClient.Json)!;
        var account = accounts.Single(a => a.DisplayName == DemoAccount.DisplayName).Id.ToString();
        var list = await RunAsync("findings", "list", "--account", account, "--limit", "100000", "--json");
        list.ExitCode.ShouldBe(ExitCodes.Ok, list.ToString());
        var findings = JsonSerializer.Deserialize<FindingRecord[]>(list.Output, PlatformClient.Json)!;
        findings.Length.ShouldBeGreaterThan(100);
        return (account, findings);
    }

    /// <summary>CSV records (RFC 4180: a line break inside quotes belongs to the cell), without their line ends.</summary>
    private static List<string> CsvRecords(string csv)
    {
        var records = new List<string>();
        var record = new StringBuilder();
        var quoted = false;
        foreach (var c in csv)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == '\n' && !quoted)
            {
                records.Add(record.ToString().TrimEnd('\r'));
                record.Clear();
            }
            else
            {
                record.Append(c);
            }
        }

        record.Length.ShouldBe(0, "the export ends with a line break");
        return records;
    }

    private Task<CliResult> RunAsync(params string[] args) => Offload.RunAsync([.. args, .. Platform.Target], "", Ct);
}
