using System.Text.Json;
using OffloadSecurity.Inventory.Assets;
using static OffloadSecurity.Inventory.Tests.Assets.SampleAssets;

namespace OffloadSecurity.Inventory.Tests.Assets.Contract;

/// <summary>
/// What every <see cref="IAssetStore"/> must do, whatever the backend: one suite, run by one concrete class per store
/// (<see cref="SqliteAssetStoreContract"/> on real SQLite files, <see cref="MongoAssetStoreContract"/> on a real
/// MongoDB where one is reachable). Each test gets a fresh, empty store.
/// </summary>
public abstract partial class AssetStoreContract : IAsyncLifetime
{
    protected const string Tenant = "tenant-a";
    protected const string OtherTenant = "tenant-b";
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    protected static readonly Guid Account = Guid.NewGuid();
    protected static readonly Guid OtherAccount = Guid.NewGuid();

    protected IAssetStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh store with its schema (or skips the test, saying why, when the backend is not reachable here).</summary>
    protected abstract Task<IAssetStore> CreateStoreAsync();

    protected abstract ValueTask DisposeStoreAsync();

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public ValueTask DisposeAsync() => DisposeStoreAsync();

    protected async Task<List<AssetRecord>> AllAssets(string tenant = Tenant, AssetQuery? query = null) =>
        [.. (await Store.QueryAssetsAsync(tenant, (query ?? new AssetQuery()) with { Limit = 500 }, Ct)).Items];

    protected async Task<List<ImageRecord>> AllImages(string tenant = Tenant, ImageQuery? query = null) =>
        [.. (await Store.QueryImagesAsync(tenant, (query ?? new ImageQuery()) with { Limit = 500 }, Ct)).Items];

    protected async Task<List<WorkloadRecord>> AllWorkloads(string tenant = Tenant, WorkloadQuery? query = null) =>
        [.. (await Store.QueryWorkloadsAsync(tenant, (query ?? new WorkloadQuery()) with { Limit = 500 }, Ct)).Items];

    protected static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    // ---------------------------------------------------------------- idempotency

    [Fact]
    public async Task The_same_asset_batch_twice_is_one_record_each_and_changes_nothing()
    {
        var batch = AssetBatch(Tenant, Account, T0, Asset("a"), Asset("b"));

        (await Store.UpsertAssetsAsync(batch, Ct)).ShouldBe(2);
        var first = await AllAssets();
        (await Store.UpsertAssetsAsync(batch, Ct)).ShouldBe(0);

        var second = await AllAssets();
        second.Count.ShouldBe(2);
        Json(second).ShouldBe(Json(first));
        second.ShouldAllBe(a => a.FirstSeen == T0 && a.LastSeen == T0 && a.LastScanId == batch.ScanId && a.AccountId == Account);
    }

    [Fact]
    public async Task The_same_image_and_workload_batches_twice_are_one_record_each_and_change_nothing()
    {
        var images = ImageBatch(Tenant, Account, T0, Image("api", "1", "v1"), Image("web", "2", "latest"));
        var workloads = WorkloadBatch(Tenant, Account, T0, Workload("prod", "shop", "Deployment", "api"), Workload("prod", "", "ClusterRole", "view"));

        (await Store.UpsertImagesAsync(images, Ct)).ShouldBe(2);
        (await Store.UpsertWorkloadsAsync(workloads, Ct)).ShouldBe(2);
        var (firstImages, firstWorkloads) = (await AllImages(), await AllWorkloads());
        (await Store.UpsertImagesAsync(images, Ct)).ShouldBe(0);
        (await Store.UpsertWorkloadsAsync(workloads, Ct)).ShouldBe(0);

        Json(await AllImages()).ShouldBe(Json(firstImages));
        Json(await AllWorkloads()).ShouldBe(Json(firstWorkloads));
        firstImages.Count.ShouldBe(2);
        firstWorkloads.Count.ShouldBe(2);
        firstImages.ShouldAllBe(i => i.LastSeen == T0 && i.FirstSeen == T0);
        firstWorkloads.ShouldAllBe(w => w.LastSeen == T0 && w.FirstSeen == T0);
    }

