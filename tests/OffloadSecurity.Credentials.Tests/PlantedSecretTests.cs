using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>
/// Plants unique secret values (the tenant's secret access key and external id, the platform's own secret; an Azure client
/// secret, a GCP private key, Kubernetes tokens and a client key, a registry access token), drives every endpoint and
/// error path with them, and searches every response, log line, published message and the database file for them.
/// </summary>
public class PlantedSecretTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private const string Tenant = "tenant-planted";
    private readonly List<string> _responses = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_secret_appears_in_any_response_log_line_or_published_message()
    {
        using var admin = service.Client(Tenant);
        using var scanner = service.Client(Tenant, Roles.Service);
        var aws = service.Aws;
        var other = new ProviderTestData();
        string[] planted = [aws.SecretAccessKey, aws.ExternalId, AwsSandbox.PlatformSecretAccessKey, .. other.PlantedSecrets];

        // Connect: ok with keys, ok with a role, invalid input, failed connection tests, oversized.
        var keys = await Read<AccountView>(await Send(admin.PostAsJsonAsync("api/accounts", aws.KeysBody(), Ct)), HttpStatusCode.Created);
        var role = await Read<AccountView>(await Send(admin.PostAsJsonAsync("api/accounts", aws.RoleBody(), Ct)), HttpStatusCode.Created);
        await Expect(admin.PostAsJsonAsync("api/accounts", new { provider = "Aws", displayName = "x", aws = new { accessKeyId = "bad", secretAccessKey = aws.SecretAccessKey } }, Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", new { provider = "Aws", displayName = "x", aws = new { roleArn = "bad", externalId = aws.ExternalId } }, Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", new { provider = "Aws", displayName = "x", aws = new { accessKeyId = AwsSandbox.AccessKeyId, secretAccessKey = aws.SecretAccessKey, roleArn = AwsSandbox.RoleArn, externalId = aws.ExternalId } }, Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", aws.KeysBody(accessKeyId: "AKIAUNKNOWN000000000"), Ct), HttpStatusCode.UnprocessableEntity);
        await Expect(admin.PostAsJsonAsync("api/accounts", aws.RoleBody(roleArn: "arn:aws:iam::111122223333:role/Other"), Ct), HttpStatusCode.UnprocessableEntity);
        await Expect(admin.PostAsJsonAsync("api/accounts", new { provider = "Aws", displayName = "x", aws = new { accessKeyId = AwsSandbox.AccessKeyId, secretAccessKey = aws.SecretAccessKey, sessionToken = aws.ExternalId + "TOKEN" } }, Ct), HttpStatusCode.UnprocessableEntity);
        await Expect(admin.PostAsync("api/accounts", new StringContent("{\"aws\":{\"secretAccessKey\":\"" + aws.SecretAccessKey + "\"", Encoding.UTF8, "application/json"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsync("api/accounts", new StringContent("{\"aws\":{\"secretAccessKey\":\"" + aws.SecretAccessKey + new string(' ', 300_000) + "\"}}", Encoding.UTF8, "application/json"), Ct), HttpStatusCode.RequestEntityTooLarge);

        // The other providers: connect each, then the same secrets through invalid input and failed connection tests.
        var others = new List<AccountView>();
        foreach (var body in new[] { other.Azure(), other.Gcp(), other.Kubernetes(), other.Kubernetes(other.Kubeconfig(user: other.ClientCertificateUser())), other.KubernetesWithToken(), other.Registry(), other.AnonymousRegistry() })
        {
            others.Add(await Read<AccountView>(await Send(admin.PostAsJsonAsync("api/accounts", body, Ct)), HttpStatusCode.Created));
        }

        await Expect(admin.PostAsJsonAsync("api/accounts", other.Azure().With("azure.tenantId", "x"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Azure().With("azure.clientSecret", other.AzureClientSecret + " x"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Azure(DateTimeOffset.UtcNow.AddDays(-1)), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Gcp(other.GcpKeyJson(k => k["type"] = "authorized_user")), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Gcp(other.GcpKeyJson()[..^40]), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Gcp(other.GcpKeyJson(k => k["private_key"] = other.GcpPrivateKeyPem.Replace("MII", "!!!", StringComparison.Ordinal))), Ct), HttpStatusCode.UnprocessableEntity);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Kubernetes(other.Kubeconfig()[..^30] + "\n  - [unclosed"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Kubernetes(other.Kubeconfig(server: "https://169.254.169.254")), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Kubernetes(other.Kubeconfig(server: "https://loopback.example.com")), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Kubernetes(other.Kubeconfig(user: [$"token: {other.KubeToken}", "exec:", "  command: sh"])), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Kubernetes(other.Kubeconfig(user: other.ClientCertificateUser(other.ClientCertificateData))), Ct), HttpStatusCode.BadRequest);
        using (var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var mismatched = other.ClientCertificateUser(ProviderTestData.Base64(strangerKey.ExportECPrivateKeyPem()));
            await Expect(admin.PostAsJsonAsync("api/accounts", other.Kubernetes(other.Kubeconfig(user: [.. mismatched, $"token: {other.KubeToken}"])), Ct), HttpStatusCode.UnprocessableEntity);
        }

        await Expect(admin.PostAsJsonAsync("api/accounts", other.KubernetesWithToken().With("kubernetes.token", other.KubeToken + " " + other.KubeToken), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.KubernetesWithToken("http://k8s.example.com"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Registry("https://bot:" + other.RegistryToken + "@registry.example.com"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Registry("localhost"), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.AnonymousRegistry().With("registry.accessToken", other.RegistryToken), Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsJsonAsync("api/accounts", other.Registry().With("registry.accessToken", other.RegistryToken + "\n"), Ct), HttpStatusCode.BadRequest);
        foreach (var account in others)
        {
            await Expect(admin.GetAsync($"api/accounts/{account.Id}", Ct), HttpStatusCode.OK);
            await Expect(admin.PatchAsJsonAsync($"api/accounts/{account.Id}", new { displayName = "renamed-" + account.Provider }, Ct), HttpStatusCode.OK);
            await Expect(admin.PostAsync($"api/accounts/{account.Id}/sync", null, Ct), HttpStatusCode.Accepted);
            await Expect(scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = Tenant, accountId = account.Id }, Ct), HttpStatusCode.NotFound);
        }

        // Read, change, sync, broker.
        await Expect(admin.GetAsync("api/accounts", Ct), HttpStatusCode.OK);
        await Expect(admin.GetAsync($"api/accounts/{keys.Id}", Ct), HttpStatusCode.OK);
        await Expect(admin.GetAsync($"api/accounts/{role.Id}", Ct), HttpStatusCode.OK);
        await Expect(admin.PatchAsJsonAsync($"api/accounts/{keys.Id}", new { displayName = "renamed", regions = new[] { "us-east-1" } }, Ct), HttpStatusCode.OK);
        await Expect(admin.PatchAsJsonAsync($"api/accounts/{keys.Id}", new { displayName = aws.SecretAccessKey + new string('x', 100) }, Ct), HttpStatusCode.BadRequest);
        await Expect(admin.PostAsync($"api/accounts/{keys.Id}/sync", null, Ct), HttpStatusCode.Accepted);
        await Expect(scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = Tenant, accountId = keys.Id }, Ct), HttpStatusCode.OK);
        await Expect(scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = Tenant, accountId = role.Id }, Ct), HttpStatusCode.OK);
        await Expect(admin.PostAsJsonAsync("internal/credentials/aws", new { tenantId = Tenant, accountId = keys.Id }, Ct), HttpStatusCode.Forbidden);

        // Disconnect, then everything that must now refuse; delete.
        await Expect(admin.PostAsync($"api/accounts/{keys.Id}/disconnect", null, Ct), HttpStatusCode.OK);
        await Expect(admin.PostAsync($"api/accounts/{keys.Id}/sync", null, Ct), HttpStatusCode.Conflict);
        await Expect(scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = Tenant, accountId = keys.Id }, Ct), HttpStatusCode.Conflict);
        await Expect(admin.DeleteAsync($"api/accounts/{role.Id}", Ct), HttpStatusCode.NoContent);
        await Expect(admin.DeleteAsync($"api/accounts/{role.Id}", Ct), HttpStatusCode.NotFound);
        var stored = await CredentialsDatabase.ReadAllTextAsync(service.DataDirectory);
        await Expect(admin.PostAsync($"api/accounts/{others[0].Id}/disconnect", null, Ct), HttpStatusCode.OK);
        await Expect(admin.DeleteAsync($"api/accounts/{others[1].Id}", Ct), HttpStatusCode.NoContent);

        var published = service.Harness.Published.Select(_ => true, Ct)
            .Select(m => JsonSerializer.Serialize(m.MessageObject, m.MessageType)).ToList();
        published.ShouldContain(m => m.Contains(keys.Id.ToString()));
        published.Count.ShouldBeGreaterThanOrEqualTo(6 + (3 * others.Count));
        var lastId = others[^1].Id.ToString();
        published.ShouldContain(m => m.Contains(lastId));
        var logs = service.Host.Logs.ToList();
        logs.ShouldNotBeEmpty();
        _responses.Count.ShouldBeGreaterThan(70);
        foreach (var secret in planted)
        {
            _responses.ShouldAllBe(r => !r.Contains(secret));
            logs.ShouldAllBe(line => !line.Contains(secret));
            published.ShouldAllBe(m => !m.Contains(secret));
            stored.ShouldNotContain(secret);
        }
    }

    private async Task<HttpResponseMessage> Send(Task<HttpResponseMessage> call)
    {
        var response = await call;
        _responses.Add($"{(int)response.StatusCode} {response.Headers} {response.Content.Headers} {await response.Content.ReadAsStringAsync(Ct)}");
        return response;
    }

    private async Task Expect(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await Send(call);
        response.StatusCode.ShouldBe(status, _responses[^1][..Math.Min(400, _responses[^1].Length)] + string.Join("\n", service.Host.Logs.Where(l => l.StartsWith("Error", StringComparison.Ordinal))));
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            response.StatusCode.ShouldBe(status);
            return (await response.Content.ReadFromJsonAsync<T>(Ct))!;
        }
    }
}
