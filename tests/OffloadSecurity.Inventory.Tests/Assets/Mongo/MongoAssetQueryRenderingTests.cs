using System.Reflection;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Inventory.Assets;
using static OffloadSecurity.Inventory.Tests.Assets.SampleAssets;
using Q = OffloadSecurity.Inventory.Assets.MongoAssetQueries;

namespace OffloadSecurity.Inventory.Tests.Assets.Mongo;

/// <summary>
/// The exact documents the MongoDB asset store sends — filters, the upsert pipeline, sorts, projections, the cluster
/// pipeline and indexes — rendered with the driver's own serializers, and the stored shapes. No server needed.
/// </summary>
public sealed class MongoAssetQueryRenderingTests
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset Seen = new(2026, 11, 23, 9, 0, 0, 250, TimeSpan.Zero);
    private static readonly Guid AccountId = Guid.Parse("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e");
    private static readonly Guid ScanId = Guid.Parse("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e");
    private static readonly string Key = AssetKeys.Asset("arn:aws:s3:::a");

    // ---------------------------------------------------------------- the tenant comes first

    [Fact]
    public void Every_filter_and_pipeline_starts_with_the_tenant()
    {
        var cursor = AssetCursor.Encode(AssetCursor.Assets, "arn:aws:s3:::a", Key);
        var filters = new (string, BsonDocument)[]
        {
            (nameof(Q.Tenant), Render(Q.Tenant<AssetDocument>(Tenant))),
            (nameof(Q.One), Render(Q.One<ImageDocument>(Tenant, Key))),
            (nameof(Q.OfAccount), Render(Q.OfAccount<WorkloadDocument>(Tenant, AccountId))),
            (nameof(Q.Assets), Render(Q.Assets(Tenant, new AssetQuery()))),
            (nameof(Q.Assets), Render(Q.Assets(Tenant, new AssetQuery { Text = "x", Provider = CloudProvider.Gcp, Cursor = cursor }))),
            (nameof(Q.Images), Render(Q.Images(Tenant, new ImageQuery { Tag = "v1", Text = "x" }))),
            (nameof(Q.Workloads), Render(Q.Workloads(Tenant, new WorkloadQuery { Namespace = "", Text = "x" }))),
            (nameof(Q.Upsert), Render(Q.Upsert(Asset(), MongoAssetMappings.AssetSerializer).Filter)),
            (nameof(Q.Upsert), Render(Q.Upsert(ImageDoc(), MongoAssetMappings.ImageSerializer).Filter)),
            (nameof(Q.WorkloadGroups), Render(Q.WorkloadGroups(Tenant, null))[0]["$match"].AsBsonDocument),
            (nameof(Q.WorkloadGroups), Render(Q.WorkloadGroups(Tenant, AccountId))[0]["$match"].AsBsonDocument),
        };
        foreach (var (builder, filter) in filters)
        {
            TenantOf(filter).ShouldBe(Tenant, $"{builder}: {filter}");
        }

        // A builder added later must be added here too.
        var builders = typeof(Q).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() is var d
                && (d == typeof(FilterDefinition<>) || d == typeof(UpdateOneModel<>) || d == typeof(PipelineDefinition<,>)))
            .Where(m => m.Name != nameof(Q.After))
            .Select(m => m.Name)
            .ToHashSet();
        builders.ShouldBeSubsetOf(filters.Select(f => f.Item1).ToHashSet());
    }

    // ---------------------------------------------------------------- filters

    [Fact]
    public void No_filters_is_the_tenant_alone()
    {
        Render(Q.Assets(Tenant, new AssetQuery())).ShouldBe(new BsonDocument("tenant_id", Tenant));
    }

    [Fact]
    public void Asset_filters_render_to_their_elements_after_the_tenant()
    {
        var query = new AssetQuery
        {
            Provider = CloudProvider.Azure,
            AccountId = AccountId,
            Type = "Microsoft.Compute/virtualMachines",
            Region = "westeurope",
            ResourceId = "/subscriptions/s/vm",
            Text = "web.1 (a)",
        };

        Render(Q.Assets(Tenant, query)).ShouldBe(BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a",
              "provider": "Azure",
              "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"),
              "type": "Microsoft.Compute/virtualMachines",
              "region": "westeurope",
              "resource_id": "/subscriptions/s/vm",
              "$or": [
                { "name": { "$regularExpression": { "pattern": "web\\.1 \\(a\\)", "options": "i" } } },
                { "resource_id": { "$regularExpression": { "pattern": "web\\.1 \\(a\\)", "options": "i" } } }
              ]
            }
            """));
    }

    [Fact]
    public void Image_and_workload_filters_render_to_their_elements_after_the_tenant()
    {
        Render(Q.Images(Tenant, new ImageQuery { AccountId = AccountId, Registry = "docker.io", Repository = "library/nginx", Tag = "1.27", Digest = "sha256:ab", Text = "$x" }))
            .ShouldBe(BsonDocument.Parse(
                """
                {
                  "tenant_id": "tenant-a",
                  "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"),
                  "registry": "docker.io",
                  "repository": "library/nginx",
                  "digest": "sha256:ab",
                  "tags": "1.27",
                  "reference": { "$regularExpression": { "pattern": "\\$x", "options": "i" } }
                }
                """));
        Render(Q.Workloads(Tenant, new WorkloadQuery { Cluster = "prod", Namespace = "", Kind = "Deployment", Text = "api" }))
            .ShouldBe(BsonDocument.Parse(
                """
                {
                  "tenant_id": "tenant-a",
                  "cluster": "prod",
                  "namespace": "",
                  "kind": "Deployment",
                  "resource_id": { "$regularExpression": { "pattern": "api", "options": "i" } }
                }
                """));
    }

    [Fact]
    public void A_cursor_renders_as_strictly_after_the_last_row_in_natural_id_then_key_order()
    {
        var cursor = AssetCursor.Encode(AssetCursor.Workloads, "prod/shop/Deployment/api", Key);

        Render(Q.Workloads(Tenant, new WorkloadQuery { Cursor = cursor })).ShouldBe(BsonDocument.Parse(
            $$"""
            {
              "tenant_id": "tenant-a",
              "$or": [
                { "resource_id": { "$gt": "prod/shop/Deployment/api" } },
                { "resource_id": "prod/shop/Deployment/api", "key": { "$gt": "{{Key}}" } }
              ]
            }
            """));
        Render(Q.Order<WorkloadDocument>(MongoAssetMappings.Workload.ResourceId)).ShouldBe(BsonDocument.Parse("""{ "resource_id": 1, "key": 1 }"""));
        Render(Q.AssetListProjection).ShouldBe(BsonDocument.Parse("""{ "raw_json": 0 }"""));
    }

    [Fact]
    public void A_cursor_of_another_list_is_refused()
    {
        var cursor = AssetCursor.Encode(AssetCursor.Images, "x", Key);

        Should.Throw<FormatException>(() => Q.Assets(Tenant, new AssetQuery { Cursor = cursor }));
        AssetCursor.Validate(AssetCursor.Assets, cursor).ShouldNotBeNull();
        AssetCursor.Validate(AssetCursor.Images, cursor).ShouldBeNull();
        AssetCursor.Validate(AssetCursor.Images, "garbage!").ShouldNotBeNull();
    }

    // ---------------------------------------------------------------- the upsert

    [Fact]
    public void An_upsert_is_keyed_by_tenant_and_key_and_moves_last_seen_with_max_and_first_seen_with_min()
    {
        var model = Q.Upsert(Asset(), MongoAssetMappings.AssetSerializer);

        model.IsUpsert.ShouldBeTrue();
        Render(model.Filter).ShouldBe(new BsonDocument { ["tenant_id"] = Tenant, ["key"] = Key });
        var stages = RenderPipeline(model.Update);
        stages.Count.ShouldBe(1);
        var set = stages[0]["$set"].AsBsonDocument;
        var seen = new BsonDocument("$literal", new BsonDateTime(Seen.UtcDateTime));
        set["last_seen"].ShouldBe(new BsonDocument("$max", new BsonArray { "$last_seen", seen }));
        set["first_seen"].ShouldBe(new BsonDocument("$min", new BsonArray { "$first_seen", seen }));
        set.Names.ShouldNotContain("tenant_id");
        set.Names.ShouldNotContain("key");
        set.Names.ShouldNotContain("_id");
    }

    [Fact]
    public void Every_other_element_takes_the_observation_only_if_it_is_at_least_as_new_as_what_is_stored()
    {
        var set = RenderPipeline(Q.Upsert(Asset(), MongoAssetMappings.AssetSerializer).Update)[0]["$set"].AsBsonDocument;
        var seen = new BsonDocument("$literal", new BsonDateTime(Seen.UtcDateTime));
        var newer = new BsonDocument("$lte", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$last_seen", seen }), seen });

        set.Names.ShouldBe(
            ["account_id", "fingerprint", "source", "last_scan_id", "first_seen", "last_seen", "provider", "type", "resource_id", "name", "region", "tags", "raw_json"],
            ignoreOrder: true);
        BsonValue Cond(string name, BsonValue value) => new BsonDocument("$cond", new BsonArray { newer, new BsonDocument("$literal", value), "$" + name });
        set["account_id"].ShouldBe(Cond("account_id", new BsonBinaryData(AccountId, GuidRepresentation.Standard)));
        set["last_scan_id"].ShouldBe(Cond("last_scan_id", new BsonBinaryData(ScanId, GuidRepresentation.Standard)));
        set["provider"].ShouldBe(Cond("provider", "Aws"));
        set["name"].ShouldBe(Cond("name", "$name"), "text starting with $ stays a literal, never a field path");
        set["region"].ShouldBe(Cond("region", BsonNull.Value));
        set["tags"].ShouldBe(Cond("tags", BsonArray.Create(new[] { new BsonDocument { ["k"] = "a.b", ["v"] = "$x" } })));
        set["raw_json"].ShouldBe(Cond("raw_json", """{"$set":1}"""));
    }

    [Fact]
    public void Image_and_workload_upserts_have_the_same_shape()
    {
        var image = RenderPipeline(Q.Upsert(ImageDoc(), MongoAssetMappings.ImageSerializer).Update)[0]["$set"].AsBsonDocument;
        image["last_seen"]["$max"][0].ShouldBe("$last_seen");
        image["tags"]["$cond"][1].ShouldBe(new BsonDocument("$literal", new BsonArray { "v1", "latest" }));
        image["pushed_at"]["$cond"][1].ShouldBe(new BsonDocument("$literal", BsonNull.Value));

        var workload = new WorkloadDocument { TenantId = Tenant, Key = Key, LastSeen = Seen, FirstSeen = Seen, Cluster = "prod", Images = ["nginx:1"] };
        var set = RenderPipeline(Q.Upsert(workload, MongoAssetMappings.WorkloadSerializer).Update)[0]["$set"].AsBsonDocument;
        set["last_seen"]["$max"][0].ShouldBe("$last_seen");
        set["cluster"]["$cond"][1].ShouldBe(new BsonDocument("$literal", "prod"));
        set["images"]["$cond"][1].ShouldBe(new BsonDocument("$literal", new BsonArray { "nginx:1" }));
    }

    // ---------------------------------------------------------------- clusters, indexes

    [Fact]
    public void The_cluster_pipeline_groups_the_tenants_workloads_by_cluster_namespace_kind_and_account()
    {
        var stages = Render(Q.WorkloadGroups(Tenant, AccountId));

        stages.Count.ShouldBe(2);
        stages[0].ShouldBe(BsonDocument.Parse("""{ "$match": { "tenant_id": "tenant-a", "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e") } }"""));
        stages[1].ShouldBe(BsonDocument.Parse(
            """
            { "$group": {
                "_id": { "cluster": "$cluster", "namespace": "$namespace", "kind": "$kind", "account_id": "$account_id" },
                "count": { "$sum": 1 }, "first_seen": { "$min": "$first_seen" }, "last_seen": { "$max": "$last_seen" } } }
            """));
        var group = MongoAssetStore.ToGroup(BsonDocument.Parse(
            """
            { "_id": { "cluster": "prod", "namespace": "", "kind": "ClusterRole", "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e") },
              "count": 3, "first_seen": { "$date": "2026-11-23T09:00:00.250Z" }, "last_seen": { "$date": "2026-11-24T09:00:00Z" } }
            """));
        group.ShouldBe(new WorkloadGroup("prod", "", "ClusterRole", AccountId, 3, Seen, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Every_index_starts_with_the_tenant_and_the_key_is_unique_per_tenant()
    {
        var all = new List<(string Name, BsonDocument Keys, bool Unique)>();
        all.AddRange(Q.AssetIndexes.Select(i => (i.Options.Name, Render(i.Keys), i.Options.Unique ?? false)));
        all.AddRange(Q.ImageIndexes.Select(i => (i.Options.Name, Render(i.Keys), i.Options.Unique ?? false)));
        all.AddRange(Q.WorkloadIndexes.Select(i => (i.Options.Name, Render(i.Keys), i.Options.Unique ?? false)));

        all.ShouldAllBe(i => i.Keys.GetElement(0).Name == "tenant_id");
        all.Where(i => i.Unique).Select(i => i.Keys).ShouldAllBe(k => k == BsonDocument.Parse("""{ "tenant_id": 1, "key": 1 }"""));
        all.Count(i => i.Unique).ShouldBe(3);
        Render(Q.AssetIndexes.Single(i => i.Options.Name == "tenant_order").Keys).ShouldBe(BsonDocument.Parse("""{ "tenant_id": 1, "resource_id": 1, "key": 1 }"""));
        Render(Q.ImageIndexes.Single(i => i.Options.Name == "tenant_order").Keys).ShouldBe(BsonDocument.Parse("""{ "tenant_id": 1, "reference": 1, "key": 1 }"""));
        Render(Q.WorkloadIndexes.Single(i => i.Options.Name == "tenant_cluster_namespace_kind").Keys)
            .ShouldBe(BsonDocument.Parse("""{ "tenant_id": 1, "cluster": 1, "namespace": 1, "kind": 1 }"""));
    }

    // ---------------------------------------------------------------- stored shapes

    [Fact]
    public void Every_public_property_of_the_stored_types_has_an_explicit_snake_case_element()
    {
        foreach (var map in MongoAssetMappings.ClassMaps)
        {
            var properties = map.ClassType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);
            map.DeclaredMemberMaps.Select(m => m.MemberName).ShouldBe(properties, ignoreOrder: true, map.ClassType.Name);
            map.DeclaredMemberMaps.ShouldAllBe(m => m.ElementName.All(c => char.IsAsciiLetterLower(c) || c == '_'), map.ClassType.Name);
        }
    }

    [Fact]
    public void An_asset_document_is_stored_with_these_elements_and_reads_back_as_it_was()
    {
        var bson = Asset().ToBsonDocument(MongoAssetMappings.AssetSerializer);

        bson.ShouldBe(BsonDocument.Parse(
            $$"""
            {
              "tenant_id": "tenant-a", "key": "{{Key}}",
              "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"), "fingerprint": "fp", "source": "aws.config",
              "last_scan_id": UUID("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e"),
              "first_seen": { "$date": "2026-11-23T09:00:00.250Z" }, "last_seen": { "$date": "2026-11-23T09:00:00.250Z" },
              "provider": "Aws", "type": "AwsS3Bucket", "resource_id": "arn:aws:s3:::a", "name": "$name", "region": null,
              "tags": [ { "k": "a.b", "v": "$x" } ], "raw_json": "{\"$set\":1}"
            }
            """));
        var back = RoundTrip(Asset(), MongoAssetMappings.AssetSerializer);
        back.ToBsonDocument(MongoAssetMappings.AssetSerializer).ShouldBe(bson);
    }

    [Fact]
    public void Image_and_workload_documents_read_back_as_they_were()
    {
        var image = ImageDoc();
        RoundTrip(image, MongoAssetMappings.ImageSerializer).ToBsonDocument(MongoAssetMappings.ImageSerializer)
            .ShouldBe(image.ToBsonDocument(MongoAssetMappings.ImageSerializer));
        var workload = MongoAssetStore.ToDocument(Tenant, new WorkloadRecord
        {
            Id = Key,
            AccountId = AccountId,
            Cluster = "prod",
            Namespace = "",
            Kind = "ClusterRole",
            Name = "view",
            ResourceId = "prod/ClusterRole/view",
            Images = ["a", "b"],
            Source = "k8s",
            Fingerprint = "fp",
            FirstSeen = Seen.AddTicks(9999),
            LastSeen = Seen.AddTicks(1),
            LastScanId = ScanId,
        });
        workload.FirstSeen.ShouldBe(Seen, "times are truncated to the millisecond BSON keeps");
        var bson = workload.ToBsonDocument(MongoAssetMappings.WorkloadSerializer);
        bson["namespace"].ShouldBe(new BsonString(""));
        bson["images"].ShouldBe(new BsonArray { "a", "b" });
        RoundTrip(workload, MongoAssetMappings.WorkloadSerializer).ToBsonDocument(MongoAssetMappings.WorkloadSerializer).ShouldBe(bson);
    }

    // ---------------------------------------------------------------- helpers

    private static AssetDocument Asset() => MongoAssetStore.ToDocument(Tenant, new AssetRecord
    {
        Id = Key,
        AccountId = AccountId,
        Provider = CloudProvider.Aws,
        Type = "AwsS3Bucket",
        ResourceId = "arn:aws:s3:::a",
        Name = "$name",
        Region = null,
        Tags = new Dictionary<string, string> { ["a.b"] = "$x" },
        Source = "aws.config",
        Fingerprint = "fp",
        FirstSeen = Seen,
        LastSeen = Seen,
        LastScanId = ScanId,
        RawJson = """{"$set":1}""",
    });

    private static ImageDocument ImageDoc() => MongoAssetStore.ToDocument(Tenant, new ImageRecord
    {
        Id = AssetKeys.Image(Registry, "api", Digest("1")),
        AccountId = AccountId,
        Registry = Registry,
        Repository = "api",
        Digest = Digest("1"),
        Reference = AssetKeys.ImageReference(Registry, "api", Digest("1")),
        Tags = ["v1", "latest"],
        PushedAt = null,
        Source = "aws.ecr",
        Fingerprint = "fp",
        FirstSeen = Seen,
        LastSeen = Seen,
        LastScanId = ScanId,
    });

    /// <summary>The tenant of a filter's first predicate (the first clause of an $and).</summary>
    private static string? TenantOf(BsonDocument filter)
    {
        var first = filter.GetElement(0);
        if (first.Name == "$and")
        {
            return TenantOf(first.Value.AsBsonArray[0].AsBsonDocument);
        }

        return first.Name == "tenant_id" ? first.Value.AsString : null;
    }

    private static RenderArgs<T> Args<T>() => new(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry);

    private static BsonDocument Render<T>(FilterDefinition<T> filter)
    {
        MongoAssetMappings.Register();
        return filter.Render(Args<T>());
    }

    private static List<BsonDocument> RenderPipeline<T>(UpdateDefinition<T> update)
    {
        MongoAssetMappings.Register();
        return [.. update.Render(Args<T>()).AsBsonArray.Select(s => s.AsBsonDocument)];
    }

    private static BsonDocument Render<T>(SortDefinition<T> sort)
    {
        MongoAssetMappings.Register();
        return sort.Render(Args<T>());
    }

    private static BsonDocument Render<T>(ProjectionDefinition<T> projection)
    {
        MongoAssetMappings.Register();
        return projection.Render(Args<T>());
    }

    private static BsonDocument Render<T>(IndexKeysDefinition<T> keys)
    {
        MongoAssetMappings.Register();
        return keys.Render(Args<T>());
    }

    private static List<BsonDocument> Render<T>(PipelineDefinition<T, BsonDocument> pipeline)
    {
        MongoAssetMappings.Register();
        return [.. pipeline.Render(Args<T>()).Documents];
    }

    private static T RoundTrip<T>(T value, IBsonSerializer<T> serializer)
    {
        var bytes = value.ToBson(serializer);
        using var reader = new BsonBinaryReader(new MemoryStream(bytes));
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }
}
