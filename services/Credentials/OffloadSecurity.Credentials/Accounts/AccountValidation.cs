using System.Text.RegularExpressions;
using OffloadSecurity.Contracts;

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
        void Error(string field, string message) => errors[field] = [message];
        if (request.DisplayName is null && request.Regions is null && request.SyncIntervalMinutes is null)
        {
            Error("body", "Give at least one of displayName, regions, syncIntervalMinutes.");
        }

        if (request.DisplayName is not null)
        {
            ValidateDisplayName(request.DisplayName, Error);
        }

        ValidateRegions(request.Regions, provider, Error);
        ValidateInterval(request.SyncIntervalMinutes, Error);
        return errors;
    }

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
        if (regions.Count > MaxRegions)
        {
            error("regions", $"At most {MaxRegions} regions.");
            return;
        }

        for (var i = 0; i < regions.Count; i++)
        {
            if (provider == CloudProvider.Aws && !AwsRegion().IsMatch(regions[i] ?? ""))
            {
                error($"regions[{i}]", "Not an AWS region name (e.g. us-east-1).");
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

    public static Dictionary<string, string[]> Validate(ConnectAccountRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        if (request.Provider is null)
        {
            Error("provider", "Required: one of aws, azure, gcp, kubernetes, registry.");
            return errors;
        }

        ValidateDisplayName(request.DisplayName, Error);
        ValidateRegions(request.Regions, request.Provider.Value, Error);
        ValidateInterval(request.SyncIntervalMinutes, Error);

        switch (request.Provider)
        {
            case CloudProvider.Aws:
                ValidateAws(request.Aws, Error);
                break;
            default:
                Error("provider", $"Connecting {request.Provider} accounts is not available yet.");
                break;
        }

        return errors;
    }

    private static void ValidateAws(AwsConnection? aws, Action<string, string> error)
    {
        if (aws is null)
        {
            error("aws", "Required for provider aws.");
            return;
        }

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

    [GeneratedRegex("^(AKIA|ASIA)[A-Z0-9]{16}$")]
    private static partial Regex AccessKeyId();

    [GeneratedRegex("^[A-Za-z0-9/+=]{40}$")]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArn();

    [GeneratedRegex(@"^[\w+=,.@:/-]+$")]
    private static partial Regex ExternalId();
}
