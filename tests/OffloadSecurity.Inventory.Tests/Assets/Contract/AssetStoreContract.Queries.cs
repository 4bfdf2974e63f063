using OffloadSecurity.Contracts;
using OffloadSecurity.Inventory.Assets;
using static OffloadSecurity.Inventory.Tests.Assets.SampleAssets;

namespace OffloadSecurity.Inventory.Tests.Assets.Contract;

/// <summary>Lists: filters, keyset paging, clusters, and what a detail holds that a list leaves out.</summary>
public abstract partial class AssetStoreContract
{
    [Fact]
    public async Task A_detail_holds_the_raw_json_and_a_list_leaves_it_out()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a")), Ct);

        (await AllAssets()).Single().RawJson.ShouldBeNull();
        (await Store.FindAssetAsync(Tenant, AssetKeys.Asset("arn:aws:s3:::a"), Ct))!.RawJson.ShouldBe("""{"Name":"a"}""");
        (await Store.FindAssetAsync(Tenant, AssetKeys.Asset("arn:aws:s3:::missing"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Asset_filters_narrow_the_list()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0,
            Asset("web-1", "AwsEc2Instance"),
            Asset("web-2", "AwsEc2Instance", region: "us-east-1"),
            Asset("logs_bucket"),
            Asset("vm", "Microsoft.Compute/virtualMachines", CloudProvider.Azure, "westeurope")), Ct);
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, OtherAccount, T0, Asset("logs%bucket")), Ct);

        async Task<List<string?>> Names(AssetQuery query) => [.. (await AllAssets(query: query)).Select(a => a.Name)];

        (await Names(new AssetQuery { Provider = CloudProvider.Azure })).ShouldBe(["vm"]);
        (await Names(new AssetQuery { AccountId = OtherAccount })).ShouldBe(["logs%bucket"]);
        (await Names(new AssetQuery { Type = "AwsEc2Instance" })).ShouldBe(["web-1", "web-2"]);
        (await Names(new AssetQuery { Region = "us-east-1" })).ShouldBe(["web-2"]);
        (await Names(new AssetQuery { ResourceId = "arn:aws:s3:::web-1" })).ShouldBe(["web-1"]);
        (await Names(new AssetQuery { ResourceId = "arn:aws:s3:::web" })).ShouldBeEmpty();
        (await Names(new AssetQuery { Text = "WEB" })).ShouldBe(["web-1", "web-2"]);
        (await Names(new AssetQuery { Text = "s_b" })).ShouldBe(["logs_bucket"], "_ is no wildcard");
        (await Names(new AssetQuery { Text = "s%b" })).ShouldBe(["logs%bucket"], "% is no wildcard");
        (await Names(new AssetQuery { Text = "s3:::" })).Count.ShouldBe(5, "the text matches the resource id too");
        (await Names(new AssetQuery { Type = "AwsEc2Instance", Region = "eu-west-1", AccountId = Account, Provider = CloudProvider.Aws })).ShouldBe(["web-1"]);
    }

    [Fact]
    public async Task Image_filters_narrow_the_list()
    {
        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0,
            Image("api", "1", "v1", "latest"), Image("api", "2", "v2"), Image("web", "3", "latest")), Ct);
        await Store.UpsertImagesAsync(ImageBatch(Tenant, OtherAccount, T0, Image("web", "4") with { Registry = "docker.io" }), Ct);

        async Task<List<string>> Digests(ImageQuery query) => [.. (await AllImages(query: query)).Select(i => i.Digest)];

        (await Digests(new ImageQuery { Repository = "api" })).ShouldBe([Digest("1"), Digest("2")], ignoreOrder: true);
        (await Digests(new ImageQuery { Tag = "latest" })).ShouldBe([Digest("1"), Digest("3")], ignoreOrder: true);
        (await Digests(new ImageQuery { Tag = "late" })).ShouldBeEmpty();
        (await Digests(new ImageQuery { Registry = "docker.io" })).ShouldBe([Digest("4")]);
        (await Digests(new ImageQuery { AccountId = OtherAccount })).ShouldBe([Digest("4")]);
        (await Digests(new ImageQuery { Digest = Digest("2") })).ShouldBe([Digest("2")]);
        (await Digests(new ImageQuery { Text = "DOCKER.IO/WEB" })).ShouldBe([Digest("4")]);
        (await Digests(new ImageQuery { Text = Digest("3")[..20] })).ShouldBe([Digest("3")]);
    }

    [Fact]
    public async Task Workload_filters_narrow_the_list_and_an_empty_namespace_finds_cluster_scoped_objects()
    {
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0,
            Workload("prod", "shop", "Deployment", "api"),
            Workload("prod", "shop", "DaemonSet", "agent"),
            Workload("prod", "", "ClusterRole", "view"),
            Workload("staging", "shop", "Deployment", "api")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, OtherAccount, T0, Workload("edge", "cdn", "StatefulSet", "cache")), Ct);

        async Task<List<string>> Ids(WorkloadQuery query) => [.. (await AllWorkloads(query: query)).Select(w => w.ResourceId)];

        (await Ids(new WorkloadQuery())).ShouldBe(
            ["edge/cdn/StatefulSet/cache", "prod/ClusterRole/view", "prod/shop/DaemonSet/agent", "prod/shop/Deployment/api", "staging/shop/Deployment/api"]);
        (await Ids(new WorkloadQuery { Cluster = "prod" })).Count.ShouldBe(3);
        (await Ids(new WorkloadQuery { Cluster = "prod", Namespace = "" })).ShouldBe(["prod/ClusterRole/view"]);
        (await Ids(new WorkloadQuery { Namespace = "shop", Kind = "Deployment" })).ShouldBe(["prod/shop/Deployment/api", "staging/shop/Deployment/api"]);
        (await Ids(new WorkloadQuery { AccountId = OtherAccount })).ShouldBe(["edge/cdn/StatefulSet/cache"]);
        (await Ids(new WorkloadQuery { Text = "STAGING/SHOP" })).ShouldBe(["staging/shop/Deployment/api"]);
    }

    [Fact]
    public async Task Pages_follow_the_natural_id_order_and_never_repeat_or_skip_a_row_when_records_arrive_meanwhile()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"b{i:D2}").ToArray();
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, [.. names.Select(n => Asset(n))]), Ct);

        var seen = new List<string?>();
        var page = await Store.QueryAssetsAsync(Tenant, new AssetQuery { Limit = 3 }, Ct);
        seen.AddRange(page.Items.Select(a => a.Name));
        // Meanwhile: one record sorts before the cursor, one after; a re-scan bumps the rows already shown.
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0.AddHours(1), Asset("a00"), Asset("c00"), Asset("b00"), Asset("b01")), Ct);
        while (page.NextCursor is { } cursor)
        {
            page = await Store.QueryAssetsAsync(Tenant, new AssetQuery { Limit = 3, Cursor = cursor }, Ct);
            page.Items.Count.ShouldBeLessThanOrEqualTo(3);
            seen.AddRange(page.Items.Select(a => a.Name));
        }

        seen.ShouldBe(["b00", "b01", "b02", "b03", "b04", "b05", "b06", "c00"]);
    }

    [Fact]
    public async Task Image_and_workload_pages_follow_their_natural_id_order()
    {
        await Store.UpsertImagesAsync(ImageBatch(Tenant, Account, T0, [.. Enumerable.Range(0, 5).Select(i => Image("repo" + i, "s" + i))]), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0, [.. Enumerable.Range(0, 5).Select(i => Workload("c", "ns", "Deployment", "w" + i))]), Ct);

        var images = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Store.QueryImagesAsync(Tenant, new ImageQuery { Limit = 2, Cursor = cursor }, Ct);
            images.AddRange(page.Items.Select(i => i.Repository));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var workloads = new List<string>();
        do
        {
            var page = await Store.QueryWorkloadsAsync(Tenant, new WorkloadQuery { Limit = 2, Cursor = cursor }, Ct);
            workloads.AddRange(page.Items.Select(w => w.Name));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        images.ShouldBe(["repo0", "repo1", "repo2", "repo3", "repo4"]);
        workloads.ShouldBe(["w0", "w1", "w2", "w3", "w4"]);
    }

    [Fact]
    public async Task A_full_last_page_has_no_next_cursor()
    {
        await Store.UpsertAssetsAsync(AssetBatch(Tenant, Account, T0, Asset("a"), Asset("b")), Ct);

        var page = await Store.QueryAssetsAsync(Tenant, new AssetQuery { Limit = 2 }, Ct);

        page.Items.Count.ShouldBe(2);
        page.NextCursor.ShouldBeNull();
    }

    [Fact]
    public async Task Clusters_are_the_distinct_clusters_of_the_workloads_with_their_counts()
    {
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, Account, T0,
            Workload("prod", "shop", "Deployment", "api"),
            Workload("prod", "shop", "Deployment", "web"),
            Workload("prod", "kube-system", "DaemonSet", "agent"),
            Workload("prod", "", "ClusterRole", "view")), Ct);
        await Store.UpsertWorkloadsAsync(WorkloadBatch(Tenant, OtherAccount, T0.AddHours(2),
            Workload("prod", "shop", "Deployment", "api"), Workload("dev", "shop", "Deployment", "api")), Ct);

        var clusters = await Store.ClustersAsync(Tenant, null, Ct);

        clusters.Select(c => c.Name).ShouldBe(["dev", "prod"]);
        var prod = clusters[1];
        prod.ShouldSatisfyAllConditions(
            c => c.Workloads.ShouldBe(4),
            c => c.Namespaces.ShouldBe(2),
            c => c.Kinds.ShouldBe(new Dictionary<string, long> { ["ClusterRole"] = 1, ["DaemonSet"] = 1, ["Deployment"] = 2 }),
            c => c.AccountIds.ShouldBe(new[] { Account, OtherAccount }.Order().ToList()),
            c => c.FirstSeen.ShouldBe(T0),
            c => c.LastSeen.ShouldBe(T0.AddHours(2)));
        clusters[0].ShouldSatisfyAllConditions(
            c => c.Workloads.ShouldBe(1),
            c => c.Namespaces.ShouldBe(1),
            c => c.AccountIds.ShouldBe([OtherAccount]));
        (await Store.ClustersAsync(Tenant, OtherAccount, Ct)).Select(c => (c.Name, c.Workloads)).ShouldBe([("dev", 1L), ("prod", 1L)]);
    }
}
