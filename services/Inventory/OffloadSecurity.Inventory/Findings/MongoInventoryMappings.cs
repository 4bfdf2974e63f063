using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The BSON shapes of the MongoDB inventory: every element name, and how each value is stored, in this one file.
/// Mapped with explicit class maps (no attributes, no conventions), so renaming a C# member never renames stored data.
/// <code>
/// inventory_findings       one document per (tenant_id, fingerprint)
///   tenant_id        string       fingerprint     string        account_id     UUID (subtype 4)
///   status           "New" | "Active" | "Resolved" | "Reopened"
///   first_seen, last_seen        date           resolved_at     date | null
///   last_scan_id     UUID         content_hash    string (hash of the finding without raw JSON and UpdatedAt)
///   rev              int64: +1 on every write (optimistic concurrency)
///   recent_ops       [string]: ids of the last few writes, to tell which writes of an unordered bulk applied
///   workflow         { state: "Acknowledged" | "Suppressed" | "RiskAccepted", note, by, at, expires_at } | null
///   history          [{ at, transition, from, to, actor, note, acceptance }], oldest first, the last 500 kept;
///                    acceptance: the workflow shape above on a RiskAcceptanceExpired entry (the acceptance that lapsed), else null
///   finding          the normalized finding:
///     fingerprint, class ("Detection" | "Compliance" | "Vulnerability"), severity ("Informational" .. "Critical"),
///     severity_id (int 1..5), observed_state ("Open" | "Closed"), title, description, remediation, remediation_url,
///     provider ("Aws" | "Azure" | "Gcp" | "Kubernetes" | "Registry"), cloud_account_id, region, source, native_id,
///     product_name, resource { type, id, name, region, tags: [{ k, v }] }, first_observed_at, updated_at,
///     compliance [{ requirement, status }], vulnerabilities [{ id, cvss_score, package, installed_version, fixed_version }],
///     is_sample (bool), raw_json (string: the provider's JSON exactly as received)
///
/// inventory_source_scans   one document per (tenant_id, scan_id, source)
///   tenant_id, scan_id (UUID), source, account_id (UUID), batches [int: batch indexes received],
///   completed (bool: SourceScanCompleted arrived), complete (bool: the scan saw everything), batch_count (int),
///   started_at, finished_at (date | null), resolved (bool: the resolve-missing step has been claimed)
///
/// inventory_posture_daily  one document per (tenant_id, account_id, day, severity_id)
///   tenant_id, account_id (UUID), day ("yyyy-MM-dd", UTC), severity_id (int), opened, resolved, net (int64)
/// </code>
/// Nulls are stored as BSON null (never omitted). Dates are BSON dates: UTC with millisecond precision, so the store
/// truncates every time to the millisecond (<see cref="Truncate"/>) before it compares or writes one.
/// </summary>
internal static class MongoInventoryMappings
{
    public const string FindingsCollection = "inventory_findings";
    public const string SourceScansCollection = "inventory_source_scans";
    public const string PostureDailyCollection = "inventory_posture_daily";

    /// <summary>Element names of <see cref="FindingsCollection"/> documents, with the paths queries use.</summary>
    public static class Finding
    {
        public const string TenantId = "tenant_id";
        public const string Fingerprint = "fingerprint";
        public const string AccountId = "account_id";
        public const string Status = "status";
        public const string FirstSeen = "first_seen";
        public const string LastSeen = "last_seen";
        public const string ResolvedAt = "resolved_at";
        public const string LastScanId = "last_scan_id";
        public const string ContentHash = "content_hash";
        public const string Revision = "rev";
        public const string RecentOps = "recent_ops";
        public const string Workflow = "workflow";
        public const string History = "history";
        public const string Body = "finding";

        public const string WorkflowState = Workflow + ".state";
        public const string WorkflowExpiresAt = Workflow + ".expires_at";
        public const string SeverityId = Body + ".severity_id";
        public const string Provider = Body + ".provider";
        public const string Source = Body + ".source";
        public const string Region = Body + ".region";
        public const string Title = Body + ".title";
        public const string RawJson = Body + ".raw_json";
        public const string ResourceType = Body + ".resource.type";
        public const string ResourceId = Body + ".resource.id";
        public const string ComplianceRequirement = Body + ".compliance.requirement";
        public const string VulnerabilityId = Body + ".vulnerabilities.id";
    }

