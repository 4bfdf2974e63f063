using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>The analyst workflow: kept across re-scans, expiring risk acceptances, history.</summary>
public abstract partial class InventoryStoreContract
{
    [Fact]
    public async Task An_acknowledgement_is_kept_across_rescans_and_shown_in_the_history()
    {
        await Scan(T0, Finding("a"));
        var delta = await Store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.Acknowledged, "looking", "alice", null), Ct);

        await Scan(T0.AddHours(6), Finding("a", Severity.Critical));

        delta!.Change.Kind.ShouldBe(FindingChangeKind.Workflow);
        delta.AccountId.ShouldBe(Account);
        delta.Change.OcsfJson.ShouldContain("\"status_id\":2");
        var finding = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        var workflow = finding.Workflow!;
        workflow.State.ShouldBe(WorkflowState.Acknowledged);
        workflow.By.ShouldBe("alice");
        workflow.Note.ShouldBe("looking");
        workflow.At.ShouldBe(T0);
        finding.Severity.ShouldBe(Severity.Critical);
        var history = finding.History!;
        history.Select(h => h.Transition).ShouldBe(["Created", "Acknowledged"]);
        history[1].Actor.ShouldBe("alice");
        history[1].From.ShouldBe("New");
        history[1].To.ShouldBe("Acknowledged");
        history[1].Note.ShouldBe("looking");
    }

    [Fact]
    public async Task A_risk_acceptance_returns_to_active_after_its_expiry()
    {
        await Scan(T0, Finding("a"));
        await Scan(T0.AddHours(1), Finding("a"));
        await Store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.RiskAccepted, "compensating control", "bob", T0.AddDays(7)), Ct);

        (await Store.FindAsync(Tenant, "fp-a", Ct))!.EffectiveStatus.ShouldBe("RiskAccepted");
        (await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.RiskAccepted }, Ct)).Items.Count.ShouldBe(1);
        (await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.None }, Ct)).Items.ShouldBeEmpty();
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["RiskAccepted"]);
        Time.Now = T0.AddDays(8);

        var expired = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        expired.Workflow.ShouldBeNull();
        expired.EffectiveStatus.ShouldBe("Active");
        expired.History!.Last().ShouldSatisfyAllConditions(
            h => h.Transition.ShouldBe("RiskAcceptanceExpired"),
            h => h.At.ShouldBe(T0.AddDays(7)),
            h => h.Actor.ShouldBe("system"));
        (await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.RiskAccepted }, Ct)).Items.ShouldBeEmpty();
        (await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.None }, Ct)).Items.Count.ShouldBe(1);
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["Active"]);
    }

    [Fact]
    public async Task Clearing_a_workflow_returns_the_finding_to_its_life_cycle_status()
    {
        await Scan(T0, Finding("a"));
        await Store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.Suppressed, "false positive", "alice", null), Ct);
        Time.Now = T0.AddHours(1);

        var cleared = await Store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.None, null, "bob", null), Ct);

        cleared!.Change.OcsfJson.ShouldContain("\"status_id\":1");
        var finding = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        finding.Workflow.ShouldBeNull();
        finding.History!.Select(h => (h.Transition, h.From, h.To, h.Actor)).ShouldBe(
        [
            ("Created", null, "New", "scan"),
            ("Suppressed", "New", "Suppressed", "alice"),
            ("WorkflowCleared", "Suppressed", "New", "bob"),
        ]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.None }, Ct)).ShouldBe(["a"]);
    }

    [Fact]
    public async Task A_workflow_survives_resolve_and_reopen_and_a_resolved_finding_counts_as_resolved()
    {
        await Scan(T0, Finding("a"));
        await Store.SetWorkflowAsync(Tenant, "fp-a", new WorkflowChange(WorkflowState.Acknowledged, null, "alice", null), Ct);

        var resolved = await Scan(T0.AddHours(6));
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["Resolved"]);
        var reopened = await Scan(T0.AddHours(12), Finding("a"));

        resolved.Single().Change.OcsfJson.ShouldContain("\"status_id\":4");
        reopened.Single().Change.OcsfJson.ShouldContain("\"status_id\":2");
        var finding = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        finding.Status.ShouldBe(FindingStatus.Reopened);
        finding.Workflow!.State.ShouldBe(WorkflowState.Acknowledged);
        finding.History!.Select(h => h.Transition).ShouldBe(["Created", "Acknowledged", "Resolved", "Reopened"]);
    }

    [Fact]
    public async Task Workflow_on_an_unknown_or_foreign_finding_changes_nothing()
    {
        await Scan(T0, Finding("a"));

        (await Store.SetWorkflowAsync("tenant-b", "fp-a", new WorkflowChange(WorkflowState.Suppressed, "x", "eve", null), Ct)).ShouldBeNull();
        (await Store.SetWorkflowAsync(Tenant, "fp-zzz", new WorkflowChange(WorkflowState.Suppressed, "x", "eve", null), Ct)).ShouldBeNull();
        (await Store.FindAsync(Tenant, "fp-a", Ct))!.Workflow.ShouldBeNull();
    }
}
