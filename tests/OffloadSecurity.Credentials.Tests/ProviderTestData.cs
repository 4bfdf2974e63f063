using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>
/// Realistic connect requests for Azure, GCP, Kubernetes and registries, with freshly made secrets: an RSA key in a
/// Google-style JSON key file, a cluster CA and client certificate, a service-account JWT, a kubeconfig written the way
/// kubectl writes them. Every secret is unique to the instance, so it can be searched for afterwards.
/// </summary>
public sealed partial class ProviderTestData
{
    public const string AzureTenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string AzureClientId = "1b730954-1685-4b74-9bfd-dac224a7b894";
    public const string AzureSubscriptionId = "8f0e5a32-3c2d-4d7b-9a51-0e6c2f4b7a10";
    public const string GcpProjectId = "offload-scan-4711";
    public const string GcpClientEmail = "offload-scanner@offload-scan-4711.iam.gserviceaccount.com";
    public const string KubeServer = "https://k8s.example.com:6443";
    public const string ServiceAccountSubject = "system:serviceaccount:offload:scanner";
    public const string ClientCertificateName = "offload-admin";

    private static readonly Lazy<ProviderTestData> SharedData = new(() => new ProviderTestData());

    public ProviderTestData()
    {
        using (var rsa = RSA.Create(2048))
        {
            GcpPrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem() + "\n";
        }

        GcpPrivateKeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=kubernetes", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        CertificateAuthorityData = Base64(ca.ExportCertificatePem());

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest($"O=system:masters, CN={ClientCertificateName}", clientKey, HashAlgorithmName.SHA256);
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomNumberGenerator.GetBytes(8));
        ClientCertificateData = Base64(client.ExportCertificatePem());
        ClientKeyPem = clientKey.ExportECPrivateKeyPem();

