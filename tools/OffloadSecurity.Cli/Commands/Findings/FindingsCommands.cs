using System.CommandLine;
using System.Text.Json;
using OffloadSecurity.Cli.Commands.Accounts;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Inventory.Findings;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands.Findings;

/// <summary><c>offload findings list|show|export</c>.</summary>
public static class FindingsCommands
{
    public const int MaxLimit = 100_000;

    public static Command Create(CliSession session)
    {
        var findings = new Command("findings", "Read the tenant's normalized findings: list with filters, show one, export them all (JSON Lines or CSV).");
        findings.Subcommands.Add(List(session));
        findings.Subcommands.Add(Show(session));
        findings.Subcommands.Add(FindingExportCommand.Create(session));
        return findings;
    }

    private static Command List(CliSession session)
    {
        var filters = new FindingFilterOptions();
        var limit = new Option<int>("--limit") { Description = $"At most this many findings (1 to {MaxLimit}).", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be between 1 and {MaxLimit}.");
            }
        });
        var json = AccountsCommands.JsonOption();
        var command = new Command("list", "Findings, most severe first, with filters.");
        filters.AddTo(command);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            platform.FieldOptions = FindingFilterOptions.FieldOptions;
            var query = filters.Query(parse);
            var (findings, more) = await ReadAsync(platform, query, parse.GetValue(limit), ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(findings, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Severity", "Status", "Title", "Resource", "Region", "Last seen", "Fingerprint");
            foreach (var finding in findings)
            {
                table.Row(finding.Severity.ToString(), finding.Status.ToString(), Shorten(finding.Title, 60),
                    Shorten(finding.Resource.Name ?? finding.Resource.Id, 40), finding.Region, Terminal.Ago(finding.LastSeen), finding.Fingerprint);
            }

            console.Write(table);
            console.Line($"{findings.Count} findings{(more ? $" (more exist: raise --limit)" : "")}. Details: offload findings show FINGERPRINT");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliSession session)
    {
        var fingerprint = new Argument<string>("fingerprint") { Description = "The finding's fingerprint (see `offload findings list`)." };
        var json = AccountsCommands.JsonOption();
        var command = new Command("show", "One finding in full.") { fingerprint, json };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var finding = await platform.GetAsync<FindingRecord>($"api/findings/{Uri.EscapeDataString(parse.GetValue(fingerprint)!)}", ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(finding, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            var grid = new Table().HideHeaders().AddColumns("", "");
            grid.Row("Title", finding.Title)
                .Row("Severity", $"{finding.Severity} ({finding.SeverityId})")
                .Row("Status", finding.Status.ToString())
                .Row("Class", finding.Class.ToString())
                .Row("Source", $"{finding.Source} ({finding.NativeId})")
                .Row("Account", $"{finding.Provider} {finding.CloudAccountId} (account {finding.AccountId})")
                .Row("Region", finding.Region)
                .Row("Resource", $"{finding.Resource.Type} {finding.Resource.Id}")
                .Row("First seen", $"{finding.FirstSeen:u}")
                .Row("Last seen", $"{finding.LastSeen:u}")
                .Row("Resolved", finding.ResolvedAt is { } resolved ? $"{resolved:u}" : "")
                .Row("Compliance", string.Join(", ", finding.Compliance.Select(c => c.Status is null ? c.Requirement : $"{c.Requirement} ({c.Status})")))
                .Row("Description", finding.Description)
                .Row("Remediation", string.Join(" ", new[] { finding.Remediation, finding.RemediationUrl }.Where(s => s is { Length: > 0 })))
                .Row("Fingerprint", finding.Fingerprint);
            console.Write(grid);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads pages until <paramref name="limit"/> findings are in or none are left.</summary>
    private static async Task<(List<FindingRecord> Findings, bool More)> ReadAsync(PlatformClient platform, string filters, int limit, CancellationToken ct)
    {
        var findings = new List<FindingRecord>();
        string? cursor = null;
        do
        {
            var size = Math.Min(FindingFilter.MaxPageSize, limit - findings.Count);
            var page = await platform.GetAsync<FindingPage>($"api/findings?limit={size}{filters}&cursor={Uri.EscapeDataString(cursor ?? "")}", ct);
            findings.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && findings.Count < limit);

        return (findings, cursor is not null);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
