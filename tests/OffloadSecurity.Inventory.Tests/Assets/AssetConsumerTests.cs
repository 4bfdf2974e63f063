using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Inventory.Assets;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;
using static OffloadSecurity.Inventory.Tests.Assets.SampleAssets;

namespace OffloadSecurity.Inventory.Tests.Assets;

/// <summary>The asset consumers on MassTransit's test harness, over a real SQLite store.</summary>
public sealed class AssetConsumerTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly SqliteAssetStore _store;
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;

    public AssetConsumerTests() => _store = new SqliteAssetStore(new SqliteDatabase(_dir.File("assets.db")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _store.InitializeAsync(Ct);
        _provider = new ServiceCollection()
            .AddSingleton<IAssetStore>(_store)
            .AddLogging()
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<AssetsObservedConsumer>();
                bus.AddConsumer<ImagesObservedConsumer>();
                bus.AddConsumer<WorkloadsObservedConsumer>();
                bus.AddConsumer<AssetsAccountDeletedConsumer>();
            })
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop(Ct);
        await _provider.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Each_batch_is_stored_and_a_redelivery_duplicates_nothing()
    {
        var account = Guid.NewGuid();
        var assets = AssetBatch(Tenant, account, T0, [.. Enumerable.Range(0, 500).Select(i => Asset("a" + i))]);
        var images = ImageBatch(Tenant, account, T0, Image("api", "1", "v1"));
        var workloads = WorkloadBatch(Tenant, account, T0, Workload("prod", "shop", "Deployment", "api"));

        foreach (var _ in new[] { 1, 2 })
        {
            await _harness.Bus.Publish(assets, Ct);
            await _harness.Bus.Publish(images, Ct);
            await _harness.Bus.Publish(workloads, Ct);
        }

        await _harness.InactivityTask;
        _harness.GetConsumerHarness<AssetsObservedConsumer>().Consumed.Select<AssetsObserved>(Ct).Count().ShouldBe(2);
        _harness.GetConsumerHarness<ImagesObservedConsumer>().Consumed.Select<ImagesObserved>(Ct).Count().ShouldBe(2);
        _harness.GetConsumerHarness<WorkloadsObservedConsumer>().Consumed.Select<WorkloadsObserved>(Ct).Count().ShouldBe(2);
        _harness.Published.Select<Fault>(Ct).ShouldBeEmpty();
        var stored = new List<AssetRecord>();
        string? cursor = null;
        do
        {
            var page = await _store.QueryAssetsAsync(Tenant, new AssetQuery { Limit = 500, Cursor = cursor }, Ct);
            stored.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        stored.Count.ShouldBe(500);
        stored.ShouldAllBe(a => a.LastSeen == T0 && a.LastScanId == assets.ScanId);
        (await _store.QueryImagesAsync(Tenant, new ImageQuery(), Ct)).Items.Count.ShouldBe(1);
        (await _store.QueryWorkloadsAsync(Tenant, new WorkloadQuery(), Ct)).Items.Single().ResourceId.ShouldBe("prod/shop/Deployment/api");
    }

    [Theory]
    [InlineData("no tenant")]
    [InlineData("no account")]
    [InlineData("too many")]
    [InlineData("asset without id")]
    [InlineData("image without digest")]
    [InlineData("workload without name")]
    public async Task A_malformed_batch_is_refused_whole_and_nothing_of_it_is_stored(string malformation)
    {
        var account = Guid.NewGuid();
        object message = malformation switch
        {
            "no tenant" => AssetBatch(" ", account, T0, Asset("a")),
            "no account" => AssetBatch(Tenant, Guid.Empty, T0, Asset("a")),
            "too many" => AssetBatch(Tenant, account, T0, [.. Enumerable.Range(0, 501).Select(i => Asset("a" + i))]),
            "asset without id" => AssetBatch(Tenant, account, T0, Asset("a"), Asset("b") with { Id = "" }),
            "image without digest" => ImageBatch(Tenant, account, T0, Image("api", "1"), Image("api", "2") with { Digest = " " }),
            _ => WorkloadBatch(Tenant, account, T0, Workload("prod", "shop", "Deployment", "api"), Workload("prod", "shop", "Deployment", "")),
        };

        await _harness.Bus.Publish(message, Ct);

        await _harness.InactivityTask;
        (await _harness.Published.Any<Fault>(Ct)).ShouldBeTrue();
        (await _store.QueryAssetsAsync(Tenant, new AssetQuery(), Ct)).Items.ShouldBeEmpty();
        (await _store.QueryImagesAsync(Tenant, new ImageQuery(), Ct)).Items.ShouldBeEmpty();
        (await _store.QueryWorkloadsAsync(Tenant, new WorkloadQuery(), Ct)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Account_deleted_removes_that_accounts_assets_images_and_workloads_only_in_its_tenant()
    {
        var deleted = Guid.NewGuid();
        var kept = Guid.NewGuid();
        await _store.UpsertAssetsAsync(AssetBatch(Tenant, deleted, T0, Asset("d1")), Ct);
        await _store.UpsertAssetsAsync(AssetBatch(Tenant, kept, T0, Asset("k1")), Ct);
        await _store.UpsertAssetsAsync(AssetBatch("tenant-b", deleted, T0, Asset("d1")), Ct);
        await _store.UpsertImagesAsync(ImageBatch(Tenant, deleted, T0, Image("api", "1")), Ct);
        await _store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, deleted, T0, Workload("prod", "shop", "Deployment", "api")), Ct);

        await _harness.Bus.Publish(new AccountDeleted { TenantId = Tenant, AccountId = deleted, DeletedAt = T0 }, Ct);

        (await _harness.GetConsumerHarness<AssetsAccountDeletedConsumer>().Consumed.Any<AccountDeleted>(Ct)).ShouldBeTrue();
        await _harness.InactivityTask;
        (await _store.QueryAssetsAsync(Tenant, new AssetQuery(), Ct)).Items.Select(a => a.Name).ShouldBe(["k1"]);
        (await _store.QueryAssetsAsync("tenant-b", new AssetQuery(), Ct)).Items.Select(a => a.Name).ShouldBe(["d1"]);
        (await _store.QueryImagesAsync(Tenant, new ImageQuery(), Ct)).Items.ShouldBeEmpty();
        (await _store.QueryWorkloadsAsync(Tenant, new WorkloadQuery(), Ct)).Items.ShouldBeEmpty();
    }
}
