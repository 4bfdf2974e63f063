using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using static OffloadSecurity.Inventory.Assets.MongoAssetMappings;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// Every filter, update, sort, projection, pipeline and index <see cref="MongoAssetStore"/> sends, built here as pure
/// functions so tests can render them without a server. Every filter starts with the tenant predicate
/// (<see cref="Tenant{T}"/>): there is no other way to build one.
/// </summary>
internal static class MongoAssetQueries
{
    // ---------------------------------------------------------------- filters

    public static FilterDefinition<T> Tenant<T>(string tenantId) => Builders<T>.Filter.Eq(Common.TenantId, tenantId);

    public static FilterDefinition<T> One<T>(string tenantId, string key) => Tenant<T>(tenantId) & Builders<T>.Filter.Eq(Common.Key, key);

    /// <summary>One account's records (the id written as the stored UUID: a field named by text has no serializer to say how).</summary>
    public static FilterDefinition<T> OfAccount<T>(string tenantId, Guid accountId) =>
        Tenant<T>(tenantId) & new BsonDocument(Common.AccountId, new BsonBinaryData(accountId, GuidRepresentation.Standard));

    /// <summary>The filters of <c>GET /api/assets</c>, then the cursor's keyset predicate.</summary>
    public static FilterDefinition<AssetDocument> Assets(string tenantId, AssetQuery query)
    {
        var f = Builders<AssetDocument>.Filter;
        var filters = new List<FilterDefinition<AssetDocument>> { Tenant<AssetDocument>(tenantId) };
        Add(filters, query.Provider, p => f.Eq(d => d.Provider, p));
        Add(filters, query.AccountId, a => f.Eq(d => d.AccountId, a));
        Add(filters, query.Type, t => f.Eq(d => d.Type, t));
        Add(filters, query.Region, r => f.Eq(d => d.Region, r));
        Add(filters, query.ResourceId, r => f.Eq(d => d.ResourceId, r));
        Add(filters, query.Text, t => f.Or(f.Regex(d => d.Name, Contains(t)), f.Regex(d => d.ResourceId, Contains(t))));
        Add(filters, Position(AssetCursor.Assets, query.Cursor), p => After<AssetDocument>(Asset.ResourceId, p));
        return f.And(filters);
    }

    /// <summary>The filters of <c>GET /api/images</c>, then the cursor's keyset predicate.</summary>
    public static FilterDefinition<ImageDocument> Images(string tenantId, ImageQuery query)
    {
        var f = Builders<ImageDocument>.Filter;
        var filters = new List<FilterDefinition<ImageDocument>> { Tenant<ImageDocument>(tenantId) };
        Add(filters, query.AccountId, a => f.Eq(d => d.AccountId, a));
        Add(filters, query.Registry, r => f.Eq(d => d.Registry, r));
        Add(filters, query.Repository, r => f.Eq(d => d.Repository, r));
        Add(filters, query.Digest, r => f.Eq(d => d.Digest, r));
        Add(filters, query.Tag, t => f.AnyEq(d => d.Tags, t));
        Add(filters, query.Text, t => f.Regex(d => d.Reference, Contains(t)));
        Add(filters, Position(AssetCursor.Images, query.Cursor), p => After<ImageDocument>(Image.Reference, p));
        return f.And(filters);
    }

    /// <summary>The filters of <c>GET /api/workloads</c>, then the cursor's keyset predicate.</summary>
    public static FilterDefinition<WorkloadDocument> Workloads(string tenantId, WorkloadQuery query)
    {
        var f = Builders<WorkloadDocument>.Filter;
        var filters = new List<FilterDefinition<WorkloadDocument>> { Tenant<WorkloadDocument>(tenantId) };
        Add(filters, query.AccountId, a => f.Eq(d => d.AccountId, a));
        Add(filters, query.Cluster, c => f.Eq(d => d.Cluster, c));
        Add(filters, query.Namespace, n => f.Eq(d => d.Namespace, n));
        Add(filters, query.Kind, k => f.Eq(d => d.Kind, k));
        Add(filters, query.Text, t => f.Regex(d => d.ResourceId, Contains(t)));
        Add(filters, Position(AssetCursor.Workloads, query.Cursor), p => After<WorkloadDocument>(Workload.ResourceId, p));
        return f.And(filters);
    }

    private static void Add<TDocument, TValue>(List<FilterDefinition<TDocument>> filters, TValue? value, Func<TValue, FilterDefinition<TDocument>> filter)
        where TValue : struct
    {
        if (value is { } v)
        {
            filters.Add(filter(v));
        }
    }

    private static void Add<TDocument>(List<FilterDefinition<TDocument>> filters, string? value, Func<string, FilterDefinition<TDocument>> filter)
    {
        if (value is not null)
        {
            filters.Add(filter(value));
        }
    }

    private static AssetCursor.Position? Position(string list, string? cursor) =>
        AssetCursor.TryDecode(list, cursor, out var position) ? position : null;

    /// <summary>Case-insensitive substring, matched literally.</summary>
    private static BsonRegularExpression Contains(string text) => new(Literally(text), "i");

    /// <summary>A pattern that matches <paramref name="text"/> as is: metacharacters escaped, NUL (which BSON cannot hold) as <c>\x00</c>.</summary>
    public static string Literally(string text)
    {
        var pattern = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\0')
            {
                pattern.Append(@"\x00");
                continue;
            }

            if (@"\^$.|?*+()[]{}".Contains(c))
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.ToString();
    }

