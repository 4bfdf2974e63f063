using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Accounts;

/// <summary>The MongoDB account store's documents, filters and updates, checked as the server would receive them, without a server.</summary>
public sealed class MongoAccountQueriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, 123, TimeSpan.Zero);
    private static readonly Guid AccountId = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");

    [Fact]
    public void An_account_survives_the_trip_through_bson_bytes()
    {
        var account = new Account
        {
            Id = AccountId,
            TenantId = "tenant-a",
            Provider = CloudProvider.Gcp,
            DisplayName = "Analytics",
            Regions = ["europe-west1"],
            SettingsJson = """{"clientEmail":"scanner@p.iam.gserviceaccount.com"}""",
            Secret = [9, 8, 7],
            Status = SyncStatus.Error,
            StatusMessage = "denied",
            LastScanId = Guid.NewGuid(),
            StatusChangedAt = T0.AddMinutes(1),
            LastSyncedAt = T0,
            CreatedAt = T0.AddDays(-3),
            SyncIntervalMinutes = 90,
            NextSyncAt = T0.AddMinutes(90),
            ConnectedAs = "scanner@p.iam.gserviceaccount.com",
        };

        var bytes = AccountDocument.From(account).ToBson();
        var back = AccountDocument.ToAccount(BsonSerializer.Deserialize<BsonDocument>(bytes));

        System.Text.Json.JsonSerializer.Serialize(back).ShouldBe(System.Text.Json.JsonSerializer.Serialize(account));
    }

    [Fact]
    public void Ids_are_standard_uuids_and_times_are_bson_dates()
    {
        var document = AccountDocument.From(new Account
        {
            Id = AccountId,
            TenantId = "t",
            Provider = CloudProvider.Aws,
            DisplayName = "a",
            SettingsJson = "{}",
            CreatedAt = T0,
        });

        document["_id"].AsBsonBinaryData.SubType.ShouldBe(BsonBinarySubType.UuidStandard);
        document[AccountDocument.CreatedAt].BsonType.ShouldBe(BsonType.DateTime);
        document[AccountDocument.Secret].IsBsonNull.ShouldBeTrue();
        document[AccountDocument.Provider].AsString.ShouldBe("Aws");
    }

    [Fact]
    public void Every_account_filter_names_the_tenant()
    {
        var filters = new[]
        {
            MongoAccountQueries.One("tenant-a", AccountId),
            MongoAccountQueries.Tenant("tenant-a"),
            MongoAccountQueries.StatusApplies("tenant-a", AccountId, T0),
            MongoAccountQueries.SecretIs("tenant-a", AccountId, [1]),
        };

        foreach (var filter in filters)
        {
            Render(filter).ToJson().ShouldContain("\"tenant\" : \"tenant-a\"");
        }
    }

    [Fact]
    public void A_status_applies_only_to_a_connected_account_without_a_newer_status()
    {
        var rendered = Render(MongoAccountQueries.StatusApplies("tenant-a", AccountId, T0));

        rendered["status"].ShouldBe(new BsonDocument("$ne", "Disconnected"));
        rendered["$or"].ShouldBe(new BsonArray
        {
            new BsonDocument("statusChangedAt", BsonNull.Value),
            new BsonDocument("statusChangedAt", new BsonDocument("$lte", new BsonDateTime(T0.UtcDateTime))),
        });
    }

    [Fact]
    public void A_new_interval_moves_the_next_sync_with_min_so_it_never_delays_it()
    {
        var rendered = Render(MongoAccountQueries.Update(new AccountChanges(null, null, 30), T0)).AsBsonDocument;

        rendered["$set"].AsBsonDocument.ShouldBe(new BsonDocument("syncIntervalMinutes", 30));
        rendered["$min"].AsBsonDocument.ShouldBe(new BsonDocument("nextSyncAt", new BsonDateTime(T0.AddMinutes(30).UtcDateTime)));
    }

    [Fact]
    public void Synced_also_sets_the_last_sync_time_and_other_statuses_do_not()
    {
        var synced = Render(MongoAccountQueries.SetStatus(new StatusChange(Guid.NewGuid(), SyncStatus.Synced, null, T0)))["$set"].AsBsonDocument;
        var failed = Render(MongoAccountQueries.SetStatus(new StatusChange(Guid.NewGuid(), SyncStatus.Error, "x", T0)))["$set"].AsBsonDocument;

        synced.Contains("lastSyncedAt").ShouldBeTrue();
        failed.Contains("lastSyncedAt").ShouldBeFalse();
        failed["statusMessage"].AsString.ShouldBe("x");
    }

    [Fact]
    public void Disconnect_keeps_the_first_disconnect_time_by_a_condition_on_the_old_status()
    {
        var stage = Render(MongoAccountQueries.Disconnect(T0)).AsBsonArray.Single().AsBsonDocument["$set"].AsBsonDocument;

        stage["secret"].IsBsonNull.ShouldBeTrue();
        stage["nextSyncAt"].IsBsonNull.ShouldBeTrue();
        stage["statusChangedAt"].ShouldBe(new BsonDocument("$cond", new BsonArray
        {
            new BsonDocument("$eq", new BsonArray { "$status", "Disconnected" }),
            "$statusChangedAt",
            new BsonDateTime(T0.UtcDateTime),
        }));
    }

    [Fact]
    public void A_claim_moves_the_next_sync_by_the_accounts_own_interval_on_the_server()
    {
        var due = Render(MongoAccountQueries.Due(T0));
        var move = Render(MongoAccountQueries.MoveNextSync(T0)).AsBsonArray.Single().AsBsonDocument;

        due["nextSyncAt"].ShouldBe(new BsonDocument("$lte", new BsonDateTime(T0.UtcDateTime)));
        due["secret"].ShouldBe(new BsonDocument("$ne", BsonNull.Value));
        move["$set"]["nextSyncAt"]["$add"][1].ShouldBe(new BsonDocument("$multiply", new BsonArray { "$syncIntervalMinutes", 60_000 }));
    }

    [Fact]
    public void A_lease_is_taken_only_from_its_own_holder_or_once_it_expired()
    {
        var rendered = Render(MongoAccountQueries.LeaseTakeable("scheduler", "a", T0));

        rendered["_id"].AsString.ShouldBe("scheduler");
        rendered["$or"].ShouldBe(new BsonArray
        {
            new BsonDocument("holder", "a"),
            new BsonDocument("expiresAt", new BsonDocument("$lte", new BsonDateTime(T0.UtcDateTime))),
        });
    }

    private static readonly RenderArgs<BsonDocument> Args = new(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry);

    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) => filter.Render(Args);

    private static BsonValue Render(UpdateDefinition<BsonDocument> update) => update.Render(Args);
}
