using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Testing;

namespace OffloadSecurity.EndToEnd.Tests;

public class WalkingSkeletonTests(Platform platform) : IClassFixture<Platform>
{
    private static readonly string[] Regions = ["us-east-1", "eu-west-1"];
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_sandbox_finding_reaches_the_api_exactly_once_also_after_a_second_scan()
    {
        var clock = Stopwatch.StartNew();
        var expected = await SandboxActiveFindingIds();
        using var client = platform.Client("tenant-e2e");

        var connect = await client.PostAsJsonAsync("api/accounts", ConnectBody(Platform.SecretAccessKey), Ct);
        connect.StatusCode.ShouldBe(HttpStatusCode.Created, await connect.Content.ReadAsStringAsync(Ct));
        var account = (await connect.Content.ReadFromJsonAsync<AccountView>(Ct))!;

        var first = await WaitForSync(client, account.Id, previousScan: null);
        var afterFirst = await WaitForInventory(client, first.LastScanId!.Value, expected.Count);
        var firstScan = clock.Elapsed;

        var sync = await client.PostAsync($"api/accounts/{account.Id}/sync", null, Ct);
        sync.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var requested = (await sync.Content.ReadFromJsonAsync<ScanRequested>(Ct))!;
        var second = await WaitForSync(client, account.Id, previousScan: first.LastScanId);
        var afterSecond = await WaitForInventory(client, requested.ScanId, expected.Count);

        second.LastScanId.ShouldBe(requested.ScanId);
        foreach (var findings in new[] { afterFirst, afterSecond })
        {
            findings.Select(f => f.NativeId).ShouldBe(expected, ignoreOrder: true);
            findings.Select(f => f.Fingerprint).Distinct().Count().ShouldBe(findings.Count);
            findings.ShouldAllBe(f => f.AccountId == account.Id && f.Source == "aws.securityhub");
        }

        // Seen twice: open findings are now Active; the ones the provider reports passed stay Resolved.
        var firstStatus = afterFirst.ToDictionary(f => f.Fingerprint, f => f.Status);
        afterSecond.ShouldAllBe(f => f.LastScanId == requested.ScanId);
        afterSecond.ShouldAllBe(f => f.Status == (firstStatus[f.Fingerprint] == FindingStatus.New ? FindingStatus.Active : FindingStatus.Resolved));
        afterSecond.ShouldContain(f => f.Status == FindingStatus.Active);
        TestContext.Current.TestOutputHelper!.WriteLine(
            $"E2E: {expected.Count} findings in {Regions.Length} regions; platform start {platform.StartupTime.TotalSeconds:0.0}s, " +
            $"connect → first scan visible {firstScan.TotalSeconds:0.0}s, both scans {clock.Elapsed.TotalSeconds:0.0}s");
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_sandbox_at_connect_and_nothing_is_stored()
    {
        using var client = platform.Client("tenant-wrong-key");
        var wrongSecret = "x" + Platform.SecretAccessKey[1..];

        var connect = await client.PostAsJsonAsync("api/accounts", ConnectBody(wrongSecret), Ct);

        // The connection test (sts:GetCallerIdentity against the sandbox) refuses the signature before anything is stored.
        connect.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await connect.Content.ReadAsStringAsync(Ct);
        problem.ShouldContain("SignatureDoesNotMatch");
        problem.ShouldContain("aws.secretAccessKey");
        problem.ShouldNotContain(wrongSecret);
        (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct)).ShouldBeEmpty();
        (await AllFindings(client)).ShouldBeEmpty();

        // Nothing crashed: the platform still answers.
        using var health = new HttpClient { BaseAddress = platform.Gateway };
        (await health.GetAsync("health/ready", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_key_rotated_at_aws_after_connecting_makes_the_sandbox_refuse_the_signature_and_the_account_show_it()
    {
        using var client = platform.Client("tenant-rotated-key");
        var body = new { provider = "Aws", displayName = "rotated", regions = new[] { "us-east-1" }, aws = new { accessKeyId = Platform.RotatedAccessKeyId, secretAccessKey = Platform.RotatedSecretAccessKey } };
        var connect = await client.PostAsJsonAsync("api/accounts", body, Ct);
        connect.StatusCode.ShouldBe(HttpStatusCode.Created, await connect.Content.ReadAsStringAsync(Ct));
        var account = (await connect.Content.ReadFromJsonAsync<AccountView>(Ct))!;
        var first = await WaitForSync(client, account.Id, previousScan: null);
        var before = await WaitForInventory(client, first.LastScanId!.Value, 1);

        // The tenant rotates the key in IAM; the platform still holds the old secret, so its signatures are now wrong.
        platform.SandboxControl.RotateAwsSecret(Platform.RotatedAccessKeyId, "rotatedAwayByTheTenant/0000000000000000");
        (await client.PostAsync($"api/accounts/{account.Id}/sync", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var failed = (await Eventually.Until(
            () => client.GetFromJsonAsync<AccountView>($"api/accounts/{account.Id}", Ct)!,
            a => a!.Status == SyncStatus.Error, "the account to show the error", ScanTimeout))!;
        failed.StatusMessage.ShouldNotBeNull();
        failed.StatusMessage.ShouldContain("SignatureDoesNotMatch");
        failed.StatusMessage.ShouldNotContain(Platform.RotatedSecretAccessKey);

        // Nothing crashed and nothing was lost: the findings of the last good scan stay, unresolved, and the platform answers.
        var after = await AllFindings(client);
        after.Select(f => f.Fingerprint).ShouldBe(before.Select(f => f.Fingerprint), ignoreOrder: true);
        after.ShouldAllBe(f => f.LastScanId == first.LastScanId);
        using var health = new HttpClient { BaseAddress = platform.Gateway };
        (await health.GetAsync("health/ready", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_running_scan_cancelled_through_the_gateway_stops_keeps_what_it_read_and_shows_Cancelled()
    {
        using var client = platform.Client("tenant-cancel");
        var body = new { provider = "Aws", displayName = "large", regions = new[] { "us-east-1" }, aws = new { accessKeyId = Platform.LargeAccessKeyId, secretAccessKey = Platform.LargeSecretAccessKey } };
        var connect = await client.PostAsJsonAsync("api/accounts", body, Ct);
        connect.StatusCode.ShouldBe(HttpStatusCode.Created, await connect.Content.ReadAsStringAsync(Ct));
        var account = (await connect.Content.ReadFromJsonAsync<AccountView>(Ct))!;

        // 20,000 findings at GetFindings' 3 pages per second: about a minute. Cancel once the first findings are in.
        await Eventually.Until(() => AllFindings(client), findings => findings.Count > 0, "the first findings of the scan", ScanTimeout);
        (await client.PostAsync($"api/accounts/{account.Id}/sync/cancel", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var cancelled = (await Eventually.Until(
            () => client.GetFromJsonAsync<AccountView>($"api/accounts/{account.Id}", Ct)!,
            a => a!.Status == SyncStatus.Cancelled, "the account to show the scan cancelled", TimeSpan.FromSeconds(30)))!;
        cancelled.LastSyncedAt.ShouldBeNull("the scan never completed");
        var kept = await AllFindings(client);
        kept.Count.ShouldBeInRange(1, Platform.LargeFindingsPerRegion - 1);
        kept.Select(f => f.LastScanId).Distinct().Count().ShouldBe(1);

        // The scanner has stopped: nothing more arrives.
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        (await AllFindings(client)).Count.ShouldBe(kept.Count);
    }

    [Fact]
    public async Task Posture_is_served_through_the_gateway()
    {
        using var client = platform.Client("tenant-posture");

        var response = await client.GetAsync("api/posture/summary", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_gateway_refuses_anonymous_callers_and_ignores_a_client_sent_tenant()
    {
        using var anonymous = new HttpClient { BaseAddress = platform.Gateway };
        (await anonymous.GetAsync("api/findings", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var client = platform.Client("tenant-honest");
        client.DefaultRequestHeaders.Add("X-Tenant-Id", "tenant-e2e");
        var page = await client.GetFromJsonAsync<FindingPage>("api/findings", Ct);
        page!.Items.ShouldBeEmpty();
    }

    private static object ConnectBody(string secret) => new
    {
        provider = "Aws",
        displayName = "sandbox",
        regions = Regions,
        aws = new { accessKeyId = Platform.AccessKeyId, secretAccessKey = secret },
    };

    private async Task<AccountView> WaitForSync(HttpClient client, Guid accountId, Guid? previousScan) =>
        (await Eventually.Until(
            () => client.GetFromJsonAsync<AccountView>($"api/accounts/{accountId}", Ct)!,
            a => a!.Status == SyncStatus.Synced && a.LastScanId != previousScan && a.StatusMessage is null,
            "the scan to complete", ScanTimeout))!;

    /// <summary>The inventory ingests in parallel with the account's status: wait until it holds the scan's findings.</summary>
    private static Task<List<FindingRecord>> WaitForInventory(HttpClient client, Guid scanId, int count) =>
        Eventually.Until(
            () => AllFindings(client),
            findings => findings.Count(f => f.LastScanId == scanId) >= count,
            $"the inventory to hold {count} findings of scan {scanId}", ScanTimeout);

    /// <summary>Every finding of the caller's tenant, read page by page through the gateway.</summary>
    private static async Task<List<FindingRecord>> AllFindings(HttpClient client)
    {
        var all = new List<FindingRecord>();
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<FindingPage>($"api/findings?limit=200&cursor={cursor}", Ct))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>What the sandbox holds, read with the real Security Hub client: the ground truth for the test.</summary>
    private async Task<List<string>> SandboxActiveFindingIds()
    {
        using var http = new HttpClient();
        var securityHub = new SecurityHubClient(http, Options.Create(new AwsEndpointOptions { ServiceUrl = platform.Sandbox.ToString() }));
        var credentials = new AwsCredentials(Platform.AccessKeyId, Platform.SecretAccessKey);
        var ids = new List<string>();
        foreach (var region in Regions)
        {
            await foreach (var page in securityHub.GetFindingsAsync(credentials, region, null, Ct))
            {
                ids.AddRange(page.Findings.Select(f => f.GetProperty("Id").GetString()!));
            }
        }

        ids.Count.ShouldBeGreaterThan(Platform.FindingsPerRegion);
        return ids;
    }
}
