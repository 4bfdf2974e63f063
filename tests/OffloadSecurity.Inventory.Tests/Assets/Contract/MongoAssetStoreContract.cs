using MongoDB.Driver;
using OffloadSecurity.Inventory.Assets;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Inventory.Tests.Assets.Contract;

/// <summary>
/// The asset store contract on a real MongoDB (the distributed store): <c>OFFLOAD_TEST_MONGODB_URI</c>, else a
/// Testcontainers server when a Docker engine answers. Where neither exists (the build machines), every test here is
/// skipped with the fixture's reason. Each test works in a database of its own, dropped afterwards.
/// </summary>
public sealed class MongoAssetStoreContract(MongoDbFixture mongo) : AssetStoreContract, IClassFixture<MongoDbFixture>
{
    private readonly string _databaseName = MongoDbServer.NewDatabaseName();
    private MongoClient? _client;

    protected override async Task<IAssetStore> CreateStoreAsync()
    {
        _client = new MongoClient(mongo.Server.RequireConnectionString());
        var store = new MongoAssetStore(_client.GetDatabase(_databaseName));
        await store.InitializeAsync(Ct);
        await store.InitializeAsync(Ct); // safe to run on every start
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
