using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Accounts;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// How <c>accounts list</c> and <c>show</c> print answers the real platform rarely gives (several warnings on one
/// account, an anonymous registry, a disconnected account, an older API without warnings): a loopback stand-in serves them.
/// </summary>
public sealed class AccountDisplayTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Connected = new(2024, 1, 10, 8, 0, 0, TimeSpan.Zero);

    private static readonly AccountView Azure = new(
        Guid.Parse("0197a1b2-0000-7000-8000-000000000001"), CloudProvider.Azure, "expired principal", [], SyncStatus.Error,
        "The client secret has expired.", null, null, Connected,
        Azure: new AzureAccountView("72f988bf-86f1-41af-91ab-2d7cd011db47", "0f3b4c4e-1b1a-4b5e-9c59-7a4c0f8e2d11",
            "9a1c2f3e-4d5b-6a7c-8e9f-0a1b2c3d4e5f", Connected.AddDays(30), HasCredentials: true),
        Warnings: ["The client secret expired on 2024-02-09: create a new secret and replace this one; syncs fail until then.", "A second warning."]);

    private static readonly AccountView Registry = new(
        Guid.Parse("0197a1b2-0000-7000-8000-000000000002"), CloudProvider.Registry, "public images", [], SyncStatus.Disconnected,
        null, null, null, Connected,
        Registry: new RegistryAccountView("docker.io", null, Anonymous: true, ["library/nginx", "library/redis"], HasCredentials: false),
        Warnings: []);

    /// <summary>As an older platform answers: no warnings property at all.</summary>
    private static readonly AccountView Gcp = new(
        Guid.Parse("0197a1b2-0000-7000-8000-000000000003"), CloudProvider.Gcp, "logs project", ["europe-west1"], SyncStatus.Pending,
        null, null, null, Connected,
        Gcp: new GcpAccountView("scanner@acme-logs.iam.gserviceaccount.com", "0123456789abcdef", "acme-logs", null, HasCredentials: true));

    private FakeApi _api = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeApi.StartAsync();
        _api.Answer = request => request.PathAndQuery switch
        {
            "/api/accounts" => Results.Json(new[] { Azure, Registry, Gcp }, PlatformClient.Json),
            var path when new[] { Azure, Registry, Gcp }.FirstOrDefault(a => path == $"/api/accounts/{a.Id}") is { } account =>
                Results.Json(account, PlatformClient.Json),
            _ => Results.NotFound(),
        };
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task List_marks_each_account_with_warnings_prints_them_in_full_under_the_table_and_json_keeps_them_as_given()
    {
        var table = await RunAsync("accounts", "list");
        var json = await RunAsync("accounts", "list", "--json");

        table.ExitCode.ShouldBe(ExitCodes.Ok, table.ToString());
        Row(table, Azure.Id).ShouldContain($"subscription {Azure.Azure!.SubscriptionId}");
        Row(table, Azure.Id).ShouldContain($"{AccountDisplay.WarningMark} 2");
        Row(table, Registry.Id).ShouldContain("docker.io (anonymous)");
        Row(table, Registry.Id).ShouldNotContain(AccountDisplay.WarningMark);
        Row(table, Gcp.Id).ShouldContain("project acme-logs as scanner@acme-logs.iam.gserviceaccount.com");
        table.Output.ShouldEndWith($"""

            Warnings:
              ! 'expired principal' ({Azure.Id}): {Azure.Warnings![0]}
              ! 'expired principal' ({Azure.Id}): A second warning.

            """.Replace("\r\n", "\n", StringComparison.Ordinal));

        json.ExitCode.ShouldBe(ExitCodes.Ok, json.ToString());
        var accounts = JsonNode.Parse(json.Output)!.AsArray();
        JsonNode.DeepEquals(accounts[0]!["warnings"], new JsonArray([.. Azure.Warnings.Select(w => JsonValue.Create(w))])).ShouldBeTrue(json.Output);
        accounts[1]!["warnings"]!.AsArray().ShouldBeEmpty();
        accounts[2]!["warnings"].ShouldBeNull();
    }

    [Fact]
    public async Task Show_prints_each_warning_as_a_row_of_its_own()
    {
        var show = await RunAsync("accounts", "show", Azure.Id.ToString());

        show.ExitCode.ShouldBe(ExitCodes.Ok, show.ToString());
        var warnings = show.Output.Split('\n').Where(line => line.Contains(" Warning ", StringComparison.Ordinal)).ToList();
        warnings.Count.ShouldBe(2);
        warnings[0].ShouldContain($"! {Azure.Warnings![0]}");
        warnings[1].ShouldContain("! A second warning.");
        show.Output.ShouldContain("2024-02-09 08:00:00Z (expired ");
        show.Output.ShouldContain("The client secret has expired.");
    }

    [Fact]
    public async Task Show_of_an_anonymous_disconnected_registry_and_of_a_gcp_key_without_a_creation_time()
    {
        var registry = await RunAsync("accounts", "show", Registry.Id.ToString());
        var gcp = await RunAsync("accounts", "show", Gcp.Id.ToString());

        registry.ExitCode.ShouldBe(ExitCodes.Ok, registry.ToString());
        registry.Output.ShouldContain("anonymous (public images only)");
        registry.Output.ShouldContain("library/nginx, library/redis");
        registry.Output.ShouldContain("none (anonymous)");
        registry.Output.ShouldContain("every 6 hours, none while disconnected");
        registry.Output.ShouldNotContain("Warning");
        registry.Output.ShouldNotContain("Regions");

        gcp.ExitCode.ShouldBe(ExitCodes.Ok, gcp.ToString());
        gcp.Output.ShouldContain("scanner@acme-logs.iam.gserviceaccount.com");
        gcp.Output.ShouldContain("0123456789abcdef");
        gcp.Output.ShouldContain("not given (its age is counted from when it was connected)");
        gcp.Output.ShouldContain("europe-west1");
        gcp.Output.ShouldNotContain("Warning");
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        Offload.RunAsync([.. args, "--url", _api.Url.ToString(), "--token", "platform-token"], "", TestContext.Current.CancellationToken);

    private static string Row(CliResult result, Guid id) =>
        result.Output.Split('\n').FirstOrDefault(line => line.Contains(id.ToString(), StringComparison.Ordinal) && !line.Contains('\'', StringComparison.Ordinal))
            .ShouldNotBeNull($"no row of {id} in:\n{result.Output}");
}
