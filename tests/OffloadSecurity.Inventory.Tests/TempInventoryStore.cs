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

    /// <summary>The database file.</summary>
    public string Path => _dir.File("inventory.db");

    /// <summary>Another store over the same file, as a second inventory process would have (its own writer and lock).</summary>
    public SqliteInventoryStore OpenAnother(TimeProvider? time = null) => new(new SqliteDatabase(Path), time);

    public ValueTask InitializeAsync() => new(Store.InitializeAsync(TestContext.Current.CancellationToken));

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
