using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Posture;

namespace OffloadSecurity.Inventory.Tests.Findings.Mongo;

/// <summary>The stored shapes of the MongoDB store, element by element, and their round trip through BSON bytes. No server needed.</summary>
public sealed class MongoDocumentSerializationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 15, 30, 123, TimeSpan.Zero);
    private static readonly Guid AccountId = Guid.Parse("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e");
    private static readonly Guid ScanId = Guid.Parse("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e");

    /// <summary>Provider JSON as received: odd spacing, escapes, non-ASCII, a number beyond double, key order as sent.</summary>
    private const string RawJson = "{ \"Id\" :\"arn:aws:securityhub:eu-west-1:1:finding/a\",\n\t\"Title\":\"caf\u00e9 \u4e2d \\u00e9 \\\"q\\\" \\\\ \\/\",\"Big\":123456789012345678901234567890.000,\"Z\":1,\"A\":[ ]}";

    private static NormalizedFinding FullFinding() => new()
    {
        Fingerprint = "fp-a",
        Class = FindingClass.Vulnerability,
        Severity = Severity.Critical,
        SeverityId = 5,
        State = ObservedState.Open,
        Title = "xz backdoor",
        Description = "desc",
        Remediation = "upgrade",
        RemediationUrl = "https://example.com/fix",
        Provider = CloudProvider.Aws,
        CloudAccountId = "123456789012",
        Region = "eu-west-1",
        Source = "aws.ecr",
        NativeId = "native-a",
        ProductName = "Inspector",
        Resource = new ResourceRef
        {
            Type = "AwsEcrContainerImage",
            Id = "arn:aws:ecr:eu-west-1:123456789012:repository/app",
            Name = "app",
            Region = "eu-west-1",
            Tags = new Dictionary<string, string> { ["team"] = "payments", ["k8s.io/name$x"] = "dotted" },
        },
        FirstObservedAt = At.AddDays(-1),
        UpdatedAt = At.AddMinutes(-5),
        Compliance = [new ComplianceRef { Requirement = "PCI DSS 6.3.3", Status = "FAILED" }],
        Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-3094", CvssScore = 10, Package = "xz", InstalledVersion = "5.6.0", FixedVersion = "5.6.2" }],
        IsSample = true,
        RawJson = RawJson,
    };

    private static FindingDocument FullDocument() => new()
    {
        TenantId = "tenant-a",
        Fingerprint = "fp-a",
        AccountId = AccountId,
        Status = FindingStatus.Reopened,
        FirstSeen = At.AddDays(-1),
        LastSeen = At,
        ResolvedAt = At.AddHours(-1),
        LastScanId = ScanId,
        ContentHash = "0123456789ABCDEF0123456789ABCDEF",
        Revision = 7,
        RecentOps = ["op1", "op2"],
        Workflow = new FindingWorkflow { State = WorkflowState.RiskAccepted, Note = "waf", By = "alice", At = At.AddHours(-2), ExpiresAt = At.AddDays(30) },
        History =
        [
            new FindingHistoryEntry { At = At.AddHours(-1), Transition = "Resolved", From = "Active", To = "Resolved", Actor = "scan:x", Note = null },
            new FindingHistoryEntry { At = At, Transition = "Reopened", From = "Resolved", To = "Reopened", Actor = "scan:y", Note = "n" },
            new FindingHistoryEntry
            {
                At = At, Transition = "RiskAcceptanceExpired", From = "RiskAccepted", To = "Reopened", Actor = "system", Note = "until the fix",
                Acceptance = new FindingWorkflow { State = WorkflowState.RiskAccepted, Note = "until the fix", By = "bob", At = At.AddDays(-1), ExpiresAt = At },
            },
        ],
        Finding = FullFinding(),
    };

    [Fact]
    public void A_finding_document_has_exactly_the_documented_elements_and_types()
    {
        var doc = FullDocument().ToBsonDocument(MongoInventoryMappings.FindingSerializer);

        var expected = BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a",
              "fingerprint": "fp-a",
              "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"),
              "status": "Reopened",
              "first_seen": ISODate("2026-11-22T09:15:30.123Z"),
              "last_seen": ISODate("2026-11-23T09:15:30.123Z"),
              "resolved_at": ISODate("2026-11-23T08:15:30.123Z"),
              "last_scan_id": UUID("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e"),
              "content_hash": "0123456789ABCDEF0123456789ABCDEF",
              "rev": NumberLong(7),
              "recent_ops": ["op1", "op2"],
              "workflow": { "state": "RiskAccepted", "note": "waf", "by": "alice", "at": ISODate("2026-11-23T07:15:30.123Z"), "expires_at": ISODate("2026-12-23T09:15:30.123Z") },
              "history": [
                { "at": ISODate("2026-11-23T08:15:30.123Z"), "transition": "Resolved", "from": "Active", "to": "Resolved", "actor": "scan:x", "note": null, "acceptance": null },
                { "at": ISODate("2026-11-23T09:15:30.123Z"), "transition": "Reopened", "from": "Resolved", "to": "Reopened", "actor": "scan:y", "note": "n", "acceptance": null },
                {
                  "at": ISODate("2026-11-23T09:15:30.123Z"), "transition": "RiskAcceptanceExpired", "from": "RiskAccepted", "to": "Reopened", "actor": "system",
                  "note": "until the fix",
                  "acceptance": { "state": "RiskAccepted", "note": "until the fix", "by": "bob", "at": ISODate("2026-11-22T09:15:30.123Z"), "expires_at": ISODate("2026-11-23T09:15:30.123Z") }
                }
              ],
              "finding": {
                "fingerprint": "fp-a",
                "class": "Vulnerability",
                "severity": "Critical",
                "severity_id": 5,
                "observed_state": "Open",
                "title": "xz backdoor",
                "description": "desc",
                "remediation": "upgrade",
                "remediation_url": "https://example.com/fix",
                "provider": "Aws",
                "cloud_account_id": "123456789012",
                "region": "eu-west-1",
                "source": "aws.ecr",
                "native_id": "native-a",
                "product_name": "Inspector",
                "resource": {
                  "type": "AwsEcrContainerImage",
                  "id": "arn:aws:ecr:eu-west-1:123456789012:repository/app",
                  "name": "app",
                  "region": "eu-west-1",
                  "tags": [ { "k": "team", "v": "payments" }, { "k": "k8s.io/name$x", "v": "dotted" } ]
                },
                "first_observed_at": ISODate("2026-11-22T09:15:30.123Z"),
                "updated_at": ISODate("2026-11-23T09:10:30.123Z"),
                "compliance": [ { "requirement": "PCI DSS 6.3.3", "status": "FAILED" } ],
                "vulnerabilities": [ { "id": "CVE-2024-3094", "cvss_score": 10.0, "package": "xz", "installed_version": "5.6.0", "fixed_version": "5.6.2" } ],
                "is_sample": true,
                "raw_json": "PLACEHOLDER"
              }
            }
            """);
        expected["finding"]["raw_json"] = RawJson;

        doc.ShouldBe(expected);
        doc["finding"]["vulnerabilities"][0]["cvss_score"].BsonType.ShouldBe(BsonType.Double);
        doc["finding"]["severity_id"].BsonType.ShouldBe(BsonType.Int32);
        doc["account_id"].AsBsonBinaryData.SubType.ShouldBe(BsonBinarySubType.UuidStandard);
    }

    [Fact]
    public void A_finding_document_round_trips_through_bson_bytes_with_every_field()
    {
        var original = FullDocument();

        var back = RoundTrip(original, MongoInventoryMappings.FindingSerializer);

        Json(back).ShouldBe(Json(original));
        back.Finding.Resource.Tags.ShouldBe(original.Finding.Resource.Tags, ignoreOrder: true);
        back.Status.ShouldBe(FindingStatus.Reopened);
        back.Workflow!.State.ShouldBe(WorkflowState.RiskAccepted);
    }

    [Fact]
    public void Raw_provider_json_is_kept_byte_for_byte()
    {
        var back = RoundTrip(FullDocument(), MongoInventoryMappings.FindingSerializer);

        Encoding.UTF8.GetBytes(back.Finding.RawJson).ShouldBe(Encoding.UTF8.GetBytes(RawJson));
        FullDocument().ToBsonDocument(MongoInventoryMappings.FindingSerializer)["finding"]["raw_json"].BsonType.ShouldBe(BsonType.String);
    }

    [Fact]
    public void Nullable_fields_are_stored_as_null_and_come_back_null()
    {
        var sparse = new FindingDocument
        {
            TenantId = "t",
            Fingerprint = "fp",
            AccountId = AccountId,
            Status = FindingStatus.New,
            FirstSeen = At,
            LastSeen = At,
            LastScanId = ScanId,
            ContentHash = "h",
            Revision = 1,
            Finding = new NormalizedFinding
            {
                Fingerprint = "fp",
                Class = FindingClass.Detection,
                Severity = Severity.Informational,
                SeverityId = 1,
                State = ObservedState.Closed,
                Title = "t",
                Provider = CloudProvider.Registry,
                Source = "registry.dockerhub",
                NativeId = "n",
                Resource = new ResourceRef { Type = "Image", Id = "docker.io/library/app" },
                Vulnerabilities = [new VulnerabilityRef { Id = "CVE-1" }],
                RawJson = "",
            },
        };

        var doc = sparse.ToBsonDocument(MongoInventoryMappings.FindingSerializer);
        var back = RoundTrip(sparse, MongoInventoryMappings.FindingSerializer);

        foreach (var path in new[] { "resolved_at", "workflow" })
        {
            doc[path].ShouldBe(BsonNull.Value, path);
        }

        var finding = doc["finding"].AsBsonDocument;
        foreach (var name in new[] { "description", "remediation", "remediation_url", "cloud_account_id", "region", "product_name", "first_observed_at", "updated_at" })
        {
            finding[name].ShouldBe(BsonNull.Value, name);
        }

        finding["resource"]["name"].ShouldBe(BsonNull.Value);
        finding["resource"]["tags"].ShouldBe(new BsonArray());
        finding["vulnerabilities"][0].ShouldBe(BsonDocument.Parse(
            """{ "id": "CVE-1", "cvss_score": null, "package": null, "installed_version": null, "fixed_version": null }"""));
        finding["compliance"].ShouldBe(new BsonArray());
        finding["observed_state"].ShouldBe(new BsonString("Closed"));
        finding["provider"].ShouldBe(new BsonString("Registry"));
        back.ResolvedAt.ShouldBeNull();
        back.Workflow.ShouldBeNull();
        back.Finding.Description.ShouldBeNull();
        back.Finding.UpdatedAt.ShouldBeNull();
        back.Finding.Vulnerabilities.Single().CvssScore.ShouldBeNull();
        back.Finding.RawJson.ShouldBe("");
        Json(back).ShouldBe(Json(sparse));
    }

    [Fact]
    public void Lists_and_tags_keep_their_element_names_whatever_collection_type_holds_them()
    {
        var compliance = new ComplianceRef { Requirement = "CIS 1.1", Status = "FAILED" };
        var vulnerability = new VulnerabilityRef { Id = "CVE-1", CvssScore = 9.8 };
        var reference = FullFinding() with
        {
            Compliance = new List<ComplianceRef> { compliance },
            Vulnerabilities = new List<VulnerabilityRef> { vulnerability },
            Resource = FullFinding().Resource with { Tags = new Dictionary<string, string> { ["a.b"] = "1" } },
        };
        var expected = reference.ToBsonDocument(MongoInventoryMappings.NormalizedFindingSerializer);
        NormalizedFinding[] variants =
        [
            FullFinding() with
            {
                Compliance = [compliance],
                Vulnerabilities = [vulnerability],
                Resource = FullFinding().Resource with { Tags = ImmutableDictionary<string, string>.Empty.Add("a.b", "1") },
            },
            FullFinding() with
            {
                Compliance = new[] { compliance },
                Vulnerabilities = ImmutableList.Create(vulnerability),
                Resource = FullFinding().Resource with { Tags = new ReadOnlyDictionary<string, string>(new Dictionary<string, string> { ["a.b"] = "1" }) },
            },
            FullFinding() with
            {
                Compliance = new ReadOnlyCollection<ComplianceRef>([compliance]),
                Vulnerabilities = new List<VulnerabilityRef> { vulnerability }.AsReadOnly(),
                Resource = FullFinding().Resource with { Tags = new SortedDictionary<string, string> { ["a.b"] = "1" } },
            },
        ];

        foreach (var variant in variants)
        {
            var doc = variant.ToBsonDocument(MongoInventoryMappings.NormalizedFindingSerializer);
            doc.ShouldBe(expected);
            doc["vulnerabilities"][0].AsBsonDocument.Names.ShouldBe(["id", "cvss_score", "package", "installed_version", "fixed_version"]);
            doc["resource"]["tags"].ShouldBe(BsonArray.Create(new[] { new BsonDocument { ["k"] = "a.b", ["v"] = "1" } }));
        }
    }

    [Fact]
    public void Every_enum_is_stored_by_name()
    {
        foreach (var status in Enum.GetValues<FindingStatus>())
        {
            var document = FullDocument();
            document.Status = status;
            document.ToBsonDocument(MongoInventoryMappings.FindingSerializer)["status"].ShouldBe(new BsonString(status.ToString()));
        }

        foreach (var state in Enum.GetValues<WorkflowState>())
        {
            var document = FullDocument();
            document.Workflow = document.Workflow! with { State = state };
            document.ToBsonDocument(MongoInventoryMappings.FindingSerializer)["workflow"]["state"].ShouldBe(new BsonString(state.ToString()));
        }

        foreach (var provider in Enum.GetValues<CloudProvider>())
        {
            var document = FullDocument();
            document.Finding = document.Finding with { Provider = provider, Severity = Severity.Low, Class = FindingClass.Compliance };
            var finding = document.ToBsonDocument(MongoInventoryMappings.FindingSerializer)["finding"];
            finding["provider"].ShouldBe(new BsonString(provider.ToString()));
            finding["severity"].ShouldBe(new BsonString("Low"));
            finding["class"].ShouldBe(new BsonString("Compliance"));
        }
    }

    [Fact]
    public void Times_are_bson_dates_in_utc_with_millisecond_precision()
    {
        var document = FullDocument();
        var local = new DateTimeOffset(2026, 11, 23, 11, 15, 30, 123, TimeSpan.FromHours(2)).AddTicks(4567); // 09:15:30.1234567Z
        document.LastSeen = local;
        document.Workflow = document.Workflow! with { ExpiresAt = local };

        var doc = document.ToBsonDocument(MongoInventoryMappings.FindingSerializer);
        var back = RoundTrip(document, MongoInventoryMappings.FindingSerializer);

        doc["last_seen"].ShouldBe(new BsonDateTime(new DateTime(2026, 11, 23, 9, 15, 30, 123, DateTimeKind.Utc)));
        back.LastSeen.ShouldBe(MongoInventoryMappings.Truncate(local));
        back.LastSeen.Offset.ShouldBe(TimeSpan.Zero);
        back.LastSeen.UtcTicks.ShouldBe(local.UtcTicks - 4567);
        back.Workflow!.ExpiresAt.ShouldBe(MongoInventoryMappings.Truncate(local));
        // The store truncates before it writes or compares, so what it holds equals what it returns.
        var truncated = MongoInventoryMappings.Truncate(local);
        RoundTrip(new FindingDocument { LastSeen = truncated, FirstSeen = truncated, Finding = FullFinding() }, MongoInventoryMappings.FindingSerializer)
            .LastSeen.ShouldBe(truncated);
        MongoInventoryMappings.Truncate(At).ShouldBe(At);
    }

    [Fact]
    public void A_source_scan_document_has_the_documented_shape_and_round_trips()
    {
        var scan = new SourceScanDocument
        {
            TenantId = "tenant-a",
            ScanId = ScanId,
            Source = "aws.securityhub",
            AccountId = AccountId,
            Batches = [2, 0, 1],
            Completed = true,
            Complete = false,
            BatchCount = 3,
            StartedAt = At,
            FinishedAt = At.AddMinutes(1),
            Resolved = true,
        };

        var doc = scan.ToBsonDocument(MongoInventoryMappings.SourceScanSerializer);

        doc.ShouldBe(BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a", "scan_id": UUID("0a1b2c3d-4e5f-4061-9728-394a5b6c7d8e"), "source": "aws.securityhub",
              "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"), "batches": [2, 0, 1], "completed": true, "complete": false,
              "batch_count": 3, "started_at": ISODate("2026-11-23T09:15:30.123Z"), "finished_at": ISODate("2026-11-23T09:16:30.123Z"),
              "resolved": true
            }
            """));
        Json(RoundTrip(scan, MongoInventoryMappings.SourceScanSerializer)).ShouldBe(Json(scan));
        var open = RoundTrip(new SourceScanDocument { TenantId = "t", ScanId = ScanId, Source = "s" }, MongoInventoryMappings.SourceScanSerializer);
        open.StartedAt.ShouldBeNull();
        open.FinishedAt.ShouldBeNull();
    }

    [Fact]
    public void A_posture_day_document_has_the_documented_shape_and_round_trips()
    {
        var day = new PostureDailyDocument { TenantId = "tenant-a", AccountId = AccountId, Day = "2026-11-23", SeverityId = 4, Opened = 3, Resolved = 1, Net = 2 };

        var doc = day.ToBsonDocument(MongoInventoryMappings.PostureDailySerializer);

        doc.ShouldBe(BsonDocument.Parse(
            """
            {
              "tenant_id": "tenant-a", "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"), "day": "2026-11-23", "severity_id": 4,
              "opened": NumberLong(3), "resolved": NumberLong(1), "net": NumberLong(2)
            }
            """));
        Json(RoundTrip(day, MongoInventoryMappings.PostureDailySerializer)).ShouldBe(Json(day));
    }

    [Fact]
    public void A_stored_document_with_an_id_and_elements_of_a_later_version_still_reads()
    {
        var doc = FullDocument().ToBsonDocument(MongoInventoryMappings.FindingSerializer);
        doc.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
        doc.Add("added_later", 1);
        doc["finding"].AsBsonDocument.Add("added_later_too", "x");

        MongoInventoryMappings.Register();
        var back = BsonSerializer.Deserialize<FindingDocument>(doc);

        Json(back).ShouldBe(Json(FullDocument()));
    }

    [Fact]
    public void Projected_documents_read_back_with_what_they_hold()
    {
        var full = FullDocument().ToBsonDocument(MongoInventoryMappings.FindingSerializer);
        var listed = full.DeepClone().AsBsonDocument;
        listed.Remove("history");
        listed.Remove("recent_ops");
        listed["finding"].AsBsonDocument.Remove("raw_json");
        var state = new BsonDocument
        {
            ["_id"] = ObjectId.GenerateNewId(),
            ["tenant_id"] = "tenant-a",
            ["fingerprint"] = "fp-a",
            ["status"] = "Active",
            ["last_seen"] = full["last_seen"],
            ["rev"] = 3L,
            ["workflow"] = BsonNull.Value,
            ["finding"] = new BsonDocument("severity_id", 4),
        };
        MongoInventoryMappings.Register();

        var page = BsonSerializer.Deserialize<FindingDocument>(listed);
        var stored = BsonSerializer.Deserialize<FindingDocument>(state);

        page.History.ShouldBeEmpty();
        page.Finding.RawJson.ShouldBeNull();
        page.Finding.Title.ShouldBe("xz backdoor");
        stored.Finding.SeverityId.ShouldBe(4);
        stored.Revision.ShouldBe(3);
        stored.Status.ShouldBe(FindingStatus.Active);
        stored.LastSeen.ShouldBe(At);
    }

    [Fact]
    public void Aggregation_rows_read_back_as_posture_counts_and_daily_changes()
    {
        var summary = BsonDocument.Parse(
            """
            { "_id": { "provider": "Azure", "account_id": UUID("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"), "severity_id": 3, "status": "Suppressed" },
              "count": 12 }
            """);
        var daily = BsonDocument.Parse(
            """{ "_id": { "day": "2026-11-23", "severity_id": 5 }, "opened": NumberLong(4), "resolved": NumberLong(1), "net": NumberLong(3) }""");

        MongoInventoryStore.ReadSummaryRow(summary).ShouldBe(new PostureCount(CloudProvider.Azure, AccountId, Severity.Medium, "Suppressed", 12));
        MongoInventoryStore.ReadDailyRow(daily).ShouldBe(("2026-11-23", 5, 4L, 1L, 3L));
    }

    [Fact]
    public void Every_public_property_of_the_stored_types_has_an_explicit_snake_case_element()
    {
        foreach (var map in MongoInventoryMappings.ClassMaps)
        {
            var properties = map.ClassType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
                .Select(p => p.Name);
            map.DeclaredMemberMaps.Select(m => m.MemberName).ShouldBe(properties, ignoreOrder: true, map.ClassType.Name);
            map.DeclaredMemberMaps.ShouldAllBe(m => m.ElementName.All(c => char.IsAsciiLetterLower(c) || c == '_'), map.ClassType.Name);
        }
    }

    private static T RoundTrip<T>(T value, IBsonSerializer<T> serializer)
    {
        var bytes = value.ToBson(serializer);
        using var reader = new BsonBinaryReader(new MemoryStream(bytes));
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
}
