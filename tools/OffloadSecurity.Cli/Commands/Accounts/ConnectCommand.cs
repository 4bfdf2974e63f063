using System.CommandLine;
using System.Text.Json;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary>
/// <c>offload accounts connect aws|azure|gcp|kubernetes|registry ...</c>. A secret is never a plain argument (shell
/// history, process lists): it is read from standard input or from a file, and never printed.
/// </summary>
public static class ConnectCommand
{
    public static Command Create(CliSession session)
    {
        var connect = new Command("connect", "Connect a cloud account: the platform tests the credentials, stores them encrypted and starts the first sync.");
        connect.Subcommands.Add(Aws(session));
        connect.Subcommands.Add(ConnectProviders.Azure(session));
        connect.Subcommands.Add(ConnectProviders.Gcp(session));
        connect.Subcommands.Add(ConnectProviders.Kubernetes(session));
        connect.Subcommands.Add(ConnectProviders.Registry(session));
        return connect;
    }

    private static Command Aws(CliSession session)
    {
        var common = new ConnectOptions();
        var accessKeyId = new Option<string?>("--access-key-id") { Description = "Access key id (AKIA... or ASIA...).", HelpName = "id" };
        var secret = new SecretOption("secret-access-key", "the secret access key");
        var roleArn = new Option<string?>("--role-arn") { Description = "IAM role to assume instead of access keys (with --external-id).", HelpName = "arn" };
        var externalId = new Option<string?>("--external-id") { Description = "External id of the role's trust policy.", HelpName = "id" };
        var regions = new Option<string[]>("--region") { Description = "Region to scan (repeat for more); default: the default region.", AllowMultipleArgumentsPerToken = true };
        var defaultRegion = new Option<string?>("--default-region") { Description = "The account's default region (default us-east-1).", HelpName = "region" };
        var command = common.Command("aws", "Connect an AWS account with access keys (secret from stdin or a file), or a role.",
            accessKeyId, secret.Stdin, secret.File, roleArn, externalId, regions, defaultRegion);
        command.Validators.Add(result =>
        {
            var keys = result.GetValue(accessKeyId) is not null;
            var role = result.GetValue(roleArn) is not null;
            if (keys == role)
            {
                result.AddError("Give either --access-key-id (with --secret-access-key-stdin or --secret-access-key-file), or --role-arn with --external-id.");
            }
            else if (keys && secret.Sources(result) != 1)
            {
                result.AddError("With --access-key-id, give the secret with exactly one of --secret-access-key-stdin or --secret-access-key-file.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var keys = parse.GetValue(accessKeyId) is not null;
            var request = new ConnectAccountRequest
            {
                Provider = CloudProvider.Aws,
                DisplayName = parse.GetValue(common.Name),
                Regions = parse.GetValue(regions) ?? [],
                Aws = new AwsConnection
                {
                    AccessKeyId = parse.GetValue(accessKeyId),
                    SecretAccessKey = keys ? await secret.ReadAsync(session, parse, ct) : null,
                    RoleArn = parse.GetValue(roleArn),
                    ExternalId = parse.GetValue(externalId),
                    DefaultRegion = parse.GetValue(defaultRegion),
                },
            };
            return await ConnectAsync(session, parse, common, request, new Dictionary<string, string>
            {
                ["displayName"] = "--name",
                ["regions"] = "--region",
                ["aws.accessKeyId"] = "--access-key-id",
                ["aws.secretAccessKey"] = secret.Names,
                ["aws.roleArn"] = "--role-arn",
                ["aws.externalId"] = "--external-id",
                ["aws.defaultRegion"] = "--default-region",
            }, ct);
        });
        return command;
    }

    /// <summary>
    /// Posts the connect request and reports the account: its id on standard output (or the account as JSON), and
    /// with <c>--wait</c> the first sync's progress on standard error.
    /// </summary>
    public static async Task<int> ConnectAsync(
        CliSession session, ParseResult parse, ConnectOptions common, object request, IReadOnlyDictionary<string, string> fieldOptions, CancellationToken ct)
    {
        using var platform = session.Platform(parse);
        platform.FieldOptions = fieldOptions;
        var account = await platform.PostAsync<AccountView>("api/accounts", request, ct);
        var console = session.Out(parse);
        var json = parse.GetValue(common.Json);
        if (!json)
        {
            console.Line($"Connected '{account.DisplayName}' ({account.Id}); the first sync starts now.");
        }

        if (!parse.GetValue(common.Wait))
        {
            if (json)
            {
                console.Line(JsonSerializer.Serialize(account, PlatformClient.Json));
            }
            else
            {
                console.Line($"Follow it with: offload accounts show {account.Id}");
            }

            return ExitCodes.Ok;
        }

        var outcome = await SyncProgress.FollowAsync(
            platform, session.ErrorConsole(parse), account.Id, a => a.LastScanId is not null, SyncProgress.DefaultTimeout, ct);
        if (!json)
        {
            return AccountsCommands.Report(console, outcome);
        }

        console.Line(JsonSerializer.Serialize(outcome.Account, PlatformClient.Json));
        if (outcome.Account.Status == SyncStatus.Error)
        {
            await session.Error(parse).WriteLineAsync($"The first sync of '{outcome.Account.DisplayName}' failed: {outcome.Account.StatusMessage}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }
}

/// <summary>The options every <c>connect</c> subcommand has: <c>--name</c>, <c>--wait</c>, <c>--json</c>.</summary>
public sealed class ConnectOptions
{
    public Option<string> Name { get; } = new("--name") { Description = "Display name of the account.", Required = true, HelpName = "name" };

    public Option<bool> Wait { get; } = new("--wait")
    {
        Description = "Show the first sync's progress (on standard error) until the account is Synced or Error.",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the connected account as JSON (for scripts)." };

    public Command Command(string name, string description, params Option[] options)
    {
        var command = new Command(name, description) { Name };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.Options.Add(Wait);
        command.Options.Add(Json);
        return command;
    }
}
