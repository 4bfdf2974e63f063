using System.CommandLine;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary>
/// <c>offload accounts connect aws ...</c>. A secret is never a plain argument (shell history, process lists):
/// it is read from standard input or from a file.
/// </summary>
public static class ConnectCommand
{
    public static Command Create(CliSession session)
    {
        var connect = new Command("connect", "Connect a cloud account.");
        connect.Subcommands.Add(Aws(session));
        return connect;
    }

    private static Command Aws(CliSession session)
    {
        var name = new Option<string>("--name") { Description = "Display name of the account.", Required = true };
        var accessKeyId = new Option<string?>("--access-key-id") { Description = "Access key id (AKIA... or ASIA...)." };
        var secretFromStdin = new Option<bool>("--secret-access-key-stdin") { Description = "Read the secret access key from standard input." };
        var secretFile = new Option<FileInfo?>("--secret-access-key-file") { Description = "Read the secret access key from this file." };
        var roleArn = new Option<string?>("--role-arn") { Description = "IAM role to assume instead of access keys (with --external-id)." };
        var externalId = new Option<string?>("--external-id") { Description = "External id of the role's trust policy." };
        var regions = new Option<string[]>("--region") { Description = "Region to scan (repeat for more); default: the default region.", AllowMultipleArgumentsPerToken = true };
        var defaultRegion = new Option<string?>("--default-region") { Description = "The account's default region (default us-east-1)." };
        var wait = new Option<bool>("--wait") { Description = "Show the first sync's progress until the account is Synced or Error." };
        var command = new Command("aws", "Connect an AWS account with access keys (secret from stdin or a file), or a role.")
        {
            name, accessKeyId, secretFromStdin, secretFile, roleArn, externalId, regions, defaultRegion, wait,
        };
        command.Validators.Add(result =>
        {
            var keys = result.GetValue(accessKeyId) is not null;
            var role = result.GetValue(roleArn) is not null;
            var secretSources = (result.GetValue(secretFromStdin) ? 1 : 0) + (result.GetValue(secretFile) is null ? 0 : 1);
            if (keys == role)
            {
                result.AddError("Give either --access-key-id (with --secret-access-key-stdin or --secret-access-key-file), or --role-arn with --external-id.");
            }
            else if (keys && secretSources != 1)
            {
                result.AddError("With --access-key-id, give the secret with exactly one of --secret-access-key-stdin or --secret-access-key-file.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var keys = parse.GetValue(accessKeyId) is not null;
            var secret = keys ? await ReadSecretAsync(session, parse.GetValue(secretFile), ct) : null;
            var request = new ConnectAccountRequest
            {
                Provider = CloudProvider.Aws,
                DisplayName = parse.GetValue(name),
                Regions = parse.GetValue(regions) ?? [],
                Aws = new AwsConnection
                {
                    AccessKeyId = parse.GetValue(accessKeyId),
                    SecretAccessKey = secret,
                    RoleArn = parse.GetValue(roleArn),
                    ExternalId = parse.GetValue(externalId),
                    DefaultRegion = parse.GetValue(defaultRegion),
                },
            };
            using var platform = session.Platform(parse);
            var account = await platform.PostAsync<AccountView>("api/accounts", request, ct);
            var console = session.Out(parse);
            console.Line($"Connected '{account.DisplayName}' ({account.Id}); the first sync starts now.");
            if (!parse.GetValue(wait))
            {
                console.Line($"Follow it with: offload accounts show {account.Id}");
                return ExitCodes.Ok;
            }

            return AccountsCommands.Report(console, await SyncProgress.FollowAsync(
                platform, console, account.Id, a => a.LastScanId is not null, SyncProgress.DefaultTimeout, ct));
        });
        return command;
    }

    private static async Task<string> ReadSecretAsync(CliSession session, FileInfo? file, CancellationToken ct)
    {
        string secret;
        if (file is null)
        {
            secret = await session.Input.ReadToEndAsync(ct);
        }
        else if (file.Exists)
        {
            secret = await File.ReadAllTextAsync(file.FullName, ct);
        }
        else
        {
            throw new CliException(ExitCodes.Usage, $"--secret-access-key-file: {file.FullName} does not exist.");
        }

        return secret.Trim() is { Length: > 0 } trimmed
            ? trimmed
            : throw new CliException(ExitCodes.Usage, "The secret access key is empty: pipe it in (e.g. `< secret.txt`) or name a file that holds it.");
    }
}
