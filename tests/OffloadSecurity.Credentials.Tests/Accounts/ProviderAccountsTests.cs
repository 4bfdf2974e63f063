using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Tests.Accounts;

/// <summary>Azure, GCP, Kubernetes and registry accounts through the real service: connect, show, sync, disconnect, delete.</summary>
public class ProviderAccountsTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static readonly ProviderTestData Data = ProviderTestData.Shared;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<(string Tenant, AccountView Account)> Connect(JsonObject body, string? tenant = null)
    {
        tenant ??= NewTenant();
        using var client = service.Client(tenant);
        using var response = await client.PostAsJsonAsync("api/accounts", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        foreach (var secret in Data.PlantedSecrets)
        {
            text.ShouldNotContain(secret);
        }

        return (tenant, JsonSerializer.Deserialize<AccountView>(text, JsonSerializerOptions.Web)!);
    }

    private async Task<string> StoredSecret(string tenant, Guid accountId)
    {
        var account = (await service.Host.Services.GetRequiredService<IAccountStore>().FindAsync(tenant, accountId, Ct))!;
        return service.Host.Services.GetRequiredService<EnvelopeEncryption>().Decrypt(account.Secret!, tenant, accountId);
    }

    private async Task AssertAnnounced(string tenant, AccountView account, CloudProvider provider)
    {
        (await service.Harness.Published.Any<AccountConnected>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();
        var message = service.Harness.Published.Select<AccountConnected>(Ct).Single(m => m.Context.Message.AccountId == account.Id).Context.Message;
        message.TenantId.ShouldBe(tenant);
        message.Provider.ShouldBe(provider);
    }

    [Fact]
    public async Task An_azure_service_principal_connects_showing_its_ids_but_never_the_secret()
    {
        var expires = DateTimeOffset.UtcNow.AddYears(1);

        var (tenant, view) = await Connect(Data.Azure(expires));

        view.Provider.ShouldBe(CloudProvider.Azure);
        view.ConnectedAs.ShouldBe(ProviderTestData.AzureClientId);
        view.Regions.ShouldBe(["westeurope"]);
        view.Azure.ShouldNotBeNull();
        view.Azure.TenantId.ShouldBe(ProviderTestData.AzureTenantId);
        view.Azure.ClientId.ShouldBe(ProviderTestData.AzureClientId);
        view.Azure.SubscriptionId.ShouldBe(ProviderTestData.AzureSubscriptionId);
        view.Azure.ClientSecretExpiresAt.ShouldBe(expires);
        view.Azure.HasCredentials.ShouldBeTrue();
        view.Aws.ShouldBeNull();
        view.Gcp.ShouldBeNull();
        view.Warnings.ShouldBe([]);
        JsonSerializer.Deserialize<AzureSecret>(await StoredSecret(tenant, view.Id))!.ClientSecret.ShouldBe(Data.AzureClientSecret);
        (await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory)).ShouldNotContain(Data.AzureClientSecret);
        await AssertAnnounced(tenant, view, CloudProvider.Azure);
    }

    [Fact]
    public async Task A_gcp_service_account_connects_to_the_project_of_its_key_by_default()
    {
        var (tenant, view) = await Connect(Data.Gcp());

        view.Provider.ShouldBe(CloudProvider.Gcp);
        view.ConnectedAs.ShouldBe(ProviderTestData.GcpClientEmail);
        view.Gcp.ShouldNotBeNull();
        view.Gcp.ClientEmail.ShouldBe(ProviderTestData.GcpClientEmail);
        view.Gcp.PrivateKeyId.ShouldBe(Data.GcpPrivateKeyId);
        view.Gcp.ProjectId.ShouldBe(ProviderTestData.GcpProjectId);
        view.Gcp.KeyCreatedAt.ShouldBeNull();
        view.Gcp.HasCredentials.ShouldBeTrue();
        JsonSerializer.Deserialize<GcpSecret>(await StoredSecret(tenant, view.Id))!.ServiceAccountKeyJson.ShouldBe(Data.GcpKeyJson());
        await AssertAnnounced(tenant, view, CloudProvider.Gcp);
    }

    [Fact]
    public async Task A_gcp_service_account_can_scan_another_project_and_say_when_its_key_was_made()
    {
        var created = DateTimeOffset.UtcNow.AddDays(-10);

        var (_, view) = await Connect(Data.Gcp(projectId: "shared-services-042", keyCreatedAt: created));

        view.Gcp!.ProjectId.ShouldBe("shared-services-042");
        view.Gcp.KeyCreatedAt.ShouldBe(created);
        view.Warnings.ShouldBe([]);
    }

    [Fact]
    public async Task A_kubeconfig_connects_with_its_current_context_and_keeps_only_that_context_credentials()
    {
        var (tenant, view) = await Connect(Data.Kubernetes());

        view.Provider.ShouldBe(CloudProvider.Kubernetes);
        view.ConnectedAs.ShouldBe($"{ProviderTestData.ServiceAccountSubject} @ {ProviderTestData.KubeServer}");
        view.Kubernetes.ShouldNotBeNull();
        view.Kubernetes.AuthType.ShouldBe(KubernetesAuthType.Token);
        view.Kubernetes.ServerUrl.ShouldBe(ProviderTestData.KubeServer);
        view.Kubernetes.ContextName.ShouldBe("prod");
        view.Kubernetes.ClusterName.ShouldBe("prod-cluster");
        view.Kubernetes.UserName.ShouldBe("prod-scanner");
        view.Kubernetes.Namespace.ShouldBe("offload");
        view.Kubernetes.HasCertificateAuthority.ShouldBeTrue();
        view.Kubernetes.HasCredentials.ShouldBeTrue();
        var secret = await StoredSecret(tenant, view.Id);
        JsonSerializer.Deserialize<KubernetesSecret>(secret)!.Token.ShouldBe(Data.KubeToken);
        secret.ShouldNotContain(Data.OtherContextToken);
        await AssertAnnounced(tenant, view, CloudProvider.Kubernetes);
    }

    [Fact]
    public async Task A_kubeconfig_with_a_client_certificate_connects_as_the_certificate_subject()
    {
        var (tenant, view) = await Connect(Data.Kubernetes(Data.Kubeconfig(user: Data.ClientCertificateUser())));

        view.Kubernetes!.AuthType.ShouldBe(KubernetesAuthType.ClientCertificate);
        view.ConnectedAs.ShouldBe($"{ProviderTestData.ClientCertificateName} @ {ProviderTestData.KubeServer}");
        var secret = JsonSerializer.Deserialize<KubernetesSecret>(await StoredSecret(tenant, view.Id))!;
        secret.ClientKeyData.ShouldBe(Data.ClientKeyData);
        secret.ClientCertificateData.ShouldBe(Data.ClientCertificateData);
        secret.Token.ShouldBeNull();
    }

    [Fact]
    public async Task A_kubernetes_server_url_with_a_token_connects_as_the_service_account()
    {
        var (tenant, view) = await Connect(Data.KubernetesWithToken());

        view.ConnectedAs.ShouldBe($"{ProviderTestData.ServiceAccountSubject} @ {ProviderTestData.KubeServer}");
        view.Kubernetes!.AuthType.ShouldBe(KubernetesAuthType.Token);
        view.Kubernetes.ContextName.ShouldBeNull();
        view.Kubernetes.HasCertificateAuthority.ShouldBeTrue();
        var secret = JsonSerializer.Deserialize<KubernetesSecret>(await StoredSecret(tenant, view.Id))!;
        secret.Token.ShouldBe(Data.KubeToken);
        secret.CertificateAuthorityData.ShouldBe(Data.CertificateAuthorityData);
    }

    [Fact]
    public async Task A_registry_user_with_an_access_token_connects_to_docker_hub_by_default()
    {
        var (tenant, view) = await Connect(Data.Registry());

        view.Provider.ShouldBe(CloudProvider.Registry);
        view.ConnectedAs.ShouldBe("offload-bot @ docker.io");
        view.Registry.ShouldNotBeNull();
        view.Registry.Registry.ShouldBe("docker.io");
        view.Registry.Username.ShouldBe("offload-bot");
        view.Registry.Anonymous.ShouldBeFalse();
        view.Registry.Repositories.ShouldBe(["library/nginx", "offload/scanner"]);
        view.Registry.HasCredentials.ShouldBeTrue();
        JsonSerializer.Deserialize<RegistrySecret>(await StoredSecret(tenant, view.Id))!.AccessToken.ShouldBe(Data.RegistryToken);
        await AssertAnnounced(tenant, view, CloudProvider.Registry);
    }

    [Theory]
    [InlineData("registry.example.com:5000", "registry.example.com:5000")]
    [InlineData("https://registry.example.com/", "registry.example.com")]
    [InlineData("https://Registry.Example.com:443/artifactory/api/docker/", "registry.example.com/artifactory/api/docker")]
    [InlineData("ghcr.io", "ghcr.io")]
    public async Task A_registry_is_given_as_a_host_name_or_an_https_url(string given, string shown)
    {
        var (_, view) = await Connect(Data.Registry(given));

        view.Registry!.Registry.ShouldBe(shown);
    }

    [Fact]
    public async Task An_anonymous_registry_connects_for_public_images_without_credentials()
    {
        var (_, view) = await Connect(Data.AnonymousRegistry());

        view.ConnectedAs.ShouldBe("anonymous @ ghcr.io");
        view.Registry!.Anonymous.ShouldBeTrue();
        view.Registry.Username.ShouldBeNull();
        view.Registry.HasCredentials.ShouldBeTrue();
        view.NextSyncAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_anonymous_registry_other_than_docker_hub_may_leave_the_repositories_to_its_catalog()
    {
        var (_, view) = await Connect(Data.AnonymousRegistry("registry.example.com").Without("registry.repositories"));

        view.Registry!.Repositories.ShouldBeEmpty();
    }

    [Fact]
    public async Task Provider_names_are_accepted_in_any_case()
    {
        var (_, view) = await Connect(Data.Azure().With("provider", "AZURE"));

        view.Provider.ShouldBe(CloudProvider.Azure);
    }

    [Fact]
    public async Task Accounts_of_every_provider_are_listed_synced_disconnected_and_deleted_like_aws_ones()
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);
        JsonObject[] bodies = [Data.Azure(), Data.Gcp(), Data.Kubernetes(), Data.Registry()];
        var accounts = new List<AccountView>();
        foreach (var body in bodies)
        {
            accounts.Add((await Connect(body, tenant)).Account);
        }

        var listed = (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct))!;
        listed.Select(a => a.Provider).ShouldBe([CloudProvider.Azure, CloudProvider.Gcp, CloudProvider.Kubernetes, CloudProvider.Registry]);

        foreach (var account in accounts)
        {
            using var sync = await client.PostAsync($"api/accounts/{account.Id}/sync", null, Ct);
            sync.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            (await sync.Content.ReadFromJsonAsync<ScanRequested>(Ct))!.Provider.ShouldBe(account.Provider);
            (await service.Harness.Published.Any<ScanRequested>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();

            using var disconnect = await client.PostAsync($"api/accounts/{account.Id}/disconnect", null, Ct);
            disconnect.StatusCode.ShouldBe(HttpStatusCode.OK);
            var disconnected = (await disconnect.Content.ReadFromJsonAsync<AccountView>(Ct))!;
            disconnected.Status.ShouldBe(SyncStatus.Disconnected);
            disconnected.Warnings.ShouldBe([]);
            (await service.Harness.Published.Any<AccountDisconnected>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();

            (await client.DeleteAsync($"api/accounts/{account.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
            (await service.Harness.Published.Any<AccountDeleted>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();
        }

        (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_disconnected_account_shows_that_it_has_no_credentials()
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);
        var (_, view) = await Connect(Data.Kubernetes(), tenant);

        var after = await (await client.PostAsync($"api/accounts/{view.Id}/disconnect", null, Ct)).Content.ReadFromJsonAsync<AccountView>(Ct);

        after!.Kubernetes!.HasCredentials.ShouldBeFalse();
        after.Kubernetes.ServerUrl.ShouldBe(ProviderTestData.KubeServer);
    }

    [Fact]
    public async Task The_credential_broker_stays_aws_only()
    {
        var (tenant, view) = await Connect(Data.Azure());
        using var scanner = service.Client(tenant, Roles.Service);

        using var response = await scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = tenant, accountId = view.Id }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
