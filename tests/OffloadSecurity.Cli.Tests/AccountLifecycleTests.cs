using System.Text.Json;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Accounts;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// <c>accounts disconnect</c> and <c>accounts delete</c> on accounts of the sandbox's demo AWS account, connected by the
/// test itself (so the shared demo account stays as the other tests expect it).
/// </summary>
[Collection(DemoPlatformCollection.Name)]
public sealed class AccountLifecycleTests(DemoPlatform demo)
{
    private RunningPlatform Platform => demo.Platform;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Disconnect_removes_the_credentials_keeps_the_findings_and_shows_Disconnected()
    {
        var account = await ConnectSyncedAsync("to disconnect");

        var disconnect = await RunAsync("accounts", "disconnect", account.Id.ToString());
        var show = await RunAsync("accounts", "show", account.Id.ToString(), "--json");
        var findings = await RunAsync("findings", "list", "--account", account.Id.ToString(), "--limit", "1", "--json");
        var sync = await RunAsync("accounts", "sync", account.Id.ToString());

        disconnect.ExitCode.ShouldBe(ExitCodes.Ok, disconnect.ToString());
        disconnect.Output.ShouldContain($"'to disconnect' ({account.Id}) is Disconnected");
        disconnect.Output.ShouldContain($"offload accounts delete {account.Id}");
        var after = JsonSerializer.Deserialize<AccountView>(show.Output, PlatformClient.Json).ShouldNotBeNull();
        after.Status.ShouldBe(SyncStatus.Disconnected);
        after.Aws.ShouldNotBeNull().HasCredentials.ShouldBeFalse();
        JsonSerializer.Deserialize<FindingRecord[]>(findings.Output, PlatformClient.Json).ShouldNotBeNull().ShouldNotBeEmpty();
        sync.ExitCode.ShouldBe(ExitCodes.Failed, sync.ToString());
        sync.Error.ShouldContain("409");
        sync.Error.ShouldContain("connect it again");
    }

    [Fact]
    public async Task Delete_needs_yes_without_a_terminal_asks_on_one_and_then_the_account_is_gone()
    {
        var account = await ConnectSyncedAsync("to delete");
        var id = account.Id.ToString();

        var refused = await RunAsync("accounts", "delete", id);
        refused.ExitCode.ShouldBe(ExitCodes.Usage, refused.ToString());
        refused.Error.ShouldContain("--yes");
        (await RunAsync("accounts", "show", id)).ExitCode.ShouldBe(ExitCodes.Ok);

        var declined = await Offload.RunAsync(["accounts", "delete", id, .. Platform.Target], new Dictionary<string, string?>(), "n\n", terminal: true, Ct);
        declined.ExitCode.ShouldBe(ExitCodes.Failed, declined.ToString());
        declined.Error.ShouldContain("Delete 'to delete' (Aws, " + id + ")");
        declined.Error.ShouldContain("Not deleted.");
        (await RunAsync("accounts", "show", id)).ExitCode.ShouldBe(ExitCodes.Ok);

        var confirmed = await Offload.RunAsync(["accounts", "delete", id, .. Platform.Target], new Dictionary<string, string?>(), "yes\n", terminal: true, Ct);
        confirmed.ExitCode.ShouldBe(ExitCodes.Ok, confirmed.ToString());
        confirmed.Output.ShouldContain($"Deleted 'to delete' ({id})");

        var show = await RunAsync("accounts", "show", id);
        show.ExitCode.ShouldBe(ExitCodes.Failed, show.ToString());
        show.Error.ShouldContain("404");
        await Eventually.Until(
            () => RunAsync("findings", "list", "--account", id, "--json"),
            list => list.ExitCode == 0 && JsonSerializer.Deserialize<FindingRecord[]>(list.Output, PlatformClient.Json)!.Length == 0,
            "the deleted account's findings to be removed");
    }

    [Fact]
    public async Task Delete_yes_prints_json_and_a_second_delete_is_not_found()
    {
        var account = await ConnectSyncedAsync("deleted by a script");

        var delete = await RunAsync("accounts", "delete", account.Id.ToString(), "--yes", "--json");
        var again = await RunAsync("accounts", "delete", account.Id.ToString(), "--yes");

        delete.ExitCode.ShouldBe(ExitCodes.Ok, delete.ToString());
        var deleted = JsonSerializer.Deserialize<DeletedAccount>(delete.Output, PlatformClient.Json).ShouldNotBeNull();
        deleted.ShouldBe(new DeletedAccount(account.Id, "deleted by a script", "Aws", Deleted: true));
        again.ExitCode.ShouldBe(ExitCodes.Failed, again.ToString());
        again.Error.ShouldContain("404");
    }

    [Fact]
    public async Task Sync_wait_json_keeps_progress_on_stderr_so_stdout_is_one_json_document()
    {
        var demoAccount = JsonSerializer.Deserialize<AccountView[]>((await RunAsync("accounts", "list", "--json")).Output, PlatformClient.Json)!
            .Single(a => a.DisplayName == DemoAccount.DisplayName);

        var sync = await RunAsync("accounts", "sync", demoAccount.Id.ToString(), "--wait", "--json");

        sync.ExitCode.ShouldBe(ExitCodes.Ok, sync.ToString());
        var result = JsonSerializer.Deserialize<SyncResult>(sync.Output, PlatformClient.Json).ShouldNotBeNull();
        result.Account.ShouldNotBeNull().Status.ShouldBe(SyncStatus.Synced);
        result.Account.LastScanId.ShouldBe(result.ScanId);
        result.Findings.ShouldNotBeNull().ShouldBeGreaterThan(0);
        sync.Error.ShouldContain("Synced");
    }

    /// <summary>Connects the sandbox's demo AWS account again under another name (one region, to be quick) and waits for its first sync.</summary>
    private async Task<AccountView> ConnectSyncedAsync(string name)
    {
        var connect = await Offload.RunAsync(
            ["accounts", "connect", "aws", "--name", name, "--access-key-id", DemoSandbox.Account.AccessKeyId, "--secret-access-key-stdin",
                "--region", "us-east-1", "--wait", "--json", .. Platform.Target],
            DemoSandbox.Account.SecretAccessKey, Ct);
        connect.ExitCode.ShouldBe(ExitCodes.Ok, connect.ToString());
        connect.Error.ShouldContain("Synced");
        var account = JsonSerializer.Deserialize<AccountView>(connect.Output, PlatformClient.Json).ShouldNotBeNull();
        account.Status.ShouldBe(SyncStatus.Synced);
        return account;
    }

    private Task<CliResult> RunAsync(params string[] args) => Offload.RunAsync([.. args, .. Platform.Target], "", Ct);
}
