using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Ingest;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Ingest;

/// <summary>The consumers on MassTransit's test harness, over a real SQLite store.</summary>
public sealed class ConsumerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempInventoryStore _db = new();
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private IInventoryStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _db.InitializeAsync();
        _store = _db.Store;
        _provider = new ServiceCollection()
            .AddSingleton<IInventoryStore>(_store)
            .AddLogging()
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<FindingsObservedConsumer>();
                bus.AddConsumer<SourceScanCompletedConsumer>();
                bus.AddConsumer<AccountDeletedConsumer>();
            })
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop(Ct);
        await _provider.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_publishes_its_changes_once_and_a_redelivery_publishes_nothing()
    {
        var account = Guid.NewGuid();
        var batch = Batch("tenant-a", account, Guid.NewGuid(), T0, 0, [.. Enumerable.Range(0, 500).Select(i => Finding("n" + i))]);

        await _harness.Bus.Publish(batch, Ct);
        await _harness.Bus.Publish(batch, Ct);

        await _harness.InactivityTask;
        _harness.GetConsumerHarness<FindingsObservedConsumer>().Consumed.Select<FindingsObserved>(Ct).Count().ShouldBe(2);
        var published = _harness.Published.Select<FindingsChanged>(Ct).Select(p => p.Context.Message).ToList();
        published.Count.ShouldBe(1);
        published[0].TenantId.ShouldBe("tenant-a");
        published[0].AccountId.ShouldBe(account);
        published[0].Changes.Count.ShouldBe(500);
        published[0].Changes.ShouldAllBe(c => c.Kind == FindingChangeKind.Created);
    }

    [Fact]
    public async Task More_than_500_resolved_findings_are_split_into_messages_of_at_most_500()
    {
        var account = Guid.NewGuid();
        var first = Guid.NewGuid();
        for (var b = 0; b < 3; b++)
        {
            await _store.IngestAsync(Batch("tenant-a", account, first, T0, b, [.. Enumerable.Range(b * 400, 400).Select(i => Finding("r" + i))]), Ct);
        }

        var second = Guid.NewGuid();
        await _harness.Bus.Publish(Batch("tenant-a", account, second, T0.AddHours(6), 0, Finding("r0")), Ct);
        await _harness.Bus.Publish(Completed("tenant-a", account, second, T0.AddHours(6), batches: 1), Ct);

        await _harness.InactivityTask;
        var resolved = _harness.Published.Select<FindingsChanged>(Ct).Select(p => p.Context.Message).ToList();
        resolved.Sum(m => m.Changes.Count).ShouldBe(1199);
        resolved.ShouldAllBe(m => m.Changes.Count <= FindingChanges.MaxPerMessage);
        resolved.SelectMany(m => m.Changes).ShouldAllBe(c => c.Kind == FindingChangeKind.Resolved);
    }

    [Fact]
    public async Task Account_deleted_removes_that_accounts_data_only_in_its_tenant()
    {
        var deleted = Guid.NewGuid();
        var kept = Guid.NewGuid();
        await _store.IngestAsync(Batch("tenant-a", deleted, Guid.NewGuid(), T0, 0, Finding("d1"), Finding("d2")), Ct);
        await _store.IngestAsync(Batch("tenant-a", kept, Guid.NewGuid(), T0, 0, Finding("k1")), Ct);
        await _store.IngestAsync(Batch("tenant-b", deleted, Guid.NewGuid(), T0, 0, Finding("d1")), Ct);

        await _harness.Bus.Publish(new AccountDeleted { TenantId = "tenant-a", AccountId = deleted, DeletedAt = T0 }, Ct);

        (await _harness.GetConsumerHarness<AccountDeletedConsumer>().Consumed.Any<AccountDeleted>(Ct)).ShouldBeTrue();
        (await _store.QueryAsync("tenant-a", new FindingQuery(), Ct)).Items.Select(f => f.NativeId).ShouldBe(["k1"]);
        (await _store.QueryAsync("tenant-b", new FindingQuery(), Ct)).Items.Select(f => f.NativeId).ShouldBe(["d1"]);
        (await _store.SummarizeAsync("tenant-a", Ct)).Total.ShouldBe(1);
        (await _store.TrendAsync("tenant-a", 1, Ct)).Days.Single().Open.ShouldBe(1);
    }
}
