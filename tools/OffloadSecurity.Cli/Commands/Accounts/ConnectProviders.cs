using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary><c>offload accounts connect azure|gcp|kubernetes|registry</c>: the request bodies of <see cref="ConnectBody"/>.</summary>
public static partial class ConnectProviders
{
    public const string DefaultRegistry = "docker.io";

    public static Command Azure(CliSession session)
    {
        var common = new ConnectOptions();
        var tenantId = new Option<string>("--tenant-id") { Description = "Microsoft Entra tenant (directory) id of the service principal.", Required = true, HelpName = "id" };
        var clientId = new Option<string>("--client-id") { Description = "Application (client) id of the service principal.", Required = true, HelpName = "id" };
        var secret = new SecretOption("client-secret", "the client secret");
        var expires = DateOption("--secret-expires",
            "When the client secret expires (ISO 8601: 2027-06-30 or 2027-06-30T12:00:00Z), so the platform can warn before.");
        var subscriptionId = new Option<string>("--subscription-id") { Description = "The subscription to scan.", Required = true, HelpName = "id" };
        var command = common.Command("azure",
            "Connect an Azure subscription with a service principal (client secret from stdin or a file; Reader and Security Reader roles suffice).",
            tenantId, clientId, secret.Stdin, secret.File, expires, subscriptionId);
        command.Validators.Add(result =>
        {
            if (secret.Sources(result) != 1)
            {
                result.AddError("Give the client secret with exactly one of --client-secret-stdin or --client-secret-file.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var body = new ConnectBody
            {
                Provider = ConnectBody.AzureProvider,
                DisplayName = parse.GetValue(common.Name)!,
                Azure = new AzureBody
                {
                    TenantId = parse.GetValue(tenantId)!,
                    ClientId = parse.GetValue(clientId)!,
                    ClientSecret = await secret.ReadAsync(session, parse, ct),
                    ClientSecretExpiresAt = parse.GetValue(expires),
                    SubscriptionId = parse.GetValue(subscriptionId)!,
                },
            };
            return await ConnectCommand.ConnectAsync(session, parse, common, body, new Dictionary<string, string>
            {
                ["displayName"] = "--name",
                ["azure.tenantId"] = "--tenant-id",
                ["azure.clientId"] = "--client-id",
                ["azure.clientSecret"] = secret.Names,
                ["azure.clientSecretExpiresAt"] = "--secret-expires",
                ["azure.subscriptionId"] = "--subscription-id",
            }, ct);
        });
        return command;
    }

    public static Command Gcp(CliSession session)
    {
        var common = new ConnectOptions();
        var keyFile = new Option<FileInfo>("--key-file")
        {
            Description = "The service account's JSON key file (IAM > Service accounts > Keys). Its contents are sent, never printed.",
            Required = true,
            HelpName = "path",
        };
        var projectId = new Option<string?>("--project-id") { Description = "The project to scan (default: the key's project).", HelpName = "id" };
        var keyCreated = DateOption("--key-created",
            "When the key was created (ISO 8601, as IAM > Service accounts > Keys shows it; the key file does not say), so the platform " +
            "can warn when it gets old. Without it the key's age counts from when it is connected.");
        var command = common.Command("gcp", "Connect a GCP project with a service-account JSON key.", keyFile, projectId, keyCreated);
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(keyFile)!;
            var key = await LocalFile.ReadTextAsync(file, "--key-file", ct);
            CheckServiceAccountKey(key, file);
            var body = new ConnectBody
            {
                Provider = ConnectBody.GcpProvider,
                DisplayName = parse.GetValue(common.Name)!,
                Gcp = new GcpBody { ServiceAccountKeyJson = key, ProjectId = parse.GetValue(projectId), KeyCreatedAt = parse.GetValue(keyCreated) },
            };
            return await ConnectCommand.ConnectAsync(session, parse, common, body, new Dictionary<string, string>
            {
                ["displayName"] = "--name",
                ["gcp.serviceAccountKeyJson"] = "--key-file",
                ["gcp.projectId"] = "--project-id",
                ["gcp.keyCreatedAt"] = "--key-created",
            }, ct);
        });
        return command;
    }

