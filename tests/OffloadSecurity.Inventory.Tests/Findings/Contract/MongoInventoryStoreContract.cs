using MongoDB.Driver;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>
/// The store contract on a real MongoDB (the distributed store): <c>OFFLOAD_TEST_MONGODB_URI</c>, else a Testcontainers
/// server when a Docker engine answers. Where neither exists (the build machines), every test here is skipped with
/// the fixture's reason. Each test works in a database of its own, dropped afterwards.
/// </summary>
public sealed class MongoInventoryStoreContract(MongoDbFixture mongo) : InventoryStoreContract, IClassFixture<MongoDbFixture>
{
    private readonly string _databaseName = MongoDbServer.NewDatabaseName();
    private MongoClient? _client;

    protected override async Task<IInventoryStore> CreateStoreAsync(TimeProvider time)
    {
        _client = new MongoClient(mongo.Server.RequireConnectionString());
        var store = new MongoInventoryStore(_client.GetDatabase(_databaseName), time);
        await store.InitializeAsync(Ct);
        return store;
    }

    protected override async Task<IInventoryStore> OpenSecondInstanceAsync(TimeProvider time)
    {
        var store = new MongoInventoryStore(_client!.GetDatabase(_databaseName), time);
        await store.InitializeAsync(Ct);
        return store;
    }

    protected override async ValueTask DisposeStoreAsync()
    {
        if (_client is not null)
        {
            await _client.DropDatabaseAsync(_databaseName, CancellationToken.None);
            _client.Dispose();
        }
    }
}
