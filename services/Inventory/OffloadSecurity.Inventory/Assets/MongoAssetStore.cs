using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OffloadSecurity.Contracts.Inventory;
using static OffloadSecurity.Inventory.Assets.MongoAssetMappings;
using Q = OffloadSecurity.Inventory.Assets.MongoAssetQueries;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The distributed asset inventory: MongoDB, with the same semantics as <see cref="SqliteAssetStore"/>. A batch is one
/// unordered BulkWrite of pipeline upserts, one per record; each is atomic on its document and decides "newer or not"
/// against what is stored at that instant (<see cref="MongoAssetQueries.Upsert{T}"/>), so concurrent consumers,
/// redeliveries and out-of-order batches converge on the newest observation without transactions or retries.
/// </summary>
public sealed class MongoAssetStore : IAssetStore
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<AssetDocument> _assets;
    private readonly IMongoCollection<ImageDocument> _images;
    private readonly IMongoCollection<WorkloadDocument> _workloads;

    public MongoAssetStore(IMongoDatabase database)
    {
        Register();
        _database = database;
        _assets = database.GetCollection<AssetDocument>(AssetsCollection);
        _images = database.GetCollection<ImageDocument>(ImagesCollection);
        _workloads = database.GetCollection<WorkloadDocument>(WorkloadsCollection);
    }

    public async Task InitializeAsync(CancellationToken ct)
    {
        await _assets.Indexes.CreateManyAsync(Q.AssetIndexes, ct);
        await _images.Indexes.CreateManyAsync(Q.ImageIndexes, ct);
        await _workloads.Indexes.CreateManyAsync(Q.WorkloadIndexes, ct);
    }

    public Task PingAsync(CancellationToken ct) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: ct);

    // ---------------------------------------------------------------- upserts

    public Task<int> UpsertAssetsAsync(AssetsObserved batch, CancellationToken ct) =>
        UpsertAsync(_assets, AssetSerializer, ObservedRecords.Of(batch).Select(a => ToDocument(batch.TenantId, a)), ct);

    public Task<int> UpsertImagesAsync(ImagesObserved batch, CancellationToken ct) =>
        UpsertAsync(_images, ImageSerializer, ObservedRecords.Of(batch).Select(i => ToDocument(batch.TenantId, i)), ct);

    public Task<int> UpsertWorkloadsAsync(WorkloadsObserved batch, CancellationToken ct) =>
        UpsertAsync(_workloads, WorkloadSerializer, ObservedRecords.Of(batch).Select(w => ToDocument(batch.TenantId, w)), ct);

    private static async Task<int> UpsertAsync<T>(IMongoCollection<T> collection, IBsonSerializer<T> serializer, IEnumerable<T> documents, CancellationToken ct)
        where T : IObservedDocument
    {
        var models = documents.Select(d => (WriteModel<T>)Q.Upsert(d, serializer)).ToList();
        if (models.Count == 0)
        {
            return 0;
        }

        var result = await collection.BulkWriteAsync(models, Unordered, ct);
        return result.Upserts.Count;
    }

    // ---------------------------------------------------------------- queries

    public async Task<ItemPage<AssetRecord>> QueryAssetsAsync(string tenantId, AssetQuery query, CancellationToken ct)
    {
        var rows = await _assets.Find(Q.Assets(tenantId, query)).Sort(Q.Order<AssetDocument>(Asset.ResourceId))
            .Project<AssetDocument>(Q.AssetListProjection).Limit(query.Limit + 1).ToListAsync(ct);
        return Page(rows, query.Limit, ToRecord, a => AssetCursor.Encode(AssetCursor.Assets, a.ResourceId, a.Id));
    }

    public async Task<AssetRecord?> FindAssetAsync(string tenantId, string id, CancellationToken ct) =>
        await _assets.Find(Q.One<AssetDocument>(tenantId, id)).FirstOrDefaultAsync(ct) is { } document ? ToRecord(document) : null;

    public async Task<ItemPage<ImageRecord>> QueryImagesAsync(string tenantId, ImageQuery query, CancellationToken ct)
    {
        var rows = await _images.Find(Q.Images(tenantId, query)).Sort(Q.Order<ImageDocument>(Image.Reference))
            .Limit(query.Limit + 1).ToListAsync(ct);
        return Page(rows, query.Limit, ToRecord, i => AssetCursor.Encode(AssetCursor.Images, i.Reference, i.Id));
    }

    public async Task<ImageRecord?> FindImageAsync(string tenantId, string id, CancellationToken ct) =>
        await _images.Find(Q.One<ImageDocument>(tenantId, id)).FirstOrDefaultAsync(ct) is { } document ? ToRecord(document) : null;

    public async Task<ItemPage<WorkloadRecord>> QueryWorkloadsAsync(string tenantId, WorkloadQuery query, CancellationToken ct)
    {
        var rows = await _workloads.Find(Q.Workloads(tenantId, query)).Sort(Q.Order<WorkloadDocument>(Workload.ResourceId))
            .Limit(query.Limit + 1).ToListAsync(ct);
        return Page(rows, query.Limit, ToRecord, w => AssetCursor.Encode(AssetCursor.Workloads, w.ResourceId, w.Id));
    }

    public async Task<WorkloadRecord?> FindWorkloadAsync(string tenantId, string id, CancellationToken ct) =>
        await _workloads.Find(Q.One<WorkloadDocument>(tenantId, id)).FirstOrDefaultAsync(ct) is { } document ? ToRecord(document) : null;

    public async Task<IReadOnlyList<ClusterSummary>> ClustersAsync(string tenantId, Guid? accountId, CancellationToken ct)
    {
        var groups = await (await _workloads.AggregateAsync(Q.WorkloadGroups(tenantId, accountId), cancellationToken: ct)).ToListAsync(ct);
        return ClusterRollup.Of(groups.Select(ToGroup));
    }

    /// <summary>One result of <see cref="MongoAssetQueries.WorkloadGroups"/>.</summary>
    internal static WorkloadGroup ToGroup(BsonDocument group)
    {
        var id = group["_id"].AsBsonDocument;
        return new WorkloadGroup(
            id[Workload.Cluster].AsString,
            id[Workload.Namespace].AsString,
            id[Workload.Kind].AsString,
            id[Common.AccountId].AsGuid,
            group["count"].ToInt64(),
            new DateTimeOffset(group[Common.FirstSeen].ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(group[Common.LastSeen].ToUniversalTime(), TimeSpan.Zero));
    }

    public async Task<AssetsRemoved> DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var assets = await _assets.DeleteManyAsync(Q.OfAccount<AssetDocument>(tenantId, accountId), ct);
        var images = await _images.DeleteManyAsync(Q.OfAccount<ImageDocument>(tenantId, accountId), ct);
        var workloads = await _workloads.DeleteManyAsync(Q.OfAccount<WorkloadDocument>(tenantId, accountId), ct);
        return new AssetsRemoved((int)assets.DeletedCount, (int)images.DeletedCount, (int)workloads.DeletedCount);
    }

    // ---------------------------------------------------------------- documents

    private static ItemPage<TRecord> Page<TDocument, TRecord>(List<TDocument> rows, int limit, Func<TDocument, TRecord> read, Func<TRecord, string> cursor)
    {
        var items = rows.Take(limit).Select(read).ToList();
        return new ItemPage<TRecord>(items, rows.Count > limit ? cursor(items[^1]) : null);
    }

    internal static AssetDocument ToDocument(string tenantId, AssetRecord a) => new()
    {
        TenantId = tenantId,
        Key = a.Id,
        AccountId = a.AccountId,
        Fingerprint = a.Fingerprint,
        Source = a.Source,
        LastScanId = a.LastScanId,
        FirstSeen = Truncate(a.FirstSeen),
        LastSeen = Truncate(a.LastSeen),
        Provider = a.Provider,
        Type = a.Type,
        ResourceId = a.ResourceId,
        Name = a.Name,
        Region = a.Region,
        Tags = [.. a.Tags.Select(t => new TagDocument { Key = t.Key, Value = t.Value })],
        RawJson = a.RawJson,
    };

    internal static ImageDocument ToDocument(string tenantId, ImageRecord i) => new()
    {
        TenantId = tenantId,
        Key = i.Id,
        AccountId = i.AccountId,
        Fingerprint = i.Fingerprint,
        Source = i.Source,
        LastScanId = i.LastScanId,
        FirstSeen = Truncate(i.FirstSeen),
        LastSeen = Truncate(i.LastSeen),
        Registry = i.Registry,
        Repository = i.Repository,
        Digest = i.Digest,
        Reference = i.Reference,
        Tags = [.. i.Tags],
        PushedAt = i.PushedAt is { } pushed ? Truncate(pushed) : null,
    };

    internal static WorkloadDocument ToDocument(string tenantId, WorkloadRecord w) => new()
    {
        TenantId = tenantId,
        Key = w.Id,
        AccountId = w.AccountId,
        Fingerprint = w.Fingerprint,
        Source = w.Source,
        LastScanId = w.LastScanId,
        FirstSeen = Truncate(w.FirstSeen),
        LastSeen = Truncate(w.LastSeen),
        Cluster = w.Cluster,
        Namespace = w.Namespace,
        Kind = w.Kind,
        Name = w.Name,
        ResourceId = w.ResourceId,
        Images = [.. w.Images],
    };

    private static AssetRecord ToRecord(AssetDocument d) => new()
    {
        Id = d.Key,
        AccountId = d.AccountId,
        Provider = d.Provider,
        Type = d.Type,
        ResourceId = d.ResourceId,
        Name = d.Name,
        Region = d.Region,
        Tags = d.Tags.ToDictionary(t => t.Key, t => t.Value ?? "", StringComparer.Ordinal),
        Source = d.Source,
        Fingerprint = d.Fingerprint,
        FirstSeen = d.FirstSeen,
        LastSeen = d.LastSeen,
        LastScanId = d.LastScanId,
        RawJson = d.RawJson,
    };

    private static ImageRecord ToRecord(ImageDocument d) => new()
    {
        Id = d.Key,
        AccountId = d.AccountId,
        Registry = d.Registry,
        Repository = d.Repository,
        Digest = d.Digest,
        Reference = d.Reference,
        Tags = d.Tags,
        PushedAt = d.PushedAt,
        Source = d.Source,
        Fingerprint = d.Fingerprint,
        FirstSeen = d.FirstSeen,
        LastSeen = d.LastSeen,
        LastScanId = d.LastScanId,
    };

    private static WorkloadRecord ToRecord(WorkloadDocument d) => new()
    {
        Id = d.Key,
        AccountId = d.AccountId,
        Cluster = d.Cluster,
        Namespace = d.Namespace,
        Kind = d.Kind,
        Name = d.Name,
        ResourceId = d.ResourceId,
        Images = d.Images,
        Source = d.Source,
        Fingerprint = d.Fingerprint,
        FirstSeen = d.FirstSeen,
        LastSeen = d.LastSeen,
        LastScanId = d.LastScanId,
    };
}
