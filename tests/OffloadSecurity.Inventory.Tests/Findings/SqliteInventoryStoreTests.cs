using Dapper;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>
/// What only the SQLite store has: maintained posture counts, the version 2 → 3 migration, and batches written together
/// in one transaction (group commit). What every store must do is in the store contract.
/// </summary>
public sealed class SqliteInventoryStoreTests : IDisposable
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.NewGuid();
    private static readonly Guid OtherAccount = Guid.NewGuid();
    private readonly TempDirectory _dir = new();
    private readonly ManualTime _time = new(T0);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private async Task<SqliteInventoryStore> OpenAsync()
    {
        var store = new SqliteInventoryStore(new SqliteDatabase(_dir.File("inventory.db")), _time);
        await store.InitializeAsync(Ct);
        return store;
    }

    private async Task ScanAsync(SqliteInventoryStore store, Guid account, DateTimeOffset at, params NormalizedFinding[] findings)
    {
        var scan = Guid.NewGuid();
        await store.IngestAsync(Batch(Tenant, account, scan, at, 0, findings), Ct);
        await store.CompleteSourceScanAsync(Completed(Tenant, account, scan, at, batches: 1), Ct);
    }

    /// <summary>The summary as a scan of every finding would count it.</summary>
    private static async Task<List<PostureCount>> RecountAsync(SqliteInventoryStore store, string tenant = Tenant) =>
        [.. (await store.ExportAsync(tenant, new FindingQuery(), Ct).ToListAsync(Ct))
            .GroupBy(e => (e.Finding.Provider, e.Finding.AccountId, e.Finding.Severity, e.Finding.EffectiveStatus))
            .Select(g => new PostureCount(g.Key.Provider, g.Key.AccountId, g.Key.Severity, g.Key.EffectiveStatus, g.Count()))];

    private static async Task ShouldMatchRecountAsync(SqliteInventoryStore store, string tenant = Tenant)
    {
        var summary = await store.SummarizeAsync(tenant, Ct);
        summary.Counts.ShouldBe(await RecountAsync(store, tenant), ignoreOrder: true);
        summary.Total.ShouldBe(summary.Counts.Sum(c => c.Count));
    }

    [Fact]
    public async Task The_maintained_counts_always_equal_a_recount_of_the_findings()
    {
        var store = await OpenAsync();

        await ScanAsync(store, Account, T0, Finding("a", Severity.Critical), Finding("b"), Finding("c", Severity.Low), Finding("closed", state: ObservedState.Closed));
        await ScanAsync(store, OtherAccount, T0, Finding("x", Severity.Medium));
        await store.IngestAsync(Batch("tenant-b", Account, Guid.NewGuid(), T0, 0, Finding("a")), Ct);
        await ShouldMatchRecountAsync(store);

        // New → Active, a severity change, b missing from a complete scan (resolved), a provider-closed finding seen open again.
        await ScanAsync(store, Account, T0.AddHours(6), Finding("a", Severity.High), Finding("c", Severity.Low), Finding("closed"));
        await ShouldMatchRecountAsync(store);

        await store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.Acknowledged, null, "alice", null), Ct);
        await store.SetWorkflowAsync(Tenant, "fp-c", new WorkflowChange(WorkflowState.RiskAccepted, "accepted", "bob", T0.AddDays(2)), Ct);
        await store.SetWorkflowAsync(Tenant, "fp-b", new WorkflowChange(WorkflowState.Suppressed, null, "carol", null), Ct);
        await ShouldMatchRecountAsync(store);

        // b reopened (its suppression still stands), a resolved while acknowledged, then the risk acceptance lapses.
        await ScanAsync(store, Account, T0.AddHours(12), Finding("b"), Finding("c", Severity.Low), Finding("closed"));
        await ShouldMatchRecountAsync(store);
        _time.Now = T0.AddDays(3);
        (await store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldNotContain("RiskAccepted");
        await ShouldMatchRecountAsync(store);
        (await store.ExpireRiskAcceptancesAsync(_time.Now, 100, Ct)).Expired.Single().Delta.Change.Fingerprint.ShouldBe("fp-c");
        await ShouldMatchRecountAsync(store);

        await store.SetWorkflowAsync(Tenant, "fp-c", new WorkflowChange(WorkflowState.None, null, "bob", null), Ct);
        await store.SetWorkflowAsync(Tenant, "fp-b", new WorkflowChange(WorkflowState.None, null, "carol", null), Ct);
        await ShouldMatchRecountAsync(store);

        await store.DeleteAccountAsync(Tenant, OtherAccount, Ct);
        await ShouldMatchRecountAsync(store);
        await ShouldMatchRecountAsync(store, "tenant-b");
    }

    [Fact]
    public async Task A_version_2_database_is_migrated_with_its_references_and_counts()
    {
        var store = await OpenAsync();
        await ScanAsync(store, Account, T0,
            Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS 1.1" }] },
            Finding("b", Severity.Low) with { Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-3094" }] },
            Finding("c", state: ObservedState.Closed));
        await store.SetWorkflowAsync(Tenant, "fp-b", new WorkflowChange(WorkflowState.Suppressed, null, "carol", null), Ct);
        var before = await store.SummarizeAsync(Tenant, Ct);

        // Put the file back in the shape version 2 left it in: references in two B-trees, no counts, a summary index.
        await using (var connection = await new SqliteDatabase(_dir.File("inventory.db")).OpenAsync(Ct))
        {
            await connection.ExecuteAsync(
                """
                CREATE TABLE refs_v2 (tenant_id TEXT NOT NULL, fingerprint TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
                                      PRIMARY KEY (tenant_id, fingerprint, kind, ref)) WITHOUT ROWID;
                INSERT INTO refs_v2 SELECT tenant_id, fingerprint, kind, ref FROM finding_refs;
                DROP TABLE finding_refs;
                ALTER TABLE refs_v2 RENAME TO finding_refs;
                CREATE INDEX ix_finding_refs_ref ON finding_refs (tenant_id, kind, ref, fingerprint);
                DROP TABLE posture_counts;
                CREATE INDEX ix_findings_summary ON findings (tenant_id, provider, account_id, severity_id, status, workflow_state, workflow_expires_at);
                PRAGMA user_version = 2;
                """);
        }

        var migrated = await OpenAsync();

        (await migrated.SummarizeAsync(Tenant, Ct)).ShouldSatisfyAllConditions(
            s => s.Counts.ShouldBe(before.Counts, ignoreOrder: true),
            s => s.Score.ShouldBe(before.Score));
        (await migrated.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.1" }, Ct)).Items.Single().NativeId.ShouldBe("a");
        (await migrated.QueryAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094" }, Ct)).Items.Single().NativeId.ShouldBe("b");
        await ScanAsync(migrated, Account, T0.AddHours(6),
            Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS 1.2" }] }, Finding("b", Severity.Critical));
        (await migrated.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.1" }, Ct)).Items.ShouldBeEmpty();
        (await migrated.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.2" }, Ct)).Items.Single().NativeId.ShouldBe("a");
        (await migrated.QueryAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094" }, Ct)).Items.ShouldBeEmpty();
        await ShouldMatchRecountAsync(migrated);
        await using var check = await new SqliteDatabase(_dir.File("inventory.db")).OpenAsync(Ct);
        (await check.ExecuteScalarAsync<long>("PRAGMA user_version")).ShouldBe(4);
        (await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('ix_findings_summary', 'ix_finding_refs_ref')")).ShouldBe(0);
    }

    [Fact]
    public async Task A_version_3_database_gets_the_history_columns_and_its_lapsed_acceptances_are_swept()
    {
        var store = await OpenAsync();
        await ScanAsync(store, Account, T0, Finding("a"), Finding("b"));
        await store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.RiskAccepted, "accepted", "bob", T0.AddDays(1)), Ct);
        await store.SetWorkflowAsync(Tenant, "fp-b", new WorkflowChange(WorkflowState.Acknowledged, "looking", "alice", null), Ct);

        // Put the file back in the shape version 3 left it in: no acceptance columns in the history, no new indexes.
        await using (var connection = await new SqliteDatabase(_dir.File("inventory.db")).OpenAsync(Ct))
        {
            await connection.ExecuteAsync(
                """
                ALTER TABLE finding_history DROP COLUMN workflow_by;
                ALTER TABLE finding_history DROP COLUMN workflow_at;
                ALTER TABLE finding_history DROP COLUMN workflow_expires_at;
                DROP INDEX ix_findings_resource;
                DROP INDEX ix_findings_acceptance_expiry;
                PRAGMA user_version = 3;
                """);
        }

        var migrated = await OpenAsync();
        _time.Now = T0.AddDays(2);
        var ended = await migrated.ExpireRiskAcceptancesAsync(_time.Now, 100, Ct);

        ended.Expired.Single().Delta.Change.Fingerprint.ShouldBe("fp-a");
        var history = (await migrated.FindAsync(Tenant, "fp-a", Ct))!.History!;
        history.Select(h => h.Transition).ShouldBe(["Created", "RiskAccepted", "RiskAcceptanceExpired"]);
        history[1].Acceptance.ShouldBeNull();
        history[2].Acceptance!.By.ShouldBe("bob");
        (await migrated.FindAsync(Tenant, "fp-b", Ct))!.History!.Last().Note.ShouldBe("looking");
        (await migrated.QueryAsync(Tenant, new FindingQuery { ResourceId = "arn:aws:s3:::bucket-b" }, Ct)).Items.Single().NativeId.ShouldBe("b");
        await ShouldMatchRecountAsync(migrated);
        await using var check = await new SqliteDatabase(_dir.File("inventory.db")).OpenAsync(Ct);
        (await check.ExecuteScalarAsync<long>("PRAGMA user_version")).ShouldBe(4);
        (await check.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('ix_findings_resource', 'ix_findings_acceptance_expiry')")).ShouldBe(2);
    }

    [Theory]
    [InlineData(FindingSort.SeverityDesc)]
    [InlineData(FindingSort.LastSeenAsc)]
    [InlineData(FindingSort.FirstSeenDesc)]
    public async Task The_resource_filter_and_the_expiry_sweep_read_through_their_indexes(FindingSort sort)
    {
        var store = await OpenAsync();
        await ScanAsync(store, Account, T0, Finding("a"));
        await using var connection = await new SqliteDatabase(_dir.File("inventory.db")).OpenAsync(Ct);

        async Task<string> PlanAsync(string sql, object args) =>
            string.Join(" | ", (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, args)).Select(r => r.Detail));

        var cursor = FindingCursor.Encode(sort, sort is FindingSort.SeverityDesc ? "4" : "2026-11-23T09:00:00.0000000Z", "fp-a");
        var (sql, args) = SqliteInventoryStore.BuildQuery(
            Tenant, new FindingQuery { ResourceId = "arn:aws:s3:::bucket-a", Sort = sort, Cursor = cursor }, T0, "fingerprint", paged: true, startFrom: null);
        (await PlanAsync(sql, args)).ShouldStartWith("SEARCH findings USING INDEX ix_findings_resource (tenant_id=? AND resource_id=?)");
        (await PlanAsync(SqliteInventoryStore.LapsedAcceptancesSql, new { now = "2026-11-24", limit = 500 }))
            .ShouldStartWith("SEARCH findings USING INDEX ix_findings_acceptance_expiry (");
    }

    [Fact]
    public async Task Batches_arriving_together_are_decided_as_if_one_came_after_the_other()
    {
        var store = await OpenAsync();
        var scan = Guid.NewGuid();
        var batches = Enumerable.Range(0, 40).Select(b => Batch(Tenant, b % 2 == 0 ? Account : OtherAccount, scan, T0, b,
            [.. Enumerable.Range(b * 25, 25).Select(i => Finding("g" + i, (Severity)(i % 5 + 1)))])).ToList();
        // The same findings again (a redelivery racing its original) and a completion that waits for every batch.
        batches.AddRange(batches.Take(10));

        var results = await Task.WhenAll(batches.Select(b => Task.Run(() => store.IngestAsync(b, Ct), Ct)));

        results.SelectMany(r => r).Count(d => d.Change.Kind == FindingChangeKind.Created).ShouldBe(1000);
        results.SelectMany(r => r).ShouldAllBe(d => d.Change.Kind == FindingChangeKind.Created);
        results.SelectMany(r => r).Select(d => d.Change.Fingerprint).ShouldBeUnique();
        (await store.SummarizeAsync(Tenant, Ct)).Total.ShouldBe(1000);
        await ShouldMatchRecountAsync(store);
    }

    [Fact]
    public async Task A_batch_that_fails_fails_alone_and_the_batches_written_with_it_are_kept()
    {
        var store = await OpenAsync();
        var good = Enumerable.Range(0, 12).Select(b => Batch(Tenant, Account, Guid.NewGuid(), T0, 0,
            [.. Enumerable.Range(b * 10, 10).Select(i => Finding("ok" + i))])).ToList();
        var bad = Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("fine"), Finding("broken") with { Resource = null! });

        var tasks = good.Take(6).Append(bad).Concat(good.Skip(6)).Select(b => Task.Run(() => store.IngestAsync(b, Ct), Ct)).ToList();
        await Should.ThrowAsync<NullReferenceException>(() => tasks[6]);

        foreach (var task in tasks.Where((_, i) => i != 6))
        {
            (await task).Count.ShouldBe(10);
        }

        var stored = (await store.ExportAsync(Tenant, new FindingQuery(), Ct).ToListAsync(Ct)).Select(e => e.Finding.NativeId).ToList();
        stored.Count.ShouldBe(120);
        stored.ShouldNotContain("fine");
        await ShouldMatchRecountAsync(store);
    }

    [Fact]
    public async Task A_common_and_a_rare_reference_filter_page_through_the_same_findings_in_order()
    {
        var store = await OpenAsync();
        // 1,200 findings carry control X (more than the store starts from: it walks the order), 4 carry the CVE.
        var findings = Enumerable.Range(0, 2400).Select(i => Finding("r" + i.ToString("0000"), (Severity)(i % 5 + 1)) with
        {
            Compliance = [new ComplianceRef { Requirement = i % 2 == 0 ? "CIS X" : "CIS Y" }],
            Vulnerabilities = i % 700 == 0 ? [new VulnerabilityRef { Id = "CVE-2024-3094" }] : [],
        }).ToList();
        foreach (var chunk in findings.Chunk(500))
        {
            await store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, chunk), Ct);
        }

        async Task<List<FindingRecord>> PageThroughAsync(FindingQuery query)
        {
            var seen = new List<FindingRecord>();
            string? cursor = null;
            do
            {
                var page = await store.QueryAsync(Tenant, query with { Limit = 500, Cursor = cursor }, Ct);
                seen.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return seen;
        }

        var common = await PageThroughAsync(new FindingQuery { Compliance = "CIS X" });
        common.Select(f => f.Fingerprint).ShouldBe(findings.Where((_, i) => i % 2 == 0)
            .OrderByDescending(f => f.SeverityId).ThenBy(f => f.Fingerprint, StringComparer.Ordinal).Select(f => f.Fingerprint));
        var rare = await PageThroughAsync(new FindingQuery { Cve = "CVE-2024-3094", Compliance = "CIS X", Sort = FindingSort.FirstSeenAsc });
        rare.Select(f => f.NativeId).ShouldBe(["r0000", "r0700", "r1400", "r2100"], ignoreOrder: true);
        (await store.ExportAsync(Tenant, new FindingQuery { Compliance = "CIS X", Severity = Severity.Critical }, Ct).CountAsync(Ct)).ShouldBe(240);
        (await store.ExportAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094" }, Ct).CountAsync(Ct)).ShouldBe(4);
    }

    [Fact]
    public async Task Empty_strings_are_stored_as_empty_strings_not_nulls()
    {
        var store = await OpenAsync();

        await store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0,
            Finding("e") with { Title = "", Region = "", Resource = new ResourceRef { Type = "", Id = "" } }), Ct);

        var stored = (await store.FindAsync(Tenant, "fp-e", Ct))!;
        stored.Title.ShouldBe("");
        stored.Region.ShouldBe("");
        (await store.QueryAsync(Tenant, new FindingQuery { Region = "", ResourceType = "" }, Ct)).Items.Single().Fingerprint.ShouldBe("fp-e");
    }
}
