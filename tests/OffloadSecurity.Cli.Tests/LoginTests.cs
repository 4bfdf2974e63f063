using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Login;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// <c>offload login</c> and <c>logout</c> against the demo platform. Each test has its own config folder and an empty
/// data folder, so the only token a command can find is the one the test gives or saves.
/// </summary>
[Collection(DemoPlatformCollection.Name)]
public sealed class LoginTests(DemoPlatform demo) : IDisposable
{
    private readonly TempDirectory _home = new();

    private RunningPlatform Platform => demo.Platform;
    private string ConfigDirectory => Path.Combine(_home.Path, "config", "offload");
    private string ConfigPath => Path.Combine(ConfigDirectory, ConfigFile.FileName);

    /// <summary>A config folder of the test's own, and a data folder without a key (no token minted from it).</summary>
    private Dictionary<string, string?> Environment => new()
    {
        [ConfigFile.DirectoryVariable] = ConfigDirectory,
        [DataFolder.EnvironmentVariable] = Path.Combine(_home.Path, "no-platform-data"),
    };

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Login_saves_url_and_token_readable_by_the_owner_only_and_later_commands_need_neither()
    {
        var login = await RunAsync(["login", "--url", Platform.Url.ToString(), "--token", Platform.AdminToken]);

        login.ExitCode.ShouldBe(ExitCodes.Ok, login.ToString());
        login.Output.ShouldContain($"Logged in to {Platform.Url.ToString().TrimEnd('/')} as tenant 'default' (tenant-admin)");
        login.Output.ShouldContain(ConfigPath);
        login.Output.ShouldNotContain(Platform.AdminToken);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(ConfigPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(ConfigDirectory).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var saved = new ConfigFile(ConfigDirectory).Load().ShouldNotBeNull();
        saved.Url.ShouldBe(Platform.Url.ToString().TrimEnd('/'));
        saved.Token.ShouldBe(Platform.AdminToken);

        var list = await RunAsync(["accounts", "list", "--json"]);
        list.ExitCode.ShouldBe(ExitCodes.Ok, list.ToString());
        JsonSerializer.Deserialize<AccountView[]>(list.Output, PlatformClient.Json)!.ShouldContain(a => a.DisplayName == DemoAccount.DisplayName);
    }

    [Fact]
    public async Task Login_reads_the_token_from_stdin_and_prints_json_for_scripts()
    {
        var login = await RunAsync(["login", "--url", Platform.Url.ToString(), "--token", "-", "--json"], Platform.AdminToken + "\n");

        login.ExitCode.ShouldBe(ExitCodes.Ok, login.ToString());
        var result = JsonSerializer.Deserialize<LoginResult>(login.Output, PlatformClient.Json).ShouldNotBeNull();
        result.Url.ShouldBe(Platform.Url.ToString().TrimEnd('/'));
        result.Tenant.ShouldBe("default");
        result.Roles.ShouldBe(["tenant-admin"]);
        result.ExpiresAt.ShouldNotBeNull().ShouldBeGreaterThan(DateTimeOffset.UtcNow);
        result.ConfigFile.ShouldBe(ConfigPath);
        new ConfigFile(ConfigDirectory).Load().ShouldNotBeNull().Token.ShouldBe(Platform.AdminToken);
    }

    [Fact]
    public async Task Login_with_a_token_the_platform_refuses_exits_4_and_saves_nothing()
    {
        var login = await RunAsync(["login", "--url", Platform.Url.ToString(), "--token", "not.a.token"]);
        var noToken = await RunAsync(["login", "--url", Platform.Url.ToString()]);

        login.ExitCode.ShouldBe(ExitCodes.AuthRefused, login.ToString());
        login.Error.ShouldContain("Not logged in, nothing saved.");
        login.Error.ShouldContain("refused the token");
        noToken.ExitCode.ShouldBe(ExitCodes.Usage, noToken.ToString());
        noToken.Error.ShouldContain("--token -");
        File.Exists(ConfigPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Logout_removes_the_saved_login_and_later_commands_have_no_token_again()
    {
        (await RunAsync(["login", "--url", Platform.Url.ToString(), "--token", Platform.AdminToken])).ExitCode.ShouldBe(ExitCodes.Ok);

        var logout = await RunAsync(["logout"]);
        var again = await RunAsync(["logout"]);
        var list = await RunAsync(["accounts", "list", "--url", Platform.Url.ToString()]);

        logout.ExitCode.ShouldBe(ExitCodes.Ok, logout.ToString());
        logout.Output.ShouldContain($"Logged out: removed {ConfigPath}");
        File.Exists(ConfigPath).ShouldBeFalse();
        again.ExitCode.ShouldBe(ExitCodes.Ok, again.ToString());
        again.Output.ShouldContain("Not logged in");
        list.ExitCode.ShouldBe(ExitCodes.AuthRefused, list.ToString());
        list.Error.ShouldContain("No token");
        list.Error.ShouldContain("offload login");
    }

    [Fact]
    public async Task A_token_flag_or_variable_comes_before_the_saved_login()
    {
        (await RunAsync(["login", "--url", Platform.Url.ToString(), "--token", Platform.AdminToken])).ExitCode.ShouldBe(ExitCodes.Ok);

        var flag = await RunAsync(["accounts", "list", "--token", "wrong.flag.token"]);
        var variable = await RunAsync(["accounts", "list"], environment: new(Environment) { [CliSession.TokenVariable] = "wrong.env.token" });

        flag.ExitCode.ShouldBe(ExitCodes.AuthRefused, flag.ToString());
        flag.Error.ShouldContain($"on GET {Platform.Url}api/accounts");
        variable.ExitCode.ShouldBe(ExitCodes.AuthRefused, variable.ToString());
    }

    [Fact]
    public async Task The_saved_token_is_never_sent_to_another_address()
    {
        (await RunAsync(["login", "--url", Platform.Url.ToString(), "--token", Platform.AdminToken])).ExitCode.ShouldBe(ExitCodes.Ok);
        await using var other = await FakeApi.StartAsync();
        other.Answer = _ => Results.Json(Array.Empty<AccountView>(), PlatformClient.Json);

        var byFlag = await RunAsync(["accounts", "list", "--url", other.Url.ToString()]);
        var byVariable = await RunAsync(["accounts", "list"], environment: new(Environment) { [CliSession.UrlVariable] = other.Url.ToString() });

        byFlag.ExitCode.ShouldBe(ExitCodes.Ok, byFlag.ToString());
        byVariable.ExitCode.ShouldBe(ExitCodes.Ok, byVariable.ToString());
        other.Requests.Count.ShouldBe(2);
        other.Requests.ShouldAllBe(r => r.Authorization == null);
    }

    private Task<CliResult> RunAsync(string[] args, string stdin = "", Dictionary<string, string?>? environment = null) =>
        Offload.RunAsync(args, environment ?? Environment, stdin, ct: TestContext.Current.CancellationToken);
}
