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
    public AzureConnection? Azure { get; init; }
    public GcpConnection? Gcp { get; init; }
    public KubernetesConnection? Kubernetes { get; init; }
    public RegistryConnection? Registry { get; init; }
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

/// <summary>Azure: a service principal (app registration) with a client secret, and the subscription to scan.</summary>
public sealed record AzureConnection
{
    public string? TenantId { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }

    /// <summary>When the client secret expires, as Entra ID shows it; optional, used for rotation warnings.</summary>
    public DateTimeOffset? ClientSecretExpiresAt { get; init; }

    public string? SubscriptionId { get; init; }

    public override string ToString() =>
        $"AzureConnection {{ TenantId = {TenantId}, ClientId = {ClientId}, SubscriptionId = {SubscriptionId}, secret redacted }}";
}

/// <summary>GCP: a service account's JSON key file, and the project to scan (by default the key's own).</summary>
public sealed record GcpConnection
{
    /// <summary>The whole JSON key file as downloaded from Google Cloud, as one string.</summary>
    public string? ServiceAccountKeyJson { get; init; }

    public string? ProjectId { get; init; }

    /// <summary>When the key was created (the key file does not say); optional, used for rotation warnings.</summary>
    public DateTimeOffset? KeyCreatedAt { get; init; }

    public override string ToString() => $"GcpConnection {{ ProjectId = {ProjectId}, key redacted }}";
}

/// <summary>Kubernetes: a kubeconfig (its current context is used), or an API server URL with a service-account token.</summary>
public sealed record KubernetesConnection
{
    /// <summary>The kubeconfig YAML, with its credentials embedded (<c>kubectl config view --raw --minify --flatten</c>).</summary>
    public string? Kubeconfig { get; init; }

    public string? ServerUrl { get; init; }

    /// <summary>The cluster's CA certificate, PEM encoded then base64 encoded as in a kubeconfig; optional.</summary>
    public string? CertificateAuthorityData { get; init; }

    /// <summary>A service-account bearer token.</summary>
    public string? Token { get; init; }

    public override string ToString() => $"KubernetesConnection {{ ServerUrl = {ServerUrl}, kubeconfig and token redacted }}";
}

/// <summary>A container registry: a user name with an access token, or anonymous access to public repositories.</summary>
public sealed record RegistryConnection
{
    public const string DockerHub = "docker.io";

    /// <summary>A host name (<c>ghcr.io</c>, <c>registry.example.com:5000</c>) or an https URL; default <c>docker.io</c>.</summary>
    public string? Registry { get; init; }

    public string? Username { get; init; }
    public string? AccessToken { get; init; }

    /// <summary>No user name or token: public images only.</summary>
    public bool Anonymous { get; init; }

    /// <summary>The repositories to scan (<c>library/nginx</c>); optional, except anonymously on Docker Hub (which cannot list them).</summary>
    public IReadOnlyList<string>? Repositories { get; init; }

    public override string ToString() => $"RegistryConnection {{ Registry = {Registry}, Username = {Username}, Anonymous = {Anonymous}, token redacted }}";
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
    AwsAccountView? Aws = null,
    AzureAccountView? Azure = null,
    GcpAccountView? Gcp = null,
    KubernetesAccountView? Kubernetes = null,
    RegistryAccountView? Registry = null,
    IReadOnlyList<string>? Warnings = null)
{
    /// <summary>The view of <paramref name="account"/>; <paramref name="now"/> decides the rotation warnings.</summary>
    public static AccountView From(Account account, DateTimeOffset now) => new(
        account.Id, account.Provider, account.DisplayName, account.Regions, account.Status, account.StatusMessage,
        account.LastSyncedAt, account.LastScanId, account.CreatedAt, account.SyncIntervalMinutes, account.NextSyncAt,
        account.ConnectedAs, AwsAccountView.From(account), AzureAccountView.From(account), GcpAccountView.From(account),
        KubernetesAccountView.From(account), RegistryAccountView.From(account), AccountWarnings.For(account, now));
}

/// <summary>The non-secret AWS settings of an account: how it authenticates, with which key id or role.</summary>
public sealed record AwsAccountView(AwsAuthType AuthType, string? AccessKeyId, string? RoleArn, string DefaultRegion, bool HasCredentials)
{
    public static AwsAccountView? From(Account account) =>
        account.Provider == CloudProvider.Aws && System.Text.Json.JsonSerializer.Deserialize<AwsSettings>(account.SettingsJson) is { } aws
            ? new AwsAccountView(aws.AuthType, aws.AccessKeyId, aws.RoleArn, aws.DefaultRegion, account.Secret is not null)
            : null;
}
