using System.Diagnostics;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Findings;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary>How a sync ended: the account as it then was, and the findings its scan brought in.</summary>
public sealed record SyncOutcome(AccountView Account, int Findings);

/// <summary>
/// Follows one scan of an account until it is Synced or Error, showing the status and the findings that arrived:
/// a live spinner on a terminal, one line per change elsewhere.
/// </summary>
public static class SyncProgress
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <param name="isThisScan">Whether the account's current scan is the one to follow (e.g. its id is the one requested).</param>
    public static async Task<SyncOutcome> FollowAsync(
        PlatformClient platform, IAnsiConsole console, Guid accountId, Func<AccountView, bool> isThisScan, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            if (console.Profile.Capabilities.Interactive)
            {
                return await console.Status().Spinner(Spinner.Known.Dots).StartAsync("Waiting for the scan to start…",
                    status => FollowAsync(platform, accountId, isThisScan, line => status.Status(Markup.Escape(line)), deadline.Token));
            }

            // Without a live display, one line per change of status or count (not per tick of the clock).
            var last = "";
            return await FollowAsync(platform, accountId, isThisScan, line =>
            {
                var change = line[..line.LastIndexOf("findings", StringComparison.Ordinal)];
                if (change != last)
                {
                    console.Line(line);
                    last = change;
                }
            }, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Failed,
                $"The sync did not finish within {timeout.TotalMinutes:0} minutes; it may still be running: `offload accounts show {accountId}`.");
        }
    }

    private static async Task<SyncOutcome> FollowAsync(
        PlatformClient platform, Guid accountId, Func<AccountView, bool> isThisScan, Action<string> show, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var previousCount = -1;
        var settledPolls = 0;
        while (true)
        {
            var account = await platform.GetAsync<AccountView>($"api/accounts/{accountId}", ct);
            var current = isThisScan(account);
            var count = current && account.LastScanId is { } scanId ? await CountFindingsAsync(platform, accountId, scanId, ct) : 0;
            var state = current ? account.Status.ToString() : "Waiting for the scan to start";
            show($"  {state,-10} {count,6} findings   {clock.Elapsed.TotalSeconds,4:0}s");

            // The inventory ingests in parallel with the status change: done once the count has settled too.
            if (current && account.Status is SyncStatus.Error or SyncStatus.Cancelled)
            {
                return new SyncOutcome(account, count);
            }

            // An empty result gets a little longer to show up: the first batch may still be on its way.
            settledPolls = current && account.Status is SyncStatus.Synced && count == previousCount ? settledPolls + 1 : 0;
            if (settledPolls >= (count > 0 ? 1 : 4))
            {
                return new SyncOutcome(account, count);
            }

            previousCount = current && account.Status is SyncStatus.Synced ? count : -1;
            await Task.Delay(Poll, ct);
        }
    }

    /// <summary>The account's findings last seen by scan <paramref name="scanId"/>, read page by page.</summary>
    public static async Task<int> CountFindingsAsync(PlatformClient platform, Guid accountId, Guid scanId, CancellationToken ct)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await platform.GetAsync<FindingPage>(
                $"api/findings?accountId={accountId}&limit={FindingFilter.MaxPageSize}&cursor={Uri.EscapeDataString(cursor ?? "")}", ct);
            count += page.Items.Count(f => f.LastScanId == scanId);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return count;
    }
}
