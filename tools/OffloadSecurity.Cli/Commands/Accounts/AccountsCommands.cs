using System.CommandLine;
using System.Text.Json;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary><c>offload accounts connect|list|show|sync</c>.</summary>
public static class AccountsCommands
{
    public static Command Create(CliSession session)
    {
        var accounts = new Command("accounts", "Connect cloud accounts and follow their syncs.");
        accounts.Subcommands.Add(ConnectCommand.Create(session));
        accounts.Subcommands.Add(List(session));
        accounts.Subcommands.Add(Show(session));
        accounts.Subcommands.Add(Sync(session));
        return accounts;
    }

    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON (for scripts) instead of a table." };

    public static Argument<Guid> IdArgument() => new("id") { Description = "The account's id (see `offload accounts list`)." };

    private static Command List(CliSession session)
    {
        var json = JsonOption();
        var command = new Command("list", "The tenant's accounts and their sync status.") { json };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var accounts = await platform.GetAsync<AccountView[]>("api/accounts", ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(accounts, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            if (accounts.Length == 0)
            {
                console.Line("No accounts yet. Connect one: offload accounts connect aws --help");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("ID", "Name", "Provider", "Status", "Last synced", "Regions", "Message");
            foreach (var account in accounts)
            {
                table.Row(account.Id.ToString(), account.DisplayName, account.Provider.ToString(), account.Status.ToString(),
                    Terminal.Ago(account.LastSyncedAt), string.Join(",", account.Regions), account.StatusMessage);
            }

            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliSession session)
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = new Command("show", "One account: status, last sync, regions.") { id, json };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var account = await platform.GetAsync<AccountView>($"api/accounts/{parse.GetValue(id)}", ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(account, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            var grid = new Table().HideHeaders().AddColumns("", "");
            grid.Row("ID", account.Id.ToString())
                .Row("Name", account.DisplayName)
                .Row("Provider", account.Provider.ToString())
                .Row("Status", account.Status.ToString())
                .Row("Message", account.StatusMessage ?? "")
                .Row("Last synced", account.LastSyncedAt is { } at ? $"{at:u} ({Terminal.Ago(at)})" : "never")
                .Row("Last scan", account.LastScanId?.ToString() ?? "")
                .Row("Regions", account.Regions.Count == 0 ? "(default region)" : string.Join(", ", account.Regions))
                .Row("Connected", $"{account.CreatedAt:u}");
            console.Write(grid);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Sync(CliSession session)
    {
        var id = IdArgument();
        var wait = new Option<bool>("--wait") { Description = "Show the sync's progress until the account is Synced or Error." };
        var command = new Command("sync", "Sync an account now.") { id, wait };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var accountId = parse.GetValue(id);
            var requested = await platform.PostAsync<ScanRequested>($"api/accounts/{accountId}/sync", null, ct);
            var console = session.Out(parse);
            console.Line($"Sync requested (scan {requested.ScanId}).");
            return parse.GetValue(wait)
                ? Report(console, await SyncProgress.FollowAsync(
                    platform, console, accountId, a => a.LastScanId == requested.ScanId, SyncProgress.DefaultTimeout, ct))
                : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Prints how a followed sync ended; Error is a failure for scripts.</summary>
    public static int Report(IAnsiConsole console, SyncOutcome outcome)
    {
        var account = outcome.Account;
        if (account.Status == SyncStatus.Error)
        {
            throw new CliException(ExitCodes.Failed, $"The sync of '{account.DisplayName}' failed: {account.StatusMessage}");
        }

        console.Line($"'{account.DisplayName}' is {account.Status}: {outcome.Findings} findings in the last scan." +
            (account.StatusMessage is { } partial ? $" Partial: {partial}" : ""));
        return ExitCodes.Ok;
    }
}
