using System.Text.Json;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// Splits a validated connect request into what is stored in clear (the provider's settings record) and the secret
/// that is stored only encrypted (the provider's secret record), both as JSON.
/// </summary>
public static class StoredConnection
{
    public static (string SettingsJson, string SecretJson) From(ConnectAccountRequest request) => request.Provider switch
    {
        CloudProvider.Aws => Aws(request.Aws!),
        CloudProvider.Azure => Azure(request.Azure!),
        CloudProvider.Gcp => Gcp(request.Gcp!),
        CloudProvider.Kubernetes => Kubernetes(request.Kubernetes!),
        CloudProvider.Registry => Registry(request.Registry!),
        _ => throw new InvalidOperationException($"No stored form for provider {request.Provider}."),
    };

    private static (string, string) Aws(AwsConnection aws) => (
        JsonSerializer.Serialize(new AwsSettings(
            aws.RoleArn is null ? AwsAuthType.AccessKeys : AwsAuthType.Role, aws.AccessKeyId, aws.RoleArn, aws.DefaultRegion ?? "us-east-1")),
        JsonSerializer.Serialize(new AwsSecret(aws.SecretAccessKey, aws.SessionToken, aws.ExternalId)));

    private static (string, string) Azure(AzureConnection azure) => (
        JsonSerializer.Serialize(new AzureSettings(
            Guid.Parse(azure.TenantId!).ToString(), Guid.Parse(azure.ClientId!).ToString(), Guid.Parse(azure.SubscriptionId!).ToString(),
            azure.ClientSecretExpiresAt)),
        JsonSerializer.Serialize(new AzureSecret(azure.ClientSecret!)));

    private static (string, string) Gcp(GcpConnection gcp)
    {
        var key = GcpServiceAccountKey.Read(gcp.ServiceAccountKeyJson, Unexpected)!;
        return (
            JsonSerializer.Serialize(new GcpSettings(key.ClientEmail, key.PrivateKeyId, gcp.ProjectId ?? key.ProjectId, key.ProjectId, gcp.KeyCreatedAt)),
            JsonSerializer.Serialize(new GcpSecret(gcp.ServiceAccountKeyJson!)));
    }

    private static (string, string) Kubernetes(KubernetesConnection kubernetes)
    {
        var target = KubernetesTarget.Read(kubernetes, (_, message) => Unexpected(message))!;
        return (
            JsonSerializer.Serialize(new KubernetesSettings(target.AuthType, target.ServerUrl, target.ContextName, target.ClusterName,
                target.UserName, target.Namespace, target.TlsServerName, target.CertificateAuthorityData is not null)),
            JsonSerializer.Serialize(new KubernetesSecret(target.Token, target.ClientCertificateData, target.ClientKeyData, target.CertificateAuthorityData)));
    }

    private static (string, string) Registry(RegistryConnection registry)
    {
        var target = RegistryTarget.From(new Uri(RegistryTarget.UrlOf(registry.Registry)!));
        return (
            JsonSerializer.Serialize(new RegistrySettings(target.Registry, target.Url, registry.Anonymous ? null : registry.Username,
                registry.Anonymous, registry.Repositories ?? [])),
            JsonSerializer.Serialize(new RegistrySecret(registry.Anonymous ? null : registry.AccessToken)));
    }

    // Validation has passed before anything is stored; a problem here is a bug, and its message holds no secret.
    private static void Unexpected(string message) => throw new InvalidOperationException("A validated connection failed to read: " + message);
}
