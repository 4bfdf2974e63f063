using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core.Scanning.Runs;

namespace OffloadSecurity.Scanners.Core.Tests.Scanning.Runs;

/// <summary>The MongoDB run store's documents and filters, checked without a server.</summary>
public sealed class MongoScanStateDocumentsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void A_run_survives_the_trip_through_BSON_with_ids_as_standard_uuids()
    {
        var run = new ScanRun
        {
            ScanId = Guid.NewGuid(),
            TenantId = "tenant-a",
            AccountId = Guid.NewGuid(),
            Provider = CloudProvider.Aws,
            Trigger = ScanTrigger.Scheduled,
            Regions = ["eu-west-1"],
            State = ScanRunState.Running,
            Owner = "scanner-1",
            LeaseUntil = T0,
            CancelRequested = true,
            CreatedAt = T0.AddMinutes(-5),
        };

        var document = MongoScanStateStore.ToDocument(run);
        var back = MongoScanStateStore.ToRun(BsonDocument.Parse(document.ToJson()));

        document["_id"].AsBsonBinaryData.SubType.ShouldBe(BsonBinarySubType.UuidStandard);
        document["account_id"].AsBsonBinaryData.SubType.ShouldBe(BsonBinarySubType.UuidStandard);
        document["lease_until"].BsonType.ShouldBe(BsonType.DateTime);
        back.ShouldBeEquivalentTo(run with { Regions = back.Regions });
        back.Regions.ShouldBe(["eu-west-1"]);
    }

    [Fact]
    public void Starting_requires_the_owner_an_active_state_and_no_cancel_request()
    {
        var scanId = Guid.NewGuid();
        var filter = Render(MongoScanStateStore.StartFilter(scanId, "scanner-1"));

        filter["owner"].AsString.ShouldBe("scanner-1");
        filter["state"]["$in"].AsBsonArray.Select(v => v.AsString).ShouldBe(["Queued", "Running"]);
        filter["cancel_requested"]["$ne"].AsBoolean.ShouldBeTrue();
        filter["_id"].AsBsonBinaryData.ToGuid().ShouldBe(scanId);
    }

    [Fact]
    public void Claiming_and_cancelling_stay_within_active_runs_and_the_tenant()
    {
        var abandoned = Render(MongoScanStateStore.AbandonedFilter(T0));
        abandoned["lease_until"]["$lt"].ToUniversalTime().ShouldBe(T0.UtcDateTime);
        abandoned["state"]["$in"].AsBsonArray.Count.ShouldBe(2);

        var account = Guid.NewGuid();
        var cancel = Render(MongoScanStateStore.ActiveOfAccount("tenant-a", account));
        cancel["tenant_id"].AsString.ShouldBe("tenant-a");
        cancel["account_id"].AsBsonBinaryData.ToGuid().ShouldBe(account);
        cancel["state"]["$in"].AsBsonArray.Count.ShouldBe(2);
    }

    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) =>
        filter.Render(new RenderArgs<BsonDocument>(BsonSerializer.SerializerRegistry.GetSerializer<BsonDocument>(), BsonSerializer.SerializerRegistry));
}