        KubeToken = ServiceAccountToken(ServiceAccountSubject);
        OtherContextToken = ServiceAccountToken("system:serviceaccount:kube-system:admin");
    }

    public static ProviderTestData Shared => SharedData.Value;

    // Planted secrets.
    public string AzureClientSecret { get; } = "Az8Q~PLANTED" + Guid.NewGuid().ToString("N");
    public string RegistryToken { get; } = "dckr_pat_PLANTED" + Guid.NewGuid().ToString("N");
    public string GcpPrivateKeyPem { get; }
    public string ClientKeyPem { get; }
    public string KubeToken { get; }

    /// <summary>The token of the kubeconfig's other (not current) context: never used, never stored.</summary>
    public string OtherContextToken { get; }

    public string GcpPrivateKeyId { get; }
    public string CertificateAuthorityData { get; }
    public string ClientCertificateData { get; }
    public string ClientKeyData => Base64(ClientKeyPem);

    /// <summary>
    /// What to search for: each secret whole, and the long alphanumeric runs of the PEM keys (JSON writers escape
    /// '+' and '/', so a base64 line may not appear verbatim even where the key does).
    /// </summary>
    public IReadOnlyList<string> PlantedSecrets =>
    [
        AzureClientSecret, RegistryToken, KubeToken, OtherContextToken,
        .. Runs(GcpPrivateKeyPem), .. Runs(ClientKeyPem), .. Runs(ClientKeyData),
    ];

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public JsonObject Azure(DateTimeOffset? clientSecretExpiresAt = null) => Node(new
    {
        provider = "azure",
        displayName = "azure-prod",
        regions = new[] { "westeurope" },
        azure = new
        {
            tenantId = AzureTenantId,
            clientId = AzureClientId,
            clientSecret = AzureClientSecret,
            clientSecretExpiresAt,
            subscriptionId = AzureSubscriptionId,
        },
    });

    /// <summary>A service-account key file as Google Cloud hands it out; <paramref name="edit"/> changes it first.</summary>
    public string GcpKeyJson(Action<JsonObject>? edit = null, string? privateKeyPem = null)
    {
        var key = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = GcpProjectId,
            ["private_key_id"] = GcpPrivateKeyId,
            ["private_key"] = privateKeyPem ?? GcpPrivateKeyPem,
            ["client_email"] = GcpClientEmail,
            ["client_id"] = "104242424242424242424",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
            ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
            ["client_x509_cert_url"] = "https://www.googleapis.com/robot/v1/metadata/x509/offload-scanner%40offload-scan-4711.iam.gserviceaccount.com",
            ["universe_domain"] = "googleapis.com",
        };
        edit?.Invoke(key);
        return key.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public JsonObject Gcp(string? keyJson = null, string? projectId = null, DateTimeOffset? keyCreatedAt = null) => Node(new
    {
        provider = "gcp",
        displayName = "gcp-prod",
        regions = new[] { "europe-west1" },
        gcp = new { serviceAccountKeyJson = keyJson ?? GcpKeyJson(), projectId, keyCreatedAt },
    });

    /// <summary>
    /// A kubeconfig with two contexts, as <c>kubectl config view --raw</c> writes it; the current one (<c>prod</c>)
    /// uses <paramref name="server"/> and the user lines given (default: the service-account token).
    /// </summary>
    public string Kubeconfig(string server = KubeServer, string[]? user = null, string currentContext = "prod", string[]? clusterExtra = null) => $"""
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: {CertificateAuthorityData}
            server: {server}{string.Concat((clusterExtra ?? []).Select(l => "\n    " + l))}
          name: prod-cluster
        - cluster:
            certificate-authority-data: {CertificateAuthorityData}
            server: https://other-cluster.example.com
          name: staging-cluster
        contexts:
        - context:
            cluster: prod-cluster
            namespace: offload
            user: prod-scanner
          name: prod
        - context:
            cluster: staging-cluster
            user: staging-admin
          name: staging
        current-context: {currentContext}
        kind: Config
        preferences: {"{}"}
        users:
        - name: prod-scanner
          user:
            {string.Join("\n    ", user ?? [$"token: {KubeToken}"])}
        - name: staging-admin
          user:
            token: {OtherContextToken}

        """;

    /// <summary>User lines of a client certificate and key, embedded.</summary>
    public string[] ClientCertificateUser(string? keyData = null) =>
        [$"client-certificate-data: {ClientCertificateData}", $"client-key-data: {keyData ?? ClientKeyData}"];

    public JsonObject Kubernetes(string? kubeconfig = null) => Node(new
    {
        provider = "kubernetes",
        displayName = "prod-cluster",
        kubernetes = new { kubeconfig = kubeconfig ?? Kubeconfig() },
    });

    public JsonObject KubernetesWithToken(string serverUrl = KubeServer) => Node(new
    {
        provider = "kubernetes",
        displayName = "prod-cluster-token",
        kubernetes = new { serverUrl, certificateAuthorityData = CertificateAuthorityData, token = KubeToken },
    });

    public JsonObject Registry(string? registry = null) => Node(new
    {
        provider = "registry",
        displayName = "docker-hub",
        registry = new { registry, username = "offload-bot", accessToken = RegistryToken, repositories = new[] { "library/nginx", "offload/scanner" } },
    });

    public JsonObject AnonymousRegistry(string registry = "ghcr.io") => Node(new
    {
        provider = "registry",
        displayName = "public-images",
        registry = new { registry, anonymous = true, repositories = new[] { "offload/scanner" } },
    });

    /// <summary>A service-account token shaped like the API server issues them (the signature is random bytes).</summary>
    private static string ServiceAccountToken(string subject)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var parts = subject.Split(':');
        var header = JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", kid = "r3X9bq1hZ0mVw8yKx2Ld5nT7pQ4sJ6fE" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = new[] { "https://kubernetes.default.svc.cluster.local" },
            ["exp"] = now + 31_536_000,
            ["iat"] = now,
            ["iss"] = "https://kubernetes.default.svc.cluster.local",
            ["kubernetes.io"] = new { @namespace = parts[2], serviceaccount = new { name = parts[3], uid = Guid.NewGuid() } },
            ["nbf"] = now,
            ["sub"] = subject,
        });
        return $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(256))}";
    }

    private static JsonObject Node(object body) => JsonSerializer.SerializeToNode(body, JsonSerializerOptions.Web)!.AsObject();

    private static IEnumerable<string> Runs(string text) => AlphanumericRun().Matches(text).Select(m => m.Value);

    [GeneratedRegex("[A-Za-z0-9]{24,}")]
    private static partial Regex AlphanumericRun();
}

/// <summary>Edits a JSON request body by path (<c>azure.tenantId</c>).</summary>
public static class JsonBodyEdits
{
    public static JsonObject With(this JsonObject body, string path, JsonNode? value)
    {
        var (parent, name) = Walk(body, path);
        parent[name] = value;
        return body;
    }

    public static JsonObject Without(this JsonObject body, string path)
    {
        var (parent, name) = Walk(body, path);
        parent.Remove(name);
        return body;
    }

    private static (JsonObject Parent, string Name) Walk(JsonObject body, string path)
    {
        var names = path.Split('.');
        var node = body;
        foreach (var name in names[..^1])
        {
            node = node[name]!.AsObject();
        }

        return (node, names[^1]);
    }
}
