using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings;

public sealed class WorkflowAndQueryTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.NewGuid();
    private readonly ManualTime _time = new(T0);
    private readonly TempInventoryStore _db;
    private readonly SqliteInventoryStore _store;

    public WorkflowAndQueryTests()
    {
        _db = new TempInventoryStore(_time);
        _store = _db.Store;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task An_acknowledgement_is_kept_across_rescans_and_shown_in_the_history()
    {
        await Scan(T0, Finding("a"));
        var delta = await _store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.Acknowledged, "looking", "alice", null), Ct);

        await Scan(T0.AddHours(6), Finding("a", Severity.Critical));

        delta!.Change.Kind.ShouldBe(FindingChangeKind.Workflow);
        delta.Change.OcsfJson.ShouldContain("\"status_id\":2");
        var finding = (await _store.FindAsync(Tenant, "fp-a", Ct))!;
        var workflow = finding.Workflow!;
        workflow.State.ShouldBe(WorkflowState.Acknowledged);
        workflow.By.ShouldBe("alice");
        finding.Severity.ShouldBe(Severity.Critical);
        var history = finding.History!;
        history.Select(h => h.Transition).ShouldBe(["Created", "Acknowledged"]);
        history[1].Actor.ShouldBe("alice");
        history[1].From.ShouldBe("New");
    }

    [Fact]
    public async Task A_risk_acceptance_returns_to_active_after_its_expiry()
    {
        await Scan(T0, Finding("a"));
        await Scan(T0.AddHours(1), Finding("a"));
        await _store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.RiskAccepted, "compensating control", "bob", T0.AddDays(7)), Ct);

        (await _store.FindAsync(Tenant, "fp-a", Ct))!.EffectiveStatus.ShouldBe("RiskAccepted");
        (await _store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.RiskAccepted }, Ct)).Items.Count.ShouldBe(1);
        (await _store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["RiskAccepted"]);
        _time.Now = T0.AddDays(8);

        var expired = (await _store.FindAsync(Tenant, "fp-a", Ct))!;
        expired.Workflow.ShouldBeNull();
        expired.EffectiveStatus.ShouldBe("Active");
        expired.History!.Last().Transition.ShouldBe("RiskAcceptanceExpired");
        (await _store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.RiskAccepted }, Ct)).Items.ShouldBeEmpty();
        (await _store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.None }, Ct)).Items.Count.ShouldBe(1);
        (await _store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["Active"]);
    }

    [Fact]
    public async Task Workflow_on_an_unknown_or_foreign_finding_changes_nothing()
    {
        await Scan(T0, Finding("a"));

        (await _store.SetWorkflowAsync("tenant-b", "fp-a", new WorkflowChange(WorkflowState.Suppressed, "x", "eve", null), Ct)).ShouldBeNull();
        (await _store.SetWorkflowAsync(Tenant, "fp-zzz", new WorkflowChange(WorkflowState.Suppressed, "x", "eve", null), Ct)).ShouldBeNull();
        (await _store.FindAsync(Tenant, "fp-a", Ct))!.Workflow.ShouldBeNull();
    }

    [Fact]
    public async Task Filters_by_compliance_id_cve_and_free_text()
    {
        await Scan(T0,
            Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS AWS Foundations 2.9" }] },
            Finding("b") with { Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-3094" }], Title = "xz backdoor in image" },
            Finding("c") with { Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::payroll_100%" } });

        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS AWS Foundations 2.9" }, Ct)).ShouldBe(["a"]);
        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094" }, Ct)).ShouldBe(["b"]);
        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Text = "XZ BACKDOOR" }, Ct)).ShouldBe(["b"]);
        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Text = "payroll_100%" }, Ct)).ShouldBe(["c"]);
        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Text = "l_1" }, Ct)).ShouldBe(["c"]);
        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Text = "%" }, Ct)).ShouldBe(["c"]);
        (await _store.QueryAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094", Compliance = "CIS AWS Foundations 2.9" }, Ct)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_changed_compliance_reference_is_found_by_its_new_id_only()
    {
        await Scan(T0, Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS 1.1" }] });
        await Scan(T0.AddHours(1), Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS 1.2" }] });

        (await _store.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.1" }, Ct)).Items.ShouldBeEmpty();
        Ids(await _store.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.2" }, Ct)).ShouldBe(["a"]);
    }

    [Theory]
    [InlineData(FindingSort.SeverityDesc)]
    [InlineData(FindingSort.SeverityAsc)]
    [InlineData(FindingSort.LastSeenDesc)]
    [InlineData(FindingSort.FirstSeenAsc)]
    public async Task Cursor_paging_sees_every_finding_once_while_new_ones_arrive(FindingSort sort)
    {
        for (var i = 0; i < 4; i++)
        {
            await Scan(T0.AddMinutes(i), [.. Enumerable.Range(i * 10, 10).Select(n => Finding("f" + n.ToString("00"), (Severity)(n % 5 + 1)))]);
        }

        var seen = new List<FindingRecord>();
        string? cursor = null;
        var inserted = 0;
        do
        {
            var page = await _store.QueryAsync(Tenant, new FindingQuery { Sort = sort, Limit = 7, Cursor = cursor }, Ct);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            // Another scan adds findings between pages (ingested as new, in their own batch).
            await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddMinutes(30 + inserted), 0, Finding("new" + inserted++, Severity.Medium)), Ct);
        }
        while (cursor is not null);

        var original = Enumerable.Range(0, 40).Select(n => "f" + n.ToString("00")).ToList();
        seen.Select(f => f.NativeId).Distinct().Count().ShouldBe(seen.Count);
        seen.Select(f => f.NativeId).Where(id => id.StartsWith('f')).ShouldBe(original, ignoreOrder: true);
        switch (sort)
        {
            case FindingSort.SeverityDesc:
                seen.Select(f => f.SeverityId).ShouldBeInOrder(SortDirection.Descending);
                break;
            case FindingSort.SeverityAsc:
                seen.Select(f => f.SeverityId).ShouldBeInOrder(SortDirection.Ascending);
                break;
            case FindingSort.LastSeenDesc:
                seen.Select(f => f.LastSeen).ShouldBeInOrder(SortDirection.Descending);
                break;
            default:
                seen.Select(f => f.FirstSeen).ShouldBeInOrder(SortDirection.Ascending);
                break;
        }
    }

    [Fact]
    public async Task A_cursor_of_another_sort_order_is_refused()
    {
        await Scan(T0, Finding("a"), Finding("b"));
        var page = await _store.QueryAsync(Tenant, new FindingQuery { Limit = 1 }, Ct);

        FindingCursor.Validate(page.NextCursor, FindingSort.SeverityDesc).ShouldBeNull();
        FindingCursor.Validate(page.NextCursor, FindingSort.LastSeenDesc).ShouldNotBeNull();
        FindingCursor.Validate("not-a-cursor!", FindingSort.SeverityDesc).ShouldNotBeNull();
    }

    private static List<string> Ids(FindingPage page) => [.. page.Items.Select(f => f.NativeId)];

    private async Task Scan(DateTimeOffset at, params NormalizedFinding[] findings)
    {
        var scan = Guid.NewGuid();
        await _store.IngestAsync(Batch(Tenant, Account, scan, at, 0, findings), Ct);
        await _store.CompleteSourceScanAsync(Completed(Tenant, Account, scan, at, batches: 1), Ct);
    }
}
