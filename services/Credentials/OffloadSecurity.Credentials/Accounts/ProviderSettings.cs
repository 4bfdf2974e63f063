using System.Text.Json;
using System.Text.Json.Serialization;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Credentials.Accounts;

// Per provider: the non-secret settings stored in clear (Account.SettingsJson), the secret stored only encrypted
// (Account.Secret), and the view the API shows. A secret record never appears in a view, a log line or a message.

/// <summary>Non-secret Azure settings, stored in clear.</summary>
public sealed record AzureSettings(string TenantId, string ClientId, string SubscriptionId, DateTimeOffset? ClientSecretExpiresAt);

/// <summary>The secret part of an Azure connection: only ever stored encrypted.</summary>
public sealed record AzureSecret(string ClientSecret)
{
    public override string ToString() => "AzureSecret { redacted }";
}

/// <summary>The non-secret Azure settings of an account: which service principal, for which subscription.</summary>
public sealed record AzureAccountView(string TenantId, string ClientId, string SubscriptionId, DateTimeOffset? ClientSecretExpiresAt, bool HasCredentials)
{
    public static AzureAccountView? From(Account account) =>
        account.Provider == CloudProvider.Azure && JsonSerializer.Deserialize<AzureSettings>(account.SettingsJson) is { } azure
            ? new AzureAccountView(azure.TenantId, azure.ClientId, azure.SubscriptionId, azure.ClientSecretExpiresAt, account.Secret is not null)
            : null;
}

/// <summary>
/// Non-secret GCP settings, stored in clear: the service account and key id from the key file, the project to scan,
/// and when the key was created if the tenant said so.
/// </summary>
public sealed record GcpSettings(string ClientEmail, string PrivateKeyId, string ProjectId, string KeyProjectId, DateTimeOffset? KeyCreatedAt);

/// <summary>The secret part of a GCP connection, the whole JSON key file: only ever stored encrypted.</summary>
public sealed record GcpSecret(string ServiceAccountKeyJson)
{
    public override string ToString() => "GcpSecret { redacted }";
}

/// <summary>The non-secret GCP settings of an account.</summary>
public sealed record GcpAccountView(string ClientEmail, string PrivateKeyId, string ProjectId, DateTimeOffset? KeyCreatedAt, bool HasCredentials)
{
    public static GcpAccountView? From(Account account) =>
        account.Provider == CloudProvider.Gcp && JsonSerializer.Deserialize<GcpSettings>(account.SettingsJson) is { } gcp
            ? new GcpAccountView(gcp.ClientEmail, gcp.PrivateKeyId, gcp.ProjectId, gcp.KeyCreatedAt, account.Secret is not null)
            : null;
}

[JsonConverter(typeof(JsonStringEnumConverter<KubernetesAuthType>))]
public enum KubernetesAuthType
{
    /// <summary>A bearer token (usually a service account's).</summary>
    Token,

    /// <summary>A client certificate and its key.</summary>
    ClientCertificate,
}

/// <summary>
/// Non-secret Kubernetes settings, stored in clear. Context, cluster and user names are those of the kubeconfig's
/// current context (null when the account was connected with a server URL and a token).
/// </summary>
public sealed record KubernetesSettings(
    KubernetesAuthType AuthType,
    string ServerUrl,
    string? ContextName,
    string? ClusterName,
    string? UserName,
    string? Namespace,
    string? TlsServerName,
    bool HasCertificateAuthority);

/// <summary>
/// The secret part of a Kubernetes connection: the current context's credentials and CA, only ever stored encrypted.
/// The credentials of a kubeconfig's other contexts are never stored.
/// </summary>
public sealed record KubernetesSecret(string? Token, string? ClientCertificateData, string? ClientKeyData, string? CertificateAuthorityData)
{
    public override string ToString() => "KubernetesSecret { redacted }";
}

/// <summary>The non-secret Kubernetes settings of an account.</summary>
public sealed record KubernetesAccountView(
    KubernetesAuthType AuthType,
    string ServerUrl,
    string? ContextName,
    string? ClusterName,
    string? UserName,
    string? Namespace,
    bool HasCertificateAuthority,
    bool HasCredentials)
{
    public static KubernetesAccountView? From(Account account) =>
        account.Provider == CloudProvider.Kubernetes && JsonSerializer.Deserialize<KubernetesSettings>(account.SettingsJson) is { } k8s
            ? new KubernetesAccountView(k8s.AuthType, k8s.ServerUrl, k8s.ContextName, k8s.ClusterName, k8s.UserName, k8s.Namespace,
                k8s.HasCertificateAuthority, account.Secret is not null)
            : null;
}

/// <summary>
/// Non-secret registry settings, stored in clear: <see cref="Registry"/> as shown (<c>docker.io</c>,
/// <c>registry.example.com:5000</c>), <see cref="Url"/> the https URL to call.
/// </summary>
public sealed record RegistrySettings(string Registry, string Url, string? Username, bool Anonymous, IReadOnlyList<string> Repositories);

/// <summary>The secret part of a registry connection: only ever stored encrypted (null token when anonymous).</summary>
public sealed record RegistrySecret(string? AccessToken)
{
    public override string ToString() => "RegistrySecret { redacted }";
}

/// <summary>The non-secret registry settings of an account.</summary>
public sealed record RegistryAccountView(string Registry, string? Username, bool Anonymous, IReadOnlyList<string> Repositories, bool HasCredentials)
{
    public static RegistryAccountView? From(Account account) =>
        account.Provider == CloudProvider.Registry && JsonSerializer.Deserialize<RegistrySettings>(account.SettingsJson) is { } registry
            ? new RegistryAccountView(registry.Registry, registry.Username, registry.Anonymous, registry.Repositories, account.Secret is not null)
            : null;
}
