using System.Text.Json;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings.Contract;

/// <summary>Ingest: upserts by fingerprint, the life cycle, resolve-missing, and the deltas the store reports.</summary>
public abstract partial class InventoryStoreContract
{
    [Fact]
    public async Task A_redelivered_batch_changes_nothing()
    {
        var batch = Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a"), Finding("b"));

        await Store.IngestAsync(batch, Ct);
        var first = await All();
        await Store.IngestAsync(batch, Ct);

        var second = await All();
        second.Count.ShouldBe(2);
        JsonSerializer.Serialize(second).ShouldBe(JsonSerializer.Serialize(first));
        second.ShouldAllBe(f => f.Status == FindingStatus.New);
    }

    [Fact]
    public async Task A_first_observation_is_created_and_a_redelivery_is_no_change()
    {
        var batch = Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a"), Finding("b"));

        var first = await Store.IngestAsync(batch, Ct);
        var again = await Store.IngestAsync(batch, Ct);

        first.Select(d => (d.Change.Fingerprint, d.Change.Kind)).ShouldBe([("fp-a", FindingChangeKind.Created), ("fp-b", FindingChangeKind.Created)], ignoreOrder: true);
        first.ShouldAllBe(d => d.AccountId == Account);
        again.ShouldBeEmpty();
    }

