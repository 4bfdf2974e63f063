using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>Queries: tenant isolation, filters, sort orders and keyset cursor paging.</summary>
public abstract partial class InventoryStoreContract
{
    [Fact]
    public async Task Another_tenant_sees_none_of_the_findings()
    {
        await Scan(T0, complete: true, Finding("a"));

        (await Store.QueryAsync("tenant-b", new FindingQuery(), Ct)).Items.ShouldBeEmpty();
        (await Store.FindAsync("tenant-b", "fp-a", Ct)).ShouldBeNull();
        (await Store.ExportAsync("tenant-b", new FindingQuery(), Ct).ToListAsync(Ct)).ShouldBeEmpty();
        (await Store.SummarizeAsync("tenant-b", Ct)).Total.ShouldBe(0);
        (await Store.FindAsync(Tenant, "fp-a", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task The_same_fingerprint_in_two_tenants_is_two_findings()
    {
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a")), Ct);
        await Store.IngestAsync(Batch("tenant-b", Account, Guid.NewGuid(), T0, 0, Finding("a") with { Title = "b's" }), Ct);
        await Store.SetWorkflowAsync("tenant-b", "fp-a", new WorkflowChange(WorkflowState.Suppressed, "n", "eve", null), Ct);

        (await Store.FindAsync(Tenant, "fp-a", Ct))!.ShouldSatisfyAllConditions(
            f => f.Title.ShouldBe("Finding a"),
            f => f.Workflow.ShouldBeNull());
        (await Store.FindAsync("tenant-b", "fp-a", Ct))!.Title.ShouldBe("b's");
    }

    [Fact]
    public async Task Pages_through_every_finding_once_ordered_by_severity()
    {
        var findings = Enumerable.Range(0, 23).Select(i => Finding("f" + i, (Severity)(i % 5 + 1))).ToArray();
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, findings), Ct);

        var seen = new List<FindingRecord>();
        string? cursor = null;
        do
        {
            var page = await Store.QueryAsync(Tenant, new FindingQuery { Limit = 5, Cursor = cursor }, Ct);
            page.Items.Count.ShouldBeLessThanOrEqualTo(5);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.Select(f => f.NativeId).ShouldBe(findings.Select(f => f.NativeId), ignoreOrder: true);
        seen.Select(f => f.SeverityId).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task Filters_by_severity_status_region_provider_account_source_and_resource_type()
    {
        await Scan(T0, complete: true, Finding("a", Severity.Critical), Finding("b", Severity.Low));
        await Scan(T0.AddHours(1), complete: true, Finding("a", Severity.Critical));
        await Scan(OtherAccount, T0, complete: true,
            Finding("k") with { Provider = CloudProvider.Kubernetes, Region = "us-east-1", Resource = new ResourceRef { Type = "Deployment", Id = "ns/app" } });

        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Severity = Severity.Critical }, Ct)).ShouldBe(["a"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Status = FindingStatus.Resolved }, Ct)).ShouldBe(["b"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Region = "us-east-1" }, Ct)).ShouldBe(["k"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Provider = CloudProvider.Kubernetes }, Ct)).ShouldBe(["k"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { AccountId = OtherAccount }, Ct)).ShouldBe(["k"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { ResourceType = "Deployment" }, Ct)).ShouldBe(["k"]);
        (await Store.QueryAsync(Tenant, new FindingQuery { Source = Source }, Ct)).Items.Count.ShouldBe(3);
        (await Store.QueryAsync(Tenant, new FindingQuery { Source = "gcp.scc" }, Ct)).Items.ShouldBeEmpty();
        (await Store.QueryAsync(Tenant, new FindingQuery { Provider = CloudProvider.Aws, Status = FindingStatus.Active }, Ct)).Items.Single().NativeId.ShouldBe("a");
    }

    [Fact]
    public async Task Filters_by_compliance_id_cve_and_free_text()
    {
        await Scan(T0,
            Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS AWS Foundations 2.9" }] },
            Finding("b") with { Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-3094" }], Title = "xz backdoor in image" },
            Finding("c") with { Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::payroll_100%" } },
            Finding("d") with { Title = "Regex (a.*b)+ [x] {1} $^ |\\ ?" });

        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS AWS Foundations 2.9" }, Ct)).ShouldBe(["a"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094" }, Ct)).ShouldBe(["b"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Text = "XZ BACKDOOR" }, Ct)).ShouldBe(["b"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Text = "payroll_100%" }, Ct)).ShouldBe(["c"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Text = "l_1" }, Ct)).ShouldBe(["c"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Text = "%" }, Ct)).ShouldBe(["c"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Text = "(a.*b)+ [x] {1} $^ |\\ ?" }, Ct)).ShouldBe(["d"]);
        // Taken as a pattern, "xz." would match "xz backdoor"; taken literally it matches nothing.
        (await Store.QueryAsync(Tenant, new FindingQuery { Text = "xz." }, Ct)).Items.ShouldBeEmpty();
        (await Store.QueryAsync(Tenant, new FindingQuery { Cve = "CVE-2024-3094", Compliance = "CIS AWS Foundations 2.9" }, Ct)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Filters_by_exact_resource_id_within_the_tenant_only()
    {
        const string bucket = "arn:aws:s3:::payroll";
        NormalizedFinding On(string id, string resourceId, Severity severity = Severity.High) =>
            Finding(id, severity) with { Resource = new ResourceRef { Type = "AwsS3Bucket", Id = resourceId } };
        await Scan(T0,
            On("public", bucket, Severity.Critical), On("unencrypted", bucket, Severity.Medium), On("logging", bucket, Severity.Low),
            On("prefix", bucket + "-archive"), On("upper", bucket.ToUpperInvariant()), On("mentions", "arn:aws:s3:::other") with { Title = "Like " + bucket });
        await Store.IngestAsync(Batch("tenant-b", OtherAccount, Guid.NewGuid(), T0, 0, On("b-public", bucket), On("public", bucket)), Ct);

        Ids(await Store.QueryAsync(Tenant, new FindingQuery { ResourceId = bucket }, Ct)).ShouldBe(["public", "unencrypted", "logging"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { ResourceId = bucket, Severity = Severity.Medium }, Ct)).ShouldBe(["unencrypted"]);
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { ResourceId = bucket.ToUpperInvariant() }, Ct)).ShouldBe(["upper"]);
        (await Store.QueryAsync(Tenant, new FindingQuery { ResourceId = "arn:aws:s3:::payrol" }, Ct)).Items.ShouldBeEmpty();
        var first = await Store.QueryAsync(Tenant, new FindingQuery { ResourceId = bucket, Limit = 2 }, Ct);
        var second = await Store.QueryAsync(Tenant, new FindingQuery { ResourceId = bucket, Limit = 2, Cursor = first.NextCursor }, Ct);
        Ids(first).Concat(Ids(second)).ShouldBe(["public", "unencrypted", "logging"]);
        second.NextCursor.ShouldBeNull();
        (await Store.ExportAsync(Tenant, new FindingQuery { ResourceId = bucket }, Ct).ToListAsync(Ct))
            .Select(e => e.Finding.NativeId).ShouldBe(["public", "unencrypted", "logging"]);
        Ids(await Store.QueryAsync("tenant-b", new FindingQuery { ResourceId = bucket }, Ct)).ShouldBe(["b-public", "public"]);
        (await Store.QueryAsync("tenant-c", new FindingQuery { ResourceId = bucket }, Ct)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_changed_compliance_reference_is_found_by_its_new_id_only()
    {
        await Scan(T0, Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS 1.1" }] });
        await Scan(T0.AddHours(1), Finding("a") with { Compliance = [new ComplianceRef { Requirement = "CIS 1.2" }] });

        (await Store.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.1" }, Ct)).Items.ShouldBeEmpty();
        Ids(await Store.QueryAsync(Tenant, new FindingQuery { Compliance = "CIS 1.2" }, Ct)).ShouldBe(["a"]);
    }

    [Theory]
    [InlineData(FindingSort.SeverityDesc)]
    [InlineData(FindingSort.SeverityAsc)]
    [InlineData(FindingSort.LastSeenDesc)]
    [InlineData(FindingSort.LastSeenAsc)]
    [InlineData(FindingSort.FirstSeenDesc)]
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
            var page = await Store.QueryAsync(Tenant, new FindingQuery { Sort = sort, Limit = 7, Cursor = cursor }, Ct);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            // Another scan adds findings between pages (ingested as new, in their own batch).
            await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddMinutes(30 + inserted), 0, Finding("new" + inserted++, Severity.Medium)), Ct);
        }
        while (cursor is not null);

        var original = Enumerable.Range(0, 40).Select(n => "f" + n.ToString("00")).ToList();
        seen.Select(f => f.NativeId).Distinct().Count().ShouldBe(seen.Count);
        seen.Select(f => f.NativeId).Where(id => id.StartsWith('f')).ShouldBe(original, ignoreOrder: true);
        var keys = sort switch
        {
            FindingSort.SeverityDesc or FindingSort.SeverityAsc => seen.Select(f => (IComparable)f.SeverityId),
            FindingSort.LastSeenDesc or FindingSort.LastSeenAsc => seen.Select(f => (IComparable)f.LastSeen),
            _ => seen.Select(f => (IComparable)f.FirstSeen),
        };
        keys.ShouldBeInOrder(sort is FindingSort.SeverityDesc or FindingSort.LastSeenDesc or FindingSort.FirstSeenDesc
            ? SortDirection.Descending
            : SortDirection.Ascending);
    }

    [Fact]
    public async Task Times_with_sub_millisecond_parts_page_without_skipping_or_repeating()
    {
        var at = T0.AddTicks(1234); // 0.1234 ms past T0
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), at, 0, [.. Enumerable.Range(0, 5).Select(i => Finding("t" + i))]), Ct);
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), at.AddMilliseconds(1), 0, [.. Enumerable.Range(5, 5).Select(i => Finding("t" + i))]), Ct);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Store.QueryAsync(Tenant, new FindingQuery { Sort = FindingSort.LastSeenAsc, Limit = 3, Cursor = cursor }, Ct);
            seen.AddRange(Ids(page));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.ShouldBe([.. Enumerable.Range(0, 10).Select(i => "t" + i)]);
    }

    [Fact]
    public async Task A_cursor_of_another_sort_order_is_refused()
    {
        await Scan(T0, Finding("a"), Finding("b"));
        var page = await Store.QueryAsync(Tenant, new FindingQuery { Limit = 1 }, Ct);

        FindingCursor.Validate(page.NextCursor, FindingSort.SeverityDesc).ShouldBeNull();
        FindingCursor.Validate(page.NextCursor, FindingSort.LastSeenDesc).ShouldNotBeNull();
        FindingCursor.Validate("not-a-cursor!", FindingSort.SeverityDesc).ShouldNotBeNull();
    }

    [Fact]
    public async Task The_last_page_has_no_cursor()
    {
        await Scan(T0, Finding("a"), Finding("b"));

        (await Store.QueryAsync(Tenant, new FindingQuery { Limit = 2 }, Ct)).NextCursor.ShouldBeNull();
        (await Store.QueryAsync(Tenant, new FindingQuery { Limit = 1 }, Ct)).NextCursor.ShouldNotBeNull();
    }
}
