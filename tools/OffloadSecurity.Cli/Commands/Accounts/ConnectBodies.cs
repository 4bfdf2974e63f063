using System.Text.Json.Serialization;

namespace OffloadSecurity.Cli.Commands.Accounts;

// The bodies of POST /api/accounts for the providers besides AWS, exactly as the credentials service reads them
// (camelCase through the client's web JSON options; absent optional fields are left out). Their ToString never shows
// a secret, should one ever be logged.

/// <summary>Body of <c>POST /api/accounts</c> for Azure, GCP, Kubernetes and registries: exactly one block is set.</summary>
public sealed record ConnectBody
{
    public const string AzureProvider = "azure";
    public const string GcpProvider = "gcp";
    public const string KubernetesProvider = "kubernetes";
    public const string RegistryProvider = "registry";

    public required string Provider { get; init; }
    public required string DisplayName { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AzureBody? Azure { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GcpBody? Gcp { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KubernetesBody? Kubernetes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RegistryBody? Registry { get; init; }
}

/// <summary>Azure: a service principal (tenant, client id and secret) and the subscription to scan.</summary>
public sealed record AzureBody
{
    public required string TenantId { get; init; }
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ClientSecretExpiresAt { get; init; }

    public required string SubscriptionId { get; init; }

    public override string ToString() => $"AzureBody {{ TenantId = {TenantId}, ClientId = {ClientId}, SubscriptionId = {SubscriptionId}, secret redacted }}";
}

/// <summary>GCP: a service-account JSON key, as the file's text; the project defaults to the key's.</summary>
public sealed record GcpBody
{
    public required string ServiceAccountKeyJson { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProjectId { get; init; }

    /// <summary>When the key was created (the key file does not say), for the platform's rotation warning.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? KeyCreatedAt { get; init; }

    public override string ToString() => $"GcpBody {{ ProjectId = {ProjectId}, key redacted }}";
}

/// <summary>Kubernetes: a kubeconfig (its active context), or an API server with a service-account token.</summary>
public sealed record KubernetesBody
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kubeconfig { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ServerUrl { get; init; }

    /// <summary>Base64 of the CA certificate's PEM file.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CertificateAuthorityData { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Token { get; init; }

    public override string ToString() => $"KubernetesBody {{ ServerUrl = {ServerUrl}, kubeconfig and token redacted }}";
}

/// <summary>A container registry (Docker Hub by default): username and access token, or anonymous for public repositories.</summary>
public sealed record RegistryBody
{
    public required string Registry { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Username { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AccessToken { get; init; }

    public required bool Anonymous { get; init; }
    public required IReadOnlyList<string> Repositories { get; init; }

    public override string ToString() => $"RegistryBody {{ Registry = {Registry}, Username = {Username}, Anonymous = {Anonymous}, token redacted }}";
}
