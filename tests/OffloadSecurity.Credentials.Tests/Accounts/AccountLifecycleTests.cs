using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Accounts;

public class AccountLifecycleTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Client, AccountView Account)> Connect()
    {
        var client = service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);
        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (client, (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!);
    }

    /// <summary>Records holding lists compare by reference; their JSON compares by value.</summary>
    private static string Snapshot(AccountView? view) => JsonSerializer.Serialize(view);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Patch_changes_display_name_regions_and_interval_and_announces_the_update()
    {
        var (client, account) = await Connect();
        using var clientLifetime = client;
        account.SyncIntervalMinutes.ShouldBe(360);

        var response = await client.PatchAsync($"api/accounts/{account.Id}",
            Json("""{"displayName":"production","regions":["us-east-1","eu-central-1"],"syncIntervalMinutes":60}"""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var updated = (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!;
        updated.DisplayName.ShouldBe("production");
        updated.Regions.ShouldBe(["us-east-1", "eu-central-1"]);
        updated.SyncIntervalMinutes.ShouldBe(60);
        updated.NextSyncAt!.Value.ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddMinutes(61));
        (await service.Harness.Published.Any<AccountUpdated>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();
        var published = service.Harness.Published.Select<AccountUpdated>(Ct).Single(m => m.Context.Message.AccountId == account.Id).Context.Message;
        published.DisplayName.ShouldBe("production");
        published.Regions.ShouldBe(["us-east-1", "eu-central-1"]);
        (await client.GetFromJsonAsync<AccountView>($"api/accounts/{account.Id}", Ct))!.DisplayName.ShouldBe("production");
    }

    [Theory]
    [InlineData("""{"displayName":""}""", "displayName")]
    [InlineData("""{"regions":["us-east-1","moon-1"]}""", "regions[1]")]
    [InlineData("""{"syncIntervalMinutes":1}""", "syncIntervalMinutes")]
    [InlineData("""{}""", "body")]
    public async Task A_bad_patch_is_a_400_naming_the_field_and_changes_nothing(string json, string field)
    {
        var (client, account) = await Connect();
        using var clientLifetime = client;

        var response = await client.PatchAsync($"api/accounts/{account.Id}", Json(json), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        Snapshot(await client.GetFromJsonAsync<AccountView>($"api/accounts/{account.Id}", Ct)).ShouldBe(Snapshot(account));
        service.Harness.Published.Select<AccountUpdated>(Ct).ShouldNotContain(m => m.Context.Message.AccountId == account.Id);
    }

    [Fact]
    public async Task Another_tenant_can_neither_change_disconnect_nor_delete_an_account()
    {
        var (owner, account) = await Connect();
        using var ownerLifetime = owner;
        using var other = service.Client("tenant-intruder");

        (await other.PatchAsync($"api/accounts/{account.Id}", Json("""{"displayName":"mine"}"""), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.PostAsync($"api/accounts/{account.Id}/disconnect", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.DeleteAsync($"api/accounts/{account.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        Snapshot(await owner.GetFromJsonAsync<AccountView>($"api/accounts/{account.Id}", Ct)).ShouldBe(Snapshot(account));
    }

    [Fact]
    public async Task Disconnect_removes_the_secret_keeps_the_account_and_announces_it_once()
    {
        var (client, account) = await Connect();
        using var clientLifetime = client;

        var response = await client.PostAsync($"api/accounts/{account.Id}/disconnect", null, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var view = (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!;
        view.Status.ShouldBe(SyncStatus.Disconnected);
        view.Aws!.HasCredentials.ShouldBeFalse();
        view.NextSyncAt.ShouldBeNull();
        view.DisplayName.ShouldBe(account.DisplayName);
        (await client.GetFromJsonAsync<AccountView>($"api/accounts/{account.Id}", Ct))!.Status.ShouldBe(SyncStatus.Disconnected);
        var sync = await client.PostAsync($"api/accounts/{account.Id}/sync", null, Ct);
        sync.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await sync.Content.ReadAsStringAsync(Ct)).ShouldContain("disconnected");

        (await client.PostAsync($"api/accounts/{account.Id}/disconnect", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await service.Harness.Published.Any<AccountDisconnected>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();
        service.Harness.Published.Select<AccountDisconnected>(Ct).Count(m => m.Context.Message.AccountId == account.Id).ShouldBe(1);
        var row = (await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory)).Split('\n').Single(l => l.Contains(account.Id.ToString()));
        row.ShouldContain("|Disconnected|");
    }

    [Fact]
    public async Task Delete_removes_the_account_and_announces_it()
    {
        var (client, account) = await Connect();
        using var clientLifetime = client;

        (await client.DeleteAsync($"api/accounts/{account.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await client.GetAsync($"api/accounts/{account.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.DeleteAsync($"api/accounts/{account.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await service.Harness.Published.Any<AccountDeleted>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();
        (await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory)).ShouldNotContain(account.Id.ToString());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_and_stores_nothing()
    {
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        using var client = service.Client(tenant);
        var padding = new string('a', (int)AccountsApi.MaxBodyBytes);
        var json = $$$"""{"provider":"Aws","displayName":"{{{padding}}}","aws":{"accessKeyId":"{{{AwsSandbox.AccessKeyId}}}","secretAccessKey":"{{{service.Aws.SecretAccessKey}}}"}}""";

        var response = await client.PostAsync("api/accounts", Json(json), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldNotContain(service.Aws.SecretAccessKey);
        (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct)).ShouldBeEmpty();
    }
}
