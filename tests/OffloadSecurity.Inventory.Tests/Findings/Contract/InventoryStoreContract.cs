using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>
/// What every <see cref="IInventoryStore"/> must do, whatever the backend: one suite, run by one concrete class per
/// store (<see cref="SqliteInventoryStoreContract"/> on real SQLite files, <see cref="MongoInventoryStoreContract"/>
/// on a real MongoDB where one is reachable). Each test gets a fresh, empty store and a clock it moves by hand.
/// </summary>
public abstract partial class InventoryStoreContract : IAsyncLifetime
{
    protected const string Tenant = "tenant-a";
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    protected static readonly Guid Account = Guid.NewGuid();
    protected static readonly Guid OtherAccount = Guid.NewGuid();

    protected ManualTime Time { get; } = new(T0);

    protected IInventoryStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh store with its schema (or skips the test, saying why, when the backend is not reachable here).</summary>
    protected abstract Task<IInventoryStore> CreateStoreAsync(TimeProvider time);

    /// <summary>A second store over the same data, as a second inventory instance has (made after <see cref="CreateStoreAsync"/>).</summary>
    protected abstract Task<IInventoryStore> OpenSecondInstanceAsync(TimeProvider time);

    /// <summary>Removes what <see cref="CreateStoreAsync"/> made.</summary>
    protected abstract ValueTask DisposeStoreAsync();

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync(Time);

    public ValueTask DisposeAsync() => DisposeStoreAsync();

    /// <summary>One source scan in one batch, then its completion; returns every change the store reported.</summary>
    protected Task<List<FindingDelta>> Scan(DateTimeOffset at, bool complete, params NormalizedFinding[] findings) =>
        Scan(Account, at, complete, findings);

    protected Task<List<FindingDelta>> Scan(DateTimeOffset at, params NormalizedFinding[] findings) => Scan(Account, at, complete: true, findings);

    protected async Task<List<FindingDelta>> Scan(Guid account, DateTimeOffset at, bool complete, params NormalizedFinding[] findings)
    {
        var scan = Guid.NewGuid();
        var changes = new List<FindingDelta>(await Store.IngestAsync(Batch(Tenant, account, scan, at, 0, findings), Ct));
        changes.AddRange(await Store.CompleteSourceScanAsync(Completed(Tenant, account, scan, at, batches: 1, complete), Ct));
        return changes;
    }

    protected async Task<List<FindingRecord>> All(string tenant = Tenant) =>
        [.. (await Store.QueryAsync(tenant, new FindingQuery { Limit = 500 }, Ct)).Items];

    protected static List<string> Ids(FindingPage page) => [.. page.Items.Select(f => f.NativeId)];
}
