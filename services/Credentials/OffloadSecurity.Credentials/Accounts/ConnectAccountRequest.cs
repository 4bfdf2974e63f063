using OffloadSecurity.Contracts;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>Body of <c>POST /api/accounts</c>. Exactly the block for <see cref="Provider"/> is filled.</summary>
public sealed record ConnectAccountRequest
{
    public CloudProvider? Provider { get; init; }
    public string? DisplayName { get; init; }
    public IReadOnlyList<string>? Regions { get; init; }
    /// <summary>How often to re-sync, in minutes; default every 6 hours.</summary>
    public int? SyncIntervalMinutes { get; init; }
    public AwsConnection? Aws { get; init; }
}

/// <summary>Body of <c>PATCH /api/accounts/{id}</c>: only the given fields change.</summary>
public sealed record UpdateAccountRequest
{
    public string? DisplayName { get; init; }
    public IReadOnlyList<string>? Regions { get; init; }
    public int? SyncIntervalMinutes { get; init; }
}

/// <summary>AWS: access keys (with an optional session token) or an IAM role to assume with an external id.</summary>
public sealed record AwsConnection
{
    public string? AccessKeyId { get; init; }
    public string? SecretAccessKey { get; init; }
    public string? SessionToken { get; init; }
    public string? RoleArn { get; init; }
    public string? ExternalId { get; init; }
    public string? DefaultRegion { get; init; }

    public override string ToString() => $"AwsConnection {{ AccessKeyId = {AccessKeyId}, RoleArn = {RoleArn}, secrets redacted }}";
}

/// <summary>What the API shows of an account: never a secret.</summary>
public sealed record AccountView(
    Guid Id,
    CloudProvider Provider,
    string DisplayName,
    IReadOnlyList<string> Regions,
    SyncStatus Status,
    string? StatusMessage,
    DateTimeOffset? LastSyncedAt,
    Guid? LastScanId,
    DateTimeOffset CreatedAt,
    int SyncIntervalMinutes = Account.DefaultSyncIntervalMinutes,
    DateTimeOffset? NextSyncAt = null,
    string? ConnectedAs = null,
    AwsAccountView? Aws = null)
{
    public static AccountView From(Account account) => new(
        account.Id, account.Provider, account.DisplayName, account.Regions, account.Status, account.StatusMessage,
        account.LastSyncedAt, account.LastScanId, account.CreatedAt, account.SyncIntervalMinutes, account.NextSyncAt,
        account.ConnectedAs, AwsAccountView.From(account));
}

/// <summary>The non-secret AWS settings of an account: how it authenticates, with which key id or role.</summary>
public sealed record AwsAccountView(AwsAuthType AuthType, string? AccessKeyId, string? RoleArn, string DefaultRegion, bool HasCredentials)
{
    public static AwsAccountView? From(Account account) =>
        account.Provider == CloudProvider.Aws && System.Text.Json.JsonSerializer.Deserialize<AwsSettings>(account.SettingsJson) is { } aws
            ? new AwsAccountView(aws.AuthType, aws.AccessKeyId, aws.RoleArn, aws.DefaultRegion, account.Secret is not null)
            : null;
}