    public static Command Kubernetes(CliSession session)
    {
        var common = new ConnectOptions();
        var kubeconfig = new Option<FileInfo?>("--kubeconfig")
        {
            Description = "A kubeconfig file; its active context names the cluster and the credentials.",
            HelpName = "path",
        };
        var server = new Option<string?>("--server") { Description = "The API server's URL (instead of --kubeconfig), e.g. https://10.0.0.1:6443.", HelpName = "url" };
        var token = new SecretOption("token", "the service-account token");
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "PEM file of the CA that signed the API server's certificate (with --server).", HelpName = "path" };
        var command = common.Command("kubernetes",
            "Connect a Kubernetes cluster: a kubeconfig, or the API server with a service-account token (from stdin or a file).",
            kubeconfig, server, token.Stdin, token.File, caFile);
        command.Validators.Add(result =>
        {
            var byKubeconfig = result.GetValue(kubeconfig) is not null;
            var serverUrl = result.GetValue(server);
            if (byKubeconfig == serverUrl is not null)
            {
                result.AddError("Give either --kubeconfig <path>, or --server <url> with --token-stdin or --token-file (and --ca-file for a private CA).");
            }
            else if (byKubeconfig && (token.Sources(result) > 0 || result.GetValue(caFile) is not null))
            {
                result.AddError("--kubeconfig carries the server, the credentials and the CA: drop --token-stdin, --token-file and --ca-file, or use --server instead.");
            }
            else if (serverUrl is not null && token.Sources(result) != 1)
            {
                result.AddError("With --server, give the service-account token with exactly one of --token-stdin or --token-file (--token is your token for the platform).");
            }
            else if (serverUrl is not null && !(Uri.TryCreate(serverUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"))
            {
                result.AddError($"--server '{serverUrl}' is not an http(s) URL, e.g. https://10.0.0.1:6443.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            KubernetesBody cluster;
            if (parse.GetValue(kubeconfig) is { } file)
            {
                var text = await LocalFile.ReadTextAsync(file, "--kubeconfig", ct);
                cluster = new KubernetesBody
                {
                    Kubeconfig = string.IsNullOrWhiteSpace(text)
                        ? throw new CliException(ExitCodes.Failed, $"--kubeconfig: {file.FullName} is empty.")
                        : text,
                };
            }
            else
            {
                cluster = new KubernetesBody
                {
                    ServerUrl = parse.GetValue(server),
                    CertificateAuthorityData = parse.GetValue(caFile) is { } ca ? await CertificateAuthorityAsync(ca, ct) : null,
                    Token = await token.ReadAsync(session, parse, ct),
                };
            }

            var body = new ConnectBody { Provider = ConnectBody.KubernetesProvider, DisplayName = parse.GetValue(common.Name)!, Kubernetes = cluster };
            return await ConnectCommand.ConnectAsync(session, parse, common, body, new Dictionary<string, string>
            {
                ["displayName"] = "--name",
                ["kubernetes.kubeconfig"] = "--kubeconfig",
                ["kubernetes.serverUrl"] = "--server",
                ["kubernetes.certificateAuthorityData"] = "--ca-file",
                ["kubernetes.token"] = token.Names,
            }, ct);
        });
        return command;
    }

    public static Command Registry(CliSession session)
    {
        var common = new ConnectOptions();
        var registry = new Option<string>("--registry") { Description = $"The registry's host (default {DefaultRegistry}).", DefaultValueFactory = _ => DefaultRegistry, HelpName = "host" };
        var username = new Option<string?>("--username") { Description = "The registry user (with --token-stdin or --token-file).", HelpName = "user" };
        var token = new SecretOption("token", "the registry access token");
        var anonymous = new Option<bool>("--anonymous") { Description = "No credentials: public repositories only (name them with --repository)." };
        var repositories = new Option<string[]>("--repository")
        {
            Description = "A repository to scan, e.g. library/nginx (repeat for more); default: every repository the user can see.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "name",
        };
        var command = common.Command("registry",
            "Connect a container registry (Docker Hub by default): a username with an access token (from stdin or a file), or anonymous.",
            registry, username, token.Stdin, token.File, anonymous, repositories);
        command.Validators.Add(result =>
        {
            var isAnonymous = result.GetValue(anonymous);
            var hasUser = result.GetValue(username) is not null;
            if (isAnonymous && (hasUser || token.Sources(result) > 0))
            {
                result.AddError("--anonymous connects without credentials: drop --username and the token, or drop --anonymous.");
            }
            else if (!isAnonymous && !hasUser)
            {
                result.AddError("Give --username with --token-stdin or --token-file (an access token, not the password), or --anonymous for public repositories.");
            }
            else if (!isAnonymous && token.Sources(result) != 1)
            {
                result.AddError("With --username, give the access token with exactly one of --token-stdin or --token-file (--token is your token for the platform).");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var isAnonymous = parse.GetValue(anonymous);
            var body = new ConnectBody
            {
                Provider = ConnectBody.RegistryProvider,
                DisplayName = parse.GetValue(common.Name)!,
                Registry = new RegistryBody
                {
                    Registry = parse.GetValue(registry)!,
                    Username = parse.GetValue(username),
                    AccessToken = isAnonymous ? null : await token.ReadAsync(session, parse, ct),
                    Anonymous = isAnonymous,
                    Repositories = parse.GetValue(repositories) ?? [],
                },
            };
            return await ConnectCommand.ConnectAsync(session, parse, common, body, new Dictionary<string, string>
            {
                ["displayName"] = "--name",
                ["registry.registry"] = "--registry",
                ["registry.username"] = "--username",
                ["registry.accessToken"] = token.Names,
                ["registry.anonymous"] = "--anonymous",
                ["registry.repositories"] = "--repository",
            }, ct);
        });
        return command;
    }

    /// <summary>
    /// A GCP key is a JSON object of type service_account: anything else (a user's gcloud credentials, another file)
    /// is stopped here with a clear message, before it leaves the machine. The message never quotes the file.
    /// </summary>
    private static void CheckServiceAccountKey(string key, FileInfo file)
    {
        string? type;
        try
        {
            using var document = JsonDocument.Parse(key);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException();
            }

            type = document.RootElement.TryGetProperty("type", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            throw new CliException(ExitCodes.Failed,
                $"--key-file: {file.FullName} is not a JSON key. Create one under IAM > Service accounts > (the account) > Keys > Add key > JSON.");
        }

        if (type is not null && type != "service_account")
        {
            var kind = type.Length <= 40 && type.All(c => char.IsAsciiLetterLower(c) || c == '_') ? $"'{type}' credentials" : "other credentials";
            throw new CliException(ExitCodes.Failed,
                $"--key-file: {file.FullName} holds {kind}, not a service-account key. Create a JSON key for a service account.");
        }
    }

    /// <summary>Base64 of the CA's PEM file, after checking it holds a certificate.</summary>
    private static async Task<string> CertificateAuthorityAsync(FileInfo file, CancellationToken ct)
    {
        var pem = await LocalFile.ReadBytesAsync(file, "--ca-file", ct);
        return System.Text.Encoding.ASCII.GetString(pem).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? Convert.ToBase64String(pem)
            : throw new CliException(ExitCodes.Failed, $"--ca-file: {file.FullName} is not a PEM certificate (no -----BEGIN CERTIFICATE----- line).");
    }

    /// <summary>An optional ISO 8601 date or time (a date alone is midnight UTC); anything else is a usage error naming the option.</summary>
    private static Option<DateTimeOffset?> DateOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "date",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (IsoDate().IsMatch(text) && DateTimeOffset.TryParse(
                text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                return at;
            }

            result.AddError($"{name} '{text}' is not an ISO 8601 date or time, e.g. 2027-06-30 or 2027-06-30T12:00:00Z.");
            return null;
        },
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$")]
    private static partial Regex IsoDate();
}
