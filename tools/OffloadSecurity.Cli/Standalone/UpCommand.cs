using System.CommandLine;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.ServiceDefaults.Auth;
using Spectre.Console;

namespace OffloadSecurity.Cli.Standalone;

/// <summary><c>offload up [--data DIR] [--port N] [--demo]</c>: the whole platform in this process until Ctrl+C.</summary>
public static class UpCommand
{
    public static readonly TimeSpan AdminTokenLifetime = TimeSpan.FromHours(24);

    public static Command Create(CliSession session)
    {
        var port = new Option<int>("--port")
        {
            Description = $"Port on 127.0.0.1 (default {StandaloneOptions.DefaultPort}; 0 picks a free one).",
            DefaultValueFactory = _ => StandaloneOptions.DefaultPort,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535.");
            }
        });
        var demo = new Option<bool>("--demo") { Description = "Also start the cloud sandbox and connect its demo AWS account." };
        var logs = new Option<bool>("--logs") { Description = $"Show the platform's logs here too (they always go to {StandalonePlatform.LogFileName} in the data folder)." };
        var command = new Command("up", "Run the whole platform (gateway policies, credentials, inventory, scanners) in this process.") { port, demo, logs };
        command.SetAction(async (parse, ct) =>
        {
            var console = session.Out(parse);
            var options = new StandaloneOptions
            {
                Data = session.DataFolder(parse),
                Port = parse.GetValue(port),
                Demo = parse.GetValue(demo),
                ConsoleLogs = parse.GetValue(logs),
            };
            await using var platform = await StandalonePlatform.StartAsync(options, ct);
            var token = platform.IssueToken(CliSession.DefaultTenant, [Roles.TenantAdmin], AdminTokenLifetime);
            PrintBanner(console, platform, token, parse.GetValue(session.Data) is not null);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, platform.Stopping);
            try
            {
                if (options.Demo)
                {
                    await RunDemoAsync(console, platform, token, stopping.Token);
                }

                console.Line("Press Ctrl+C to stop.");
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }

            console.Line("Stopping…");
            await platform.DisposeAsync();
            console.Line($"Stopped. The data stays in {platform.Data.Path}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintBanner(IAnsiConsole console, StandalonePlatform platform, string token, bool explicitData)
    {
        var url = platform.Url.ToString().TrimEnd('/');
        var cliFlags = (platform.Url.Port == StandaloneOptions.DefaultPort ? "" : $" --url {url}") +
            (explicitData ? $" --data {platform.Data.Path}" : "");
        console.Line();
        console.Line($"Offload Security is running (standalone) at {url}");
        console.Line($"  Data folder:  {platform.Data.Path}{(platform.FirstRun ? " (new: signing and encryption keys made, mode 0600)" : "")}");
        console.Line($"  Logs:         {Path.Combine(platform.Data.Path, StandalonePlatform.LogFileName)}");
        console.Line($"  Health:       {url}/health/ready");
        console.Line();
        console.Line($"Admin token (tenant '{CliSession.DefaultTenant}', role tenant-admin, valid {AdminTokenLifetime.TotalHours:0} h; `offload token` prints a new one):");
        console.Line(token);
        console.Line();
        console.Line("Connect an AWS account (read-only access keys; the secret is read from a file, never from the command line):");
        console.Line($"  offload accounts connect aws{cliFlags} --name \"my account\" --access-key-id AKIA... --secret-access-key-file ./secret.txt --region us-east-1");
        console.Line("or with curl (export OFFLOAD_TOKEN=<the token above>), the body in a file (account.json):");
        console.Line("  {\"provider\":\"Aws\",\"displayName\":\"my account\",\"regions\":[\"us-east-1\"],\"aws\":{\"accessKeyId\":\"AKIA...\",\"secretAccessKey\":\"...\"}}");
        console.Line($"  curl -s -X POST {url}/api/accounts -H \"Authorization: Bearer $OFFLOAD_TOKEN\" -H 'Content-Type: application/json' -d @account.json");
        console.Line($"Then: offload accounts list{cliFlags}   ·   offload findings list{cliFlags} --severity Critical");
        console.Line();
    }

    private static async Task RunDemoAsync(IAnsiConsole console, StandalonePlatform platform, string token, CancellationToken ct)
    {
        console.Line($"Demo: the cloud sandbox stands in for AWS at {platform.SandboxUrl}");
        using var client = new PlatformClient(platform.Url, token);
        try
        {
            var outcome = await DemoAccount.ConnectAndSyncAsync(client, console, ct);
            console.Line($"Demo account '{outcome.Account.DisplayName}' is {outcome.Account.Status}: {outcome.Findings} findings " +
                $"({string.Join(", ", DemoAccount.Regions)}){(outcome.Account.StatusMessage is { } message ? $" — {message}" : "")}.");
        }
        catch (CliException ex)
        {
            // The platform keeps running: the user can look at the account and the log.
            console.Line($"Demo: {ex.Message}");
        }
    }
}
