using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Inventory.Tests;

/// <summary>A real SQLite inventory store in a fresh folder, with its schema, removed after the test.</summary>
public sealed class TempInventoryStore : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public TempInventoryStore(TimeProvider? time = null) =>
        Store = new SqliteInventoryStore(new SqliteDatabase(_dir.File("inventory.db")), time);

    public SqliteInventoryStore Store { get; }

    public ValueTask InitializeAsync() => new(Store.InitializeAsync(TestContext.Current.CancellationToken));

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