    [Fact]
    public async Task A_key_twice_in_one_batch_is_one_record_with_its_last_occurrence()
    {
        (await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a") with { Name = "first" }, Asset("a") with { Name = "second" }), Ct)).ShouldBe(1);

        (await AllAssets()).Single().Name.ShouldBe("second");
    }

    [Fact]
    public async Task Keys_are_the_natural_ids_hashed_and_the_same_in_every_store()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a")), Ct);
        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0, Image("api", "1")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0, Workload("prod", "shop", "Deployment", "api")), Ct);

        var asset = (await AllAssets()).Single();
        asset.Id.ShouldBe(AssetKeys.Asset("arn:aws:s3:::a"));
        asset.ResourceId.ShouldBe("arn:aws:s3:::a");
        var image = (await AllImages()).Single();
        image.Id.ShouldBe(AssetKeys.Image(Registry, "api", Digest("1")));
        image.Reference.ShouldBe($"{Registry}/api@{Digest("1")}");
        var workload = (await AllWorkloads()).Single();
        workload.Id.ShouldBe(AssetKeys.Workload("prod", "shop", "Deployment", "api"));
        workload.ResourceId.ShouldBe("prod/shop/Deployment/api");
    }

    // ---------------------------------------------------------------- order of observations

    [Fact]
    public async Task A_newer_batch_updates_content_and_last_seen_and_keeps_first_seen()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a")), Ct);
        var rescan = AssetBatch(Tenant, OtherAccount, T0.AddHours(6),
            Asset("a") with { Name = "renamed", Region = "us-east-1", Tags = new Dictionary<string, string> { ["env"] = "dev" }, RawJson = """{"v":2}""" });

        (await Store.UpsertAssetsAsync(rescan, Ct)).ShouldBe(0);

        var asset = (await Store.FindAssetAsync(Tenant, AssetKeys.Asset("arn:aws:s3:::a"), Ct))!;
        asset.ShouldSatisfyAllConditions(
            a => a.Name.ShouldBe("renamed"),
            a => a.Region.ShouldBe("us-east-1"),
            a => a.Tags.ShouldBe(new Dictionary<string, string> { ["env"] = "dev" }),
            a => a.RawJson.ShouldBe("""{"v":2}"""),
            a => a.AccountId.ShouldBe(OtherAccount),
            a => a.LastScanId.ShouldBe(rescan.ScanId),
            a => a.FirstSeen.ShouldBe(T0),
            a => a.LastSeen.ShouldBe(T0.AddHours(6)));
    }

    [Fact]
    public async Task An_older_asset_batch_delivered_late_never_moves_last_seen_back_nor_overwrites_newer_content()
    {
        var newer = AssetBatch(Tenant, Account, T0.AddHours(6), Asset("a") with { Name = "new", RawJson = """{"v":"new"}""" });
        var older = AssetBatch(Tenant, OtherAccount, T0, Asset("a") with { Name = "old", RawJson = """{"v":"old"}""", Region = null });

        await Store.UpsertAssetsAsync(newer, Ct);
        (await Store.UpsertAssetsAsync(older, Ct)).ShouldBe(0);

        var asset = (await Store.FindAssetAsync(Tenant, AssetKeys.Asset("arn:aws:s3:::a"), Ct))!;
        asset.ShouldSatisfyAllConditions(
            a => a.LastSeen.ShouldBe(T0.AddHours(6)),
            a => a.Name.ShouldBe("new"),
            a => a.RawJson.ShouldBe("""{"v":"new"}"""),
            a => a.Region.ShouldBe("eu-west-1"),
            a => a.AccountId.ShouldBe(Account),
            a => a.LastScanId.ShouldBe(newer.ScanId),
            a => a.FirstSeen.ShouldBe(T0, "an older sighting does tell when the asset was first seen"));
    }

    [Fact]
    public async Task Older_image_and_workload_batches_delivered_late_never_regress_them()
    {
        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0.AddHours(6), Image("api", "1", "v2", "latest")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0.AddHours(6), Workload("prod", "shop", "Deployment", "api", "api:v2")), Ct);

        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0, Image("api", "1", "v1")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0, Workload("prod", "shop", "Deployment", "api", "api:v1")), Ct);

        var image = (await AllImages()).Single();
        image.Tags.ShouldBe(["v2", "latest"]);
        image.LastSeen.ShouldBe(T0.AddHours(6));
        image.FirstSeen.ShouldBe(T0);
        var workload = (await AllWorkloads()).Single();
        workload.Images.ShouldBe(["api:v2"]);
        workload.LastSeen.ShouldBe(T0.AddHours(6));
        workload.FirstSeen.ShouldBe(T0);
    }

    [Fact]
    public async Task Interleaved_batches_in_any_order_end_at_the_newest_observation()
    {
        var times = new[] { T0.AddHours(3), T0, T0.AddHours(9), T0.AddHours(6), T0.AddHours(9), T0.AddHours(1) };
        foreach (var at in times)
        {
            await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, at, Asset("a") with { Name = "seen " + at.Hour }), Ct);
        }

        var asset = (await AllAssets()).Single();
        asset.Name.ShouldBe("seen 18");
        asset.FirstSeen.ShouldBe(T0);
        asset.LastSeen.ShouldBe(T0.AddHours(9));
    }

    [Fact]
    public async Task Text_that_looks_like_an_operator_or_a_path_is_stored_as_is()
    {
        var odd = Asset("odd") with
        {
            Name = "$name",
            Region = "$$ROOT",
            Tags = new Dictionary<string, string> { ["a.b"] = "$x", ["$key"] = "{\"$gt\":1}", ["aws:cloudformation:stack-name"] = "" },
            RawJson = """{"$set":{"a":1}}""",
        };

        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, odd), Ct);
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0.AddHours(1), odd), Ct);

        var asset = (await Store.FindAssetAsync(Tenant, AssetKeys.Asset(odd.Id), Ct))!;
        asset.Name.ShouldBe("$name");
        asset.Region.ShouldBe("$$ROOT");
        asset.Tags.ShouldBe(odd.Tags, ignoreOrder: true);
        asset.RawJson.ShouldBe(odd.RawJson);
    }

    // ---------------------------------------------------------------- account deletion

    [Fact]
    public async Task Deleting_an_account_removes_what_it_reported_in_its_tenant_only()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a1"), Asset("a2")), Ct);
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, OtherAccount, T0, Asset("k1")), Ct);
        await Store.UpsertAssetsAsync(AssetBatch(OtherTenant, Account, T0, Asset("a1")), Ct);
        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0, Image("api", "1")), Ct);
        await Store.UpsertImagesAsync(ImageBatch(Tenant, OtherAccount, T0, Image("api", "2")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0, Workload("prod", "shop", "Deployment", "api"), Workload("prod", "shop", "Deployment", "web")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(OtherTenant, Account, T0, Workload("prod", "shop", "Deployment", "api")), Ct);

        var removed = await Store.DeleteAccountAsync(Tenant, Account, Ct);

        removed.ShouldBe(new AssetsRemoved(2, 1, 2));
        (await AllAssets()).Select(a => a.Name).ShouldBe(["k1"]);
        (await AllImages()).Select(i => i.Digest).ShouldBe([Digest("2")]);
        (await AllWorkloads()).ShouldBeEmpty();
        (await Store.ClustersAsync(Tenant, null, Ct)).ShouldBeEmpty();
        (await AllAssets(OtherTenant)).Count.ShouldBe(1);
        (await AllWorkloads(OtherTenant)).Count.ShouldBe(1);
        (await Store.DeleteAccountAsync(Tenant, Account, Ct)).ShouldBe(new AssetsRemoved(0, 0, 0));
    }

    // ---------------------------------------------------------------- tenants

    [Fact]
    public async Task Another_tenant_never_finds_or_lists_a_record()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a")), Ct);
        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0, Image("api", "1")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0, Workload("prod", "shop", "Deployment", "api")), Ct);
        var (asset, image, workload) = ((await AllAssets()).Single(), (await AllImages()).Single(), (await AllWorkloads()).Single());

        (await Store.FindAssetAsync(OtherTenant, asset.Id, Ct)).ShouldBeNull();
        (await Store.FindImageAsync(OtherTenant, image.Id, Ct)).ShouldBeNull();
        (await Store.FindWorkloadAsync(OtherTenant, workload.Id, Ct)).ShouldBeNull();
        (await AllAssets(OtherTenant, new AssetQuery { ResourceId = asset.ResourceId })).ShouldBeEmpty();
        (await AllImages(OtherTenant, new ImageQuery { Digest = image.Digest })).ShouldBeEmpty();
        (await AllWorkloads(OtherTenant, new WorkloadQuery { Cluster = "prod" })).ShouldBeEmpty();
        (await Store.ClustersAsync(OtherTenant, null, Ct)).ShouldBeEmpty();

        // The same natural id in another tenant is another record.
        await Store.UpsertAssetsAsync(AssetBatch(OtherTenant, OtherAccount, T0.AddHours(1), Asset("a") with { Name = "theirs" }), Ct);
        (await Store.FindAssetAsync(Tenant, asset.Id, Ct))!.Name.ShouldBe("a");
        (await Store.FindAssetAsync(OtherTenant, asset.Id, Ct))!.Name.ShouldBe("theirs");
    }
}
