using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Inventory.Findings;

namespace OffloadSecurity.Cli.Tests;

[Collection(DemoPlatformCollection.Name)]
public class CliAgainstDemoPlatformTests(DemoPlatform demo)
{
    private RunningPlatform Platform => demo.Platform;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Up_prints_the_url_an_admin_token_and_how_to_connect_an_account_and_the_demo_finding_count()
    {
        var output = Platform.Output;
        output.ShouldContain($"running (standalone) at {Platform.Url.ToString().TrimEnd('/')}");
        Platform.AdminToken.ShouldNotBeNullOrEmpty();
        output.ShouldContain("offload accounts connect aws");
        output.ShouldContain("--secret-access-key-file");
        output.ShouldContain($"curl -s -X POST {Platform.Url}api/accounts");
        output.ShouldMatch(@"Demo account 'AWS sandbox \(demo\)' is Synced: [1-9]\d* findings");
    }

    [Fact]
    public async Task Accounts_list_shows_the_demo_account_synced()
    {
        var table = await Offload.RunAsync(["accounts", "list", .. Platform.Target]);
        table.ExitCode.ShouldBe(0, table.ToString());
        table.Output.ShouldContain(DemoAccount.DisplayName);
        table.Output.ShouldContain("Synced");

        var json = await Offload.RunAsync(["accounts", "list", "--json", .. Platform.Target]);
        var accounts = JsonSerializer.Deserialize<AccountView[]>(json.Output, PlatformClient.Json)!;
        var account = accounts.Single(a => a.DisplayName == DemoAccount.DisplayName);
        account.Status.ShouldBe(SyncStatus.Synced);
        account.Regions.ShouldBe(DemoAccount.Regions);
    }

    [Fact]
    public async Task Findings_list_json_returns_the_demo_findings_and_show_prints_one()
    {
        var list = await Offload.RunAsync(["findings", "list", "--json", "--limit", "2000", .. Platform.Target]);
        list.ExitCode.ShouldBe(0, list.ToString());
        var findings = JsonSerializer.Deserialize<FindingRecord[]>(list.Output, PlatformClient.Json)!;
        findings.Length.ShouldBeGreaterThan(100);
        findings.ShouldAllBe(f => f.Source == "aws.securityhub" && f.CloudAccountId == DemoSandbox.Account.AccountId);
        findings.Select(f => f.Fingerprint).Distinct().Count().ShouldBe(findings.Length);

        var critical = await Offload.RunAsync(["findings", "list", "--severity", "Critical", "--limit", "3", "--json", .. Platform.Target]);
        var some = JsonSerializer.Deserialize<FindingRecord[]>(critical.Output, PlatformClient.Json)!;
        some.Length.ShouldBeInRange(1, 3);
        some.ShouldAllBe(f => f.Severity == Contracts.Findings.Severity.Critical);

        var show = await Offload.RunAsync(["findings", "show", some[0].Fingerprint, .. Platform.Target]);
        show.ExitCode.ShouldBe(0, show.ToString());
        show.Output.ShouldContain(some[0].Title);
        show.Output.ShouldContain(some[0].Resource.Id);
    }

    [Fact]
    public async Task Sync_wait_follows_a_new_scan_until_the_account_is_synced()
    {
        var account = await DemoAccountAsync();

        var sync = await Offload.RunAsync(["accounts", "sync", account.Id.ToString(), "--wait", .. Platform.Target]);

        sync.ExitCode.ShouldBe(0, sync.ToString());
        sync.Output.ShouldContain("Sync requested (scan ");
        sync.Output.ShouldMatch(@"is Synced: [1-9]\d* findings in the last scan");
        (await DemoAccountAsync()).LastScanId.ShouldNotBe(account.LastScanId);
    }

