using OffloadSecurity.Inventory.Findings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>The store contract on a real SQLite file in a fresh folder (the standalone store).</summary>
public sealed class SqliteInventoryStoreContract : InventoryStoreContract
{
    private TempInventoryStore? _db;

    protected override async Task<IInventoryStore> CreateStoreAsync(TimeProvider time)
    {
        _db = new TempInventoryStore(time);
        await _db.InitializeAsync();
        return _db.Store;
    }

    protected override Task<IInventoryStore> OpenSecondInstanceAsync(TimeProvider time) => Task.FromResult<IInventoryStore>(_db!.OpenAnother(time));

    protected override ValueTask DisposeStoreAsync() => _db?.DisposeAsync() ?? ValueTask.CompletedTask;
}
