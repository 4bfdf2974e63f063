using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>
/// The expiry service on MassTransit's test harness, over real SQLite files: two services over two stores on one file
/// stand for two inventory instances.
/// </summary>
public sealed class RiskAcceptanceExpiryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid AccountA = Guid.NewGuid();
    private static readonly Guid AccountB = Guid.NewGuid();
    private readonly ManualTime _time = new(T0);
    private readonly TempInventoryStore _db;
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;

    public RiskAcceptanceExpiryTests() => _db = new TempInventoryStore(_time);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _db.InitializeAsync();
        _provider = new ServiceCollection().AddLogging().AddMassTransitTestHarness().BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop(Ct);
        await _provider.DisposeAsync();
        await _db.DisposeAsync();
    }

    private RiskAcceptanceExpiry Expiry(IInventoryStore store, int batchSize = 500, TimeSpan? interval = null) => new(
        store, _harness.Bus, _time,
        Options.Create(new RiskAcceptanceExpiryOptions { BatchSize = batchSize, Interval = interval ?? TimeSpan.FromMinutes(1) }),
        NullLogger<RiskAcceptanceExpiry>.Instance);

    private async Task AcceptAllAsync(string tenant, Guid account, DateTimeOffset until, params string[] ids)
    {
        await _db.Store.IngestAsync(Batch(tenant, account, Guid.NewGuid(), T0, 0, [.. ids.Select(id => Finding(id))]), Ct);
        foreach (var id in ids)
        {
            await _db.Store.SetWorkflowAsync(tenant, "fp-" + id, new WorkflowChange(WorkflowState.RiskAccepted, "accepted", "bob", until), Ct);
        }
    }

    private async Task<string?> StoredWorkflowStateAsync()
    {
        await using var connection = await new SqliteDatabase(_db.Path).OpenAsync(Ct);
        return await connection.ExecuteScalarAsync<string?>("SELECT workflow_state FROM findings WHERE fingerprint = 'fp-a'");
    }

    private async Task<List<FindingsChanged>> PublishedAsync()
    {
        await _harness.InactivityTask;
        return [.. _harness.Published.Select<FindingsChanged>(Ct).Select(p => p.Context.Message)];
    }

    [Fact]
    public async Task Two_instances_publish_each_lapsed_acceptance_once_as_a_workflow_change_of_its_tenant_and_account()
    {
        var a = Enumerable.Range(0, 23).Select(i => "a" + i).ToArray();
        var b = Enumerable.Range(0, 11).Select(i => "b" + i).ToArray();
        await AcceptAllAsync("tenant-a", AccountA, T0.AddDays(1), a);
        await AcceptAllAsync("tenant-b", AccountB, T0.AddDays(1), b);
        var first = Expiry(_db.Store, batchSize: 4);
        var second = Expiry(_db.OpenAnother(_time), batchSize: 4);
        _time.Now = T0.AddDays(1).AddSeconds(30);

        var counts = await Task.WhenAll(Task.Run(() => first.RunOnceAsync(Ct), Ct), Task.Run(() => second.RunOnceAsync(Ct), Ct));

        counts.Sum().ShouldBe(a.Length + b.Length);
        var published = await PublishedAsync();
        published.ShouldAllBe(m => m.TenantId == "tenant-a" ? m.AccountId == AccountA : m.TenantId == "tenant-b" && m.AccountId == AccountB);
        var changes = published.SelectMany(m => m.Changes.Select(c => (m.TenantId, Change: c))).ToList();
        changes.ShouldAllBe(c => c.Change.Kind == FindingChangeKind.Workflow && c.Change.OcsfJson.Contains("\"status_id\":1"));
        changes.Where(c => c.TenantId == "tenant-a").Select(c => c.Change.Fingerprint).ShouldBe(a.Select(id => "fp-" + id), ignoreOrder: true);
        changes.Where(c => c.TenantId == "tenant-b").Select(c => c.Change.Fingerprint).ShouldBe(b.Select(id => "fp-" + id), ignoreOrder: true);
        (await first.RunOnceAsync(Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Nothing_is_ended_or_published_before_the_expiry()
    {
        await AcceptAllAsync("tenant-a", AccountA, T0.AddDays(1), "a");
        _time.Now = T0.AddDays(1).AddTicks(-1);

        (await Expiry(_db.Store).RunOnceAsync(Ct)).ShouldBe(0);

        (await PublishedAsync()).ShouldBeEmpty();
        (await _db.Store.FindAsync("tenant-a", "fp-a", Ct))!.Workflow!.State.ShouldBe(WorkflowState.RiskAccepted);
    }

    [Fact]
    public async Task The_hosted_service_ends_lapsed_acceptances_on_its_interval()
    {
        await AcceptAllAsync("tenant-a", AccountA, T0.AddDays(1), "a");
        using var service = Expiry(_db.Store, interval: TimeSpan.FromMilliseconds(50));
        await service.StartAsync(Ct);
        try
        {
            await Task.Delay(200, Ct);
            (await StoredWorkflowStateAsync()).ShouldBe("RiskAccepted");
            _time.Now = T0.AddDays(1);

            // What is stored (a read already shows the lapse): the sweep has cleared the acceptance, then published.
            await Eventually.Until(StoredWorkflowStateAsync, state => state is null, "the acceptance to be ended", TimeSpan.FromSeconds(10));
            (await _harness.Published.Any<FindingsChanged>(Ct)).ShouldBeTrue();
            var history = (await _db.Store.FindAsync("tenant-a", "fp-a", Ct))!.History!;
            history.Select(h => h.Transition).ShouldBe(["Created", "RiskAccepted", FindingHistoryEntry.RiskAcceptanceExpired]);
        }
        finally
        {
            await service.StopAsync(Ct);
        }

        var published = (await PublishedAsync()).SelectMany(m => m.Changes).ToList();
        published.Single().Fingerprint.ShouldBe("fp-a");
        published.Single().Kind.ShouldBe(FindingChangeKind.Workflow);
    }
}
