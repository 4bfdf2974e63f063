using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>
/// The scan state in MongoDB, shared by every scanner instance: claims and cancels are single find-and-modify or
/// update operations on the run document, so two instances never take the same run. Checkpoints and cursors are
/// stored as sub-documents (their JSON form), keyed by scan and source, or by tenant, account and source.
/// </summary>
public sealed class MongoScanStateStore(IMongoDatabase database) : IScanStateStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BsonDocument> Update = Builders<BsonDocument>.Update;
    private static readonly BsonArray ActiveStates = [nameof(ScanRunState.Queued), nameof(ScanRunState.Running)];

    private IMongoCollection<BsonDocument> Runs => database.GetCollection<BsonDocument>("scan_runs");

    private IMongoCollection<BsonDocument> Checkpoints => database.GetCollection<BsonDocument>("scan_checkpoints");

    private IMongoCollection<BsonDocument> Cursors => database.GetCollection<BsonDocument>("scan_cursors");

    public async Task InitializeAsync(CancellationToken ct)
    {
        await Runs.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("state").Ascending("lease_until")),
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("tenant_id").Ascending("account_id")),
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("owner").Ascending("state")),
        ], ct);
        await Checkpoints.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("scan_id")), cancellationToken: ct);
        await Cursors.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("tenant_id").Ascending("account_id")), cancellationToken: ct);
    }

    public Task PingAsync(CancellationToken ct) => database.RunCommandAsync((Command<BsonDocument>)"{ ping: 1 }", cancellationToken: ct);

    public async Task<bool> TryAddRunAsync(ScanRun run, CancellationToken ct)
    {
        try
        {
            await Runs.InsertOneAsync(ToDocument(run), cancellationToken: ct);
            return true;
        }
        catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<ScanRun?> FindRunAsync(Guid scanId, CancellationToken ct)
    {
        var document = await Runs.Find(ById(scanId)).FirstOrDefaultAsync(ct);
        return document is null ? null : ToRun(document);
    }

    public async Task<bool> StartRunAsync(Guid scanId, string owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var result = await Runs.UpdateOneAsync(
            StartFilter(scanId, owner),
            Update.Set("state", nameof(ScanRunState.Running)).Set("lease_until", leaseUntil.UtcDateTime),
            cancellationToken: ct);
        return result.MatchedCount == 1;
    }

    public async Task FinishRunAsync(Guid scanId, ScanRunState state, CancellationToken ct)
    {
        await Runs.UpdateOneAsync(ById(scanId), Update.Set("state", state.ToString()), cancellationToken: ct);
        await Checkpoints.DeleteManyAsync(Filter.Eq("scan_id", Uuid(scanId)), ct);
    }

    public async Task<IReadOnlyList<Guid>> HeartbeatAsync(string owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var mine = Filter.Eq("owner", owner) & Filter.In("state", ActiveStates);
        await Runs.UpdateManyAsync(mine, Update.Set("lease_until", leaseUntil.UtcDateTime), cancellationToken: ct);
        var cancelled = await Runs.Find(mine & Filter.Eq("cancel_requested", true)).Project(Builders<BsonDocument>.Projection.Include("_id"))
            .ToListAsync(ct);
        return [.. cancelled.Select(d => d["_id"].AsGuid)];
    }

    public async Task<IReadOnlyList<ScanRun>> ClaimAbandonedAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct)
    {
        var claimed = new List<ScanRun>();
        for (var i = 0; i < max; i++)
        {
            // One find-and-modify per run: the lease condition is re-checked atomically, so one instance wins each run.
            var document = await Runs.FindOneAndUpdateAsync(
                AbandonedFilter(now),
                Update.Set("owner", owner).Set("lease_until", leaseUntil.UtcDateTime),
                new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After, Sort = Builders<BsonDocument>.Sort.Ascending("lease_until") },
                ct);
            if (document is null)
            {
                break;
            }

            claimed.Add(ToRun(document));
        }

        return claimed;
    }

    public async Task<IReadOnlyList<ScanRun>> RequestCancelAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var filter = ActiveOfAccount(tenantId, accountId);
        var runs = await Runs.Find(filter).ToListAsync(ct);
        if (runs.Count == 0)
        {
            return [];
        }

        await Runs.UpdateManyAsync(filter, Update.Set("cancel_requested", true), cancellationToken: ct);
        return [.. runs.Select(d => ToRun(d) with { CancelRequested = true })];
    }

    public async Task<SourceCheckpoint?> GetCheckpointAsync(Guid scanId, string source, CancellationToken ct)
    {
        var document = await Checkpoints.Find(Filter.Eq("_id", CheckpointId(scanId, source))).FirstOrDefaultAsync(ct);
        return document is null ? null : JsonSerializer.Deserialize<SourceCheckpoint>(document["checkpoint"].AsString, Json);
    }

    public Task SaveCheckpointAsync(SourceCheckpoint checkpoint, CancellationToken ct) =>
        Checkpoints.ReplaceOneAsync(
            Filter.Eq("_id", CheckpointId(checkpoint.ScanId, checkpoint.Source)),
            new BsonDocument
            {
                ["_id"] = CheckpointId(checkpoint.ScanId, checkpoint.Source),
                ["scan_id"] = Uuid(checkpoint.ScanId),
                ["checkpoint"] = JsonSerializer.Serialize(checkpoint, Json),
            },
            new ReplaceOptions { IsUpsert = true }, ct);

    public async Task<SourceCursor?> GetCursorAsync(string tenantId, Guid accountId, string source, CancellationToken ct)
    {
        var document = await Cursors.Find(CursorFilter(tenantId, accountId, source)).FirstOrDefaultAsync(ct);
        return document is null ? null : JsonSerializer.Deserialize<SourceCursor>(document["cursor"].AsString, Json);
    }

    public Task SaveCursorAsync(SourceCursor cursor, CancellationToken ct) =>
        Cursors.ReplaceOneAsync(
            CursorFilter(cursor.TenantId, cursor.AccountId, cursor.Source),
            new BsonDocument
            {
                ["tenant_id"] = cursor.TenantId,
                ["account_id"] = Uuid(cursor.AccountId),
                ["source"] = cursor.Source,
                ["cursor"] = JsonSerializer.Serialize(cursor, Json),
            },
            new ReplaceOptions { IsUpsert = true }, ct);

    public async Task DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var ofAccount = Filter.Eq("tenant_id", tenantId) & Filter.Eq("account_id", Uuid(accountId));
        var runIds = await Runs.Find(ofAccount).Project(Builders<BsonDocument>.Projection.Include("_id")).ToListAsync(ct);
        await Checkpoints.DeleteManyAsync(Filter.In("scan_id", runIds.Select(d => d["_id"])), ct);
        await Runs.DeleteManyAsync(ofAccount, ct);
        await Cursors.DeleteManyAsync(ofAccount, ct);
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct)
    {
        var ended = Filter.Nin("state", ActiveStates) & Filter.Lt("created_at", before.UtcDateTime);
        var result = await Runs.DeleteManyAsync(ended, ct);
        return (int)result.DeletedCount;
    }

    /// <summary>The filter that lets only the run's owner start it, and only while it is active and not cancelled.</summary>
    public static FilterDefinition<BsonDocument> StartFilter(Guid scanId, string owner) =>
        ById(scanId) & Filter.Eq("owner", owner) & Filter.In("state", ActiveStates) & Filter.Ne("cancel_requested", true);

    /// <summary>Active runs whose lease ran out: their scanner died.</summary>
    public static FilterDefinition<BsonDocument> AbandonedFilter(DateTimeOffset now) =>
        Filter.In("state", ActiveStates) & Filter.Lt("lease_until", now.UtcDateTime);

    public static FilterDefinition<BsonDocument> ActiveOfAccount(string tenantId, Guid accountId) =>
        Filter.Eq("tenant_id", tenantId) & Filter.Eq("account_id", Uuid(accountId)) & Filter.In("state", ActiveStates);

    public static BsonDocument ToDocument(ScanRun run) => new()
    {
        ["_id"] = Uuid(run.ScanId),
        ["tenant_id"] = run.TenantId,
        ["account_id"] = Uuid(run.AccountId),
        ["provider"] = run.Provider.ToString(),
        ["trigger"] = run.Trigger.ToString(),
        ["regions"] = new BsonArray(run.Regions),
        ["state"] = run.State.ToString(),
        ["owner"] = run.Owner,
        ["lease_until"] = run.LeaseUntil.UtcDateTime,
        ["cancel_requested"] = run.CancelRequested,
        ["created_at"] = run.CreatedAt.UtcDateTime,
    };

    public static ScanRun ToRun(BsonDocument document) => new()
    {
        ScanId = document["_id"].AsGuid,
        TenantId = document["tenant_id"].AsString,
        AccountId = document["account_id"].AsGuid,
        Provider = Enum.Parse<CloudProvider>(document["provider"].AsString),
        Trigger = Enum.Parse<ScanTrigger>(document["trigger"].AsString),
        Regions = [.. document["regions"].AsBsonArray.Select(r => r.AsString)],
        State = Enum.Parse<ScanRunState>(document["state"].AsString),
        Owner = document["owner"].AsString,
        LeaseUntil = new DateTimeOffset(document["lease_until"].ToUniversalTime()),
        CancelRequested = document.GetValue("cancel_requested", false).AsBoolean,
        CreatedAt = new DateTimeOffset(document["created_at"].ToUniversalTime()),
    };

    private static FilterDefinition<BsonDocument> ById(Guid scanId) => Filter.Eq("_id", Uuid(scanId));

    private static FilterDefinition<BsonDocument> CursorFilter(string tenantId, Guid accountId, string source) =>
        Filter.Eq("tenant_id", tenantId) & Filter.Eq("account_id", Uuid(accountId)) & Filter.Eq("source", source);

    private static string CheckpointId(Guid scanId, string source) => scanId.ToString("N") + "/" + source;

    private static BsonBinaryData Uuid(Guid id) => new(id, GuidRepresentation.Standard);
}
