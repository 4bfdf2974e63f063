using MongoDB.Bson;
using MongoDB.Driver;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// The account store of the distributed mode. One document per account in <c>accounts</c> (its id as <c>_id</c>, the
/// tenant beside it in every filter), leases in <c>credential_leases</c>. Times are BSON dates (millisecond precision).
/// The filters and updates are built by <see cref="MongoAccountQueries"/>, where tests render them without a server.
/// </summary>
public sealed class MongoAccountStore(IMongoDatabase database) : IAccountStore
{
    public const string AccountsCollection = "accounts";
    public const string LeasesCollection = "credential_leases";

    private readonly IMongoCollection<BsonDocument> _accounts = database.GetCollection<BsonDocument>(AccountsCollection);
    private readonly IMongoCollection<BsonDocument> _leases = database.GetCollection<BsonDocument>(LeasesCollection);

    public async Task InitializeAsync(CancellationToken ct)
    {
        var keys = Builders<BsonDocument>.IndexKeys;
        await _accounts.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(keys.Ascending(AccountDocument.Tenant).Ascending(AccountDocument.CreatedAt).Ascending("_id"), new CreateIndexOptions { Name = "tenant_created" }),
            new CreateIndexModel<BsonDocument>(keys.Ascending(AccountDocument.NextSyncAt), new CreateIndexOptions { Name = "next_sync" }),
        ], ct);
    }

    public Task PingAsync(CancellationToken ct) => database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: ct);

    public Task AddAsync(Account account, CancellationToken ct) => _accounts.InsertOneAsync(AccountDocument.From(account), cancellationToken: ct);

    public async Task<Account?> FindAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var document = await _accounts.Find(MongoAccountQueries.One(tenantId, accountId)).FirstOrDefaultAsync(ct);
        return document is null ? null : AccountDocument.ToAccount(document);
    }

    public async Task<IReadOnlyList<Account>> ListAsync(string tenantId, CancellationToken ct)
    {
        var documents = await _accounts.Find(MongoAccountQueries.Tenant(tenantId)).Sort(MongoAccountQueries.ListOrder).ToListAsync(ct);
        return [.. documents.Select(AccountDocument.ToAccount)];
    }

    public async Task<bool> ApplyStatusAsync(string tenantId, Guid accountId, StatusChange change, CancellationToken ct)
    {
        var result = await _accounts.UpdateOneAsync(
            MongoAccountQueries.StatusApplies(tenantId, accountId, change.At), MongoAccountQueries.SetStatus(change), cancellationToken: ct);
        return result.ModifiedCount == 1;
    }

    public async Task<Account?> UpdateAsync(string tenantId, Guid accountId, AccountChanges changes, DateTimeOffset now, CancellationToken ct)
    {
        if (changes is { DisplayName: null, Regions: null, SyncIntervalMinutes: null })
        {
            return await FindAsync(tenantId, accountId, ct);
        }

        var document = await _accounts.FindOneAndUpdateAsync(
            MongoAccountQueries.One(tenantId, accountId),
            MongoAccountQueries.Update(changes, now),
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After },
            ct);
        return document is null ? null : AccountDocument.ToAccount(document);
    }

    public async Task<Account?> DisconnectAsync(string tenantId, Guid accountId, DateTimeOffset at, CancellationToken ct)
    {
        var document = await _accounts.FindOneAndUpdateAsync(
            MongoAccountQueries.One(tenantId, accountId),
            MongoAccountQueries.Disconnect(at),
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After },
            ct);
        return document is null ? null : AccountDocument.ToAccount(document);
    }

    public async Task<bool> DeleteAsync(string tenantId, Guid accountId, CancellationToken ct) =>
        (await _accounts.DeleteOneAsync(MongoAccountQueries.One(tenantId, accountId), ct)).DeletedCount == 1;

    public async Task<int> RewrapAllAsync(Func<string, Guid, byte[], byte[]?> rewrap, CancellationToken ct)
    {
        var rewritten = 0;
        var projection = Builders<BsonDocument>.Projection.Include(AccountDocument.Tenant).Include(AccountDocument.Secret);
        using var cursor = await _accounts.Find(MongoAccountQueries.HasSecret).Project(projection).Sort(Builders<BsonDocument>.Sort.Ascending("_id"))
            .ToCursorAsync(ct);
        while (await cursor.MoveNextAsync(ct))
        {
            foreach (var document in cursor.Current)
            {
                var tenantId = document[AccountDocument.Tenant].AsString;
                var accountId = document["_id"].AsGuid;
                var secret = document[AccountDocument.Secret].AsByteArray;
                if (rewrap(tenantId, accountId, secret) is not { } replacement)
                {
                    continue;
                }

                // Compare-and-swap: a secret removed (disconnect) or replaced meanwhile is not brought back.
                var result = await _accounts.UpdateOneAsync(
                    MongoAccountQueries.SecretIs(tenantId, accountId, secret),
                    Builders<BsonDocument>.Update.Set(AccountDocument.Secret, new BsonBinaryData(replacement)),
                    cancellationToken: ct);
                rewritten += (int)result.ModifiedCount;
            }
        }

        return rewritten;
    }

    public async Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await _leases.UpdateOneAsync(
                MongoAccountQueries.LeaseTakeable(name, holder, now),
                MongoAccountQueries.TakeLease(holder, now + duration),
                new UpdateOptions { IsUpsert = true },
                ct);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // Held by another holder and not expired: the upsert's insert collided with the existing lease.
            return false;
        }
    }

    public async Task<IReadOnlyList<Account>> ClaimDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        // One atomic find-and-modify per account: two instances can never both move the same account's next sync.
        var claimed = new List<Account>();
        while (claimed.Count < limit)
        {
            var document = await _accounts.FindOneAndUpdateAsync(
                MongoAccountQueries.Due(now),
                MongoAccountQueries.MoveNextSync(now),
                new FindOneAndUpdateOptions<BsonDocument> { Sort = Builders<BsonDocument>.Sort.Ascending(AccountDocument.NextSyncAt), ReturnDocument = ReturnDocument.Before },
                ct);
            if (document is null)
            {
                break;
            }

            claimed.Add(AccountDocument.ToAccount(document));
        }

        return claimed;
    }
}

