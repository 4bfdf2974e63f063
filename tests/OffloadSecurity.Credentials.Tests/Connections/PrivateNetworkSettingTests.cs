using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Connections;

/// <summary>A service whose operator has set <c>Connections:AllowPrivateNetworks=true</c>.</summary>
public sealed class PrivateNetworksHost : IAsyncLifetime
{
    public CredentialsHost Service { get; } = new()
    {
        ExtraSettings = new Dictionary<string, string?> { ["Connections:AllowPrivateNetworks"] = "true" },
    };

    public ValueTask InitializeAsync() => Service.InitializeAsync();

    public ValueTask DisposeAsync() => Service.DisposeAsync();
}

public class PrivateNetworkSettingTests(PrivateNetworksHost host) : IClassFixture<PrivateNetworksHost>
{
    private static readonly ProviderTestData Data = ProviderTestData.Shared;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_private_networks_allowed_a_cluster_and_a_registry_on_the_intranet_connect()
    {
        using var client = host.Service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);

        using var cluster = await client.PostAsJsonAsync("api/accounts", Data.Kubernetes(Data.Kubeconfig(server: "https://10.0.0.5:6443")), Ct);
        using var registry = await client.PostAsJsonAsync("api/accounts", Data.Registry("intranet.example.com:5000"), Ct);

        cluster.StatusCode.ShouldBe(HttpStatusCode.Created, await cluster.Content.ReadAsStringAsync(Ct));
        registry.StatusCode.ShouldBe(HttpStatusCode.Created, await registry.Content.ReadAsStringAsync(Ct));
        (await registry.Content.ReadFromJsonAsync<AccountView>(Ct))!.Registry!.Registry.ShouldBe("intranet.example.com:5000");
    }

    [Theory]
    [InlineData("https://169.254.169.254", "metadata")]
    [InlineData("https://127.0.0.1:6443", "loopback")]
    [InlineData("https://loopback.example.com", "loopback")]
    public async Task With_private_networks_allowed_metadata_and_loopback_stay_refused(string server, string says)
    {
        using var client = host.Service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);

        using var response = await client.PostAsJsonAsync("api/accounts", Data.KubernetesWithToken(server), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").GetProperty("kubernetes.serverUrl")[0].GetString().ShouldNotBeNull().ShouldContain(says);
    }
}
