using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.KubeConfigModels;
using YamlDotNet.Core;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// The cluster a Kubernetes connection points at and the credentials it uses: the current context of a kubeconfig, or
/// a server URL with a token. <see cref="ServerField"/> is the request field the server came from.
/// </summary>
public sealed record KubernetesTarget(
    string ServerUrl,
    string ServerField,
    string? ContextName,
    string? ClusterName,
    string? UserName,
    string? Namespace,
    string? TlsServerName,
    string? CertificateAuthorityData,
    string? Token,
    string? ClientCertificateData,
    string? ClientKeyData)
{
    public const string KubeconfigField = "kubernetes.kubeconfig";
    public const string ServerUrlField = "kubernetes.serverUrl";
    public const string TokenField = "kubernetes.token";
    public const string CertificateAuthorityField = "kubernetes.certificateAuthorityData";

    /// <summary>Far more than a kubeconfig with a handful of clusters needs.</summary>
    public const int MaxKubeconfigLength = 128 * 1024;

    public const int MinTokenLength = 16;
    public const int MaxTokenLength = 16 * 1024;

    private const string Flatten = "kubectl config view --raw --minify --flatten";

    public KubernetesAuthType AuthType => Token is null ? KubernetesAuthType.ClientCertificate : KubernetesAuthType.Token;

    public override string ToString() => $"KubernetesTarget {{ ServerUrl = {ServerUrl}, ContextName = {ContextName}, credentials redacted }}";

    /// <summary>
    /// Reads the target of <paramref name="connection"/>. Problems go to <paramref name="error"/> (field, message), in
    /// words that never repeat a value of the kubeconfig or a token. Only parses: nothing is run, read from disk or
    /// connected to. Null when the connection is unusable.
    /// </summary>
    public static KubernetesTarget? Read(KubernetesConnection connection, Action<string, string> error)
    {
        var direct = connection.ServerUrl is not null || connection.Token is not null || connection.CertificateAuthorityData is not null;
        if (connection.Kubeconfig is not null == direct)
        {
            error("kubernetes", "Give either kubeconfig, or serverUrl with token (and optionally certificateAuthorityData).");
            return null;
        }

        return direct ? ReadDirect(connection, error) : ReadKubeconfig(connection.Kubeconfig!, error);
    }

    private static KubernetesTarget? ReadDirect(KubernetesConnection connection, Action<string, string> error)
    {
        var valid = true;
        if (string.IsNullOrWhiteSpace(connection.ServerUrl))
        {
            error(ServerUrlField, "Required with a token: the API server's https URL.");
            valid = false;
        }

        if (CheckToken(connection.Token) is { } tokenProblem)
        {
            error(TokenField, tokenProblem);
            valid = false;
        }

        if (connection.CertificateAuthorityData is { } ca && CheckCertificateData(ca) is { } caProblem)
        {
            error(CertificateAuthorityField, caProblem);
            valid = false;
        }

        return valid
            ? new KubernetesTarget(connection.ServerUrl!.Trim(), ServerUrlField, null, null, null, null, null, connection.CertificateAuthorityData, connection.Token, null, null)
            : null;
    }

    private static KubernetesTarget? ReadKubeconfig(string kubeconfig, Action<string, string> error)
    {
        void Error(string message) => error(KubeconfigField, message);
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            Error("Required: the kubeconfig YAML.");
            return null;
        }

        if (kubeconfig.Length > MaxKubeconfigLength)
        {
            Error($"Too long for a kubeconfig (at most {MaxKubeconfigLength} characters): export just the context to use with `{Flatten}`.");
            return null;
        }

        K8SConfiguration? config;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            config = KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (YamlException e)
        {
            // The parser's own message may quote the document; only the position is repeated.
            Error($"Not a valid kubeconfig: YAML error at line {e.Start.Line}, column {e.Start.Column}.");
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any other failure of the parser is the document's fault too; its message (which may quote it) goes nowhere.
            Error("Not a valid kubeconfig (YAML).");
            return null;
        }

        if (config is null)
        {
            Error("Not a valid kubeconfig (YAML).");
            return null;
        }

        if (string.IsNullOrWhiteSpace(config.CurrentContext))
        {
            Error("current-context is not set: the service uses the kubeconfig's current context (`kubectl config use-context NAME`).");
            return null;
        }

        if (config.Contexts?.FirstOrDefault(c => c.Name == config.CurrentContext)?.ContextDetails is not { } context)
        {
            Error("current-context names a context that is not in contexts.");
            return null;
        }

        if (string.IsNullOrEmpty(context.Cluster) || config.Clusters?.FirstOrDefault(c => c.Name == context.Cluster)?.ClusterEndpoint is not { } cluster)
        {
            Error("The current context's cluster is not in clusters.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(cluster.Server))
        {
            Error("The current context's cluster has no server URL.");
            return null;
        }

        if (cluster.SkipTlsVerify)
        {
            Error("insecure-skip-tls-verify is not accepted: the token would go to whoever answers. Give certificate-authority-data instead.");
            return null;
        }

        if (cluster.CertificateAuthorityData is null && cluster.CertificateAuthority is not null)
        {
            Error($"certificate-authority names a file, which the service cannot read: embed it as certificate-authority-data (`{Flatten}`).");
            return null;
        }

        if (cluster.CertificateAuthorityData is { } caData && CheckCertificateData(caData) is { } caProblem)
        {
            Error("certificate-authority-data: " + caProblem);
            return null;
        }

        if (string.IsNullOrEmpty(context.User) || config.Users?.FirstOrDefault(u => u.Name == context.User) is not { } user)
        {
            Error("The current context's user is not in users.");
            return null;
        }

        if (ReadUser(user.UserCredentials, Error) is not { } credentials)
        {
            return null;
        }

        var (token, certificate, key) = credentials;
        return new KubernetesTarget(cluster.Server.Trim(), KubeconfigField, config.CurrentContext, context.Cluster, context.User,
            context.Namespace, cluster.TlsServerName, cluster.CertificateAuthorityData, token, certificate, key);
    }

    private static (string? Token, string? Certificate, string? Key)? ReadUser(UserCredentials? user, Action<string> error)
    {
        if (user?.ExternalExecution is not null)
        {
            error("The current context's user authenticates with an exec plugin, and the service cannot run plugins: use a service-account token or a client certificate.");
            return null;
        }

        if (user?.AuthProvider is not null)
        {
            error("The current context's user authenticates with an auth-provider plugin, and the service cannot run plugins: use a service-account token or a client certificate.");
            return null;
        }

        if (!string.IsNullOrEmpty(user?.Impersonate) || user?.ImpersonateGroups?.Any() == true)
        {
            error("Impersonation (as, as-groups) is not supported: give the credentials of the identity to scan with.");
            return null;
        }

        var token = string.IsNullOrEmpty(user?.Token) ? null : user.Token;
        if (token is not null && CheckToken(token) is { } tokenProblem)
        {
            error("The user's token: " + tokenProblem);
            return null;
        }

        var certificate = string.IsNullOrEmpty(user?.ClientCertificateData) ? null : user.ClientCertificateData;
        var key = string.IsNullOrEmpty(user?.ClientKeyData) ? null : user.ClientKeyData;
        if (certificate is not null || key is not null)
        {
            if (certificate is null || key is null)
            {
                error("The user needs both client-certificate-data and client-key-data.");
                return null;
            }

            if (CheckCertificateData(certificate) is { } certificateProblem)
            {
                error("client-certificate-data: " + certificateProblem);
                return null;
            }

            if (!IsPrivateKeyData(key))
            {
                error("client-key-data is not a base64-encoded PEM private key.");
                return null;
            }
        }

        if (token is null && certificate is null)
        {
            var files = user is not null && (user.ClientCertificate is not null || user.ClientKey is not null);
            error(files
                ? $"The user's client certificate and key are files, which the service cannot read: embed them (`{Flatten}`)."
                : user is not null && (user.UserName is not null || user.Password is not null)
                    ? "User name and password authentication is not supported: use a service-account token or a client certificate."
                    : $"The current context's user has no token, nor client-certificate-data with client-key-data (a tokenFile cannot be read by the service: `{Flatten}` or paste the token).");
            return null;
        }

        return (token, certificate, key);
    }

    /// <summary>A bearer token: no whitespace, of a plausible length. Null when fine.</summary>
    public static string? CheckToken(string? token) =>
        string.IsNullOrEmpty(token) ? "Required: a service-account bearer token."
        : token.Length is < MinTokenLength or > MaxTokenLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? $"Not a bearer token ({MinTokenLength} to {MaxTokenLength} characters without spaces)."
            : null;

    /// <summary>Base64 of a PEM certificate, as kubeconfigs carry them. Null when fine.</summary>
    public static string? CheckCertificateData(string data)
    {
        if (Decode(data) is not { } pem || !pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            return "Not a base64-encoded PEM certificate.";
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return null;
        }
        catch (CryptographicException)
        {
            return "The PEM certificate does not parse.";
        }
    }

    private static bool IsPrivateKeyData(string data) =>
        Decode(data) is { } pem && pem.Contains("-----BEGIN ", StringComparison.Ordinal) && pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);

    /// <summary>The text inside base64 data, or null when it is not base64.</summary>
    public static string? Decode(string data)
    {
        var buffer = new byte[data.Length];
        return Convert.TryFromBase64String(data.Trim(), buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : null;
    }
}
