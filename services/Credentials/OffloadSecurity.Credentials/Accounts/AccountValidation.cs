using System.Text.RegularExpressions;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Connections;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// Field-by-field validation of a connect request. Errors name the field (JSON path) and never echo a secret.
/// </summary>
public static partial class AccountValidation
{
    public const int MaxDisplayName = 100;
    public const int MaxRegions = 40;
    public const int MinSyncIntervalMinutes = 15;
    public const int MaxSyncIntervalMinutes = 7 * 24 * 60;

    /// <summary>Validation of a <c>PATCH</c>: the same rules as on connect, for the fields that are present.</summary>
    public static Dictionary<string, string[]> ValidateUpdate(UpdateAccountRequest request, CloudProvider provider)
    {
        var errors = new Dictionary<string, string[]>();
        var error = Collector(errors);
        if (request.DisplayName is null && request.Regions is null && request.SyncIntervalMinutes is null)
        {
            error("body", "Give at least one of displayName, regions, syncIntervalMinutes.");
        }

        if (request.DisplayName is not null)
        {
            ValidateDisplayName(request.DisplayName, error);
        }

        ValidateRegions(request.Regions, provider, error);
        ValidateInterval(request.SyncIntervalMinutes, error);
        return errors;
    }

    /// <summary>
    /// Validates a connect request field by field. URLs the service would connect to (a Kubernetes API server, a
    /// registry) must pass <paramref name="guard"/>, including a DNS lookup of their host (no connection is made).
    /// Keys are JSON paths of the request (<c>azure.clientId</c>, <c>regions[2]</c>); no message repeats a secret.
    /// </summary>
    public static async Task<Dictionary<string, string[]>> ValidateAsync(
        ConnectAccountRequest request, OutboundUrlGuard guard, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var error = Collector(errors);
        var outbound = new List<(string Field, string Url)>();
        Validate(request, guard, now, error, outbound);

        // Resolve only a request that is otherwise fine: no lookups on behalf of a broken one.
        if (errors.Count == 0)
        {
            foreach (var (field, url) in outbound)
            {
                if (await guard.CheckAsync(url, ct) is { Allowed: false } verdict)
                {
                    error(field, Prefix(field, verdict.Refusal!));
                }
            }
        }

        return errors;
    }