    /// <summary>Element names of <see cref="SourceScansCollection"/> documents.</summary>
    public static class SourceScan
    {
        public const string TenantId = "tenant_id";
        public const string ScanId = "scan_id";
        public const string Source = "source";
        public const string AccountId = "account_id";
        public const string Batches = "batches";
        public const string Completed = "completed";
        public const string Complete = "complete";
        public const string BatchCount = "batch_count";
        public const string StartedAt = "started_at";
        public const string FinishedAt = "finished_at";
        public const string Resolved = "resolved";
    }

    /// <summary>Element names of <see cref="PostureDailyCollection"/> documents.</summary>
    public static class PostureDaily
    {
        public const string TenantId = "tenant_id";
        public const string AccountId = "account_id";
        public const string Day = "day";
        public const string SeverityId = "severity_id";
        public const string Opened = "opened";
        public const string Resolved = "resolved";
        public const string Net = "net";
    }

    public static readonly IBsonSerializer<Guid> Uuid = new GuidSerializer(GuidRepresentation.Standard);
    public static readonly IBsonSerializer<DateTimeOffset> Date = new DateTimeOffsetSerializer(BsonType.DateTime);
    public static readonly IBsonSerializer<DateTimeOffset?> NullableDate = new NullableSerializer<DateTimeOffset>(Date);

    private static readonly BsonClassMap<FindingWorkflow> WorkflowMap = Local<FindingWorkflow>(cm =>
    {
        cm.MapMember(w => w.State).SetElementName("state").SetSerializer(new EnumSerializer<WorkflowState>(BsonType.String));
        cm.MapMember(w => w.Note).SetElementName("note");
        cm.MapMember(w => w.By).SetElementName("by");
        cm.MapMember(w => w.At).SetElementName("at").SetSerializer(Date);
        cm.MapMember(w => w.ExpiresAt).SetElementName("expires_at").SetSerializer(NullableDate);
    });

    public static readonly IBsonSerializer<FindingWorkflow> WorkflowSerializer = new BsonClassMapSerializer<FindingWorkflow>(WorkflowMap);

    private static readonly BsonClassMap<FindingHistoryEntry> HistoryMap = Local<FindingHistoryEntry>(cm =>
    {
        cm.MapMember(h => h.At).SetElementName("at").SetSerializer(Date);
        cm.MapMember(h => h.Transition).SetElementName("transition");
        cm.MapMember(h => h.From).SetElementName("from");
        cm.MapMember(h => h.To).SetElementName("to");
        cm.MapMember(h => h.Actor).SetElementName("actor");
        cm.MapMember(h => h.Note).SetElementName("note");
        cm.MapMember(h => h.Acceptance).SetElementName("acceptance").SetSerializer(WorkflowSerializer);
    });

    public static readonly IBsonSerializer<FindingHistoryEntry> HistorySerializer = new BsonClassMapSerializer<FindingHistoryEntry>(HistoryMap);

    private static readonly BsonClassMap<ResourceRef> ResourceMap = Local<ResourceRef>(cm =>
    {
        cm.MapMember(r => r.Type).SetElementName("type");
        cm.MapMember(r => r.Id).SetElementName("id");
        cm.MapMember(r => r.Name).SetElementName("name");
        cm.MapMember(r => r.Region).SetElementName("region");
        // Tag keys may hold '.' or '$', so tags are an array of { k, v } rather than a sub-document.
        cm.MapMember(r => r.Tags).SetElementName("tags").SetSerializer(new TagsSerializer());
    });

    private static readonly IBsonSerializer<ResourceRef> ResourceSerializer = new BsonClassMapSerializer<ResourceRef>(ResourceMap);

    private static readonly BsonClassMap<ComplianceRef> ComplianceMap = Local<ComplianceRef>(cm =>
    {
        cm.MapMember(c => c.Requirement).SetElementName("requirement");
        cm.MapMember(c => c.Status).SetElementName("status");
    });

    private static readonly IBsonSerializer<ComplianceRef> ComplianceSerializer = new BsonClassMapSerializer<ComplianceRef>(ComplianceMap);

    private static readonly BsonClassMap<VulnerabilityRef> VulnerabilityMap = Local<VulnerabilityRef>(cm =>
    {
        cm.MapMember(v => v.Id).SetElementName("id");
        cm.MapMember(v => v.CvssScore).SetElementName("cvss_score");
        cm.MapMember(v => v.Package).SetElementName("package");
        cm.MapMember(v => v.InstalledVersion).SetElementName("installed_version");
        cm.MapMember(v => v.FixedVersion).SetElementName("fixed_version");
    });

