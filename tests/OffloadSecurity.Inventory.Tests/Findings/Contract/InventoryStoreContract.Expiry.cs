using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>The expiry sweep: lapsed risk acceptances are ended once, in their tenant, with a history entry.</summary>
public abstract partial class InventoryStoreContract
{
    private static readonly DateTimeOffset Expiry = T0.AddDays(7);

    private Task<FindingDelta?> AcceptAsync(string fingerprint, DateTimeOffset until, string tenant = Tenant, string note = "compensating control", string by = "bob") =>
        Store.SetWorkflowAsync(tenant, fingerprint, new WorkflowChange(WorkflowState.RiskAccepted, note, by, until), Ct);

    [Fact]
    public async Task A_risk_acceptance_is_ended_once_its_expiry_has_passed_and_not_before()
    {
        await Scan(T0, Finding("a"));
        await Scan(T0.AddHours(1), Finding("a"));
        await AcceptAsync("fp-a", Expiry);

        var early = await Store.ExpireRiskAcceptancesAsync(Expiry.AddSeconds(-1), 100, Ct);
        Time.Now = Expiry;
        var due = await Store.ExpireRiskAcceptancesAsync(Expiry, 100, Ct);
        var again = await Store.ExpireRiskAcceptancesAsync(Expiry.AddMinutes(1), 100, Ct);

        early.Examined.ShouldBe(0);
        early.Expired.ShouldBeEmpty();
        due.Examined.ShouldBe(1);
        var ended = due.Expired.Single();
        ended.TenantId.ShouldBe(Tenant);
        ended.Delta.AccountId.ShouldBe(Account);
        ended.Delta.Change.Fingerprint.ShouldBe("fp-a");
        ended.Delta.Change.Kind.ShouldBe(FindingChangeKind.Workflow);
        ended.Delta.Change.OcsfJson.ShouldContain("\"status_id\":1");
        ended.Delta.Change.OcsfJson.ShouldContain("\"uid\":\"fp-a\"");
        again.Expired.ShouldBeEmpty();
        again.Examined.ShouldBe(0);
        var finding = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        finding.Workflow.ShouldBeNull();
        finding.EffectiveStatus.ShouldBe("Active");
        (await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.RiskAccepted }, Ct)).Items.ShouldBeEmpty();
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Workflow = WorkflowState.None }, Ct)).ShouldBe(["a"]);
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.ShouldBe(new Dictionary<string, long> { ["Active"] = 1 }, ignoreOrder: true);
    }

    [Fact]
    public async Task An_ended_acceptance_stays_in_the_history_with_its_note_who_and_expiry()
    {
        await Scan(T0, Finding("a"));
        Time.Now = T0.AddHours(2);
        await AcceptAsync("fp-a", Expiry, note: "WAF rule 17 covers it", by: "bob");
        Time.Now = Expiry.AddMinutes(3);

        var before = (await Store.FindAsync(Tenant, "fp-a", Ct))!.History!;
        await Store.ExpireRiskAcceptancesAsync(Time.Now, 100, Ct);
        var after = (await Store.FindAsync(Tenant, "fp-a", Ct))!.History!;

        after.Select(h => h.Transition).ShouldBe(["Created", "RiskAccepted", "RiskAcceptanceExpired"]);
        var expired = after[^1];
        expired.At.ShouldBe(Expiry);
        expired.Actor.ShouldBe("system");
        expired.From.ShouldBe("RiskAccepted");
        expired.To.ShouldBe("New");
        expired.Note.ShouldBe("WAF rule 17 covers it");
        expired.Acceptance.ShouldBe(new FindingWorkflow
        {
            State = WorkflowState.RiskAccepted,
            Note = "WAF rule 17 covers it",
            By = "bob",
            At = T0.AddHours(2),
            ExpiresAt = Expiry,
        });
        // Before the sweep a read already showed the lapse the same way; the sweep made it stored.
        before.ShouldBe(after);
    }

    [Fact]
    public async Task Two_instances_sweeping_at_once_end_each_acceptance_exactly_once()
    {
        var findings = Enumerable.Range(0, 40).Select(i => Finding("r" + i)).ToArray();
        await Scan(T0, findings);
        foreach (var finding in findings)
        {
            await AcceptAsync(finding.Fingerprint, Expiry.AddSeconds(findings.Length - int.Parse(finding.NativeId[1..])));
        }

        var second = await OpenSecondInstanceAsync(Time);
        Time.Now = Expiry.AddHours(1);

        async Task<List<ExpiredAcceptance>> SweepAsync(IInventoryStore store)
        {
            var ended = new List<ExpiredAcceptance>();
            for (var batch = await store.ExpireRiskAcceptancesAsync(Time.Now, 7, Ct); ; batch = await store.ExpireRiskAcceptancesAsync(Time.Now, 7, Ct))
            {
                ended.AddRange(batch.Expired);
                if (batch.Examined < 7)
                {
                    return ended;
                }
            }
        }

        var both = await Task.WhenAll(Task.Run(() => SweepAsync(Store), Ct), Task.Run(() => SweepAsync(second), Ct));

        var ended = both.SelectMany(b => b).Select(e => e.Delta.Change.Fingerprint).ToList();
        ended.ShouldBe(findings.Select(f => f.Fingerprint), ignoreOrder: true);
        foreach (var finding in findings)
        {
            (await Store.FindAsync(Tenant, finding.Fingerprint, Ct))!.History!.Count(h => h.Transition == "RiskAcceptanceExpired").ShouldBe(1);
        }

        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.ShouldBe(new Dictionary<string, long> { ["New"] = findings.Length }, ignoreOrder: true);
    }

    [Fact]
    public async Task An_acceptance_renewed_before_its_expiry_is_not_ended()
    {
        await Scan(T0, Finding("a"));
        await AcceptAsync("fp-a", T0.AddDays(1));
        Time.Now = T0.AddHours(20);
        await AcceptAsync("fp-a", T0.AddDays(30), note: "extended until the fix ships", by: "carol");
        Time.Now = T0.AddDays(2);

        var swept = await Store.ExpireRiskAcceptancesAsync(Time.Now, 100, Ct);

        swept.Examined.ShouldBe(0);
        swept.Expired.ShouldBeEmpty();
        var finding = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        finding.Workflow!.State.ShouldBe(WorkflowState.RiskAccepted);
        finding.Workflow.By.ShouldBe("carol");
        finding.Workflow.ExpiresAt.ShouldBe(T0.AddDays(30));
        finding.History!.Select(h => h.Transition).ShouldBe(["Created", "RiskAccepted", "RiskAccepted"]);
    }

    [Fact]
    public async Task Acceptances_cleared_or_without_expiry_are_not_swept()
    {
        await Scan(T0, Finding("cleared"), Finding("suppressed"), Finding("acknowledged"));
        await AcceptAsync("fp-cleared", T0.AddDays(1));
        await Store.SetWorkflowAsync(Tenant, "fp-cleared", new WorkflowChange(WorkflowState.None, null, "bob", null), Ct);
        await Store.SetWorkflowAsync(Tenant, "fp-suppressed", new WorkflowChange(WorkflowState.Suppressed, "false positive", "bob", null), Ct);
        await Store.SetWorkflowAsync(Tenant, "fp-acknowledged", new WorkflowChange(WorkflowState.Acknowledged, null, "bob", null), Ct);
        Time.Now = T0.AddDays(400);

        (await Store.ExpireRiskAcceptancesAsync(Time.Now, 100, Ct)).Examined.ShouldBe(0);
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.ShouldBe(
            new Dictionary<string, long> { ["New"] = 1, ["Suppressed"] = 1, ["Acknowledged"] = 1 }, ignoreOrder: true);
    }

    [Fact]
    public async Task The_sweep_ends_each_acceptance_in_its_own_tenant_only()
    {
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a")), Ct);
        await Store.IngestAsync(Batch("tenant-b", OtherAccount, Guid.NewGuid(), T0, 0, Finding("a")), Ct);
        await AcceptAsync("fp-a", T0.AddDays(10));
        await AcceptAsync("fp-a", T0.AddDays(1), tenant: "tenant-b", by: "eve");
        Time.Now = T0.AddDays(2);

        var swept = await Store.ExpireRiskAcceptancesAsync(Time.Now, 100, Ct);

        var ended = swept.Expired.Single();
        ended.TenantId.ShouldBe("tenant-b");
        ended.Delta.AccountId.ShouldBe(OtherAccount);
        ended.Delta.Change.OcsfJson.ShouldContain("\"tenant_uid\":\"tenant-b\"");
        (await Store.FindAsync("tenant-b", "fp-a", Ct))!.History!.Last().Transition.ShouldBe("RiskAcceptanceExpired");
        var untouched = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        untouched.Workflow!.State.ShouldBe(WorkflowState.RiskAccepted);
        untouched.History!.Select(h => h.Transition).ShouldBe(["Created", "RiskAccepted"]);
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["RiskAccepted"]);
        (await Store.SummarizeAsync("tenant-b", Ct)).ByStatus.Keys.ShouldBe(["New"]);
    }

    [Fact]
    public async Task Lapsed_acceptances_are_swept_in_bounded_batches_earliest_expiry_first()
    {
        await Scan(T0, Finding("a"), Finding("b"), Finding("c"), Finding("d"), Finding("e"));
        foreach (var (id, hours) in new[] { ("c", 1), ("a", 2), ("e", 3), ("b", 4), ("d", 5) })
        {
            await AcceptAsync("fp-" + id, T0.AddHours(hours));
        }

        Time.Now = T0.AddDays(1);

        var batches = new List<AcceptanceExpiryBatch>();
        for (var i = 0; i < 4; i++)
        {
            batches.Add(await Store.ExpireRiskAcceptancesAsync(Time.Now, 2, Ct));
        }

        batches.Select(b => b.Examined).ShouldBe([2, 2, 1, 0]);
        batches.SelectMany(b => b.Expired).Select(e => e.Delta.Change.Fingerprint).ShouldBe(["fp-c", "fp-a", "fp-e", "fp-b", "fp-d"]);
    }

    [Fact]
    public async Task A_lapsed_acceptance_on_a_resolved_finding_is_ended_and_the_finding_stays_resolved()
    {
        await Scan(T0, Finding("a"));
        await AcceptAsync("fp-a", T0.AddDays(1));
        await Scan(T0.AddHours(6));
        Time.Now = T0.AddDays(2);

        var ended = (await Store.ExpireRiskAcceptancesAsync(Time.Now, 100, Ct)).Expired.Single();

        ended.Delta.Change.OcsfJson.ShouldContain("\"status_id\":4");
        var finding = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        finding.Status.ShouldBe(FindingStatus.Resolved);
        finding.History!.Last().ShouldSatisfyAllConditions(
            h => h.Transition.ShouldBe("RiskAcceptanceExpired"),
            h => h.From.ShouldBe("Resolved"),
            h => h.To.ShouldBe("Resolved"));
        (await Store.SummarizeAsync(Tenant, Ct)).ByStatus.Keys.ShouldBe(["Resolved"]);
    }
}
