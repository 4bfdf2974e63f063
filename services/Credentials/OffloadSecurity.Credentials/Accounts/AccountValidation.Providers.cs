using System.Text.RegularExpressions;
using OffloadSecurity.Credentials.Connections;

namespace OffloadSecurity.Credentials.Accounts;

// Azure, GCP, Kubernetes and registry blocks of a connect request.
public static partial class AccountValidation
{
    public const int MinAzureSecretLength = 16;
    public const int MaxAzureSecretLength = 1024;
    public const int MaxRepositories = 200;
    public const int MinRegistryTokenLength = 8;
    public const int MaxRegistryTokenLength = 4096;

    private static readonly string[] DockerHubHosts = [RegistryConnection.DockerHub, "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

    /// <summary>How far in the future a key's creation time may be (clock skew).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static void ValidateAzure(AzureConnection azure, DateTimeOffset now, Action<string, string> error)
    {
        ValidateGuid(azure.TenantId, "azure.tenantId", "the Directory (tenant) ID of the app registration", error);
        ValidateGuid(azure.ClientId, "azure.clientId", "the Application (client) ID of the app registration", error);
        ValidateGuid(azure.SubscriptionId, "azure.subscriptionId", "the ID of the subscription to scan", error);

        if (string.IsNullOrEmpty(azure.ClientSecret))
        {
            error("azure.clientSecret", "Required: the client secret's value.");
        }
        else if (Guid.TryParse(azure.ClientSecret, out _))
        {
            // The most common mistake: Entra ID shows a secret's ID (a GUID) next to its value.
            error("azure.clientSecret", "This is shaped like the secret's ID (a GUID), not its value: copy the Value shown when the secret was created.");
        }
        else if (azure.ClientSecret.Length is < MinAzureSecretLength or > MaxAzureSecretLength
            || azure.ClientSecret.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error("azure.clientSecret", $"Not a client secret ({MinAzureSecretLength} to {MaxAzureSecretLength} characters without spaces).");
        }

        if (azure.ClientSecretExpiresAt is { } expires && expires <= now)
        {
            error("azure.clientSecretExpiresAt", "The client secret has already expired: create a new one in the app registration.");
        }
    }

    private static void ValidateGuid(string? value, string field, string meaning, Action<string, string> error)
    {
        if (!Guid.TryParseExact(value, "D", out var id) || id == Guid.Empty)
        {
            error(field, $"Not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx): {meaning}.");
        }
    }

    private static void ValidateGcp(GcpConnection gcp, DateTimeOffset now, Action<string, string> error)
    {
        GcpServiceAccountKey.Read(gcp.ServiceAccountKeyJson, message => error("gcp.serviceAccountKeyJson", message));

        if (gcp.ProjectId is not null && !GcpServiceAccountKey.IsProjectId(gcp.ProjectId))
        {
            error("gcp.projectId", "Not a GCP project id: 6 to 30 lower-case letters, digits and hyphens, starting with a letter (e.g. my-project-123).");
        }

        if (gcp.KeyCreatedAt is { } created && created > now + ClockSkew)
        {
            error("gcp.keyCreatedAt", "Lies in the future: give the key's creation time as Google Cloud shows it.");
        }
    }

    private static void ValidateKubernetes(
        KubernetesConnection kubernetes, OutboundUrlGuard guard, Action<string, string> error, List<(string Field, string Url)> outbound)
    {
        if (KubernetesTarget.Read(kubernetes, error) is not { } target)
        {
            return;
        }

        if (guard.Check(target.ServerUrl) is { Allowed: false } verdict)
        {
            error(target.ServerField, Prefix(target.ServerField, verdict.Refusal!));
            return;
        }

        outbound.Add((target.ServerField, target.ServerUrl));
    }

    private static void ValidateRegistry(
        RegistryConnection registry, OutboundUrlGuard guard, Action<string, string> error, List<(string Field, string Url)> outbound)
    {
        var url = RegistryTarget.UrlOf(registry.Registry);
        if (url is null)
        {
            error(RegistryTarget.Field, $"At most {RegistryTarget.MaxLength} characters: a host name (docker.io, ghcr.io) or an https URL.");
        }
        else if (guard.Check(url) is { Allowed: false } verdict)
        {
            error(RegistryTarget.Field, verdict.Refusal!);
        }
        else
        {
            outbound.Add((RegistryTarget.Field, url));
        }

        if (registry.Anonymous)
        {
            if (registry.Username is not null)
            {
                error("registry.username", "Leave out with anonymous: true.");
            }

            if (registry.AccessToken is not null)
            {
                error("registry.accessToken", "Leave out with anonymous: true.");
            }

            if (registry.Repositories is not { Count: > 0 } && IsDockerHub(url))
            {
                error("registry.repositories", "Required for anonymous access to Docker Hub, which cannot list public repositories: name the ones to scan (e.g. library/nginx).");
            }
        }
        else
        {
            if (string.IsNullOrEmpty(registry.Username) || registry.Username.Length > 256 || registry.Username.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                error("registry.username", "Required (up to 256 characters without spaces), or set anonymous: true for public images only.");
            }

            if (string.IsNullOrEmpty(registry.AccessToken))
            {
                error("registry.accessToken", "Required: an access token (or password) for the user, or set anonymous: true for public images only.");
            }
            else if (registry.AccessToken.Length is < MinRegistryTokenLength or > MaxRegistryTokenLength
                || registry.AccessToken.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                error("registry.accessToken", $"Not an access token ({MinRegistryTokenLength} to {MaxRegistryTokenLength} characters without spaces).");
            }
        }

        var repositories = registry.Repositories ?? [];
        if (repositories.Count > MaxRepositories)
        {
            error("registry.repositories", $"At most {MaxRepositories} repositories.");
            return;
        }

        for (var i = 0; i < repositories.Count; i++)
        {
            if (repositories[i] is not { Length: <= 255 } repository || !RepositoryName().IsMatch(repository))
            {
                error($"registry.repositories[{i}]", "Not a repository name: lower-case path components such as library/nginx or team/app.");
            }
        }
    }

    private static bool IsDockerHub(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && DockerHubHosts.Contains(uri.IdnHost.TrimEnd('.').ToLowerInvariant());

    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryName();
}
