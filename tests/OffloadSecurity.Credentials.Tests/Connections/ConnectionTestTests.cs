using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Connections;

public class ConnectionTestTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Access_keys_that_sts_accepts_connect_and_show_the_caller_identity()
    {
        using var client = service.Client(NewTenant());

        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var view = (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!;
        view.ConnectedAs.ShouldBe($"arn:aws:iam::{AwsSandbox.AccountId}:user/sandbox");
        view.Aws!.AuthType.ShouldBe(AwsAuthType.AccessKeys);
        view.Aws.AccessKeyId.ShouldBe(AwsSandbox.AccessKeyId);
        view.Aws.HasCredentials.ShouldBeTrue();
    }

    [Fact]
    public async Task A_role_the_platform_can_assume_with_the_external_id_connects()
    {
        using var client = service.Client(NewTenant());

        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.RoleBody(), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var view = (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!;
        view.ConnectedAs.ShouldBe($"arn:aws:sts::{AwsSandbox.AccountId}:assumed-role/OffloadScanner/offload-connection-test");
        view.Aws!.AuthType.ShouldBe(AwsAuthType.Role);
        view.Aws.RoleArn.ShouldBe(AwsSandbox.RoleArn);
    }

    [Fact]
    public async Task A_wrong_secret_is_a_422_naming_the_secret_field_with_the_aws_reason_and_stores_nothing()
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);
        var wrong = "x" + service.Aws.SecretAccessKey[1..];

        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(wrong), Ct);

        var problem = await AssertConnectionProblem(response, "aws.secretAccessKey", "SignatureDoesNotMatch");
        problem.ShouldNotContain(wrong);
        await AssertNothingStoredOrAnnounced(client, tenant);
    }

    [Fact]
    public async Task An_access_key_aws_does_not_know_is_a_422_naming_the_key_id()
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);

        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(accessKeyId: "AKIAUNKNOWN000000000"), Ct);

        await AssertConnectionProblem(response, "aws.accessKeyId", "InvalidClientTokenId");
        await AssertNothingStoredOrAnnounced(client, tenant);
    }

    [Fact]
    public async Task A_mismatched_external_id_is_a_422_naming_the_external_id_without_echoing_it()
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);
        var wrong = "WRONG-external-id-" + Guid.NewGuid().ToString("N");

        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.RoleBody(wrong), Ct);

        var problem = await AssertConnectionProblem(response, "aws.externalId", "AccessDenied");
        problem.ShouldContain("external id");
        problem.ShouldNotContain(wrong);
        problem.ShouldNotContain(service.Aws.ExternalId);
        await AssertNothingStoredOrAnnounced(client, tenant);
    }

    [Fact]
    public async Task A_role_in_an_account_the_platform_cannot_reach_is_a_422()
    {
        var tenant = NewTenant();
        using var client = service.Client(tenant);

        var response = await client.PostAsJsonAsync("api/accounts", service.Aws.RoleBody(roleArn: "arn:aws:iam::999999999999:role/OffloadScanner"), Ct);

        await AssertConnectionProblem(response, "aws.externalId", "AccessDenied");
        await AssertNothingStoredOrAnnounced(client, tenant);
    }

    private static async Task<string> AssertConnectionProblem(HttpResponseMessage response, string field, string providerCode)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(422);
        problem.RootElement.GetProperty("providerCode").GetString().ShouldBe(providerCode);
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out var reason).ShouldBeTrue(text);
        reason[0].GetString()!.ShouldContain(providerCode);
        return text;
    }

    private async Task AssertNothingStoredOrAnnounced(HttpClient client, string tenant)
    {
        (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct)).ShouldBeEmpty();
        (await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory)).ShouldNotContain(tenant);
        service.Harness.Published.Select<AccountConnected>(Ct).ShouldNotContain(m => m.Context.Message.TenantId == tenant);
    }
}
