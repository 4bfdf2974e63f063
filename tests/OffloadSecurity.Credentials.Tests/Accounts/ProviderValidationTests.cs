using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Accounts;

/// <summary>
/// Every provider's bad input: a 400 problem naming the JSON path of the field, never repeating a secret, with nothing
/// stored or announced.
/// </summary>
public class ProviderValidationTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static readonly ProviderTestData Data = ProviderTestData.Shared;

    /// <summary>Case name → (request body, field named, words the message must contain).</summary>
    private static readonly Dictionary<string, (Func<JsonObject> Body, string Field, string Says)> Cases = new()
    {
        // Shape of the request.
        ["azure block missing"] = (() => Data.Azure().Without("azure"), "azure", "Required"),
        ["another provider's block too"] = (() => Data.Azure().With("aws", new JsonObject { ["accessKeyId"] = "AKIAIOSFODNN7EXAMPLE" }), "aws", "Only the azure block"),
        ["gcp block for provider azure"] = (() => Data.Azure().With("gcp", Data.Gcp()["gcp"]!.DeepClone()), "gcp", "Only the azure block"),

        // Azure.
        ["azure tenant not a guid"] = (() => Data.Azure().With("azure.tenantId", "contoso.onmicrosoft.com"), "azure.tenantId", "GUID"),
        ["azure client not a guid"] = (() => Data.Azure().With("azure.clientId", "offload-scanner"), "azure.clientId", "GUID"),
        ["azure subscription empty guid"] = (() => Data.Azure().With("azure.subscriptionId", Guid.Empty.ToString()), "azure.subscriptionId", "GUID"),
        ["azure secret missing"] = (() => Data.Azure().Without("azure.clientSecret"), "azure.clientSecret", "Required"),
        ["azure secret id instead of value"] = (() => Data.Azure().With("azure.clientSecret", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"), "azure.clientSecret", "secret's ID"),
        ["azure secret too short"] = (() => Data.Azure().With("azure.clientSecret", "abc123"), "azure.clientSecret", "Not a client secret"),
        ["azure secret expired"] = (() => Data.Azure(DateTimeOffset.UtcNow.AddDays(-1)), "azure.clientSecretExpiresAt", "expired"),
        ["azure location not a name"] = (() => Data.Azure().With("regions", new JsonArray("West Europe")), "regions[0]", "Azure location"),

        // GCP.
        ["gcp key not json"] = (() => Data.Gcp(keyJson: "-----BEGIN PRIVATE KEY-----"), "gcp.serviceAccountKeyJson", "Not valid JSON"),
        ["gcp key of a user"] = (() => Data.Gcp(Data.GcpKeyJson(k => k["type"] = "authorized_user")), "gcp.serviceAccountKeyJson", "service_account"),
        ["gcp key without private key"] = (() => Data.Gcp(Data.GcpKeyJson(k => k.Remove("private_key"))), "gcp.serviceAccountKeyJson", "private_key"),
        ["gcp key with an rsa pem"] = (() => Data.Gcp(Data.GcpKeyJson(k => k["private_key"] = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n")), "gcp.serviceAccountKeyJson", "BEGIN PRIVATE KEY"),
        ["gcp key without client email"] = (() => Data.Gcp(Data.GcpKeyJson(k => k.Remove("client_email"))), "gcp.serviceAccountKeyJson", "client_email"),
        ["gcp key without key id"] = (() => Data.Gcp(Data.GcpKeyJson(k => k.Remove("private_key_id"))), "gcp.serviceAccountKeyJson", "private_key_id"),
        ["gcp key with a bad project"] = (() => Data.Gcp(Data.GcpKeyJson(k => k["project_id"] = "Not_A_Project")), "gcp.serviceAccountKeyJson", "project_id"),
        ["gcp key with a foreign token uri"] = (() => Data.Gcp(Data.GcpKeyJson(k => k["token_uri"] = "https://169.254.169.254/token")), "gcp.serviceAccountKeyJson", "token_uri"),
        ["gcp project id invalid"] = (() => Data.Gcp(projectId: "My_Project"), "gcp.projectId", "project id"),
        ["gcp key created in the future"] = (() => Data.Gcp(keyCreatedAt: DateTimeOffset.UtcNow.AddDays(2)), "gcp.keyCreatedAt", "future"),
        ["gcp region not a name"] = (() => Data.Gcp().With("regions", new JsonArray("Europe West 1")), "regions[0]", "GCP region"),

        // Kubernetes: kubeconfig.
        ["kubeconfig not yaml"] = (() => Data.Kubernetes("clusters: [\n  - {server: "), "kubernetes.kubeconfig", "YAML"),
        ["kubeconfig without current context"] = (() => Data.Kubernetes(Data.Kubeconfig(currentContext: "\"\"")), "kubernetes.kubeconfig", "current-context is not set"),
        ["kubeconfig current context missing"] = (() => Data.Kubernetes(Data.Kubeconfig(currentContext: "dev")), "kubernetes.kubeconfig", "not in contexts"),
        ["kubeconfig cluster without server"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "\"\"")), "kubernetes.kubeconfig", "no server URL"),
        ["kubeconfig server over http"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "http://k8s.example.com:6443")), "kubernetes.kubeconfig", "https"),
        ["kubeconfig server metadata"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://169.254.169.254")), "kubernetes.kubeconfig", "metadata"),
        ["kubeconfig server metadata name"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://metadata.google.internal")), "kubernetes.kubeconfig", "metadata"),
        ["kubeconfig server loopback"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://127.0.0.1:6443")), "kubernetes.kubeconfig", "loopback"),
        ["kubeconfig server localhost"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://localhost:6443")), "kubernetes.kubeconfig", "loopback"),
        ["kubeconfig server decimal loopback"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://2130706433:6443")), "kubernetes.kubeconfig", "loopback"),
        ["kubeconfig server hex loopback"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://0x7f.1")), "kubernetes.kubeconfig", "loopback"),
        ["kubeconfig server mapped loopback"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://[::ffff:127.0.0.1]:6443")), "kubernetes.kubeconfig", "loopback"),
        ["kubeconfig server private"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://10.0.0.5:6443")), "kubernetes.kubeconfig", "Connections:AllowPrivateNetworks"),
        ["kubeconfig server resolving to loopback"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://loopback.example.com:6443")), "kubernetes.kubeconfig", "resolves to a loopback"),
        ["kubeconfig server resolving to metadata"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://metadata.example.com")), "kubernetes.kubeconfig", "resolves to a cloud metadata"),
        ["kubeconfig server not resolving"] = (() => Data.Kubernetes(Data.Kubeconfig(server: "https://gone.example.com")), "kubernetes.kubeconfig", "does not resolve"),
        ["kubeconfig skipping tls verification"] = (() => Data.Kubernetes(Data.Kubeconfig(clusterExtra: ["insecure-skip-tls-verify: true"])), "kubernetes.kubeconfig", "insecure-skip-tls-verify"),
        ["kubeconfig exec plugin"] = (() => Data.Kubernetes(Data.Kubeconfig(user: ExecUser)), "kubernetes.kubeconfig", "cannot run plugins"),
        ["kubeconfig auth provider plugin"] = (() => Data.Kubernetes(Data.Kubeconfig(user: ["auth-provider:", "  name: gcp", "  config:", "    cmd-path: /usr/lib/google-cloud-sdk/bin/gcloud"])), "kubernetes.kubeconfig", "cannot run plugins"),
        ["kubeconfig token file"] = (() => Data.Kubernetes(Data.Kubeconfig(user: ["tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"])), "kubernetes.kubeconfig", "no token"),
        ["kubeconfig certificate files"] = (() => Data.Kubernetes(Data.Kubeconfig(user: ["client-certificate: /home/me/.minikube/client.crt", "client-key: /home/me/.minikube/client.key"])), "kubernetes.kubeconfig", "files"),
        ["kubeconfig certificate without key"] = (() => Data.Kubernetes(Data.Kubeconfig(user: [$"client-certificate-data: {Data.ClientCertificateData}"])), "kubernetes.kubeconfig", "both"),
        ["kubeconfig ca not a certificate"] = (() => Data.Kubernetes(Data.Kubeconfig().Replace(Data.CertificateAuthorityData, ProviderTestData.Base64("not a certificate"))), "kubernetes.kubeconfig", "certificate-authority-data"),
        ["kubernetes with regions"] = (() => Data.Kubernetes().With("regions", new JsonArray("eu-west-1")), "regions", "no regions"),

        // Kubernetes: server URL and token.
        ["kubernetes kubeconfig and token"] = (() => Data.KubernetesWithToken().With("kubernetes.kubeconfig", Data.Kubeconfig()), "kubernetes", "either kubeconfig"),
        ["kubernetes server over http"] = (() => Data.KubernetesWithToken("http://k8s.example.com:6443"), "kubernetes.serverUrl", "https"),
        ["kubernetes server metadata name"] = (() => Data.KubernetesWithToken("https://metadata.google.internal"), "kubernetes.serverUrl", "metadata"),
        ["kubernetes server ipv6 metadata"] = (() => Data.KubernetesWithToken("https://[fd00:ec2::254]"), "kubernetes.serverUrl", "metadata"),
        ["kubernetes server link local"] = (() => Data.KubernetesWithToken("https://[fe80::1]:6443"), "kubernetes.serverUrl", "link-local"),
        ["kubernetes server unspecified"] = (() => Data.KubernetesWithToken("https://0.0.0.0:6443"), "kubernetes.serverUrl", "unspecified"),
        ["kubernetes server private name"] = (() => Data.KubernetesWithToken("https://intranet.example.com"), "kubernetes.serverUrl", "private-network"),
        ["kubernetes token missing"] = (() => Data.KubernetesWithToken().Without("kubernetes.token"), "kubernetes.token", "Required"),
        ["kubernetes token with spaces"] = (() => Data.KubernetesWithToken().With("kubernetes.token", "Bearer " + Data.KubeToken), "kubernetes.token", "without spaces"),
        ["kubernetes ca not base64"] = (() => Data.KubernetesWithToken().With("kubernetes.certificateAuthorityData", "-----BEGIN CERTIFICATE-----"), "kubernetes.certificateAuthorityData", "base64"),

        // Registries.
        ["registry over http"] = (() => Data.Registry("http://registry.example.com"), "registry.registry", "https"),
        ["registry on localhost"] = (() => Data.Registry("localhost:5000"), "registry.registry", "loopback"),
        ["registry on a private address"] = (() => Data.Registry("192.168.1.20:5000"), "registry.registry", "private-network"),
        ["registry on the metadata address"] = (() => Data.Registry("169.254.169.254"), "registry.registry", "metadata"),
        ["registry resolving to loopback"] = (() => Data.Registry("https://loopback.example.com"), "registry.registry", "resolves to a loopback"),
        ["registry with credentials in the url"] = (() => Data.Registry("https://bot:" + Data.RegistryToken + "@registry.example.com"), "registry.registry", "user name or password"),
        ["registry without user"] = (() => Data.Registry().Without("registry.username"), "registry.username", "Required"),
        ["registry without token"] = (() => Data.Registry().Without("registry.accessToken"), "registry.accessToken", "Required"),
        ["registry token too short"] = (() => Data.Registry().With("registry.accessToken", "abc"), "registry.accessToken", "Not an access token"),
        ["anonymous registry with token"] = (() => Data.AnonymousRegistry().With("registry.accessToken", Data.RegistryToken), "registry.accessToken", "anonymous"),
        ["anonymous registry with user"] = (() => Data.AnonymousRegistry().With("registry.username", "offload-bot"), "registry.username", "anonymous"),
        ["anonymous docker hub without repositories"] = (() => Data.AnonymousRegistry("docker.io").Without("registry.repositories"), "registry.repositories", "cannot list public repositories"),
        ["registry repository not a name"] = (() => Data.Registry().With("registry.repositories", new JsonArray("library/nginx", "Offload/Scanner:latest")), "registry.repositories[1]", "repository name"),
        ["registry with regions"] = (() => Data.Registry().With("regions", new JsonArray("us-east-1")), "regions", "no regions"),
    };

    private static readonly string[] ExecUser =
    [
        "exec:",
        "  apiVersion: client.authentication.k8s.io/v1beta1",
        "  command: aws",
        "  args:",
        "  - --region",
        "  - eu-west-1",
        "  - eks",
        "  - get-token",
        "  - --cluster-name",
        "  - prod",
        "  interactiveMode: IfAvailable",
        "  provideClusterInfo: false",
    ];

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Refuses_bad_input_naming_the_field_without_echoing_a_secret_and_writes_nothing(string name)
    {
        var (body, field, says) = Cases[name];
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        using var client = service.Client(tenant);

        using var response = await client.PostAsJsonAsync("api/accounts", body(), Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        errors.TryGetProperty(field, out var messages).ShouldBeTrue(text);
        string.Join(" ", messages.EnumerateArray().Select(m => m.GetString())).ShouldContain(says, Case.Insensitive, text);
        foreach (var secret in Data.PlantedSecrets)
        {
            text.ShouldNotContain(secret);
        }

        await AssertNothingWritten(client, tenant);
    }

    [Fact]
    public async Task Refuses_a_kubeconfig_whose_server_is_the_metadata_address()
    {
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        using var client = service.Client(tenant);

        using var response = await client.PostAsJsonAsync("api/accounts", Data.Kubernetes(Data.Kubeconfig(server: "https://169.254.169.254")), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").GetProperty("kubernetes.kubeconfig")[0].GetString()
            .ShouldBe("The server of the current context's cluster: the host points at a cloud metadata address, which the service never connects to.");
        await AssertNothingWritten(client, tenant);
    }

    [Fact]
    public async Task A_request_refused_for_several_reasons_names_every_field()
    {
        using var client = service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);
        var body = Data.Azure().With("azure.tenantId", "x").With("azure.clientId", "y").With("displayName", "");

        using var response = await client.PostAsJsonAsync("api/accounts", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe(["displayName", "azure.tenantId", "azure.clientId"], ignoreOrder: true);
    }

    [Fact]
    public async Task Nothing_is_looked_up_for_a_request_that_is_otherwise_invalid()
    {
        using var client = service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);
        var body = Data.Kubernetes(Data.Kubeconfig(server: "https://never-looked-up.example.com")).With("displayName", "");

        using var response = await client.PostAsJsonAsync("api/accounts", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        service.Dns.Asked.ShouldNotContain("never-looked-up.example.com");
    }

    [Fact]
    public async Task A_patch_of_regions_follows_the_provider_rules()
    {
        using var client = service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);
        var k8s = (await (await client.PostAsJsonAsync("api/accounts", Data.Kubernetes(), Ct)).Content.ReadFromJsonAsync<AccountView>(Ct))!;
        var azure = (await (await client.PostAsJsonAsync("api/accounts", Data.Azure(), Ct)).Content.ReadFromJsonAsync<AccountView>(Ct))!;

        (await client.PatchAsJsonAsync($"api/accounts/{k8s.Id}", new { regions = new[] { "eu-west-1" } }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PatchAsJsonAsync($"api/accounts/{azure.Id}", new { regions = new[] { "us-east-1" } }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PatchAsJsonAsync($"api/accounts/{azure.Id}", new { regions = new[] { "westeurope", "northeurope" } }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task AssertNothingWritten(HttpClient client, string tenant)
    {
        (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct)).ShouldBeEmpty();
        (await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory)).ShouldNotContain(tenant);
        service.Harness.Published.Select<AccountConnected>(Ct).ShouldNotContain(m => m.Context.Message.TenantId == tenant);
    }
}
