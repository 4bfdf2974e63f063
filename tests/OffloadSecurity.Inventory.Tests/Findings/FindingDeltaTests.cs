using System.Text.Json;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>The store returns deltas only: what a SIEM should hear about, and nothing else.</summary>
public sealed class FindingDeltaTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.NewGuid();
    private readonly TempInventoryStore _db;
    private readonly SqliteInventoryStore _store;

    public FindingDeltaTests()
    {
        _db = new TempInventoryStore();
        _store = _db.Store;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_first_observation_is_created_and_a_redelivery_is_no_change()
    {
        var batch = Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a"), Finding("b"));

        var first = await _store.IngestAsync(batch, Ct);
        var again = await _store.IngestAsync(batch, Ct);

        first.Select(d => (d.Change.Fingerprint, d.Change.Kind)).ShouldBe([("fp-a", FindingChangeKind.Created), ("fp-b", FindingChangeKind.Created)], ignoreOrder: true);
        first.ShouldAllBe(d => d.AccountId == Account);
        again.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_rescan_with_identical_content_publishes_nothing_and_resolves_nothing()
    {
        (await Scan(T0, Finding("a"), Finding("b"))).Count.ShouldBe(2);

        var rescan = await Scan(T0.AddHours(6), Finding("a") with { UpdatedAt = T0.AddHours(6) }, Finding("b"));

        rescan.ShouldBeEmpty();
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
        reopened.Single().Change.ShouldSatisfyAllConditions(
            c => c.Fingerprint.ShouldBe("fp-b"),
            c => c.Kind.ShouldBe(FindingChangeKind.Reopened));
        Ocsf(reopened[0]).GetProperty("status_id").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_partial_scan_publishes_no_resolve()
    {
        await Scan(T0, Finding("a"), Finding("b"));

        var scan = Guid.NewGuid();
        var ingest = await _store.IngestAsync(Batch(Tenant, Account, scan, T0.AddHours(6), 0, Finding("a")), Ct);
        var completed = await _store.CompleteSourceScanAsync(Completed(Tenant, Account, scan, T0.AddHours(6), batches: 1, complete: false), Ct);

        ingest.ShouldBeEmpty();
        completed.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_older_observation_is_no_change()
    {
        await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0.AddHours(6), 0, Finding("a", Severity.Critical)), Ct);

        (await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, Finding("a", Severity.Low)), Ct)).ShouldBeEmpty();
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

        var created = (await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, finding), Ct)).Single();

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

        var ocsf = Ocsf((await _store.IngestAsync(Batch(Tenant, Account, Guid.NewGuid(), T0, 0, finding), Ct)).Single());

        ocsf.GetProperty("class_uid").GetInt32().ShouldBe(classUid);
        var vulnerability = ocsf.GetProperty("vulnerabilities")[0];
        vulnerability.GetProperty("cve").GetProperty("uid").GetString().ShouldBe("CVE-2024-3094");
        vulnerability.GetProperty("affected_packages")[0].GetProperty("fixed_in_version").GetString().ShouldBe("5.6.2");
    }

    private static JsonElement Ocsf(FindingDelta delta) => JsonDocument.Parse(delta.Change.OcsfJson).RootElement;

    private async Task<List<FindingDelta>> Scan(DateTimeOffset at, params NormalizedFinding[] findings)
    {
        var scan = Guid.NewGuid();
        var changes = new List<FindingDelta>(await _store.IngestAsync(Batch(Tenant, Account, scan, at, 0, findings), Ct));
        changes.AddRange(await _store.CompleteSourceScanAsync(Completed(Tenant, Account, scan, at, batches: 1), Ct));
        return changes;
    }
}