    [Fact]
    public async Task Seen_again_in_a_later_scan_a_new_finding_becomes_active()
    {
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a")), Ct);
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddHours(6), 0, Finding("a")), Ct);

        var finding = (await All()).Single();
        finding.Status.ShouldBe(FindingStatus.Active);
        finding.FirstSeen.ShouldBe(T0);
        finding.LastSeen.ShouldBe(T0.AddHours(6));
    }

    [Fact]
    public async Task A_rescan_with_identical_content_publishes_nothing_and_resolves_nothing()
    {
        (await Scan(T0, Finding("a"), Finding("b"))).Count.ShouldBe(2);

        var rescan = await Scan(T0.AddHours(6), Finding("a") with { UpdatedAt = T0.AddHours(6) }, Finding("b"));

        rescan.ShouldBeEmpty();
        (await All()).ShouldAllBe(f => f.Status == FindingStatus.Active && f.LastSeen == T0.AddHours(6));
    }

    [Fact]
    public async Task A_meaningful_change_is_an_update()
    {
        await Scan(T0, Finding("a"), Finding("b"), Finding("c"));

        var changes = await Scan(T0.AddHours(6),
            Finding("a", Severity.Critical), Finding("b") with { Title = "Renamed" }, Finding("c"));

        changes.Select(d => d.Change.Fingerprint).ShouldBe(["fp-a", "fp-b"], ignoreOrder: true);
        changes.ShouldAllBe(d => d.Change.Kind == FindingChangeKind.Updated);
        Ocsf(changes.Single(d => d.Change.Fingerprint == "fp-a")).GetProperty("severity_id").GetInt32().ShouldBe(5);
        (await Store.FindAsync(Tenant, "fp-b", Ct))!.Title.ShouldBe("Renamed");
    }

    [Fact]
    public async Task Resolves_findings_missing_from_a_complete_scan()
    {
        await Scan(T0, complete: true, Finding("a"), Finding("b"));

        await Scan(T0.AddHours(6), complete: true, Finding("a"));

        var byId = (await All()).ToDictionary(f => f.NativeId);
        byId["a"].Status.ShouldBe(FindingStatus.Active);
        byId["b"].Status.ShouldBe(FindingStatus.Resolved);
        byId["b"].ResolvedAt.ShouldBe(T0.AddHours(6).AddMinutes(1));
        byId["b"].LastSeen.ShouldBe(T0);
    }

    [Fact]
    public async Task A_partial_scan_resolves_nothing_and_publishes_no_resolve()
    {
        await Scan(T0, complete: true, Finding("a"), Finding("b"));

        var changes = await Scan(T0.AddHours(6), complete: false, Finding("a"));

        changes.ShouldBeEmpty();
        (await All()).ShouldAllBe(f => f.Status != FindingStatus.Resolved);
    }

    [Fact]
    public async Task A_completion_that_overtakes_its_batches_waits_for_them()
    {
        await Scan(T0, complete: true, Finding("a"), Finding("b"));
        var scan = Guid.NewGuid();
        var at = T0.AddHours(6);

        (await Store.CompleteSourceScanAsync(Completed(Tenant, Account, scan, at, batches: 2), Ct)).ShouldBeEmpty();
        (await All()).ShouldAllBe(f => f.Status != FindingStatus.Resolved);
        await Store.IngestAsync(Batch(Tenant, Account, scan, at, 1, Finding("b")), Ct);
        (await All()).ShouldAllBe(f => f.Status != FindingStatus.Resolved);
        var last = await Store.IngestAsync(Batch(Tenant, Account, scan, at, 0, Finding("c")), Ct);

        var byId = (await All()).ToDictionary(f => f.NativeId);
        byId["a"].Status.ShouldBe(FindingStatus.Resolved);
        byId["b"].Status.ShouldBe(FindingStatus.Active);
        byId["c"].Status.ShouldBe(FindingStatus.New);
        last.Select(d => (d.Change.Fingerprint, d.Change.Kind))
            .ShouldBe([("fp-c", FindingChangeKind.Created), ("fp-a", FindingChangeKind.Resolved)], ignoreOrder: true);
    }

    [Fact]
    public async Task Redelivered_batches_and_completions_of_a_finished_scan_resolve_nothing_twice()
    {
        await Scan(T0, Finding("a"), Finding("b"));
        var scan = Guid.NewGuid();
        var batch = Batch(Tenant, Account, scan, T0.AddHours(6), 0, Finding("a"));
        var completed = Completed(Tenant, Account, scan, T0.AddHours(6), batches: 1);
        await Store.IngestAsync(batch, Ct);
        (await Store.CompleteSourceScanAsync(completed, Ct)).Single().Change.Kind.ShouldBe(FindingChangeKind.Resolved);

        (await Store.IngestAsync(batch, Ct)).ShouldBeEmpty();
        (await Store.CompleteSourceScanAsync(completed, Ct)).ShouldBeEmpty();

        var b = (await Store.FindAsync(Tenant, "fp-b", Ct))!;
        b.Status.ShouldBe(FindingStatus.Resolved);
        b.History!.Select(h => h.Transition).ShouldBe(["Created", "Resolved"]);
    }

    [Fact]
    public async Task A_scan_resolves_only_its_own_account_and_source()
    {
        await Scan(Account, T0, complete: true, Finding("a"));
        await Scan(OtherAccount, T0, complete: true, Finding("x"));
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("g") with { Source = "aws.guardduty" }) with { Source = "aws.guardduty" }, Ct);

        await Scan(Account, T0.AddHours(6), complete: true);

        var byId = (await All()).ToDictionary(f => f.NativeId);
        byId["a"].Status.ShouldBe(FindingStatus.Resolved);
        byId["x"].Status.ShouldBe(FindingStatus.New);
        byId["g"].Status.ShouldBe(FindingStatus.New);
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
        (await Store.FindAsync(Tenant, "fp-a", Ct))!.History!.Select(h => (h.Transition, h.From, h.To)).ShouldBe(
        [
            ("Created", null, "New"),
            ("Resolved", "New", "Resolved"),
            ("Reopened", "Resolved", "Reopened"),
        ]);
    }

    [Fact]
    public async Task A_complete_scan_reports_what_it_resolved_and_a_later_sighting_reports_the_reopen()
    {
        await Scan(T0, Finding("a"), Finding("b"));

        var resolved = await Scan(T0.AddHours(6), Finding("a"));
        var reopened = await Scan(T0.AddHours(12), Finding("a"), Finding("b"));

        resolved.Single().Change.ShouldSatisfyAllConditions(
            c => c.Fingerprint.ShouldBe("fp-b"),
            c => c.Kind.ShouldBe(FindingChangeKind.Resolved));
        Ocsf(resolved[0]).GetProperty("status_id").GetInt32().ShouldBe(4);
        Ocsf(resolved[0]).GetProperty("activity_id").GetInt32().ShouldBe(3);
        Ocsf(resolved[0]).GetProperty("raw_data").GetString().ShouldBe("""{"Id":"b"}""");
        reopened.Single().Change.ShouldSatisfyAllConditions(
            c => c.Fingerprint.ShouldBe("fp-b"),
            c => c.Kind.ShouldBe(FindingChangeKind.Reopened));
        Ocsf(reopened[0]).GetProperty("status_id").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task An_older_observation_never_moves_a_finding_back_and_is_no_change()
    {
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddHours(6), 0, Finding("a", Severity.Critical)), Ct);

        var older = await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a", Severity.Low)), Ct);

        older.ShouldBeEmpty();
        var finding = (await All()).Single();
        finding.LastSeen.ShouldBe(T0.AddHours(6));
        finding.FirstSeen.ShouldBe(T0.AddHours(6));
        finding.Severity.ShouldBe(Severity.Critical);
    }

    [Fact]
    public async Task An_old_batch_redelivered_after_a_later_scan_resolved_the_finding_does_not_reopen_it()
    {
        var first = Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a"), Finding("b"));
        await Store.IngestAsync(first, Ct);
        await Store.CompleteSourceScanAsync(Completed(Tenant, Account, first.ScanId, T0, batches: 1), Ct);
        await Scan(T0.AddHours(6), Finding("a"));

        var redelivered = await Store.IngestAsync(first, Ct);

        redelivered.ShouldBeEmpty();
        (await Store.FindAsync(Tenant, "fp-b", Ct))!.Status.ShouldBe(FindingStatus.Resolved);
        (await Store.FindAsync(Tenant, "fp-a", Ct))!.LastSeen.ShouldBe(T0.AddHours(6));
    }

    [Fact]
    public async Task A_finding_the_provider_reports_closed_is_resolved()
    {
        var created = await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a", state: ObservedState.Closed)), Ct);
        var closedLater = await Scan(T0, Finding("b"));
        var closing = await Scan(T0.AddHours(1), Finding("b", state: ObservedState.Closed));

        created.Single().Change.Kind.ShouldBe(FindingChangeKind.Created);
        var byId = (await All()).ToDictionary(f => f.NativeId);
        byId["a"].Status.ShouldBe(FindingStatus.Resolved);
        byId["a"].ResolvedAt.ShouldBe(T0);
        closedLater.Single().Change.Kind.ShouldBe(FindingChangeKind.Created);
        closing.Single().Change.Kind.ShouldBe(FindingChangeKind.Resolved);
        byId["b"].ResolvedAt.ShouldBe(T0.AddHours(1));
    }

    [Fact]
    public async Task The_same_fingerprint_twice_in_a_batch_is_stored_once()
    {
        var changes = await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a"), Finding("a") with { Title = "second" }), Ct);

        changes.Count.ShouldBe(1);
        (await All()).Single().Title.ShouldBe("second");
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_batch_create_each_finding_once()
    {
        var batch = Batch(Tenant, Account, Guid.NewGuid(), T0, 0, [.. Enumerable.Range(0, 50).Select(i => Finding("c" + i))]);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.IngestAsync(batch, Ct), Ct)));

        results.SelectMany(r => r).Count(d => d.Change.Kind == FindingChangeKind.Created).ShouldBe(50);
        (await All()).Count.ShouldBe(50);
    }

    [Fact]
    public async Task The_ocsf_json_carries_the_compliance_finding_with_cloud_resource_and_metadata()
    {
        var finding = Finding("a") with
        {
            Description = "Bucket allows public reads",
            Compliance = [new ComplianceRef { Requirement = "CIS AWS Foundations 2.1.5", Status = "FAILED" }],
            Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::bucket-a", Name = "bucket-a", Region = "eu-west-1" },
        };

        var created = (await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, finding), Ct)).Single();

        var ocsf = Ocsf(created);
        ocsf.GetProperty("class_uid").GetInt32().ShouldBe(2003);
        ocsf.GetProperty("category_uid").GetInt32().ShouldBe(2);
        ocsf.GetProperty("type_uid").GetInt32().ShouldBe(200301);
        ocsf.GetProperty("severity_id").GetInt32().ShouldBe(4);
        ocsf.GetProperty("status_id").GetInt32().ShouldBe(1);
        var info = ocsf.GetProperty("finding_info");
        info.GetProperty("uid").GetString().ShouldBe("fp-a");
        info.GetProperty("title").GetString().ShouldBe("Finding a");
        info.GetProperty("desc").GetString().ShouldBe("Bucket allows public reads");
        info.GetProperty("first_seen_time").GetInt64().ShouldBe(T0.ToUnixTimeMilliseconds());
        info.GetProperty("last_seen_time").GetInt64().ShouldBe(T0.ToUnixTimeMilliseconds());
        ocsf.GetProperty("resources")[0].GetProperty("uid").GetString().ShouldBe("arn:aws:s3:::bucket-a");
        ocsf.GetProperty("cloud").GetProperty("provider").GetString().ShouldBe("AWS");
        ocsf.GetProperty("cloud").GetProperty("account").GetProperty("uid").GetString().ShouldBe("123456789012");
        ocsf.GetProperty("cloud").GetProperty("region").GetString().ShouldBe("eu-west-1");
        ocsf.GetProperty("metadata").GetProperty("product").GetProperty("name").GetString().ShouldBe("Offload Security");
        ocsf.GetProperty("metadata").GetProperty("version").GetString().ShouldBe("1.1.0");
        ocsf.GetProperty("metadata").GetProperty("tenant_uid").GetString().ShouldBe(Tenant);
        ocsf.GetProperty("compliance").GetProperty("requirements")[0].GetString().ShouldBe("CIS AWS Foundations 2.1.5");
        ocsf.GetProperty("raw_data").GetString().ShouldBe("""{"Id":"a"}""");
    }

    [Theory]
    [InlineData(FindingClass.Detection, 2004)]
    [InlineData(FindingClass.Vulnerability, 2002)]
    public async Task Detections_and_vulnerabilities_map_to_their_ocsf_classes(FindingClass findingClass, int classUid)
    {
        var finding = Finding("a") with
        {
            Class = findingClass,
            Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-3094", CvssScore = 10, Package = "xz", InstalledVersion = "5.6.0", FixedVersion = "5.6.2" }],
        };

        var ocsf = Ocsf((await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, finding), Ct)).Single());

        ocsf.GetProperty("class_uid").GetInt32().ShouldBe(classUid);
        var vulnerability = ocsf.GetProperty("vulnerabilities")[0];
        vulnerability.GetProperty("cve").GetProperty("uid").GetString().ShouldBe("CVE-2024-3094");
        vulnerability.GetProperty("affected_packages")[0].GetProperty("fixed_in_version").GetString().ShouldBe("5.6.2");
    }

    [Fact]
    public async Task Every_field_of_a_finding_and_its_raw_json_come_back_as_ingested()
    {
        const string raw = "{ \"Id\" : \"a\",\n  \"Unicode\": \"\u00e9\u4e2d\\u00e9\", \"Big\": 12345678901234567890.50, \"Empty\": {} }";
        var finding = Finding("a") with
        {
            Class = FindingClass.Vulnerability,
            Description = "desc",
            Remediation = "fix it",
            RemediationUrl = "https://example.com/fix",
            ProductName = "Inspector",
            Resource = new ResourceRef
            {
                Type = "AwsEcrContainerImage",
                Id = "arn:aws:ecr:eu-west-1:123456789012:repository/app",
                Name = "app",
                Region = "eu-west-1",
                Tags = new Dictionary<string, string> { ["team"] = "payments", ["a.b$c"] = "dotted" },
            },
            Compliance = [new ComplianceRef { Requirement = "PCI DSS 6.3.3", Status = "FAILED" }, new ComplianceRef { Requirement = "CIS 1.1" }],
            Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-3094", CvssScore = 10, Package = "xz", InstalledVersion = "5.6.0", FixedVersion = "5.6.2" }],
            IsSample = true,
            RawJson = raw,
        };
        await Store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, finding), Ct);

        var stored = (await Store.FindAsync(Tenant, "fp-a", Ct))!;
        var exported = await Store.ExportAsync(Tenant, new FindingQuery(), Ct).SingleAsync(Ct);

        stored.ShouldSatisfyAllConditions(
            f => f.Class.ShouldBe(FindingClass.Vulnerability),
            f => f.Description.ShouldBe("desc"),
            f => f.Remediation.ShouldBe("fix it"),
            f => f.RemediationUrl.ShouldBe("https://example.com/fix"),
            f => f.ProductName.ShouldBe("Inspector"),
            f => f.CloudAccountId.ShouldBe("123456789012"),
            f => f.Region.ShouldBe("eu-west-1"),
            f => f.Source.ShouldBe(Source),
            f => f.Resource.Name.ShouldBe("app"),
            f => f.Resource.Tags.ShouldBe(finding.Resource.Tags, ignoreOrder: true),
            f => f.Compliance.ShouldBe(finding.Compliance),
            f => f.Vulnerabilities.ShouldBe(finding.Vulnerabilities),
            f => f.AccountId.ShouldBe(Account));
        exported.RawJson.ShouldBe(raw);
        exported.Finding.Fingerprint.ShouldBe("fp-a");
    }

    private static JsonElement Ocsf(FindingDelta delta) => JsonDocument.Parse(delta.Change.OcsfJson).RootElement;
}
