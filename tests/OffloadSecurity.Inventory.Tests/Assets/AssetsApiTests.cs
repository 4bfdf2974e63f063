using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Assets;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Testing;
using static OffloadSecurity.Inventory.Tests.Assets.SampleAssets;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Assets;

/// <summary>The inventory's real Program on loopback (in-memory bus), with tokens of two tenants, over the asset API.</summary>
public sealed class AssetsApiTests : IAsyncLifetime
{
    private const string TenantA = "tenant-a";
    private const string TenantB = "tenant-b";
    private static readonly Guid AccountA = Guid.NewGuid();
    private static readonly Guid AccountB = Guid.NewGuid();
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow.AddHours(-1);
    private readonly TempDirectory _data = new();
    private ServiceHost<InventoryEntryPoint> _host = null!;
    private Uri _base = null!;
    private IAssetStore _assets = null!;
    private IInventoryStore _findings = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string AssetId(string name) => AssetKeys.Asset("arn:aws:s3:::" + name);

    private static string ImageId(string repository, string seed) => AssetKeys.Image(Registry, repository, Digest(seed));

    private static string WorkloadId(string cluster, string @namespace, string kind, string name) => AssetKeys.Workload(cluster, @namespace, kind, name);

    public async ValueTask InitializeAsync()
    {
        _host = new ServiceHost<InventoryEntryPoint>(new Dictionary<string, string?>(TestAuth.Settings) { ["Store:DataDirectory"] = _data.Path });
        _base = _host.Start();
        _assets = _host.Services.GetRequiredService<IAssetStore>();
        _findings = _host.Services.GetRequiredService<IInventoryStore>();
        await _assets.UpsertAssetsAsync(AssetBatch(TenantA, AccountA, At, Asset("bucket-a"), Asset("bucket-ab"), Asset("web", "AwsEc2Instance")), Ct);
        await _assets.UpsertImagesAsync(ImageBatch(TenantA, AccountA, At, Image("api", "1", "v1"), Image("web", "2", "latest")), Ct);
        await _assets.UpsertWorkloadsAsync(WorkloadBatch(TenantA, AccountA, At,
            Workload("prod", "shop", "Deployment", "api", $"{Registry}/api@{Digest("1")}", "busybox:1"),
            Workload("prod", "", "ClusterRole", "view")), Ct);
        await _assets.UpsertAssetsAsync(AssetBatch(TenantB, AccountB, At, Asset("bucket-of-b")), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private HttpClient Client(string tenant) => new HttpClient { BaseAddress = _base }.WithToken(tenant);

    private static NormalizedFinding On(string nativeId, string resourceId, Severity severity = Severity.High, ObservedState state = ObservedState.Open) =>
        Finding(nativeId, severity, state) with { Resource = new ResourceRef { Type = "AwsS3Bucket", Id = resourceId } };

    [Fact]
    public async Task Tenant_b_cannot_read_tenant_a_assets_images_clusters_or_workloads()
    {
        using var a = Client(TenantA);
        using var b = Client(TenantB);
        var paths = new[]
        {
            $"api/assets/{AssetId("bucket-a")}", $"api/images/{ImageId("api", "1")}", $"api/workloads/{WorkloadId("prod", "shop", "Deployment", "api")}",
        };

        foreach (var path in paths)
        {
            (await a.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
            (await b.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }

        (await b.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets?limit=500", Ct))!.Items.Select(x => x.Name).ShouldBe(["bucket-of-b"]);
        (await b.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets?q=bucket-a", Ct))!.Items.ShouldBeEmpty();
        (await b.GetFromJsonAsync<ItemPage<AssetRecord>>($"api/assets?accountId={AccountA}", Ct))!.Items.ShouldBeEmpty();
        (await b.GetFromJsonAsync<ItemPage<ImageRecord>>("api/images", Ct))!.Items.ShouldBeEmpty();
        (await b.GetFromJsonAsync<ItemPage<ImageRecord>>($"api/images?digest={Digest("1")}", Ct))!.Items.ShouldBeEmpty();
        (await b.GetFromJsonAsync<ItemPage<WorkloadRecord>>("api/workloads?cluster=prod", Ct))!.Items.ShouldBeEmpty();
        (await b.GetFromJsonAsync<ClusterList>("api/clusters", Ct))!.Items.ShouldBeEmpty();
        (await a.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets?limit=500", Ct))!.Items.Select(x => x.Name).ShouldBe(["bucket-a", "bucket-ab", "web"]);
        (await a.GetFromJsonAsync<ClusterList>("api/clusters", Ct))!.Items.Single().Workloads.ShouldBe(2);
    }

    [Fact]
    public async Task An_asset_lists_the_open_findings_on_its_resource_and_only_those()
    {
        var bucket = "arn:aws:s3:::bucket-a";
        await _findings.IngestAsync(Batch(TenantA, AccountA, Guid.NewGuid(), At, 0,
            On("open-high", bucket),
            On("open-critical", bucket, Severity.Critical),
            On("other-case", bucket.ToUpperInvariant(), Severity.Critical),
            On("closed", bucket, state: ObservedState.Closed),
            On("suppressed", bucket),
            On("acknowledged", bucket, Severity.Low),
            On("other", "arn:aws:s3:::bucket-ab"),
            On("title-only", "arn:aws:s3:::elsewhere") with { Title = "Mentions arn:aws:s3:::bucket-a" }), Ct);
        await _findings.IngestAsync(Batch(TenantB, AccountB, Guid.NewGuid(), At, 0, On("tenant-b", bucket)), Ct);
        await _findings.SetWorkflowAsync(TenantA, "fp-suppressed", new WorkflowChange(WorkflowState.Suppressed, "accepted elsewhere", "analyst", null), Ct);
        await _findings.SetWorkflowAsync(TenantA, "fp-acknowledged", new WorkflowChange(WorkflowState.Acknowledged, null, "analyst", null), Ct);
        using var a = Client(TenantA);

        var detail = (await a.GetFromJsonAsync<AssetDetail>($"api/assets/{AssetId("bucket-a")}", Ct))!;

        detail.Asset.ResourceId.ShouldBe(bucket);
        detail.Asset.RawJson.ShouldBe("""{"Name":"bucket-a"}""");
        detail.Findings.Select(f => f.Fingerprint).ShouldBe(["fp-open-critical", "fp-open-high", "fp-acknowledged"]);
        detail.Findings.Select(f => f.Status).ShouldBe(["New", "New", "Acknowledged"]);
        detail.FindingsTruncated.ShouldBeFalse();
        var list = JsonDocument.Parse(await a.GetStringAsync("api/assets", Ct)).RootElement;
        list.GetProperty("items")[0].TryGetProperty("rawJson", out _).ShouldBeFalse("a list leaves the raw JSON out");
        (await a.GetFromJsonAsync<AssetDetail>($"api/assets/{AssetId("bucket-ab")}", Ct))!.Findings.Select(f => f.Fingerprint).ShouldBe(["fp-other"]);
        (await a.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets?resourceId=" + Uri.EscapeDataString(bucket), Ct))!.Items.Single().Id.ShouldBe(AssetId("bucket-a"));
    }

    [Fact]
    public async Task An_asset_finds_its_findings_however_many_others_mention_its_id_and_says_when_it_shows_only_the_first_200()
    {
        // 2,100 critical findings on resources whose ids contain bucket-a's: a substring search read those first.
        var decoys = Enumerable.Range(0, 2100).Select(i => On($"decoy-{i:0000}", $"arn:aws:s3:::bucket-a-logs-{i}", Severity.Critical));
        foreach (var chunk in decoys.Chunk(500))
        {
            await _findings.IngestAsync(Batch(TenantA, AccountA, Guid.NewGuid(), At, 0, chunk), Ct);
        }

        await _findings.IngestAsync(Batch(TenantA, AccountA, Guid.NewGuid(), At, 0, On("low", "arn:aws:s3:::bucket-a", Severity.Low)), Ct);
        await _findings.IngestAsync(Batch(TenantA, AccountA, Guid.NewGuid(), At, 0,
            [.. Enumerable.Range(0, 201).Select(i => On($"many-{i:000}", "arn:aws:s3:::bucket-ab", Severity.Medium))]), Ct);
        using var a = Client(TenantA);

        var bucketA = (await a.GetFromJsonAsync<AssetDetail>($"api/assets/{AssetId("bucket-a")}", Ct))!;
        var bucketAb = (await a.GetFromJsonAsync<AssetDetail>($"api/assets/{AssetId("bucket-ab")}", Ct))!;

        bucketA.Findings.Select(f => f.Fingerprint).ShouldBe(["fp-low"]);
        bucketA.FindingsTruncated.ShouldBeFalse();
        bucketAb.Findings.Count.ShouldBe(RelatedFindings.MaxFindings);
        bucketAb.Findings.Select(f => f.Fingerprint).ShouldBe(Enumerable.Range(0, 200).Select(i => $"fp-many-{i:000}"));
        bucketAb.FindingsTruncated.ShouldBeTrue();
        var all = (await a.GetFromJsonAsync<FindingPage>("api/findings?limit=500&resourceId=" + Uri.EscapeDataString("arn:aws:s3:::bucket-ab"), Ct))!;
        all.Items.Count.ShouldBe(201);
    }

    [Fact]
    public async Task An_image_lists_its_cves_from_the_open_vulnerability_findings_on_it()
    {
        var digest = Digest("1");
        var ecrArn = $"arn:aws:ecr:eu-west-1:123456789012:repository/api/{digest}";
        NormalizedFinding Cve(string id, string resource, Severity severity, params VulnerabilityRef[] vulnerabilities) =>
            On(id, resource, severity) with { Class = FindingClass.Vulnerability, Vulnerabilities = vulnerabilities };
        await _findings.IngestAsync(Batch(TenantA, AccountA, Guid.NewGuid(), At, 0,
            Cve("xz", ecrArn, Severity.Critical, new VulnerabilityRef { Id = "CVE-2024-3094", CvssScore = 10, Package = "xz-utils", InstalledVersion = "5.6.0", FixedVersion = "5.6.2" }),
            Cve("openssl", ecrArn, Severity.Medium,
                new VulnerabilityRef { Id = "CVE-2023-0286", CvssScore = 7.4, Package = "openssl" },
                new VulnerabilityRef { Id = "CVE-2024-3094", CvssScore = 10, Package = "xz-utils" }),
            Cve("fixed", ecrArn, Severity.High, new VulnerabilityRef { Id = "CVE-2021-44228", Package = "log4j" }) with { State = ObservedState.Closed },
            Cve("by-reference", $"{Registry}/api@{digest}", Severity.Low, new VulnerabilityRef { Id = "CVE-2020-0002", Package = "zlib" }),
            Cve("region-less", $"123456789012/api@{digest}", Severity.Low, new VulnerabilityRef { Id = "CVE-2020-0003", Package = "curl" }),
            Cve("other-image", $"arn:aws:ecr:eu-west-1:123456789012:repository/web/{Digest("2")}", Severity.High, new VulnerabilityRef { Id = "CVE-2022-0001" })), Ct);
        using var a = Client(TenantA);

        var detail = (await a.GetFromJsonAsync<ImageDetail>($"api/images/{ImageId("api", "1")}", Ct))!;

        detail.Image.Reference.ShouldBe($"{Registry}/api@{digest}");
        detail.Image.Tags.ShouldBe(["v1"]);
        detail.Vulnerabilities.Select(v => (v.Id, v.Package, v.Severity, v.Fingerprint)).ShouldBe(
        [
            ("CVE-2024-3094", "xz-utils", Severity.Critical, "fp-xz"),
            ("CVE-2023-0286", "openssl", Severity.Medium, "fp-openssl"),
            ("CVE-2020-0002", "zlib", Severity.Low, "fp-by-reference"),
            ("CVE-2020-0003", "curl", Severity.Low, "fp-region-less"),
        ]);
        detail.Vulnerabilities[0].FixedVersion.ShouldBe("5.6.2");
        detail.Findings.Select(f => f.Fingerprint).ShouldBe(["fp-xz", "fp-openssl", "fp-by-reference", "fp-region-less"]);
        (await a.GetFromJsonAsync<ImageDetail>($"api/images/{ImageId("web", "2")}", Ct))!.Vulnerabilities.Single().Id.ShouldBe("CVE-2022-0001");
    }

    [Fact]
    public async Task A_workload_lists_the_findings_on_it_and_the_stored_images_it_pins()
    {
        await _findings.IngestAsync(Batch(TenantA, AccountA, Guid.NewGuid(), At, 0,
            On("privileged", "prod/shop/Deployment/api", Severity.Critical) with { Source = Source, Provider = Contracts.CloudProvider.Kubernetes },
            On("other-namespace", "prod/shop2/Deployment/api")), Ct);
        using var a = Client(TenantA);

        var detail = (await a.GetFromJsonAsync<WorkloadDetail>($"api/workloads/{WorkloadId("prod", "shop", "Deployment", "api")}", Ct))!;

        detail.Workload.ResourceId.ShouldBe("prod/shop/Deployment/api");
        detail.Findings.Select(f => f.Fingerprint).ShouldBe(["fp-privileged"]);
        detail.Images.Select(i => i.Id).ShouldBe([ImageId("api", "1")]);
        var clusterScoped = (await a.GetFromJsonAsync<ItemPage<WorkloadRecord>>("api/workloads?cluster=prod&namespace=", Ct))!;
        clusterScoped.Items.Select(w => w.ResourceId).ShouldBe(["prod/ClusterRole/view"]);
    }

    [Fact]
    public async Task Lists_page_with_the_cursor_they_return()
    {
        using var a = Client(TenantA);

        var first = (await a.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets?limit=2", Ct))!;
        var second = (await a.GetFromJsonAsync<ItemPage<AssetRecord>>($"api/assets?limit=2&cursor={first.NextCursor}", Ct))!;

        first.Items.Select(x => x.Name).ShouldBe(["bucket-a", "bucket-ab"]);
        second.Items.Select(x => x.Name).ShouldBe(["web"]);
        second.NextCursor.ShouldBeNull();
        var images = (await a.GetFromJsonAsync<ItemPage<ImageRecord>>("api/images?limit=1", Ct))!;
        var wrongList = await a.GetAsync($"api/workloads?cursor={images.NextCursor}", Ct);
        wrongList.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrongList.Content.ReadAsStringAsync(Ct)).ShouldContain("\"cursor\"");
    }

    [Theory]
    [InlineData("api/assets?provider=Oracle", "provider")]
    [InlineData("api/assets?provider=1", "provider")]
    [InlineData("api/assets?accountId=nope", "accountId")]
    [InlineData("api/assets?limit=0", "limit")]
    [InlineData("api/assets?limit=501", "limit")]
    [InlineData("api/assets?cursor=garbage!", "cursor")]
    [InlineData("api/assets?type=", "type")]
    [InlineData("api/images?accountId=x", "accountId")]
    [InlineData("api/images?tag=", "tag")]
    [InlineData("api/images?limit=ten", "limit")]
    [InlineData("api/workloads?kind=", "kind")]
    [InlineData("api/workloads?cursor=YQ", "cursor")]
    [InlineData("api/clusters?accountId=42", "accountId")]
    [InlineData("api/assets/not-an-id", "id")]
    [InlineData("api/images/ABCDEF0123456789ABCDEF0123456789", "id")]
    [InlineData("api/workloads/123", "id")]
    public async Task Bad_query_input_gets_a_problem_naming_the_field(string url, string field)
    {
        using var a = Client(TenantA);

        var response = await a.GetAsync(url, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task Too_long_free_text_gets_a_problem_naming_the_field()
    {
        using var a = Client(TenantA);

        var response = await a.GetAsync("api/assets?q=" + new string('x', 201), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("\"q\"");
    }

    [Fact]
    public async Task Without_a_token_every_route_is_refused()
    {
        using var anonymous = new HttpClient { BaseAddress = _base };

        foreach (var path in new[] { "api/assets", $"api/assets/{AssetId("bucket-a")}", "api/images", "api/clusters", "api/workloads" })
        {
            (await anonymous.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
        }
    }

    [Fact]
    public async Task Batches_published_on_the_hosts_bus_reach_the_store_and_an_account_delete_removes_them()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        var account = Guid.NewGuid();
        using var c = Client("tenant-c");

        await bus.Publish(AssetBatch("tenant-c", account, At, Asset("published")), Ct);
        await bus.Publish(ImageBatch("tenant-c", account, At, Image("published", "9")), Ct);
        await bus.Publish(WorkloadBatch("tenant-c", account, At, Workload("edge", "cdn", "StatefulSet", "cache")), Ct);

        await Eventually.Until(
            async () => (
                (await c.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets", Ct))!.Items.Count,
                (await c.GetFromJsonAsync<ItemPage<ImageRecord>>("api/images", Ct))!.Items.Count,
                (await c.GetFromJsonAsync<ItemPage<WorkloadRecord>>("api/workloads", Ct))!.Items.Count),
            counts => counts == (1, 1, 1), "the published batches in tenant-c's lists");

        await bus.Publish(new AccountDeleted { TenantId = "tenant-c", AccountId = account, DeletedAt = DateTimeOffset.UtcNow }, Ct);

        await Eventually.Until(
            async () => (await c.GetFromJsonAsync<ItemPage<AssetRecord>>("api/assets", Ct))!.Items.Count
                + (await c.GetFromJsonAsync<ItemPage<ImageRecord>>("api/images", Ct))!.Items.Count
                + (await c.GetFromJsonAsync<ClusterList>("api/clusters", Ct))!.Items.Count,
            count => count == 0, "tenant-c's deleted account's records gone");
    }
}