    /// <summary>Strictly after the last row shown in (sort key, key) order.</summary>
    public static FilterDefinition<T> After<T>(string sortField, AssetCursor.Position after)
    {
        var f = Builders<T>.Filter;
        return f.Or(f.Gt(sortField, after.SortKey), f.Eq(sortField, after.SortKey) & f.Gt(Common.Key, after.Id));
    }

    // ---------------------------------------------------------------- order, projection

    public static SortDefinition<T> Order<T>(string sortField) => Builders<T>.Sort.Ascending(sortField).Ascending(Common.Key);

    /// <summary>A page of assets: everything but the raw JSON.</summary>
    public static ProjectionDefinition<AssetDocument> AssetListProjection => Builders<AssetDocument>.Projection.Exclude(Asset.RawJson);

    // ---------------------------------------------------------------- upsert

    /// <summary>
    /// Writes one observation, atomically, in one pipeline update keyed by (tenant, key) (an upsert): <c>first_seen</c>
    /// moves with <c>$min</c> and <c>last_seen</c> with <c>$max</c>, so neither regresses whatever the order of writes;
    /// every other element takes the observation's value only if it is at least as new as the stored last-seen (or the
    /// document is new), else keeps its own. Values go in as <c>$literal</c>, so text starting with <c>$</c> stays text.
    /// </summary>
    public static UpdateOneModel<T> Upsert<T>(T document, IBsonSerializer<T> serializer)
        where T : IObservedDocument
    {
        var values = document.ToBsonDocument(serializer);
        var seen = Literal(values[Common.LastSeen]);
        var newer = new BsonDocument("$lte", new BsonArray
        {
            new BsonDocument("$ifNull", new BsonArray { "$" + Common.LastSeen, seen }),
            seen,
        });
        var set = new BsonDocument();
        foreach (var element in values)
        {
            switch (element.Name)
            {
                case Common.TenantId or Common.Key or "_id":
                    continue; // the filter's equalities: set on insert, never changed
                case Common.FirstSeen:
                    set[element.Name] = new BsonDocument("$min", new BsonArray { "$" + Common.FirstSeen, Literal(element.Value) });
                    break;
                case Common.LastSeen:
                    set[element.Name] = new BsonDocument("$max", new BsonArray { "$" + Common.LastSeen, seen });
                    break;
                default:
                    set[element.Name] = new BsonDocument("$cond", new BsonArray { newer, Literal(element.Value), "$" + element.Name });
                    break;
            }
        }

        var pipeline = new BsonDocumentStagePipelineDefinition<T, T>([new BsonDocument("$set", set)]);
        return new UpdateOneModel<T>(One<T>(document.TenantId, document.Key), Builders<T>.Update.Pipeline(pipeline)) { IsUpsert = true };
    }

    private static BsonDocument Literal(BsonValue value) => new("$literal", value);

    // ---------------------------------------------------------------- clusters

    /// <summary>Workloads per (cluster, namespace, kind, account), with the earliest first-seen and latest last-seen.</summary>
    public static PipelineDefinition<WorkloadDocument, BsonDocument> WorkloadGroups(string tenantId, Guid? accountId) =>
        new EmptyPipelineDefinition<WorkloadDocument>()
            .Match(accountId is { } account ? OfAccount<WorkloadDocument>(tenantId, account) : Tenant<WorkloadDocument>(tenantId))
            .Group<WorkloadDocument, WorkloadDocument, BsonDocument>(new BsonDocument
            {
                ["_id"] = new BsonDocument
                {
                    [Workload.Cluster] = "$" + Workload.Cluster,
                    [Workload.Namespace] = "$" + Workload.Namespace,
                    [Workload.Kind] = "$" + Workload.Kind,
                    [Common.AccountId] = "$" + Common.AccountId,
                },
                ["count"] = new BsonDocument("$sum", 1),
                [Common.FirstSeen] = new BsonDocument("$min", "$" + Common.FirstSeen),
                [Common.LastSeen] = new BsonDocument("$max", "$" + Common.LastSeen),
            });

    // ---------------------------------------------------------------- indexes

    /// <summary>The indexes of one collection; every one starts with the tenant.</summary>
    public static IReadOnlyList<CreateIndexModel<T>> Indexes<T>(string sortField, params string[][] more)
    {
        var keys = Builders<T>.IndexKeys;
        var indexes = new List<CreateIndexModel<T>>
        {
            new(keys.Ascending(Common.TenantId).Ascending(Common.Key), new CreateIndexOptions { Name = "tenant_key", Unique = true }),
            // The list order (keyset paging).
            new(keys.Ascending(Common.TenantId).Ascending(sortField).Ascending(Common.Key), new CreateIndexOptions { Name = "tenant_order" }),
            // Account filter and deletion.
            new(keys.Ascending(Common.TenantId).Ascending(Common.AccountId), new CreateIndexOptions { Name = "tenant_account" }),
        };
        foreach (var fields in more)
        {
            var index = keys.Ascending(Common.TenantId);
            foreach (var field in fields)
            {
                index = index.Ascending(field);
            }

            indexes.Add(new(index, new CreateIndexOptions { Name = "tenant_" + string.Join('_', fields) }));
        }

        return indexes;
    }

    public static IReadOnlyList<CreateIndexModel<AssetDocument>> AssetIndexes => Indexes<AssetDocument>(Asset.ResourceId);

    public static IReadOnlyList<CreateIndexModel<ImageDocument>> ImageIndexes => Indexes<ImageDocument>(Image.Reference, [Image.Digest]);

    public static IReadOnlyList<CreateIndexModel<WorkloadDocument>> WorkloadIndexes =>
        Indexes<WorkloadDocument>(Workload.ResourceId, [Workload.Cluster, Workload.Namespace, Workload.Kind]);
}
