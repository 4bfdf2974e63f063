using System.Text.Json;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

public class RestartTests
{
    [Fact]
    public async Task A_restart_with_the_same_data_folder_keeps_the_keys_the_account_and_the_findings()
    {
        using var data = new TempDirectory();
        var folder = new DataFolder(data.Path);

        AccountView[] accountsBefore;
        FindingRecord[] findingsBefore;
        string signingKey;
        string firstToken;
        await using (var first = await RunningPlatform.StartAsync(data.Path, demo: true))
        {
            first.Output.ShouldContain("(new: signing and encryption keys made");
            firstToken = first.AdminToken;
            accountsBefore = await ReadAsync<AccountView[]>(first, "accounts", "list");
            findingsBefore = await ReadAsync<FindingRecord[]>(first, "findings", "list", "--limit", "5000");
            signingKey = await File.ReadAllTextAsync(folder.SigningKeyFile, TestContext.Current.CancellationToken);
            (await first.StopAsync()).ShouldBe(0, first.Output);
            first.Output.ShouldContain("Stopped.");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(folder.SigningKeyFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(folder.EncryptionKeyFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var second = await RunningPlatform.StartAsync(data.Path, demo: false);
        second.Output.ShouldNotContain("(new:");
        (await File.ReadAllTextAsync(folder.SigningKeyFile, TestContext.Current.CancellationToken)).ShouldBe(signingKey);

        var accountsAfter = await ReadAsync<AccountView[]>(second, "accounts", "list");
        accountsAfter.Select(a => (a.Id, a.DisplayName, a.Status, a.LastScanId)).ShouldBe(accountsBefore.Select(a => (a.Id, a.DisplayName, a.Status, a.LastScanId)));
        accountsAfter.ShouldHaveSingleItem().Status.ShouldBe(SyncStatus.Synced);
        var findingsAfter = await ReadAsync<FindingRecord[]>(second, "findings", "list", "--limit", "5000");
        findingsAfter.Length.ShouldBeGreaterThan(0);
        findingsAfter.Select(f => f.Fingerprint).ShouldBe(findingsBefore.Select(f => f.Fingerprint), ignoreOrder: true);

        // The admin token the first run printed is still valid: same key.
        var withOldToken = await Offload.RunAsync("accounts", "list", "--url", second.Url.ToString(), "--token", firstToken);
        withOldToken.ExitCode.ShouldBe(0, withOldToken.ToString());
    }

    [Fact]
    public async Task Token_without_platform_data_exits_1_and_says_to_run_offload_up_first()
    {
        using var empty = new TempDirectory();

        var result = await Offload.RunAsync("token", "--data", Path.Combine(empty.Path, "nothing-here"));

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("offload up --data");
    }

    private static async Task<T> ReadAsync<T>(RunningPlatform platform, params string[] command)
    {
        var result = await Offload.RunAsync([.. command, "--json", .. platform.Target]);
        result.ExitCode.ShouldBe(0, result.ToString());
        return JsonSerializer.Deserialize<T>(result.Output, PlatformClient.Json)!;
    }
}