    private static readonly IBsonSerializer<VulnerabilityRef> VulnerabilitySerializer = new BsonClassMapSerializer<VulnerabilityRef>(VulnerabilityMap);

    /// <summary>The normalized finding (a contract type, so its map is local to this store, never registered globally).</summary>
    private static readonly BsonClassMap<NormalizedFinding> NormalizedFindingMap = Local<NormalizedFinding>(cm =>
    {
        cm.MapMember(f => f.Fingerprint).SetElementName("fingerprint");
        cm.MapMember(f => f.Class).SetElementName("class").SetSerializer(new EnumSerializer<FindingClass>(BsonType.String));
        cm.MapMember(f => f.Severity).SetElementName("severity").SetSerializer(new EnumSerializer<Severity>(BsonType.String));
        cm.MapMember(f => f.SeverityId).SetElementName("severity_id");
        cm.MapMember(f => f.State).SetElementName("observed_state").SetSerializer(new EnumSerializer<ObservedState>(BsonType.String));
        cm.MapMember(f => f.Title).SetElementName("title");
        cm.MapMember(f => f.Description).SetElementName("description");
        cm.MapMember(f => f.Remediation).SetElementName("remediation");
        cm.MapMember(f => f.RemediationUrl).SetElementName("remediation_url");
        cm.MapMember(f => f.Provider).SetElementName("provider").SetSerializer(new EnumSerializer<CloudProvider>(BsonType.String));
        cm.MapMember(f => f.CloudAccountId).SetElementName("cloud_account_id");
        cm.MapMember(f => f.Region).SetElementName("region");
        cm.MapMember(f => f.Source).SetElementName("source");
        cm.MapMember(f => f.NativeId).SetElementName("native_id");
        cm.MapMember(f => f.ProductName).SetElementName("product_name");
        cm.MapMember(f => f.Resource).SetElementName("resource").SetSerializer(ResourceSerializer);
        cm.MapMember(f => f.FirstObservedAt).SetElementName("first_observed_at").SetSerializer(NullableDate);
        cm.MapMember(f => f.UpdatedAt).SetElementName("updated_at").SetSerializer(NullableDate);
        cm.MapMember(f => f.Compliance).SetElementName("compliance").SetSerializer(ListOf(ComplianceSerializer));
        cm.MapMember(f => f.Vulnerabilities).SetElementName("vulnerabilities").SetSerializer(ListOf(VulnerabilitySerializer));
        cm.MapMember(f => f.IsSample).SetElementName("is_sample");
        cm.MapMember(f => f.RawJson).SetElementName("raw_json");
    });

    public static readonly IBsonSerializer<NormalizedFinding> NormalizedFindingSerializer = new BsonClassMapSerializer<NormalizedFinding>(NormalizedFindingMap);

    private static readonly BsonClassMap<FindingDocument> FindingMap = new(cm =>
    {
        cm.MapMember(d => d.TenantId).SetElementName(Finding.TenantId);
        cm.MapMember(d => d.Fingerprint).SetElementName(Finding.Fingerprint);
        cm.MapMember(d => d.AccountId).SetElementName(Finding.AccountId).SetSerializer(Uuid);
        cm.MapMember(d => d.Status).SetElementName(Finding.Status).SetSerializer(new EnumSerializer<FindingStatus>(BsonType.String));
        cm.MapMember(d => d.FirstSeen).SetElementName(Finding.FirstSeen).SetSerializer(Date);
        cm.MapMember(d => d.LastSeen).SetElementName(Finding.LastSeen).SetSerializer(Date);
        cm.MapMember(d => d.ResolvedAt).SetElementName(Finding.ResolvedAt).SetSerializer(NullableDate);
        cm.MapMember(d => d.LastScanId).SetElementName(Finding.LastScanId).SetSerializer(Uuid);
        cm.MapMember(d => d.ContentHash).SetElementName(Finding.ContentHash);
        cm.MapMember(d => d.Revision).SetElementName(Finding.Revision);
        cm.MapMember(d => d.RecentOps).SetElementName(Finding.RecentOps);
        cm.MapMember(d => d.Workflow).SetElementName(Finding.Workflow).SetSerializer(WorkflowSerializer);
        cm.MapMember(d => d.History).SetElementName(Finding.History).SetSerializer(
            new EnumerableInterfaceImplementerSerializer<List<FindingHistoryEntry>, FindingHistoryEntry>(HistorySerializer));
        cm.MapMember(d => d.Finding).SetElementName(Finding.Body).SetSerializer(NormalizedFindingSerializer);
        cm.SetIgnoreExtraElements(true); // _id, and elements a later version may add
    });

