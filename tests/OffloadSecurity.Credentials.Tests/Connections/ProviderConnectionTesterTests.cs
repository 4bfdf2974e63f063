using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Connections;

namespace OffloadSecurity.Credentials.Tests.Connections;

/// <summary>The checks each provider's connection test makes before anything is stored (no provider call yet).</summary>
public class ProviderConnectionTesterTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static readonly ProviderTestData Data = ProviderTestData.Shared;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_gcp_key_that_is_not_rsa_is_a_422_naming_the_key_and_stores_nothing()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = Data.Gcp(Data.GcpKeyJson(privateKeyPem: ec.ExportPkcs8PrivateKeyPem()));

        await AssertRefused(body, "gcp.serviceAccountKeyJson", "InvalidPrivateKey", "RSA");
    }

    [Fact]
    public async Task A_gcp_key_whose_pem_does_not_decode_is_a_422()
    {
        var body = Data.Gcp(Data.GcpKeyJson(privateKeyPem: $"{GcpServiceAccountKey.PemHeader}\nbm90IGEga2V5\n{GcpServiceAccountKey.PemFooter}\n"));

        await AssertRefused(body, "gcp.serviceAccountKeyJson", "InvalidPrivateKey", "does not load");
    }

    [Fact]
    public async Task A_gcp_key_shorter_than_google_issues_is_a_422()
    {
        using var rsa = RSA.Create(1024);
        var body = Data.Gcp(Data.GcpKeyJson(privateKeyPem: rsa.ExportPkcs8PrivateKeyPem()));

        await AssertRefused(body, "gcp.serviceAccountKeyJson", "InvalidPrivateKey", "1024 bits");
    }

    [Fact]
    public async Task A_client_key_that_is_not_the_certificate_own_is_a_422()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kubeconfig = Data.Kubeconfig(user: Data.ClientCertificateUser(ProviderTestData.Base64(other.ExportECPrivateKeyPem())));

        await AssertRefused(Data.Kubernetes(kubeconfig), "kubernetes.kubeconfig", "InvalidClientCertificate", "client-key-data");
    }

    [Fact]
    public async Task The_azure_test_refuses_a_secret_that_has_expired_by_its_own_clock()
    {
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        var tester = new AzureConnectionTester(clock);
        var request = Request(Data.Azure(DateTimeOffset.UtcNow.AddDays(1)));

        (await tester.TestAsync(request, Ct)).Identity.ShouldBe(ProviderTestData.AzureClientId);
        clock.Advance(TimeSpan.FromDays(2));
        var result = await tester.TestAsync(request, Ct);

        result.Succeeded.ShouldBeFalse();
        result.Field.ShouldBe("azure.clientSecretExpiresAt");
    }

    [Fact]
    public async Task The_kubernetes_test_checks_the_server_again_with_dns()
    {
        // A name that resolved to a public address at validation may resolve elsewhere by the time of the test.
        var dns = new FakeHostResolver().Add("k8s.example.com", "127.0.0.1");
        var tester = new KubernetesConnectionTester(Guard(dns));

        var result = await tester.TestAsync(Request(Data.KubernetesWithToken()), Ct);

        result.Succeeded.ShouldBeFalse();
        result.Field.ShouldBe("kubernetes.serverUrl");
        result.Reason.ShouldNotBeNull().ShouldContain("loopback");
    }

    [Fact]
    public async Task The_registry_test_checks_the_registry_again_with_dns()
    {
        var dns = new FakeHostResolver().Add("docker.io", "169.254.169.254");
        var tester = new RegistryConnectionTester(Guard(dns));

        var result = await tester.TestAsync(Request(Data.Registry()), Ct);

        result.Succeeded.ShouldBeFalse();
        result.Field.ShouldBe("registry.registry");
        result.Reason.ShouldNotBeNull().ShouldContain("metadata");
    }

    [Fact]
    public async Task An_opaque_kubernetes_token_connects_as_the_kubeconfig_user()
    {
        var tester = new KubernetesConnectionTester(Guard(FakeHostResolver.WithTestNames()));
        var kubeconfig = Data.Kubeconfig(user: ["token: abcdef.0123456789abcdef"]);

        var result = await tester.TestAsync(Request(Data.Kubernetes(kubeconfig)), Ct);

        result.Identity.ShouldBe($"prod-scanner @ {ProviderTestData.KubeServer}");
    }

    private static OutboundUrlGuard Guard(IHostAddressResolver resolver) => new(Options.Create(new OutboundUrlOptions()), resolver);

    private static ConnectAccountRequest Request(JsonObject body) =>
        body.Deserialize<ConnectAccountRequest>(JsonSerializerOptions.Web)!;

    private async Task AssertRefused(JsonObject body, string field, string providerCode, string says)
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);

        using var response = await client.PostAsJsonAsync("api/accounts", body, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, text);
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("providerCode").GetString().ShouldBe(providerCode);
        problem.RootElement.GetProperty("errors").GetProperty(field)[0].GetString().ShouldNotBeNull().ShouldContain(says);
        (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct)).ShouldBeEmpty();
        (await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory)).ShouldNotContain(tenant);
        service.Harness.Published.Select<AccountConnected>(Ct).ShouldNotContain(m => m.Context.Message.TenantId == tenant);
    }
}
