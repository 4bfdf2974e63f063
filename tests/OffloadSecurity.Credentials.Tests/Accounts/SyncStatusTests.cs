using System.Net.Http.Json;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests.Accounts;

public class SyncStatusTests(CredentialsHost service) : IClassFixture<CredentialsHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_follows_the_scans_of_the_account()
    {
        const string tenant = "tenant-status";
        using var client = service.Client(tenant);
        var body = service.Aws.KeysBody();
        var account = await (await client.PostAsJsonAsync("api/accounts", body, Ct)).Content.ReadFromJsonAsync<AccountView>(Ct);
        var scan = Guid.NewGuid();
        var t0 = DateTimeOffset.UtcNow;

        await Publish(new ScanStarted { TenantId = tenant, AccountId = account!.Id, ScanId = scan, StartedAt = t0 });
        await Until(client, account.Id, SyncStatus.Syncing);

        await Publish(new ScanFailed { TenantId = tenant, AccountId = account.Id, ScanId = scan, Reason = "AWS rejected the credentials", FailedAt = t0.AddSeconds(5) });
        var failed = await Until(client, account.Id, SyncStatus.Error);
        failed.StatusMessage.ShouldBe("AWS rejected the credentials");

        var next = Guid.NewGuid();
        await Publish(new ScanCompleted
        {
            TenantId = tenant,
            AccountId = account.Id,
            ScanId = next,
            CompletedAt = t0.AddMinutes(1),
            Sources = [new SourceSummary { Source = "aws.securityhub", Complete = true, Findings = 3 }],
        });
        var synced = await Until(client, account.Id, SyncStatus.Synced);
        synced.LastScanId.ShouldBe(next);
        synced.StatusMessage.ShouldBeNull();
    }

    private Task Publish<T>(T message) where T : class => service.Harness.Bus.Publish(message, Ct);

    private static Task<AccountView> Until(HttpClient client, Guid id, SyncStatus status) =>
        Eventually.Until(() => Get(client, id), a => a.Status == status, $"account {id} to be {status}");

    private static async Task<AccountView> Get(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<AccountView>($"api/accounts/{id}", Ct))!;
}
