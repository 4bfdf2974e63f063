using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Aws;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Tests.Broker;

public class CredentialBrokerTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(string Tenant, AccountView Account)> Connect(object body)
    {
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        using var client = service.Client(tenant);
        var response = await client.PostAsJsonAsync("api/accounts", body, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (tenant, (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!);
    }

    private async Task<HttpResponseMessage> Issue(string tenant, Guid accountId)
    {
        using var scanner = service.Client(tenant, Roles.Service);
        return await scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = tenant, accountId }, Ct);
    }

    [Fact]
    public async Task Access_keys_are_exchanged_for_an_sts_session_of_at_most_an_hour_so_the_secret_never_leaves()
    {
        var (tenant, account) = await Connect(service.Aws.KeysBody());

        using var response = await Issue(tenant, account.Id);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync(Ct);
        text.ShouldNotContain(service.Aws.SecretAccessKey);
        var credentials = JsonSerializer.Deserialize<AwsScanCredentials>(text, JsonSerializerOptions.Web)!;
        credentials.AccessKeyId.ShouldStartWith("ASIA");
        credentials.SessionToken.ShouldNotBeNullOrEmpty();
        credentials.ExpiresAt.ShouldNotBeNull();
        credentials.ExpiresAt.Value.ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddHours(1).AddSeconds(5));
        credentials.ExpiresAt.Value.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(50));
        (await GetFindingsStatus(credentials)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_role_is_assumed_with_the_external_id_for_at_most_an_hour()
    {
        var (tenant, account) = await Connect(service.Aws.RoleBody());

        using var response = await Issue(tenant, account.Id);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var credentials = (await response.Content.ReadFromJsonAsync<AwsScanCredentials>(Ct))!;
        credentials.AccessKeyId.ShouldStartWith("ASIA");
        credentials.ExpiresAt!.Value.ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddHours(1).AddSeconds(5));
        credentials.DefaultRegion.ShouldBe("us-east-1");
        (await GetFindingsStatus(credentials)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_disconnected_account_gets_no_credentials()
    {
        var (tenant, account) = await Connect(service.Aws.KeysBody());
        using var admin = service.Client(tenant);
        (await admin.PostAsync($"api/accounts/{account.Id}/disconnect", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var response = await Issue(tenant, account.Id);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public void The_session_policy_allows_only_the_read_apis_the_scanner_uses()
    {
        using var policy = JsonDocument.Parse(ReadOnlySessionPolicy.Json);

        var statement = policy.RootElement.GetProperty("Statement").EnumerateArray().ShouldHaveSingleItem();
        statement.GetProperty("Effect").GetString().ShouldBe("Allow");
        var actions = statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!).ToList();
        actions.ShouldBe(
            ["securityhub:GetFindings", "guardduty:List*", "guardduty:Get*", "ecr:Describe*", "ec2:Describe*", "s3:GetBucket*", "s3:ListAllMyBuckets", "tag:GetResources"],
            ignoreOrder: true);
        actions.ShouldAllBe(a => !a.Contains(":Put") && !a.Contains(":Delete") && !a.Contains(":Create") && a != "*");
        ReadOnlySessionPolicy.Json.Length.ShouldBeLessThan(2048);
    }

    /// <summary>The issued session, used the way the scanner uses it: a signed Security Hub call to the sandbox.</summary>
    private async Task<HttpStatusCode> GetFindingsStatus(AwsScanCredentials credentials)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service.Aws.Address, "/findings"))
        {
            Content = new StringContent("{\"MaxResults\":1}", Encoding.UTF8, "application/json"),
        };
        await new SigV4Signer().SignAsync(request, new AwsCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            "us-east-1", "securityhub", Ct);
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
