using System.Reflection;
using System.Text.RegularExpressions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Inventory.Findings;
using Q = OffloadSecurity.Inventory.Findings.MongoInventoryQueries;

namespace OffloadSecurity.Inventory.Tests.Findings.Mongo;

/// <summary>
/// The exact documents the MongoDB store sends: filters, updates, sorts, projections, pipelines and indexes, rendered
/// with the driver's own serializers. No server needed.
/// </summary>
public sealed class MongoQueryRenderingTests
{
    private const string Tenant = "tenant-a";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, 250, TimeSpan.Zero);
    private static readonly Guid AccountId = Guid.Parse("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e");
    private static readonly Guid ScanId = Guid.Parse("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e");
    private static readonly BsonDocument TenantOnly = new("tenant_id", Tenant);

    // ---------------------------------------------------------------- the tenant comes first, in every query

    [Fact]
    public void Every_filter_update_target_and_pipeline_starts_with_the_tenant()
    {
        var covered = new HashSet<string>();
        void Check(string builder, BsonDocument filter)
        {
            covered.Add(builder);
            TenantOf(filter).ShouldBe(Tenant, $"{builder}: {filter}");
        }

        Check(nameof(Q.Tenant), Render(Q.Tenant(Tenant)));
        Check(nameof(Q.One), Render(Q.One(Tenant, "fp")));
        Check(nameof(Q.Many), Render(Q.Many(Tenant, ["a", "b"])));
        Check(nameof(Q.Unchanged), Render(Q.Unchanged(Tenant, "fp", 3)));
        Check(nameof(Q.WrittenBy), Render(Q.WrittenBy(Tenant, ["a"], "op")));
        Check(nameof(Q.OfAccount), Render(Q.OfAccount(Tenant, AccountId)));
        Check(nameof(Q.MissingFromScan), Render(Q.MissingFromScan(Tenant, AccountId, "s", ScanId, Now)));
        foreach (var query in RepresentativeQueries())
        {
            Check(nameof(Q.Query), Render(Q.Query(Tenant, query, Now, paged: true)));
            Check(nameof(Q.Query), Render(Q.Query(Tenant, query, Now, paged: false)));
        }

        Check(nameof(Q.Insert), Render(Q.Insert(Document(), "op").Filter));
        Check(nameof(Q.Observe), Render(Q.Observe(Document(), Document(), null, "op").Filter));
        Check(nameof(Q.Resolve), Render(Q.Resolve(Document(), Now, History(), "op").Filter));
        Check(nameof(Q.ExpireAcceptance), Render(Q.ExpireAcceptance(Document(), History(), "op").Filter));
        Check(nameof(Q.Scan), Render(Q.Scan(Tenant, ScanId, "s")));
        Check(nameof(Q.ScansOfAccount), Render(Q.ScansOfAccount(Tenant, AccountId)));
        Check(nameof(Q.BatchReceived), Render(Q.BatchReceived(Batch()).Filter));
        Check(nameof(Q.Completed), Render(Q.Completed(Completion()).Filter));
        Check(nameof(Q.ReadyToResolve), Render(Q.ReadyToResolve(Tenant, ScanId, "s")));
        Check(nameof(Q.Daily), Render(Q.Daily(Tenant)));
        Check(nameof(Q.DailyOfAccount), Render(Q.DailyOfAccount(Tenant, AccountId)));
        Check(nameof(Q.DailyIncrement), Render(Q.DailyIncrement(Tenant, AccountId, "2026-11-23", 4, 1, 0, 1).Filter));
        foreach (var (name, stages) in new[]
        {
            (nameof(Q.Summary), Render(Q.Summary(Tenant, Now))),
            (nameof(Q.OpenBySeverity), Render(Q.OpenBySeverity(Tenant))),
            (nameof(Q.DailyChanges), Render(Q.DailyChanges(Tenant, "2026-11-01"))),
        })
        {
            stages[0].GetElement(0).Name.ShouldBe("$match", name);
            Check(name, stages[0]["$match"].AsBsonDocument);
        }

        // A builder added later must be added here too. The expiry sweep's finder is the one cross-tenant filter (below).
        var builders = typeof(Q).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => IsQueryShape(m.ReturnType) && m.Name != nameof(Q.After) && m.Name != nameof(Q.LapsedRiskAcceptances))
            .Select(m => m.Name)
            .ToHashSet();
        builders.ShouldBeSubsetOf(covered);
    }

    // ---------------------------------------------------------------- list filters

    [Fact]
    public void No_filters_is_the_tenant_alone()
    {
        Render(Q.Query(Tenant, new FindingQuery(), Now, paged: true)).ShouldBe(TenantOnly);
    }

    [Fact]
    public void Equality_filters_render_to_their_elements_after_the_tenant()
    {
        var query = new FindingQuery
        {
            Severity = Severity.Critical,
            Status = FindingStatus.Reopened,
            Provider = CloudProvider.Gcp,
            AccountId = AccountId,
            Source = "gcp.scc",
            Region = "europe-west1",
            ResourceType = "google.compute.Instance",
            ResourceId = "//compute.googleapis.com/projects/p/zones/z/instances/i",
            Compliance = "CIS GCP 4.1",
            Cve = "CVE-2024-3094",
        };

        Render(Q.Query(Tenant, query, Now, paged: true)).ShouldBe(BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a",
              "finding.severity_id": 5,
              "status": "Reopened",
              "finding.provider": "Gcp",
              "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"),
              "finding.source": "gcp.scc",
              "finding.region": "europe-west1",
              "finding.resource.type": "google.compute.Instance",
              "finding.resource.id": "//compute.googleapis.com/projects/p/zones/z/instances/i",
              "finding.compliance.requirement": "CIS GCP 4.1",
              "finding.vulnerabilities.id": "CVE-2024-3094"
            }
            """));
    }

    [Fact]
    public void The_resource_id_filter_is_an_exact_equality_after_the_tenant_that_a_tenant_and_resource_index_serves()
    {
        const string arn = "arn:aws:s3:::payroll.*";

        var filter = Render(Q.Query(Tenant, new FindingQuery { ResourceId = arn }, Now, paged: true));

        filter.ShouldBe(new BsonDocument { ["tenant_id"] = Tenant, ["finding.resource.id"] = arn });
        filter["finding.resource.id"].BsonType.ShouldBe(BsonType.String, "an exact match, not a pattern");
        Q.FindingIndexes.Select(i => Render(i.Keys)).ShouldContain(BsonDocument.Parse("""{ "tenant_id": 1, "finding.resource.id": 1 }"""));
    }

    [Fact]
    public void Free_text_is_a_case_insensitive_literal_match_on_title_or_resource_id()
    {
        const string text = @"a.b*c+d?e(f)g[h]i{j}k|l^m$n\o p%q_r";

        var filter = Render(Q.Query(Tenant, new FindingQuery { Text = text }, Now, paged: true));

        const string escaped = @"a\.b\*c\+d\?e\(f\)g\[h\]i\{j\}k\|l\^m\$n\\o p%q_r";
        filter.ShouldBe(new BsonDocument
        {
            ["tenant_id"] = Tenant,
            ["$or"] = new BsonArray
            {
                new BsonDocument("finding.title", new BsonRegularExpression(escaped, "i")),
                new BsonDocument("finding.resource.id", new BsonRegularExpression(escaped, "i")),
            },
        });
        // The escaped pattern matches the text itself, inside other text, in any case, and nothing a pattern would.
        Regex.IsMatch("prefix " + text.ToUpperInvariant() + " suffix", escaped, RegexOptions.IgnoreCase).ShouldBeTrue();
        Regex.IsMatch(@"aXbbbcdde(f)g[h]i{j}k|l^m$n\o p%q_r", escaped).ShouldBeFalse();
    }

    [Theory]
    [InlineData(".*", @"\.\*")]
    [InlineData("^admin$", @"\^admin\$")]
    [InlineData("(?i)x", @"\(\?i\)x")]
    [InlineData("a\0b", @"a\x00b")]
    [InlineData("plain text-with/slash", "plain text-with/slash")]
    public void Every_regex_metacharacter_is_escaped(string text, string pattern)
    {
        Q.EscapeRegex(text).ShouldBe(pattern);
        Regex.IsMatch(text, pattern).ShouldBeTrue();
    }

    [Fact]
    public void A_workflow_filter_counts_an_expired_risk_acceptance_as_none()
    {
        var accepted = Render(Q.Query(Tenant, new FindingQuery { Workflow = WorkflowState.RiskAccepted }, Now, paged: true));
        var none = Render(Q.Query(Tenant, new FindingQuery { Workflow = WorkflowState.None }, Now, paged: true));

        var now = new BsonDateTime(Now.UtcDateTime);
        accepted.ShouldBe(new BsonDocument
        {
            ["tenant_id"] = Tenant,
            ["workflow.state"] = "RiskAccepted",
            ["$or"] = new BsonArray { new BsonDocument("workflow.expires_at", BsonNull.Value), new BsonDocument("workflow.expires_at", new BsonDocument("$gt", now)) },
        });
        none.ShouldBe(new BsonDocument
        {
            ["tenant_id"] = Tenant,
            ["$or"] = new BsonArray { new BsonDocument("workflow", BsonNull.Value), new BsonDocument("workflow.expires_at", new BsonDocument("$lte", now)) },
        });
    }

    [Fact]
    public void Several_alternatives_together_become_an_and_whose_first_clause_is_the_tenant()
    {
        var cursor = FindingCursor.Encode(FindingSort.SeverityDesc, "4", "fp-m");

        var filter = Render(Q.Query(Tenant, new FindingQuery { Text = "x", Workflow = WorkflowState.None, Cursor = cursor }, Now, paged: true));

        filter.ElementCount.ShouldBe(1);
        var clauses = filter["$and"].AsBsonArray;
        clauses[0].ShouldBe(TenantOnly);
        clauses.Count.ShouldBe(4);
        clauses.Skip(1).ShouldAllBe(c => c.AsBsonDocument.GetElement(0).Name == "$or");
    }

    // ---------------------------------------------------------------- keyset cursor and sort

    [Theory]
    [InlineData(FindingSort.SeverityDesc, "{ 'finding.severity_id': -1, 'fingerprint': 1 }", "$lt", "$gt")]
    [InlineData(FindingSort.SeverityAsc, "{ 'finding.severity_id': 1, 'fingerprint': -1 }", "$gt", "$lt")]
    [InlineData(FindingSort.LastSeenDesc, "{ 'last_seen': -1, 'fingerprint': -1 }", "$lt", "$lt")]
    [InlineData(FindingSort.LastSeenAsc, "{ 'last_seen': 1, 'fingerprint': 1 }", "$gt", "$gt")]
    [InlineData(FindingSort.FirstSeenDesc, "{ 'first_seen': -1, 'fingerprint': -1 }", "$lt", "$lt")]
    [InlineData(FindingSort.FirstSeenAsc, "{ 'first_seen': 1, 'fingerprint': 1 }", "$gt", "$gt")]
    public void The_cursor_predicate_starts_strictly_after_the_last_row_in_the_sort_order(
        FindingSort sort, string expectedSort, string keyOperator, string fingerprintOperator)
    {
        var (field, _, _) = Q.SortKeys(sort);
        var severity = field == "finding.severity_id";
        var last = Record(severityId: 4, lastSeen: Now, firstSeen: Now.AddDays(-1));
        var cursor = FindingCursor.Encode(sort, Q.CursorKey(sort, last), last.Fingerprint);
        BsonValue key = severity ? 4 : new BsonDateTime((field == "last_seen" ? Now : Now.AddDays(-1)).UtcDateTime);

        var filter = Render(Q.Query(Tenant, new FindingQuery { Sort = sort, Cursor = cursor }, Now, paged: true));

        filter.ShouldBe(new BsonDocument
        {
            ["tenant_id"] = Tenant,
            ["$or"] = new BsonArray
            {
                new BsonDocument(field, new BsonDocument(keyOperator, key)),
                new BsonDocument { [field] = key, ["fingerprint"] = new BsonDocument(fingerprintOperator, "fp-last") },
            },
        });
        Render(Q.Sort(sort)).ShouldBe(BsonDocument.Parse(expectedSort));
        // The export reads everything in the same order: the cursor is not applied.
        Render(Q.Query(Tenant, new FindingQuery { Sort = sort, Cursor = cursor }, Now, paged: false)).ShouldBe(TenantOnly);
    }

    [Fact]
    public void A_time_cursor_key_is_the_stored_millisecond_instant()
    {
        var at = new DateTimeOffset(2026, 11, 23, 9, 0, 0, 123, TimeSpan.Zero);
        var key = Q.CursorKey(FindingSort.LastSeenDesc, Record(4, at, at));

        key.ShouldBe("2026-11-23T09:00:00.1230000Z");
        var filter = Render(Q.After(FindingSort.LastSeenDesc, new FindingCursor.Position(FindingSort.LastSeenDesc, key, "fp")));
        filter["$or"][0]["last_seen"]["$lt"].ShouldBe(new BsonDateTime(at.UtcDateTime));
    }

    [Fact]
    public void A_severity_cursor_with_a_key_that_is_no_number_is_refused()
    {
        Should.Throw<FormatException>(() => Q.After(FindingSort.SeverityDesc, new FindingCursor.Position(FindingSort.SeverityDesc, "high", "fp")));
    }

    // ---------------------------------------------------------------- ingest writes

    [Fact]
    public void A_first_sighting_is_an_upsert_keyed_by_tenant_and_fingerprint_that_only_sets_on_insert()
    {
        var created = Document();

        var model = Q.Insert(created, "op-1");

        model.IsUpsert.ShouldBeTrue();
        Render(model.Filter).ShouldBe(new BsonDocument { ["tenant_id"] = Tenant, ["fingerprint"] = "fp-a" });
        var update = Render(model.Update);
        update.Names.ShouldBe(["$setOnInsert"]);
        var set = update["$setOnInsert"].AsBsonDocument;
        set.Names.ShouldBe(["account_id", "status", "first_seen", "last_seen", "resolved_at", "last_scan_id", "content_hash", "rev", "recent_ops", "workflow", "history", "finding"]);
        set["rev"].ShouldBe(new BsonInt64(1));
        set["recent_ops"].ShouldBe(new BsonArray { "op-1" });
        set["status"].ShouldBe(new BsonString("New"));
        set["last_seen"].ShouldBe(new BsonDateTime(Now.UtcDateTime));
        set["finding"].ShouldBe(created.Finding.ToBsonDocument(MongoInventoryMappings.NormalizedFindingSerializer));
    }

    [Fact]
    public void A_newer_observation_is_guarded_by_revision_and_moves_last_seen_with_max()
    {
        var before = Document();
        before.Revision = 4;
        var after = Document();
        after.Status = FindingStatus.Reopened;
        after.LastSeen = Now.AddHours(6);
        after.LastScanId = ScanId;
        var history = History();

        var model = Q.Observe(before, after, history, "op-2");

        model.IsUpsert.ShouldBeFalse();
        Render(model.Filter).ShouldBe(new BsonDocument { ["tenant_id"] = Tenant, ["fingerprint"] = "fp-a", ["rev"] = new BsonInt64(4) });
        var update = Render(model.Update);
        update.Names.ShouldBe(["$set", "$max", "$inc", "$push"]);
        update["$max"].ShouldBe(new BsonDocument("last_seen", new BsonDateTime(Now.AddHours(6).UtcDateTime)));
        update["$set"].AsBsonDocument.Names.ShouldBe(["status", "resolved_at", "last_scan_id", "content_hash", "finding"]);
        update["$set"]["status"].ShouldBe(new BsonString("Reopened"));
        update["$set"]["resolved_at"].ShouldBe(BsonNull.Value);
        update["$set"]["last_scan_id"].ShouldBe(new BsonBinaryData(ScanId, GuidRepresentation.Standard));
        update["$inc"].ShouldBe(new BsonDocument("rev", new BsonInt64(1)));
        update["$push"].ShouldBe(new BsonDocument
        {
            ["recent_ops"] = new BsonDocument { ["$each"] = new BsonArray { "op-2" }, ["$slice"] = -Q.RecentOpsKept },
            ["history"] = new BsonDocument
            {
                ["$each"] = new BsonArray { history.ToBsonDocument(MongoInventoryMappings.HistorySerializer) },
                ["$slice"] = -Q.MaxHistory,
            },
        });
        Render(Q.Observe(before, after, null, "op-3").Update)["$push"].AsBsonDocument.Names.ShouldBe(["recent_ops"]);
    }

    [Fact]
    public void Resolving_a_missed_finding_is_guarded_by_revision_and_records_history()
    {
        var before = Document();
        before.Revision = 9;

        var model = Q.Resolve(before, Now, History(), "op-4");

        Render(model.Filter)["rev"].ShouldBe(new BsonInt64(9));
        var update = Render(model.Update);
        update["$set"].ShouldBe(new BsonDocument { ["status"] = "Resolved", ["resolved_at"] = new BsonDateTime(Now.UtcDateTime) });
        update["$inc"].ShouldBe(new BsonDocument("rev", new BsonInt64(1)));
        update["$push"].AsBsonDocument.Names.ShouldBe(["recent_ops", "history"]);
        update.Contains("$max").ShouldBeFalse(); // resolving never touches last_seen
    }

    [Fact]
    public void What_a_complete_scan_missed_is_the_open_findings_of_its_account_and_source_last_seen_before_it_started()
    {
        Render(Q.MissingFromScan(Tenant, AccountId, "aws.securityhub", ScanId, Now)).ShouldBe(BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a",
              "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"),
              "finding.source": "aws.securityhub",
              "last_scan_id": { "$ne": UUID("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e") },
              "status": { "$ne": "Resolved" },
              "last_seen": { "$lt": ISODate("2026-11-23T09:00:00.250Z") }
            }
            """));
    }

    [Fact]
    public void Which_writes_of_a_bulk_applied_is_read_back_by_write_id()
    {
        Render(Q.WrittenBy(Tenant, ["a", "b"], "op-5")).ShouldBe(BsonDocument.Parse(
            """{ "tenant_id": "tenant-a", "fingerprint": { "$in": ["a", "b"] }, "recent_ops": "op-5" }"""));
    }

    [Fact]
    public void A_workflow_change_sets_the_workflow_and_appends_history()
    {
        var workflow = new FindingWorkflow { State = WorkflowState.Suppressed, Note = "fp", By = "alice", At = Now, ExpiresAt = null };

        var update = Render(Q.SetWorkflow(workflow, History(), "op-6"));
        var cleared = Render(Q.SetWorkflow(null, History(), "op-7"));

        update["$set"].ShouldBe(new BsonDocument("workflow", BsonDocument.Parse(
            """{ "state": "Suppressed", "note": "fp", "by": "alice", "at": ISODate("2026-11-23T09:00:00.250Z"), "expires_at": null }""")));
        cleared["$set"].ShouldBe(new BsonDocument("workflow", BsonNull.Value));
        update["$inc"].ShouldBe(new BsonDocument("rev", new BsonInt64(1)));
        update["$push"]["history"]["$slice"].ShouldBe(new BsonInt32(-Q.MaxHistory));
    }

    [Fact]
    public void The_expiry_sweep_finds_lapsed_acceptances_of_every_tenant_earliest_first_through_a_partial_index()
    {
        var lapsed = Render(Q.LapsedRiskAcceptances(Now));

        lapsed.ShouldBe(BsonDocument.Parse(
            """{ "workflow.state": "RiskAccepted", "workflow.expires_at": { "$lte": ISODate("2026-11-23T09:00:00.250Z") } }"""));
        Render(Q.ByExpiry).ShouldBe(BsonDocument.Parse("""{ "workflow.expires_at": 1 }"""));
        var index = Q.FindingIndexes.Single(i => i.Options.Name == Q.RiskAcceptanceExpiryIndex);
        Render(index.Keys).ShouldBe(BsonDocument.Parse("""{ "workflow.expires_at": 1 }"""));
        // The query holds the partial filter's equality, so the planner may use the index (which holds acceptances only).
        var partial = ((CreateIndexOptions<FindingDocument>)index.Options).PartialFilterExpression!;
        Render(partial).ShouldBe(BsonDocument.Parse("""{ "workflow.state": "RiskAccepted" }"""));
        lapsed.Elements.ShouldContain(e => e.Name == "workflow.state" && e.Value == "RiskAccepted");
    }

    [Fact]
    public void Ending_an_acceptance_is_guarded_by_tenant_revision_and_state_and_records_the_acceptance()
    {
        var acceptance = new FindingWorkflow { State = WorkflowState.RiskAccepted, Note = "waf", By = "bob", At = Now.AddDays(-7), ExpiresAt = Now };
        var after = Record(4, Now, Now) with { Workflow = null };

        var expire = Q.ExpireAcceptance(Document(), FindingHistoryEntry.ForExpiredAcceptance(after, acceptance), "op-8");

        Render(expire.Filter).ShouldBe(BsonDocument.Parse(
            """{ "tenant_id": "tenant-a", "fingerprint": "fp-a", "rev": NumberLong(1), "workflow.state": "RiskAccepted" }"""));
        var update = Render(expire.Update);
        update["$set"].ShouldBe(new BsonDocument("workflow", BsonNull.Value));
        update["$inc"].ShouldBe(new BsonDocument("rev", new BsonInt64(1)));
        update["$push"]["history"]["$each"].ShouldBe(new BsonArray
        {
            BsonDocument.Parse(
                """
                {
                  "at": ISODate("2026-11-23T09:00:00.250Z"), "transition": "RiskAcceptanceExpired", "from": "RiskAccepted", "to": "New",
                  "actor": "system", "note": "waf",
                  "acceptance": { "state": "RiskAccepted", "note": "waf", "by": "bob", "at": ISODate("2026-11-16T09:00:00.250Z"), "expires_at": ISODate("2026-11-23T09:00:00.250Z") }
                }
                """),
        });
    }

    // ---------------------------------------------------------------- source scans

    [Fact]
    public void A_batch_adds_its_index_to_a_set_and_a_completion_sets_its_fields()
    {
        var batch = Q.BatchReceived(Batch());
        var completed = Q.Completed(Completion());

        batch.IsUpsert.ShouldBeTrue();
        Render(batch.Filter).ShouldBe(BsonDocument.Parse(
            """{ "tenant_id": "tenant-a", "scan_id": UUID("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e"), "source": "aws.securityhub" }"""));
        var batchUpdate = Render(batch.Update);
        batchUpdate["$addToSet"].ShouldBe(new BsonDocument("batches", 2));
        batchUpdate["$setOnInsert"]["resolved"].ShouldBe(BsonBoolean.False);
        completed.IsUpsert.ShouldBeTrue();
        Render(completed.Update).ShouldBe(BsonDocument.Parse(
            """
            {
              "$set": {
                "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"), "completed": true, "complete": true, "batch_count": 3,
                "started_at": ISODate("2026-11-23T09:00:00.250Z"), "finished_at": ISODate("2026-11-23T09:05:00.250Z")
              },
              "$setOnInsert": { "batches": [], "resolved": false }
            }
            """));
    }

    [Fact]
    public void The_resolve_step_is_claimed_once_all_batches_and_the_completion_are_in()
    {
        Render(Q.ReadyToResolve(Tenant, ScanId, "aws.securityhub")).ShouldBe(BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a", "scan_id": UUID("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e"), "source": "aws.securityhub",
              "completed": true, "resolved": false,
              "$expr": { "$gte": [ { "$size": { "$ifNull": ["$batches", []] } }, "$batch_count" ] }
            }
            """));
        Render(Q.ClaimResolution).ShouldBe(BsonDocument.Parse("""{ "$set": { "resolved": true } }"""));
    }

    // ---------------------------------------------------------------- posture

    [Fact]
    public void The_summary_groups_by_provider_account_severity_and_effective_status()
    {
        var stages = Render(Q.Summary(Tenant, Now));

        stages.ShouldBe(
        [
            BsonDocument.Parse("""{ "$match": { "tenant_id": "tenant-a" } }"""),
            BsonDocument.Parse(
                """
                {
                  "$group": {
                    "_id": {
                      "provider": "$finding.provider",
                      "account_id": "$account_id",
                      "severity_id": "$finding.severity_id",
                      "status": {
                        "$cond": {
                          "if": { "$and": [
                            { "$ne": ["$status", "Resolved"] },
                            { "$ne": [ { "$ifNull": ["$workflow.state", null] }, null ] },
                            { "$or": [
                              { "$eq": [ { "$ifNull": ["$workflow.expires_at", null] }, null ] },
                              { "$gt": ["$workflow.expires_at", ISODate("2026-11-23T09:00:00.250Z")] }
                            ] }
                          ] },
                          "then": "$workflow.state",
                          "else": "$status"
                        }
                      }
                    },
                    "count": { "$sum": 1 }
                  }
                }
                """),
        ]);
    }

    [Fact]
    public void The_trend_reads_open_counts_by_severity_and_daily_changes_from_a_first_day()
    {
        Render(Q.OpenBySeverity(Tenant)).ShouldBe(
        [
            BsonDocument.Parse("""{ "$match": { "tenant_id": "tenant-a", "status": { "$ne": "Resolved" } } }"""),
            BsonDocument.Parse("""{ "$group": { "_id": "$finding.severity_id", "count": { "$sum": 1 } } }"""),
        ]);
        Render(Q.DailyChanges(Tenant, "2026-11-01")).ShouldBe(
        [
            BsonDocument.Parse("""{ "$match": { "tenant_id": "tenant-a", "day": { "$gte": "2026-11-01" } } }"""),
            BsonDocument.Parse(
                """
                { "$group": {
                    "_id": { "day": "$day", "severity_id": "$severity_id" },
                    "opened": { "$sum": "$opened" }, "resolved": { "$sum": "$resolved" }, "net": { "$sum": "$net" } } }
                """),
        ]);
        var increment = Q.DailyIncrement(Tenant, AccountId, "2026-11-23", 4, 1, 0, 1);
        increment.IsUpsert.ShouldBeTrue();
        Render(increment.Update).ShouldBe(BsonDocument.Parse(
            """{ "$inc": { "opened": NumberLong(1), "resolved": NumberLong(0), "net": NumberLong(1) } }"""));
    }

    // ---------------------------------------------------------------- projections and indexes

    [Fact]
    public void The_list_leaves_out_raw_json_history_and_write_ids()
    {
        Render(Q.ListProjection).ShouldBe(BsonDocument.Parse("""{ "finding.raw_json": 0, "history": 0, "recent_ops": 0 }"""));
        Render(Q.WithRawJsonProjection).ShouldBe(BsonDocument.Parse("""{ "history": 0, "recent_ops": 0 }"""));
        Render(Q.DetailProjection).ShouldBe(BsonDocument.Parse("""{ "finding.raw_json": 0, "recent_ops": 0 }"""));
    }

    [Fact]
    public void Every_index_starts_with_the_tenant_and_findings_are_unique_per_tenant_and_fingerprint()
    {
        var findings = Q.FindingIndexes.Select(i => (i.Options.Name, Keys: Render(i.Keys), i.Options.Unique)).ToList();
        var scans = Q.SourceScanIndexes.Select(i => (i.Options.Name, Keys: i.Keys.Render(new RenderArgs<SourceScanDocument>(
            MongoInventoryMappings.SourceScanSerializer, BsonSerializer.SerializerRegistry)), i.Options.Unique)).ToList();
        var daily = Q.PostureDailyIndexes.Select(i => (i.Options.Name, Keys: i.Keys.Render(new RenderArgs<PostureDailyDocument>(
            MongoInventoryMappings.PostureDailySerializer, BsonSerializer.SerializerRegistry)), i.Options.Unique)).ToList();

        // Every index but the expiry sweep's (over risk acceptances only, see its own test) starts with the tenant.
        findings.Where(i => i.Name != Q.RiskAcceptanceExpiryIndex).Concat(scans).Concat(daily).ShouldAllBe(i => i.Keys.GetElement(0).Name == "tenant_id");
        findings.Single(i => i.Unique == true).Keys.ShouldBe(BsonDocument.Parse("""{ "tenant_id": 1, "fingerprint": 1 }"""));
        scans.Single(i => i.Unique == true).Keys.ShouldBe(BsonDocument.Parse("""{ "tenant_id": 1, "scan_id": 1, "source": 1 }"""));
        daily.Single(i => i.Unique == true).Keys.ShouldBe(BsonDocument.Parse("""{ "tenant_id": 1, "account_id": 1, "day": 1, "severity_id": 1 }"""));
        // Each list order is served by an index on (tenant, key, fingerprint), read forwards or backwards.
        foreach (var sort in Enum.GetValues<FindingSort>())
        {
            var order = Render(Q.Sort(sort));
            findings.ShouldContain(i => i.Keys.Names.SequenceEqual(new[] { "tenant_id" }.Concat(order.Names))
                && (Same(i.Keys, order) || Reversed(i.Keys, order)), sort.ToString());
        }

        findings.ShouldContain(i => i.Keys.Names.SequenceEqual(new[] { "tenant_id", "account_id", "finding.source", "status", "last_seen" }));
        findings.ShouldContain(i => i.Keys.Names.SequenceEqual(new[] { "tenant_id", "finding.compliance.requirement" }));
        findings.ShouldContain(i => i.Keys.Names.SequenceEqual(new[] { "tenant_id", "finding.vulnerabilities.id" }));
    }

    // ---------------------------------------------------------------- helpers

    private static IEnumerable<FindingQuery> RepresentativeQueries() =>
    [
        new(),
        new() { Severity = Severity.High, Status = FindingStatus.New, Provider = CloudProvider.Azure, AccountId = AccountId },
        new() { Source = "s", Region = "r", ResourceType = "t", ResourceId = "arn:aws:s3:::b", Compliance = "c", Cve = "CVE-1" },
        new() { Text = "x", Workflow = WorkflowState.None },
        new() { Workflow = WorkflowState.Acknowledged, Cursor = FindingCursor.Encode(FindingSort.LastSeenAsc, "2026-11-23T09:00:00.0000000Z", "fp"), Sort = FindingSort.LastSeenAsc },
        new() { Text = "y", Workflow = WorkflowState.None, Cursor = FindingCursor.Encode(FindingSort.SeverityDesc, "3", "fp") },
    ];

    private static bool IsQueryShape(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
        && (definition == typeof(FilterDefinition<>) || definition == typeof(UpdateOneModel<>) || definition == typeof(PipelineDefinition<,>));

    /// <summary>The tenant of a filter's first predicate (the first clause of an $and).</summary>
    private static string? TenantOf(BsonDocument filter)
    {
        var first = filter.GetElement(0);
        if (first.Name == "$and")
        {
            return TenantOf(first.Value.AsBsonArray[0].AsBsonDocument);
        }

        return first.Name == "tenant_id" ? first.Value.AsString : null;
    }

    private static bool Same(BsonDocument index, BsonDocument order) =>
        index.Elements.Skip(1).Select(e => e.Value.ToInt32()).SequenceEqual(order.Elements.Select(e => e.Value.ToInt32()));

    private static bool Reversed(BsonDocument index, BsonDocument order) =>
        index.Elements.Skip(1).Select(e => -e.Value.ToInt32()).SequenceEqual(order.Elements.Select(e => e.Value.ToInt32()));

    private static RenderArgs<FindingDocument> Args => new(MongoInventoryMappings.FindingSerializer, BsonSerializer.SerializerRegistry);

    private static BsonDocument Render(FilterDefinition<FindingDocument> filter) => filter.Render(Args);

    private static BsonDocument Render(FilterDefinition<SourceScanDocument> filter) =>
        filter.Render(new RenderArgs<SourceScanDocument>(MongoInventoryMappings.SourceScanSerializer, BsonSerializer.SerializerRegistry));

    private static BsonDocument Render(FilterDefinition<PostureDailyDocument> filter) =>
        filter.Render(new RenderArgs<PostureDailyDocument>(MongoInventoryMappings.PostureDailySerializer, BsonSerializer.SerializerRegistry));

    private static BsonDocument Render(UpdateDefinition<FindingDocument> update) => update.Render(Args).AsBsonDocument;

    private static BsonDocument Render(UpdateDefinition<SourceScanDocument> update) =>
        update.Render(new RenderArgs<SourceScanDocument>(MongoInventoryMappings.SourceScanSerializer, BsonSerializer.SerializerRegistry)).AsBsonDocument;

    private static BsonDocument Render(UpdateDefinition<PostureDailyDocument> update) =>
        update.Render(new RenderArgs<PostureDailyDocument>(MongoInventoryMappings.PostureDailySerializer, BsonSerializer.SerializerRegistry)).AsBsonDocument;

    private static BsonDocument Render(SortDefinition<FindingDocument> sort) => sort.Render(Args);

    private static BsonDocument Render(ProjectionDefinition<FindingDocument> projection) => projection.Render(Args);

    private static BsonDocument Render(IndexKeysDefinition<FindingDocument> keys) => keys.Render(Args);

    private static List<BsonDocument> Render(PipelineDefinition<FindingDocument, BsonDocument> pipeline) => [.. pipeline.Render(Args).Documents];

    private static List<BsonDocument> Render(PipelineDefinition<PostureDailyDocument, BsonDocument> pipeline) =>
        [.. pipeline.Render(new RenderArgs<PostureDailyDocument>(MongoInventoryMappings.PostureDailySerializer, BsonSerializer.SerializerRegistry)).Documents];

    private static FindingDocument Document() => new()
    {
        TenantId = Tenant,
        Fingerprint = "fp-a",
        AccountId = AccountId,
        Status = FindingStatus.New,
        FirstSeen = Now,
        LastSeen = Now,
        LastScanId = Guid.Empty,
        ContentHash = "h",
        Revision = 1,
        Finding = new NormalizedFinding
        {
            Fingerprint = "fp-a",
            Class = FindingClass.Compliance,
            Severity = Severity.High,
            SeverityId = 4,
            State = ObservedState.Open,
            Title = "t",
            Provider = CloudProvider.Aws,
            Source = "aws.securityhub",
            NativeId = "a",
            Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::a" },
            RawJson = "{}",
        },
    };

    private static FindingHistoryEntry History() => new() { At = Now, Transition = "Reopened", From = "Resolved", To = "Reopened", Actor = "scan:x" };

    private static FindingRecord Record(int severityId, DateTimeOffset lastSeen, DateTimeOffset firstSeen) => new()
    {
        Fingerprint = "fp-last",
        AccountId = AccountId,
        Status = FindingStatus.New,
        Class = FindingClass.Compliance,
        Severity = (Severity)severityId,
        SeverityId = severityId,
        Title = "t",
        Provider = CloudProvider.Aws,
        Source = "s",
        NativeId = "n",
        Resource = new ResourceRef { Type = "t", Id = "i" },
        FirstSeen = firstSeen,
        LastSeen = lastSeen,
        LastScanId = ScanId,
    };

    private static FindingsObserved Batch() => new()
    {
        TenantId = Tenant,
        AccountId = AccountId,
        ScanId = ScanId,
        Source = "aws.securityhub",
        BatchIndex = 2,
        ObservedAt = Now,
        Findings = [],
    };

    private static SourceScanCompleted Completion() => new()
    {
        TenantId = Tenant,
        AccountId = AccountId,
        ScanId = ScanId,
        Source = "aws.securityhub",
        Complete = true,
        FindingCount = 10,
        BatchCount = 3,
        ScanStartedAt = Now,
        CompletedAt = Now.AddMinutes(5),
    };
}
