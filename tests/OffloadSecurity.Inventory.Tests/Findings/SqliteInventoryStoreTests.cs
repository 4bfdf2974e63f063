using System.Text.Json;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings;

public sealed class SqliteInventoryStoreTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.NewGuid();
    private readonly TempInventoryStore _db;
    private readonly SqliteInventoryStore _store;

    public SqliteInventoryStoreTests()
    {
        _db = new TempInventoryStore();
        _store = _db.Store;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_redelivered_batch_changes_nothing()
    {
        var scan = Guid.NewGuid();
        var batch = Batch(Tenant, Account, scan, T0, 0, Finding("a"), Finding("b"));

        await _store.IngestAsync(batch, Ct);
        var first = await All();
        await _store.IngestAsync(batch, Ct);

        var second = await All();
        second.Count.ShouldBe(2);
        JsonSerializer.Serialize(second).ShouldBe(JsonSerializer.Serialize(first));
        second.ShouldAllBe(f => f.Status == FindingStatus.New);
    }

    [Fact]
    public async Task Seen_again_in_a_later_scan_a_new_finding_becomes_active()
    {
        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a")), Ct);
        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddHours(6), 0, Finding("a")), Ct);

        var finding = (await All()).Single();
        finding.Status.ShouldBe(FindingStatus.Active);
        finding.FirstSeen.ShouldBe(T0);
        finding.LastSeen.ShouldBe(T0.AddHours(6));
    }

    [Fact]
    public async Task Resolves_findings_missing_from_a_complete_scan()
    {
        await Scan(T0, complete: true, Finding("a"), Finding("b"));

        await Scan(T0.AddHours(6), complete: true, Finding("a"));

        var byId = (await All()).ToDictionary(f => f.NativeId);
        byId["a"].Status.ShouldBe(FindingStatus.Active);
        byId["b"].Status.ShouldBe(FindingStatus.Resolved);
        byId["b"].ResolvedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_partial_scan_resolves_nothing()
    {
        await Scan(T0, complete: true, Finding("a"), Finding("b"));

        await Scan(T0.AddHours(6), complete: false, Finding("a"));

        (await All()).ShouldAllBe(f => f.Status != FindingStatus.Resolved);
    }

    [Fact]
    public async Task A_completion_that_overtakes_its_batches_waits_for_them()
    {
        await Scan(T0, complete: true, Finding("a"), Finding("b"));
        var scan = Guid.NewGuid();
        var at = T0.AddHours(6);

        await _store.CompleteSourceScanAsync(Completed(Tenant, Account, scan, at, batches: 2), Ct);
        (await All()).ShouldAllBe(f => f.Status != FindingStatus.Resolved);
        await _store.IngestAsync(Batch(Tenant, Account, scan, at, 1, Finding("b")), Ct);
        (await All()).ShouldAllBe(f => f.Status != FindingStatus.Resolved);
        await _store.IngestAsync(Batch(Tenant, Account, scan, at, 0, Finding("c")), Ct);

        var byId = (await All()).ToDictionary(f => f.NativeId);
        byId["a"].Status.ShouldBe(FindingStatus.Resolved);
        byId["b"].Status.ShouldBe(FindingStatus.Active);
        byId["c"].Status.ShouldBe(FindingStatus.New);
    }

    [Fact]
    public async Task A_resolved_finding_seen_again_is_reopened()
    {
        await Scan(T0, complete: true, Finding("a"));
        await Scan(T0.AddHours(6), complete: true);
        (await All()).Single().Status.ShouldBe(FindingStatus.Resolved);

        await Scan(T0.AddHours(12), complete: true, Finding("a"));

        var finding = (await All()).Single();
        finding.Status.ShouldBe(FindingStatus.Reopened);
        finding.ResolvedAt.ShouldBeNull();
    }

    [Fact]
    public async Task An_older_observation_never_moves_a_finding_back()
    {
        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddHours(6), 0, Finding("a", Severity.Critical)), Ct);

        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a", Severity.Low)), Ct);

        var finding = (await All()).Single();
        finding.LastSeen.ShouldBe(T0.AddHours(6));
        finding.Severity.ShouldBe(Severity.Critical);
    }

    [Fact]
    public async Task A_finding_the_provider_reports_closed_is_resolved()
    {
        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a", state: ObservedState.Closed)), Ct);

        (await All()).Single().Status.ShouldBe(FindingStatus.Resolved);
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_findings()
    {
        await Scan(T0, complete: true, Finding("a"));

        (await _store.QueryAsync("tenant-b", new FindingQuery(), Ct)).Items.ShouldBeEmpty();
        (await _store.FindAsync("tenant-b", "fp-a", Ct)).ShouldBeNull();
        (await _store.FindAsync(Tenant, "fp-a", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Pages_through_every_finding_once_ordered_by_severity()
    {
        var findings = Enumerable.Range(0, 23).Select(i => Finding("f" + i, (Severity)(i % 5 + 1))).ToArray();
        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, findings), Ct);

        var seen = new List<FindingRecord>();
        string? cursor = null;
        do
        {
            var page = await _store.QueryAsync(Tenant, new FindingQuery { Limit = 5, Cursor = cursor }, Ct);
            page.Items.Count.ShouldBeLessThanOrEqualTo(5);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.Select(f => f.NativeId).ShouldBe(findings.Select(f => f.NativeId), ignoreOrder: true);
        seen.Select(f => f.SeverityId).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task Filters_by_severity_and_status()
    {
        await Scan(T0, complete: true, Finding("a", Severity.Critical), Finding("b", Severity.Low));
        await Scan(T0.AddHours(1), complete: true, Finding("a", Severity.Critical));

        (await _store.QueryAsync(Tenant, new FindingQuery { Severity = Severity.Critical }, Ct)).Items.Single().NativeId.ShouldBe("a");
        (await _store.QueryAsync(Tenant, new FindingQuery { Status = FindingStatus.Resolved }, Ct)).Items.Single().NativeId.ShouldBe("b");
        (await _store.QueryAsync(Tenant, new FindingQuery { Region = "us-east-1" }, Ct)).Items.ShouldBeEmpty();
    }

    private async Task Scan(DateTimeOffset at, bool complete, params NormalizedFinding[] findings)
    {
        var scan = Guid.NewGuid();
        await _store.IngestAsync(Batch(Tenant, Account, scan, at, 0, findings), Ct);
        await _store.CompleteSourceScanAsync(Completed(Tenant, Account, scan, at, batches: 1, complete), Ct);
    }

    private async Task<List<FindingRecord>> All() =>
        [.. (await _store.QueryAsync(Tenant, new FindingQuery { Limit = 500 }, Ct)).Items];
}