/// <summary>The filters and updates of <see cref="MongoAccountStore"/>; every account filter starts with the tenant.</summary>
public static class MongoAccountQueries
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BsonDocument> Updates = Builders<BsonDocument>.Update;

    public static readonly SortDefinition<BsonDocument> ListOrder =
        Builders<BsonDocument>.Sort.Ascending(AccountDocument.CreatedAt).Ascending("_id");

    public static FilterDefinition<BsonDocument> HasSecret => Filter.Ne(AccountDocument.Secret, BsonNull.Value);

    public static FilterDefinition<BsonDocument> Tenant(string tenantId) => Filter.Eq(AccountDocument.Tenant, tenantId);

    public static FilterDefinition<BsonDocument> One(string tenantId, Guid accountId) =>
        Tenant(tenantId) & Filter.Eq("_id", new BsonBinaryData(accountId, GuidRepresentation.Standard));

    /// <summary>A scan-driven status applies unless the account is disconnected or already has a newer status.</summary>
    public static FilterDefinition<BsonDocument> StatusApplies(string tenantId, Guid accountId, DateTimeOffset at) =>
        One(tenantId, accountId)
        & Filter.Ne(AccountDocument.Status, nameof(SyncStatus.Disconnected))
        & (Filter.Eq(AccountDocument.StatusChangedAt, BsonNull.Value) | Filter.Lte(AccountDocument.StatusChangedAt, at.UtcDateTime));

    public static UpdateDefinition<BsonDocument> SetStatus(StatusChange change)
    {
        var update = Updates
            .Set(AccountDocument.Status, change.Status.ToString())
            .Set(AccountDocument.StatusMessage, change.Message is null ? BsonNull.Value : (BsonValue)new BsonString(change.Message))
            .Set(AccountDocument.LastScanId, new BsonBinaryData(change.ScanId, GuidRepresentation.Standard))
            .Set(AccountDocument.StatusChangedAt, change.At.UtcDateTime);
        return change.Status == SyncStatus.Synced ? update.Set(AccountDocument.LastSyncedAt, change.At.UtcDateTime) : update;
    }

    /// <summary>A new interval counts from now, but never pushes a due sync further than the old schedule had it ($min keeps a null).</summary>
    public static UpdateDefinition<BsonDocument> Update(AccountChanges changes, DateTimeOffset now)
    {
        var updates = new List<UpdateDefinition<BsonDocument>>();
        if (changes.DisplayName is not null)
        {
            updates.Add(Updates.Set(AccountDocument.DisplayName, changes.DisplayName));
        }

        if (changes.Regions is not null)
        {
            updates.Add(Updates.Set(AccountDocument.Regions, new BsonArray(changes.Regions)));
        }

        if (changes.SyncIntervalMinutes is { } interval)
        {
            updates.Add(Updates.Set(AccountDocument.SyncIntervalMinutes, interval));
            updates.Add(Updates.Min(AccountDocument.NextSyncAt, now.AddMinutes(interval).UtcDateTime));
        }

        return updates.Count > 0
            ? Updates.Combine(updates)
            : throw new ArgumentException("An update needs at least one change.", nameof(changes));
    }

    /// <summary>
    /// Removes the secret and stops the schedule; the status time moves only on the first disconnect (a pipeline
    /// update, so the condition sees the document as it was).
    /// </summary>
    public static UpdateDefinition<BsonDocument> Disconnect(DateTimeOffset at) => new PipelineUpdateDefinition<BsonDocument>(new BsonDocument[]
    {
        new("$set", new BsonDocument
        {
            [AccountDocument.StatusChangedAt] = new BsonDocument("$cond", new BsonArray
            {
                new BsonDocument("$eq", new BsonArray { "$" + AccountDocument.Status, nameof(SyncStatus.Disconnected) }),
                "$" + AccountDocument.StatusChangedAt,
                at.UtcDateTime,
            }),
            [AccountDocument.Secret] = BsonNull.Value,
            [AccountDocument.Status] = nameof(SyncStatus.Disconnected),
            [AccountDocument.StatusMessage] = BsonNull.Value,
            [AccountDocument.NextSyncAt] = BsonNull.Value,
        }),
    });

    public static FilterDefinition<BsonDocument> SecretIs(string tenantId, Guid accountId, byte[] secret) =>
        One(tenantId, accountId) & Filter.Eq(AccountDocument.Secret, new BsonBinaryData(secret));

    public static FilterDefinition<BsonDocument> Due(DateTimeOffset now) =>
        Filter.Lte(AccountDocument.NextSyncAt, now.UtcDateTime)
        & HasSecret
        & Filter.Ne(AccountDocument.Status, nameof(SyncStatus.Disconnected));

    /// <summary>Next sync = now + the account's own interval, computed by the server from the document.</summary>
    public static UpdateDefinition<BsonDocument> MoveNextSync(DateTimeOffset now) => new PipelineUpdateDefinition<BsonDocument>(new BsonDocument[]
    {
        new("$set", new BsonDocument(AccountDocument.NextSyncAt, new BsonDocument("$add", new BsonArray
        {
            now.UtcDateTime,
            new BsonDocument("$multiply", new BsonArray { "$" + AccountDocument.SyncIntervalMinutes, 60_000 }),
        }))),
    });

    public static FilterDefinition<BsonDocument> LeaseTakeable(string name, string holder, DateTimeOffset now) =>
        Filter.Eq("_id", name) & (Filter.Eq("holder", holder) | Filter.Lte("expiresAt", now.UtcDateTime));

    public static UpdateDefinition<BsonDocument> TakeLease(string holder, DateTimeOffset until) =>
        Updates.Set("holder", holder).Set("expiresAt", until.UtcDateTime);
}

