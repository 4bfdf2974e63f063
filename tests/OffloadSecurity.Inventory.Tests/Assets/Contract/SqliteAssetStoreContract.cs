using OffloadSecurity.Inventory.Assets;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Inventory.Tests.Assets.Contract;

/// <summary>The asset store contract on a real SQLite file in a fresh folder (the standalone store).</summary>
public sealed class SqliteAssetStoreContract : AssetStoreContract
{
    private readonly TempDirectory _dir = new();

    protected override async Task<IAssetStore> CreateStoreAsync()
    {
        var store = new SqliteAssetStore(new SqliteDatabase(_dir.File("assets.db")));
        await store.InitializeAsync(Ct);
        await store.InitializeAsync(Ct); // safe to run on every start
        return store;
    }

    protected override ValueTask DisposeStoreAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