    private static Action<string, string> Collector(Dictionary<string, string[]> errors) =>
        (field, message) => errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    private static void ValidateDisplayName(string? displayName, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            error("displayName", "Required.");
        }
        else if (displayName.Length > MaxDisplayName || displayName.Any(char.IsControl))
        {
            error("displayName", $"At most {MaxDisplayName} printable characters.");
        }
    }

    private static void ValidateRegions(IReadOnlyList<string>? regions, CloudProvider provider, Action<string, string> error)
    {
        regions ??= [];
        if (regions.Count > 0 && provider is CloudProvider.Kubernetes or CloudProvider.Registry)
        {
            error("regions", $"{(provider == CloudProvider.Kubernetes ? "Kubernetes clusters" : "Registries")} have no regions: leave regions out.");
            return;
        }

        if (regions.Count > MaxRegions)
        {
            error("regions", $"At most {MaxRegions} regions.");
            return;
        }

        for (var i = 0; i < regions.Count; i++)
        {
            var (pattern, example) = provider switch
            {
                CloudProvider.Azure => (AzureLocation(), "Not an Azure location name (e.g. westeurope)."),
                CloudProvider.Gcp => (GcpRegion(), "Not a GCP region name (e.g. europe-west1)."),
                _ => (AwsRegion(), "Not an AWS region name (e.g. us-east-1)."),
            };
            if (!pattern.IsMatch(regions[i] ?? ""))
            {
                error($"regions[{i}]", example);
            }
        }
    }

    private static void ValidateInterval(int? minutes, Action<string, string> error)
    {
        if (minutes is { } m && (m < MinSyncIntervalMinutes || m > MaxSyncIntervalMinutes))
        {
            error("syncIntervalMinutes", $"Between {MinSyncIntervalMinutes} minutes and {MaxSyncIntervalMinutes} minutes (7 days).");
        }
    }

    private static void Validate(
        ConnectAccountRequest request, OutboundUrlGuard guard, DateTimeOffset now, Action<string, string> error, List<(string Field, string Url)> outbound)
    {
        if (request.Provider is not { } provider)
        {
            error("provider", "Required: one of aws, azure, gcp, kubernetes, registry.");
            return;
        }

        ValidateDisplayName(request.DisplayName, error);
        ValidateRegions(request.Regions, provider, error);
        ValidateInterval(request.SyncIntervalMinutes, error);

        // Exactly the block of the provider: another provider's block is refused, whatever it holds.
        var name = provider.ToString().ToLowerInvariant();
        (string Block, CloudProvider Provider, object? Value)[] blocks =
        [
            ("aws", CloudProvider.Aws, request.Aws), ("azure", CloudProvider.Azure, request.Azure), ("gcp", CloudProvider.Gcp, request.Gcp),
            ("kubernetes", CloudProvider.Kubernetes, request.Kubernetes), ("registry", CloudProvider.Registry, request.Registry),
        ];
        foreach (var (block, _, _) in blocks.Where(b => b.Provider != provider && b.Value is not null))
        {
            error(block, $"Only the {name} block may be given for provider {name}: leave {block} out.");
        }

        if (blocks.Single(b => b.Provider == provider).Value is null)
        {
            error(name, $"Required for provider {name}.");
            return;
        }

        switch (provider)
        {
            case CloudProvider.Aws:
                ValidateAws(request.Aws!, error);
                break;
            case CloudProvider.Azure:
                ValidateAzure(request.Azure!, now, error);
                break;
            case CloudProvider.Gcp:
                ValidateGcp(request.Gcp!, now, error);
                break;
            case CloudProvider.Kubernetes:
                ValidateKubernetes(request.Kubernetes!, guard, error, outbound);
                break;
            case CloudProvider.Registry:
                ValidateRegistry(request.Registry!, guard, error, outbound);
                break;
            default:
                error("provider", $"Connecting {provider} accounts is not available.");
                break;
        }
    }

    /// <summary>A refusal of the outbound URL check, said of the field it came from.</summary>
    private static string Prefix(string field, string refusal) => field switch
    {
        KubernetesTarget.KubeconfigField => "The server of the current context's cluster: " + char.ToLowerInvariant(refusal[0]) + refusal[1..],
        _ => refusal,
    };

    private static void ValidateAws(AwsConnection aws, Action<string, string> error)
    {
        var usesKeys = aws.AccessKeyId is not null || aws.SecretAccessKey is not null;
        var usesRole = aws.RoleArn is not null;
        if (usesKeys == usesRole)
        {
            error("aws", "Give either accessKeyId + secretAccessKey, or roleArn + externalId.");
            return;
        }

        if (usesKeys)
        {
            if (!AccessKeyId().IsMatch(aws.AccessKeyId ?? ""))
            {
                error("aws.accessKeyId", "Not an AWS access key id (20 characters starting with AKIA or ASIA).");
            }

            if (aws.SecretAccessKey is not { Length: 40 } secret || !SecretKey().IsMatch(secret))
            {
                error("aws.secretAccessKey", "Not an AWS secret access key (40 base64 characters).");
            }

            if (aws.SessionToken is { } token && (token.Length is < 16 or > 4096 || token.Any(char.IsWhiteSpace)))
            {
                error("aws.sessionToken", "Not an AWS session token.");
            }
        }
        else
        {
            if (!RoleArn().IsMatch(aws.RoleArn ?? ""))
            {
                error("aws.roleArn", "Not an IAM role ARN (arn:aws:iam::123456789012:role/Name).");
            }

            if (aws.ExternalId is not { Length: >= 16 and <= 1224 } externalId || !ExternalId().IsMatch(externalId))
            {
                error("aws.externalId", "Required for a role: 16 to 1224 characters of [A-Za-z0-9+=,.@:/-].");
            }
        }

        if (aws.DefaultRegion is { } region && !AwsRegion().IsMatch(region))
        {
            error("aws.defaultRegion", "Not an AWS region name (e.g. us-east-1).");
        }
    }

    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")]
    private static partial Regex AwsRegion();

    [GeneratedRegex("^[a-z][a-z0-9]{1,39}$")]
    private static partial Regex AzureLocation();

    [GeneratedRegex("^[a-z][a-z0-9-]{1,39}[0-9]$")]
    private static partial Regex GcpRegion();

    [GeneratedRegex("^(AKIA|ASIA)[A-Z0-9]{16}$")]
    private static partial Regex AccessKeyId();

    [GeneratedRegex("^[A-Za-z0-9/+=]{40}$")]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArn();

    [GeneratedRegex(@"^[\w+=,.@:/-]+$")]
    private static partial Regex ExternalId();
}
