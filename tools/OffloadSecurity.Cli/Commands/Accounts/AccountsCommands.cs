using System.CommandLine;
using System.Text.Json;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary><c>offload accounts connect|list|show|sync|disconnect|delete</c>.</summary>
public static class AccountsCommands
{
    public static Command Create(CliSession session)
    {
        var accounts = new Command("accounts", "Connect cloud accounts (AWS, Azure, GCP, Kubernetes, registries), follow their syncs, disconnect or delete them.");
        accounts.Subcommands.Add(ConnectCommand.Create(session));
        accounts.Subcommands.Add(List(session));
        accounts.Subcommands.Add(Show(session));
        accounts.Subcommands.Add(Sync(session));
        accounts.Subcommands.Add(CancelSync(session));
        accounts.Subcommands.Add(Disconnect(session));
        accounts.Subcommands.Add(Delete(session));
        return accounts;
    }

    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON (for scripts) instead of a table." };

    public static Argument<Guid> IdArgument() => new("id") { Description = "The account's id (see `offload accounts list`)." };

    private static Command List(CliSession session)
    {
        var json = JsonOption();
        var command = new Command("list", "The tenant's accounts: what each connects to, its sync status and its rotation warnings.") { json };
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
                console.Line("No accounts yet. Connect one: offload accounts connect --help");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("ID", "Name", "Provider", "Connection", "Status", "Last synced", "Regions", "Message", "Warnings");
            foreach (var account in accounts)
            {
                table.AddRow(
                    new Text(account.Id.ToString()), new Text(account.DisplayName), new Text(account.Provider.ToString()),
                    new Text(AccountDisplay.Connection(account)), new Text(account.Status.ToString()), new Text(Terminal.Ago(account.LastSyncedAt)),
                    new Text(string.Join(",", account.Regions)), new Text(account.StatusMessage ?? ""), AccountDisplay.WarningCount(account));
            }

            console.Write(table);
            AccountDisplay.WriteWarnings(console, accounts);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliSession session)
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = new Command("show", "One account: status, last sync, its provider's settings (never a secret) and rotation warnings.") { id, json };
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

            console.Write(AccountDisplay.Details(account, DateTimeOffset.UtcNow));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Sync(CliSession session)
    {
        var id = IdArgument();
        var wait = new Option<bool>("--wait") { Description = "Show the sync's progress (on standard error) until the account is Synced or Error." };
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts): the scan id, and with --wait the account and its findings count." };
        var command = new Command("sync", "Sync an account now.") { id, wait, json };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var accountId = parse.GetValue(id);
            var requested = await platform.PostAsync<ScanRequested>($"api/accounts/{accountId}/sync", null, ct);
            var console = session.Out(parse);
            var asJson = parse.GetValue(json);
            if (!asJson)
            {
                console.Line($"Sync requested (scan {requested.ScanId}).");
            }

            if (!parse.GetValue(wait))
            {
                if (asJson)
                {
                    console.Line(JsonSerializer.Serialize(new SyncResult(requested.ScanId, null, null), PlatformClient.Json));
                }

                return ExitCodes.Ok;
            }

