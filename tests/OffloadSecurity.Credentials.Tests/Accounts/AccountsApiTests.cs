using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Tests.Accounts;

public class AccountsApiTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    // Planted secret: the sandbox account's real secret, nobody else uses it; searched for everywhere afterwards.
    private string PlantedSecret => service.Aws.SecretAccessKey;

    private object AwsBody() => service.Aws.KeysBody();

    [Fact]
    public async Task Connecting_an_aws_account_stores_it_encrypted_and_announces_it_without_the_secret()
    {
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        using var client = service.Client(tenant);

        var response = await client.PostAsJsonAsync("api/accounts", AwsBody(), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        body.ShouldNotContain(PlantedSecret);
        var view = JsonSerializer.Deserialize<AccountView>(body, JsonSerializerOptions.Web)!;
        view.Status.ShouldBe(SyncStatus.Pending);

        (await service.Harness.Published.Any<AccountConnected>(m => m.Context.Message.AccountId == view.Id, TestContext.Current.CancellationToken)).ShouldBeTrue();
        var published = service.Harness.Published.Select<AccountConnected>(TestContext.Current.CancellationToken).Single(m => m.Context.Message.AccountId == view.Id).Context.Message;
        published.TenantId.ShouldBe(tenant);
        JsonSerializer.Serialize(published).ShouldNotContain(PlantedSecret);

        var stored = await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory);
        stored.ShouldNotContain(PlantedSecret);
        service.Host.Logs.ShouldNotContain(line => line.Contains(PlantedSecret));
    }

    [Theory]
    [InlineData("""{"displayName":"x","aws":{}}""", "provider")]
    [InlineData("""{"provider":"Aws","aws":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}""", "displayName")]
    [InlineData("""{"provider":"Aws","displayName":"x","aws":{"accessKeyId":"nope","secretAccessKey":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}""", "aws.accessKeyId")]
    [InlineData("""{"provider":"Aws","displayName":"x","aws":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"short"}}""", "aws.secretAccessKey")]
    [InlineData("""{"provider":"Aws","displayName":"x","regions":["moon-1"],"aws":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}""", "regions[0]")]
    [InlineData("""{"provider":"Aws","displayName":"x","aws":{"roleArn":"arn:aws:iam::123456789012:role/Scanner","externalId":"short"}}""", "aws.externalId")]
    [InlineData("""{"provider":"Aws","displayName":"x","aws":{"roleArn":"arn:aws:s3:::bucket","externalId":"a-long-enough-external-id"}}""", "aws.roleArn")]
    public async Task Rejects_bad_input_naming_the_field_and_stores_nothing(string json, string field)
    {
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        using var client = service.Client(tenant);

        var response = await client.PostAsync("api/accounts", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        var list = await client.GetFromJsonAsync<AccountView[]>("api/accounts", TestContext.Current.CancellationToken);
        list.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_error_never_echoes_the_secret()
    {
        using var client = service.Client("tenant-echo");
        var body = new { provider = "Aws", displayName = "x", aws = new { accessKeyId = "bad", secretAccessKey = PlantedSecret + "!!" } };

        var response = await client.PostAsJsonAsync("api/accounts", body, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldNotContain(PlantedSecret);
    }

    [Fact]
    public async Task Another_tenant_cannot_see_an_account()
    {
        using var owner = service.Client("tenant-owner");
        var created = await (await owner.PostAsJsonAsync("api/accounts", AwsBody(), TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<AccountView>(TestContext.Current.CancellationToken);
        using var other = service.Client("tenant-other");

        (await other.GetAsync($"api/accounts/{created!.Id}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.GetFromJsonAsync<AccountView[]>("api/accounts", TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await other.PostAsync($"api/accounts/{created.Id}/sync", null, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await owner.GetAsync($"api/accounts/{created.Id}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refuses_callers_without_a_token_and_readers_who_try_to_connect()
    {
        using var anonymous = service.Host.CreateLoopbackClient(service.BaseAddress);
        using var auditor = service.Client("tenant-audit", Roles.Auditor);

        (await anonymous.GetAsync("api/accounts", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await auditor.PostAsJsonAsync("api/accounts", AwsBody(), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await auditor.GetAsync("api/accounts", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_broker_refuses_people_and_tokens_for_another_tenant()
    {
        using var admin = service.Client("tenant-broker");
        var created = await (await admin.PostAsJsonAsync("api/accounts", AwsBody(), TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<AccountView>(TestContext.Current.CancellationToken);
        var request = new { tenantId = "tenant-broker", accountId = created!.Id };
        using var otherService = service.Client("tenant-elsewhere", Roles.Service);
        using var ownService = service.Client("tenant-broker", Roles.Service);

        (await admin.PostAsJsonAsync("internal/credentials/aws", request, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await otherService.PostAsJsonAsync("internal/credentials/aws", request, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ownService.PostAsJsonAsync("internal/credentials/aws", request, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
