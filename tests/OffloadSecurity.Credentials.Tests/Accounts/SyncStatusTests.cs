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

    [Fact]
    public async Task Cancelling_a_sync_asks_the_scanners_and_the_account_shows_Cancelled_once_they_stopped()
    {
        const string tenant = "tenant-cancel";
        using var client = service.Client(tenant);
        var account = await (await client.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(), Ct)).Content.ReadFromJsonAsync<AccountView>(Ct);
        var scan = Guid.NewGuid();
        await Publish(new ScanStarted { TenantId = tenant, AccountId = account!.Id, ScanId = scan, StartedAt = DateTimeOffset.UtcNow });
        await Until(client, account.Id, SyncStatus.Syncing);

        var response = await client.PostAsync($"api/accounts/{account.Id}/sync/cancel", null, Ct);

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
        (await service.Harness.Published.Any<CancelScan>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeTrue();
        var cancel = service.Harness.Published.Select<CancelScan>(Ct).Single(m => m.Context.Message.AccountId == account.Id).Context.Message;
        cancel.TenantId.ShouldBe(tenant);

        await Publish(new ScanCancelled { TenantId = tenant, AccountId = account.Id, ScanId = scan, CancelledAt = DateTimeOffset.UtcNow });
        var cancelled = await Until(client, account.Id, SyncStatus.Cancelled);
        cancelled.LastScanId.ShouldBe(scan);
        cancelled.StatusMessage.ShouldNotBeNull().ShouldContain("cancelled");
    }

    [Fact]
    public async Task Another_tenant_cannot_cancel_an_accounts_sync()
    {
        using var owner = service.Client("tenant-cancel-owner");
        var account = await (await owner.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(), Ct)).Content.ReadFromJsonAsync<AccountView>(Ct);
        using var other = service.Client("tenant-cancel-other");

        var response = await other.PostAsync($"api/accounts/{account!.Id}/sync/cancel", null, Ct);

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await service.Harness.Published.Any<CancelScan>(m => m.Context.Message.AccountId == account.Id, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task An_incremental_source_is_not_reported_as_partial_on_the_account()
    {
        const string tenant = "tenant-incremental";
        using var client = service.Client(tenant);
        var account = await (await client.PostAsJsonAsync("api/accounts", service.Aws.KeysBody(), Ct)).Content.ReadFromJsonAsync<AccountView>(Ct);

        await Publish(new ScanCompleted
        {
            TenantId = tenant,
            AccountId = account!.Id,
            ScanId = Guid.NewGuid(),
            CompletedAt = DateTimeOffset.UtcNow,
            Sources =
            [
                new SourceSummary { Source = "aws.securityhub", Complete = false, Incremental = true, Findings = 4 },
                new SourceSummary { Source = "aws.guardduty", Complete = false, Findings = 0, Reason = "eu-west-1: AccessDeniedException" },
            ],
        });

        var synced = await Until(client, account.Id, SyncStatus.Synced);
        synced.StatusMessage.ShouldBe("aws.guardduty: eu-west-1: AccessDeniedException");
    }

    private Task Publish<T>(T message) where T : class => service.Harness.Bus.Publish(message, Ct);

    private static Task<AccountView> Until(HttpClient client, Guid id, SyncStatus status) =>
        Eventually.Until(() => Get(client, id), a => a.Status == status, $"account {id} to be {status}");

    private static async Task<AccountView> Get(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<AccountView>($"api/accounts/{id}", Ct))!;
}