    [Fact]
    public async Task A_token_printed_by_offload_token_is_accepted_by_the_api_with_its_role()
    {
        var printed = await Offload.RunAsync("token", "--data", Platform.DataDirectory, "--role", "auditor");
        printed.ExitCode.ShouldBe(0, printed.ToString());
        var token = printed.Output.Trim();

        using var http = new HttpClient { BaseAddress = Platform.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await http.GetAsync("api/findings?limit=1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PostAsync($"api/accounts/{Guid.NewGuid()}/sync", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Through the CLI: the auditor may read but not sync, and is told why.
        var account = await DemoAccountAsync();
        var sync = await Offload.RunAsync("accounts", "sync", account.Id.ToString(), "--url", Platform.Url.ToString(), "--token", token);
        sync.ExitCode.ShouldBe(ExitCodes.AuthRefused, sync.ToString());
        sync.Error.ShouldContain("tenant-admin");
    }

    [Fact]
    public async Task A_wrong_token_exits_4_and_says_how_to_get_a_valid_one()
    {
        var result = await Offload.RunAsync("accounts", "list", "--url", Platform.Url.ToString(), "--token", "not.a.token");

        result.ExitCode.ShouldBe(ExitCodes.AuthRefused, result.ToString());
        result.Error.ShouldContain("refused the token");
        result.Error.ShouldContain("offload token");
    }

    [Fact]
    public async Task An_unreachable_platform_exits_3_and_asks_whether_offload_up_runs()
    {
        var result = await Offload.RunAsync("findings", "list", "--url", $"http://127.0.0.1:{ClosedPort()}", "--token", Platform.AdminToken);

        result.ExitCode.ShouldBe(ExitCodes.Unreachable, result.ToString());
        result.Error.ShouldContain("Is `offload up` running?");
    }

    [Fact]
    public async Task A_usage_error_exits_2_and_names_the_problem()
    {
        var unknown = await Offload.RunAsync("accounts", "lst");
        unknown.ExitCode.ShouldBe(ExitCodes.Usage, unknown.ToString());
        unknown.Error.ShouldContain("'lst'");

        var noSecret = await Offload.RunAsync(["accounts", "connect", "aws", "--name", "x", "--access-key-id", "AKIAEXAMPLE000000001", .. Platform.Target]);
        noSecret.ExitCode.ShouldBe(ExitCodes.Usage, noSecret.ToString());
        noSecret.Error.ShouldContain("--secret-access-key-stdin");
    }

    [Fact]
    public async Task Connect_shows_the_apis_validation_errors_field_by_field_without_echoing_the_secret()
    {
        const string BadSecret = "too-short-secret";
        var result = await Offload.RunAsync(
            ["accounts", "connect", "aws", "--name", "bad keys", "--access-key-id", "AKIAbad", "--secret-access-key-stdin", .. Platform.Target],
            BadSecret + "\n", Ct);

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("aws.accessKeyId (--access-key-id): Not an AWS access key id");
        result.Error.ShouldContain("aws.secretAccessKey (--secret-access-key-stdin or --secret-access-key-file):");
        result.Error.ShouldContain("Correct the values above");
        (result.Output + result.Error).ShouldNotContain(BadSecret);
    }

    [Fact]
    public async Task Connect_reads_the_secret_from_a_file_and_waits_for_the_first_sync()
    {
        var secretFile = Path.Combine(Platform.DataDirectory, "connect-test.secret");
        await File.WriteAllTextAsync(secretFile, DemoSandbox.Account.SecretAccessKey + "\n", Ct);

        var result = await Offload.RunAsync(["accounts", "connect", "aws", "--name", "from a file", "--access-key-id", DemoSandbox.Account.AccessKeyId,
            "--secret-access-key-file", secretFile, "--region", "us-east-1", "--wait", .. Platform.Target]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Connected 'from a file'");
        result.Output.ShouldMatch(@"'from a file' is Synced: [1-9]\d* findings");
        result.Output.ShouldNotContain(DemoSandbox.Account.SecretAccessKey);
    }

    private async Task<AccountView> DemoAccountAsync()
    {
        var json = await Offload.RunAsync(["accounts", "list", "--json", .. Platform.Target]);
        return JsonSerializer.Deserialize<AccountView[]>(json.Output, PlatformClient.Json)!.Single(a => a.DisplayName == DemoAccount.DisplayName);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