    private static readonly BsonClassMap<SourceScanDocument> SourceScanMap = new(cm =>
    {
        cm.MapMember(d => d.TenantId).SetElementName(SourceScan.TenantId);
        cm.MapMember(d => d.ScanId).SetElementName(SourceScan.ScanId).SetSerializer(Uuid);
        cm.MapMember(d => d.Source).SetElementName(SourceScan.Source);
        cm.MapMember(d => d.AccountId).SetElementName(SourceScan.AccountId).SetSerializer(Uuid);
        cm.MapMember(d => d.Batches).SetElementName(SourceScan.Batches);
        cm.MapMember(d => d.Completed).SetElementName(SourceScan.Completed);
        cm.MapMember(d => d.Complete).SetElementName(SourceScan.Complete);
        cm.MapMember(d => d.BatchCount).SetElementName(SourceScan.BatchCount);
        cm.MapMember(d => d.StartedAt).SetElementName(SourceScan.StartedAt).SetSerializer(NullableDate);
        cm.MapMember(d => d.FinishedAt).SetElementName(SourceScan.FinishedAt).SetSerializer(NullableDate);
        cm.MapMember(d => d.Resolved).SetElementName(SourceScan.Resolved);
        cm.SetIgnoreExtraElements(true);
    });

    private static readonly BsonClassMap<PostureDailyDocument> PostureDailyMap = new(cm =>
    {
        cm.MapMember(d => d.TenantId).SetElementName(PostureDaily.TenantId);
        cm.MapMember(d => d.AccountId).SetElementName(PostureDaily.AccountId).SetSerializer(Uuid);
        cm.MapMember(d => d.Day).SetElementName(PostureDaily.Day);
        cm.MapMember(d => d.SeverityId).SetElementName(PostureDaily.SeverityId);
        cm.MapMember(d => d.Opened).SetElementName(PostureDaily.Opened);
        cm.MapMember(d => d.Resolved).SetElementName(PostureDaily.Resolved);
        cm.MapMember(d => d.Net).SetElementName(PostureDaily.Net);
        cm.SetIgnoreExtraElements(true);
    });

    /// <summary>
    /// Registers the three document types (this store's own types) with the driver, once per process. The maps of
    /// the contract types they contain stay local to these serializers.
    /// </summary>
    public static void Register()
    {
        BsonClassMap.TryRegisterClassMap(FindingMap);
        BsonClassMap.TryRegisterClassMap(SourceScanMap);
        BsonClassMap.TryRegisterClassMap(PostureDailyMap);
    }

    public static IBsonSerializer<FindingDocument> FindingSerializer
    {
        get
        {
            Register();
            return BsonSerializer.LookupSerializer<FindingDocument>();
        }
    }

    public static IBsonSerializer<SourceScanDocument> SourceScanSerializer
    {
        get
        {
            Register();
            return BsonSerializer.LookupSerializer<SourceScanDocument>();
        }
    }

    public static IBsonSerializer<PostureDailyDocument> PostureDailySerializer
    {
        get
        {
            Register();
            return BsonSerializer.LookupSerializer<PostureDailyDocument>();
        }
    }

    /// <summary>The instant as MongoDB stores it: UTC, whole milliseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public static BsonDateTime ToBson(DateTimeOffset at) => new(at.UtcDateTime);

    public static BsonBinaryData ToBson(Guid id) => new(id, GuidRepresentation.Standard);

    private static BsonClassMap<T> Local<T>(Action<BsonClassMap<T>> map)
    {
        var classMap = new BsonClassMap<T>(cm =>
        {
            map(cm);
            cm.SetIgnoreExtraElements(true);
        });
        classMap.Freeze();
        return classMap;
    }

    private static IBsonSerializer<IReadOnlyList<T>> ListOf<T>(IBsonSerializer<T> item) => new ReadOnlyListSerializer<T>(item);