/// <summary>How an <see cref="Account"/> is written as a BSON document, and read back: the one place that names its fields.</summary>
public static class AccountDocument
{
    public const string Tenant = "tenant";
    public const string Provider = "provider";
    public const string DisplayName = "displayName";
    public const string Regions = "regions";
    public const string Settings = "settings";
    public const string Secret = "secret";
    public const string Status = "status";
    public const string StatusMessage = "statusMessage";
    public const string LastScanId = "lastScanId";
    public const string StatusChangedAt = "statusChangedAt";
    public const string LastSyncedAt = "lastSyncedAt";
    public const string CreatedAt = "createdAt";
    public const string SyncIntervalMinutes = "syncIntervalMinutes";
    public const string NextSyncAt = "nextSyncAt";
    public const string ConnectedAs = "connectedAs";

    public static BsonDocument From(Account account) => new()
    {
        ["_id"] = new BsonBinaryData(account.Id, GuidRepresentation.Standard),
        [Tenant] = account.TenantId,
        [Provider] = account.Provider.ToString(),
        [DisplayName] = account.DisplayName,
        [Regions] = new BsonArray(account.Regions),
        [Settings] = account.SettingsJson,
        [Secret] = account.Secret is null ? BsonNull.Value : new BsonBinaryData(account.Secret),
        [Status] = account.Status.ToString(),
        [StatusMessage] = Nullable(account.StatusMessage),
        [LastScanId] = account.LastScanId is { } scan ? new BsonBinaryData(scan, GuidRepresentation.Standard) : BsonNull.Value,
        [StatusChangedAt] = Time(account.StatusChangedAt),
        [LastSyncedAt] = Time(account.LastSyncedAt),
        [CreatedAt] = Time(account.CreatedAt),
        [SyncIntervalMinutes] = account.SyncIntervalMinutes,
        [NextSyncAt] = Time(account.NextSyncAt),
        [ConnectedAs] = Nullable(account.ConnectedAs),
    };