            var outcome = await SyncProgress.FollowAsync(
                platform, session.ErrorConsole(parse), accountId, a => a.LastScanId == requested.ScanId, SyncProgress.DefaultTimeout, ct);
            return asJson ? ReportJson(console, session.Error(parse), requested.ScanId, outcome) : Report(console, outcome);
        });
        return command;
    }

    private static Command CancelSync(CliSession session)
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = new Command("cancel-sync", "Stop an account's running or queued sync; what it read so far is kept, nothing is resolved (status Cancelled).") { id, json };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var accountId = parse.GetValue(id);
            var cancel = await platform.PostAsync<CancelScan>($"api/accounts/{accountId}/sync/cancel", null, ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(cancel, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            console.Line($"Cancel requested: the scanner stops at its next page and the account turns Cancelled (`offload accounts show {accountId}`).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Disconnect(CliSession session)
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = new Command("disconnect", "Remove an account's credentials and stop its syncs; its findings and history stay (status Disconnected).") { id, json };
        command.SetAction(async (parse, ct) =>
        {
            using var platform = session.Platform(parse);
            var account = await platform.PostAsync<AccountView>($"api/accounts/{parse.GetValue(id)}/disconnect", null, ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(account, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            console.Line($"'{account.DisplayName}' ({account.Id}) is {account.Status}: its credentials are removed, its findings and history kept.");
            console.Line($"To remove its data too: offload accounts delete {account.Id}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliSession session)
    {
        var id = IdArgument();
        var yes = new Option<bool>("--yes", "-y")
        {
            Description = "Delete without asking (required when standard input is not a terminal, e.g. in scripts).",
        };
        var json = JsonOption();
        var command = new Command("delete", "Delete an account with its credentials, findings and history. Cannot be undone; asks first unless --yes.") { id, yes, json };
        command.SetAction(async (parse, ct) =>
        {
            var accountId = parse.GetValue(id);
            var confirmed = parse.GetValue(yes);
            if (!confirmed && !session.Environment.InputIsTerminal)
            {
                throw new CliException(ExitCodes.Usage,
                    $"Not deleted: `offload accounts delete` asks for confirmation and standard input is not a terminal. " +
                    $"Add --yes to delete account {accountId} with all its findings.");
            }

            using var platform = session.Platform(parse);
            var account = await platform.GetAsync<AccountView>($"api/accounts/{accountId}", ct);
            if (!confirmed)
            {
                var error = session.Error(parse);
                await error.WriteAsync($"Delete '{account.DisplayName}' ({account.Provider}, {account.Id}) with its credentials, findings and history? " +
                    "This cannot be undone. [y/N] ");
                await error.FlushAsync(ct);
                var answer = (await session.Input.ReadLineAsync(ct))?.Trim();
                if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliException(ExitCodes.Failed, "Not deleted.");
                }
            }

            await platform.DeleteAsync($"api/accounts/{accountId}", ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(new DeletedAccount(account.Id, account.DisplayName, account.Provider.ToString(), Deleted: true), PlatformClient.Json));
                return ExitCodes.Ok;
            }

            console.Line($"Deleted '{account.DisplayName}' ({account.Id}) with its credentials, findings and history.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The JSON of a followed sync: the account as it ended and the findings its scan brought in; Error is a failure.</summary>
    public static int ReportJson(IAnsiConsole console, TextWriter error, Guid scanId, SyncOutcome outcome)
    {
        console.Line(JsonSerializer.Serialize(new SyncResult(scanId, outcome.Account, outcome.Findings), PlatformClient.Json));
        if (outcome.Account.Status is SyncStatus.Error or SyncStatus.Cancelled)
        {
            error.WriteLine(outcome.Account.Status == SyncStatus.Cancelled
                ? $"The sync of '{outcome.Account.DisplayName}' was cancelled: {outcome.Account.StatusMessage}"
                : $"The sync of '{outcome.Account.DisplayName}' failed: {outcome.Account.StatusMessage}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    /// <summary>Prints how a followed sync ended; Error is a failure for scripts.</summary>
    public static int Report(IAnsiConsole console, SyncOutcome outcome)
    {
        var account = outcome.Account;
        if (account.Status is SyncStatus.Error or SyncStatus.Cancelled)
        {
            throw new CliException(ExitCodes.Failed, account.Status == SyncStatus.Cancelled
                ? $"The sync of '{account.DisplayName}' was cancelled: {account.StatusMessage}"
                : $"The sync of '{account.DisplayName}' failed: {account.StatusMessage}");
        }

        console.Line($"'{account.DisplayName}' is {account.Status}: {outcome.Findings} findings in the last scan." +
            (account.StatusMessage is { } partial ? $" Partial: {partial}" : ""));
        return ExitCodes.Ok;
    }
}

/// <summary><c>accounts sync --json</c>: the requested scan; with <c>--wait</c> also the account as the scan left it and the findings it brought in.</summary>
public sealed record SyncResult(Guid ScanId, AccountView? Account, int? Findings);

/// <summary><c>accounts delete --json</c>.</summary>
public sealed record DeletedAccount(Guid Id, string DisplayName, string Provider, bool Deleted);
