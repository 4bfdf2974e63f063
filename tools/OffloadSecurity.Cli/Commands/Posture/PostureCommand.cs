using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Posture;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands.Posture;

/// <summary>
/// <c>offload posture [--trend [--days N]] [--json]</c>: the tenant's posture score and finding counts by severity ×
/// status and by account (<c>GET /api/posture/summary</c>), optionally the daily trend (<c>GET /api/posture/trend</c>).
/// </summary>
public static class PostureCommand
{
    /// <summary>The effective statuses in the order a reader goes through them: to act on, then handled.</summary>
    public static readonly string[] Statuses = ["New", "Active", "Reopened", "Acknowledged", "Resolved", "Suppressed", "RiskAccepted"];

    private static readonly Severity[] Severities = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Informational];

    public static Command Create(CliSession session)
    {
        var trend = new Option<bool>("--trend") { Description = "Also the daily trend: open findings at the end of each day, opened and resolved." };
        var days = new Option<int>("--days") { Description = $"Days of trend (1 to {PostureApi.MaxTrendDays}; default 30).", DefaultValueFactory = _ => 30 };
        days.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > PostureApi.MaxTrendDays)
            {
                result.AddError($"--days must be between 1 and {PostureApi.MaxTrendDays}.");
            }
        });
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON (for scripts): the summary as the API returns it; with --trend, {\"summary\": ..., \"trend\": ...}.",
        };
        var command = new Command("posture",
            "The tenant's posture score (0-100, severity-weighted share of findings needing no action) and finding counts by severity, status and account.")
        {
            trend, days, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            platform.FieldOptions = new Dictionary<string, string> { ["days"] = "--days" };
            var summary = await platform.GetAsync<PostureSummary>("api/posture/summary", ct);
            var history = parse.GetValue(trend)
                ? await platform.GetAsync<PostureTrend>($"api/posture/trend?days={parse.GetValue(days).ToString(CultureInfo.InvariantCulture)}", ct)
                : null;
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(history is null
                    ? JsonSerializer.Serialize(summary, PlatformClient.Json)
                    : JsonSerializer.Serialize(new PostureReport(summary, history), PlatformClient.Json));
                return ExitCodes.Ok;
            }

            var accounts = summary.Counts.Count == 0 ? [] : await platform.GetAsync<AccountView[]>("api/accounts", ct);
            Render(console, summary, accounts, history);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void Render(IAnsiConsole console, PostureSummary summary, IReadOnlyList<AccountView> accounts, PostureTrend? trend)
    {
        console.Line($"Posture score: {summary.Score.ToString("0.0", CultureInfo.InvariantCulture)} / 100   " +
            $"({summary.Open:N0} open of {summary.Total:N0} findings; `offload findings list` shows them)");
        if (summary.Total == 0)
        {
            console.Line("No findings yet: connect an account (offload accounts connect --help) and let it sync.");
        }
        else
        {
            console.Line();
            console.Write(BySeverityAndStatus(summary));
            console.Line();
            console.Write(ByAccount(summary, accounts));
        }

        if (trend is not null)
        {
            console.Line();
            console.Write(Trend(trend));
        }
    }

    private static Table BySeverityAndStatus(PostureSummary summary)
    {
        var statuses = Statuses.Concat(summary.Counts.Select(c => c.Status).Distinct().Except(Statuses).Order(StringComparer.Ordinal)).ToArray();
        var table = new Table { Title = new TableTitle("Findings by severity and status") };
        table.AddColumn("Severity");
        foreach (var status in statuses)
        {
            table.AddColumn(new TableColumn(status).RightAligned());
        }

        table.AddColumn(new TableColumn("Open").RightAligned());
        table.AddColumn(new TableColumn("Total").RightAligned());
        foreach (var severity in Severities)
        {
            var counts = summary.Counts.Where(c => c.Severity == severity).ToList();
            table.Row([severity.ToString(), .. statuses.Select(s => Count(counts.Where(c => c.Status == s))), Open(counts), Count(counts)]);
        }

        table.Row(["Total", .. statuses.Select(s => Count(summary.Counts.Where(c => c.Status == s))), Open(summary.Counts), Count(summary.Counts)]);
        return table;
    }

    private static Table ByAccount(PostureSummary summary, IReadOnlyList<AccountView> accounts)
    {
        var names = accounts.ToDictionary(a => a.Id, a => a.DisplayName);
        var table = new Table { Title = new TableTitle("By provider and account (open findings by severity)") };
        table.AddColumns("Provider", "Account", "ID");
        table.AddColumn(new TableColumn("Score").RightAligned());
        foreach (var severity in Severities)
        {
            table.AddColumn(new TableColumn(severity.ToString()).RightAligned());
        }

        table.AddColumn(new TableColumn("Open").RightAligned());
        table.AddColumn(new TableColumn("Total").RightAligned());
        foreach (var group in summary.Counts.GroupBy(c => (c.Provider, c.AccountId)).OrderBy(g => g.Key.Provider).ThenBy(g => names.GetValueOrDefault(g.Key.AccountId)))
        {
            var counts = group.ToList();
            var open = counts.Where(c => PostureScore.IsOpen(c.Status)).ToList();
            table.Row([
                group.Key.Provider.ToString(),
                names.GetValueOrDefault(group.Key.AccountId) ?? "(deleted)",
                group.Key.AccountId.ToString(),
                PostureScore.Compute(counts).ToString("0.0", CultureInfo.InvariantCulture),
                .. Severities.Select(s => Count(open.Where(c => c.Severity == s))),
                Count(open),
                Count(counts),
            ]);
        }

        return table;
    }

    private static Table Trend(PostureTrend trend)
    {
        var table = new Table { Title = new TableTitle("Daily trend (UTC; open at the end of each day)") };
        table.AddColumn("Date");
        table.AddColumn(new TableColumn("Open").RightAligned());
        foreach (var severity in Severities)
        {
            table.AddColumn(new TableColumn(severity.ToString()).RightAligned());
        }

        table.AddColumn(new TableColumn("Opened").RightAligned());
        table.AddColumn(new TableColumn("Resolved").RightAligned());
        foreach (var day in trend.Days)
        {
            table.Row([
                day.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                day.Open.ToString("N0", CultureInfo.InvariantCulture),
                .. Severities.Select(s => day.OpenBySeverity.GetValueOrDefault(s.ToString()).ToString("N0", CultureInfo.InvariantCulture)),
                day.Opened.ToString("N0", CultureInfo.InvariantCulture),
                day.Resolved.ToString("N0", CultureInfo.InvariantCulture),
            ]);
        }

        return table;
    }

    private static string Count(IEnumerable<PostureCount> counts) => counts.Sum(c => c.Count).ToString("N0", CultureInfo.InvariantCulture);

    private static string Open(IEnumerable<PostureCount> counts) => Count(counts.Where(c => PostureScore.IsOpen(c.Status)));
}

/// <summary><c>offload posture --trend --json</c>.</summary>
public sealed record PostureReport(PostureSummary Summary, PostureTrend Trend);