    public static Account ToAccount(BsonDocument document) => new()
    {
        Id = document["_id"].AsGuid,
        TenantId = document[Tenant].AsString,
        Provider = Enum.Parse<CloudProvider>(document[Provider].AsString),
        DisplayName = document[DisplayName].AsString,
        Regions = [.. document[Regions].AsBsonArray.Select(region => region.AsString)],
        SettingsJson = document[Settings].AsString,
        Secret = document.GetValue(Secret, BsonNull.Value).IsBsonNull ? null : document[Secret].AsByteArray,
        Status = Enum.Parse<SyncStatus>(document[Status].AsString),
        StatusMessage = document.GetValue(StatusMessage, BsonNull.Value) is BsonString message ? message.Value : null,
        LastScanId = document.GetValue(LastScanId, BsonNull.Value).IsBsonNull ? null : document[LastScanId].AsGuid,
        StatusChangedAt = ReadTime(document, StatusChangedAt),
        LastSyncedAt = ReadTime(document, LastSyncedAt),
        CreatedAt = ReadTime(document, CreatedAt)!.Value,
        SyncIntervalMinutes = document.GetValue(SyncIntervalMinutes, Account.DefaultSyncIntervalMinutes).ToInt32(),
        NextSyncAt = ReadTime(document, NextSyncAt),
        ConnectedAs = document.GetValue(ConnectedAs, BsonNull.Value) is BsonString identity ? identity.Value : null,
    };

    private static BsonValue Nullable(string? text) => text is null ? BsonNull.Value : new BsonString(text);

    private static BsonValue Time(DateTimeOffset? time) => time is { } t ? new BsonDateTime(t.UtcDateTime) : BsonNull.Value;

    private static DateTimeOffset? ReadTime(BsonDocument document, string name) =>
        document.GetValue(name, BsonNull.Value) is BsonDateTime time ? new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero) : null;
}