    /// <summary>Every mapped class, for the test that proves each public property of the stored types has an element.</summary>
    internal static IEnumerable<BsonClassMap> ClassMaps =>
    [
        FindingMap, SourceScanMap, PostureDailyMap,
        NormalizedFindingMap, ResourceMap, ComplianceMap, VulnerabilityMap, WorkflowMap, HistoryMap,
    ];
}

/// <summary>A finding as <c>inventory_findings</c> holds it (see <see cref="MongoInventoryMappings"/> for the names).</summary>
internal sealed class FindingDocument
{
    public string TenantId { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public Guid AccountId { get; set; }
    public FindingStatus Status { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public Guid LastScanId { get; set; }
    public string ContentHash { get; set; } = "";
    public long Revision { get; set; }
    public List<string> RecentOps { get; set; } = [];
    public FindingWorkflow? Workflow { get; set; }
    public List<FindingHistoryEntry> History { get; set; } = [];
    public NormalizedFinding Finding { get; set; } = null!;
}

/// <summary>What the inventory knows about one source scan: batches received, and its completion once that arrives.</summary>
internal sealed class SourceScanDocument
{
    public string TenantId { get; set; } = "";
    public Guid ScanId { get; set; }
    public string Source { get; set; } = "";
    public Guid AccountId { get; set; }
    public List<int> Batches { get; set; } = [];
    public bool Completed { get; set; }
    public bool Complete { get; set; }
    public int BatchCount { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public bool Resolved { get; set; }
}

/// <summary>Per (account, UTC day, severity) changes of the open count, which the trend replays.</summary>
internal sealed class PostureDailyDocument
{
    public string TenantId { get; set; } = "";
    public Guid AccountId { get; set; }
    public string Day { get; set; } = "";
    public int SeverityId { get; set; }
    public long Opened { get; set; }
    public long Resolved { get; set; }
    public long Net { get; set; }
}

/// <summary>
/// A BSON array of items written with the given item serializer, whatever list type holds them (an array, a
/// <see cref="List{T}"/>, a collection expression's type). The driver's interface serializers fall back to the global
/// registry, and its auto-mapped names, for any other type than the one they were built for.
/// </summary>
internal sealed class ReadOnlyListSerializer<T>(IBsonSerializer<T> item) : SerializerBase<IReadOnlyList<T>>, IBsonArraySerializer
{
    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, IReadOnlyList<T> value)
    {
        var writer = context.Writer;
        if (value is null)
        {
            writer.WriteNull();
            return;
        }

        writer.WriteStartArray();
        foreach (var element in value)
        {
            item.Serialize(context, element);
        }

        writer.WriteEndArray();
    }

    public override IReadOnlyList<T> Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        var reader = context.Reader;
        if (reader.CurrentBsonType == BsonType.Null)
        {
            reader.ReadNull();
            return [];
        }

        var list = new List<T>();
        reader.ReadStartArray();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            list.Add(item.Deserialize(context));
        }

        reader.ReadEndArray();
        return list;
    }

    public bool TryGetItemSerializationInfo(out BsonSerializationInfo serializationInfo)
    {
        serializationInfo = new BsonSerializationInfo(null, item, typeof(T));
        return true;
    }
}

/// <summary>Resource tags as <c>[{ k, v }]</c>: tag keys may hold '.' or '$', which element names should not.</summary>
internal sealed class TagsSerializer : SerializerBase<IReadOnlyDictionary<string, string>>
{
    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, IReadOnlyDictionary<string, string> value)
    {
        var writer = context.Writer;
        if (value is null)
        {
            writer.WriteNull();
            return;
        }

        writer.WriteStartArray();
        foreach (var (key, tag) in value)
        {
            writer.WriteStartDocument();
            writer.WriteName("k");
            writer.WriteString(key);
            writer.WriteName("v");
            if (tag is null)
            {
                writer.WriteNull();
            }
            else
            {
                writer.WriteString(tag);
            }

            writer.WriteEndDocument();
        }

        writer.WriteEndArray();
    }

    public override IReadOnlyDictionary<string, string> Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        var reader = context.Reader;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.CurrentBsonType == BsonType.Null)
        {
            reader.ReadNull();
            return tags;
        }

        reader.ReadStartArray();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            var tag = BsonDocumentSerializer.Instance.Deserialize(context);
            tags[tag["k"].AsString] = tag["v"].IsBsonNull ? null! : tag["v"].AsString;
        }

        reader.ReadEndArray();
        return tags;
    }
}
