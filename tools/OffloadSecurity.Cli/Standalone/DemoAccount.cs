using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Accounts;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using Spectre.Console;

namespace OffloadSecurity.Cli.Standalone;

/// <summary>
/// <c>offload up --demo</c>: connects the sandbox's demo AWS account through the platform's own HTTP API (as a
/// user would), or syncs it again when an earlier run connected it, and follows the scan until it is Synced.
/// </summary>
public static class DemoAccount
{
    public const string DisplayName = "AWS sandbox (demo)";
    public static readonly string[] Regions = ["us-east-1", "eu-west-1"];

    public static async Task<SyncOutcome> ConnectAndSyncAsync(PlatformClient platform, IAnsiConsole console, CancellationToken ct)
    {
        var sandbox = DemoSandbox.Account;
        var existing = (await platform.GetAsync<AccountView[]>("api/accounts", ct)).FirstOrDefault(a => a.DisplayName == DisplayName);
        if (existing is not null)
        {
            console.Line($"The demo account {sandbox.AccountId} is already connected ({existing.Id}): syncing it again.");
            var requested = await platform.PostAsync<ScanRequested>($"api/accounts/{existing.Id}/sync", null, ct);
            return await SyncProgress.FollowAsync(platform, console, existing.Id, a => a.LastScanId == requested.ScanId, SyncProgress.DefaultTimeout, ct);
        }

        console.Line($"Connecting the sandbox's demo AWS account {sandbox.AccountId} ({sandbox.AccessKeyId}) through POST /api/accounts…");
        var account = await platform.PostAsync<AccountView>("api/accounts", new ConnectAccountRequest
        {
            Provider = CloudProvider.Aws,
            DisplayName = DisplayName,
            Regions = Regions,
            Aws = new AwsConnection { AccessKeyId = sandbox.AccessKeyId, SecretAccessKey = sandbox.SecretAccessKey },
        }, ct);
        return await SyncProgress.FollowAsync(platform, console, account.Id, a => a.LastScanId is not null, SyncProgress.DefaultTimeout, ct);
    }
}
