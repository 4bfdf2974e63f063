using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The BSON shapes of the MongoDB asset inventory, every element name in this one file, mapped with explicit class
/// maps (no attributes, no conventions) so renaming a C# member never renames stored data.
/// <code>
/// every collection: one document per (tenant_id, key)
///   tenant_id  string     key   string (see AssetKeys)     account_id  UUID (subtype 4)   fingerprint, source  string
///   last_scan_id  UUID    first_seen, last_seen  date      (content and provenance follow the newest observation)
///
/// inventory_assets     provider ("Aws" | "Azure" | "Gcp" | "Kubernetes" | "Registry"), type, resource_id, name, region,
///                      tags [{ k, v }] (tag keys may hold '.' or '$'), raw_json (string | null: the provider's JSON as received)
/// inventory_images     registry, repository, digest, reference ("registry/repository@digest"), tags [string], pushed_at (date | null)
/// inventory_workloads  cluster, namespace ("" when cluster-scoped), kind, name, resource_id ("cluster/namespace/kind/name"),
///                      images [string]
/// </code>
/// Nulls are stored as BSON null. Dates are BSON dates (UTC, whole milliseconds): the store truncates every time to the
/// millisecond (<see cref="Truncate"/>) before it writes one, so what it compares is what it stored.
/// </summary>
internal static class MongoAssetMappings
{
    public const string AssetsCollection = "inventory_assets";
    public const string ImagesCollection = "inventory_images";
    public const string WorkloadsCollection = "inventory_workloads";

    /// <summary>Elements every document has.</summary>
    public static class Common
    {
        public const string TenantId = "tenant_id";
        public const string Key = "key";
        public const string AccountId = "account_id";
        public const string Fingerprint = "fingerprint";
        public const string Source = "source";
        public const string LastScanId = "last_scan_id";
        public const string FirstSeen = "first_seen";
        public const string LastSeen = "last_seen";
    }

    public static class Asset
    {
        public const string Provider = "provider";
        public const string Type = "type";
        public const string ResourceId = "resource_id";
        public const string Name = "name";
        public const string Region = "region";
        public const string Tags = "tags";
        public const string RawJson = "raw_json";
    }

    public static class Image
    {
        public const string Registry = "registry";
        public const string Repository = "repository";
        public const string Digest = "digest";
        public const string Reference = "reference";
        public const string Tags = "tags";
        public const string PushedAt = "pushed_at";
    }

    public static class Workload
    {
        public const string Cluster = "cluster";
        public const string Namespace = "namespace";
        public const string Kind = "kind";
        public const string Name = "name";
        public const string ResourceId = "resource_id";
        public const string Images = "images";
    }

    public static readonly IBsonSerializer<Guid> Uuid = new GuidSerializer(GuidRepresentation.Standard);
    public static readonly IBsonSerializer<DateTimeOffset> Date = new DateTimeOffsetSerializer(BsonType.DateTime);
    public static readonly IBsonSerializer<DateTimeOffset?> NullableDate = new NullableSerializer<DateTimeOffset>(Date);

    private static readonly BsonClassMap<TagDocument> TagMap = Frozen<TagDocument>(cm =>
    {
        cm.MapMember(t => t.Key).SetElementName("k");
        cm.MapMember(t => t.Value).SetElementName("v");
    });

    private static readonly IBsonSerializer<List<TagDocument>> TagsSerializer =
        new EnumerableInterfaceImplementerSerializer<List<TagDocument>, TagDocument>(new BsonClassMapSerializer<TagDocument>(TagMap));

    private static readonly BsonClassMap<AssetDocument> AssetMap = new(cm =>
    {
        MapCommon(cm);
        cm.MapMember(d => d.Provider).SetElementName(Asset.Provider).SetSerializer(new EnumSerializer<CloudProvider>(BsonType.String));
        cm.MapMember(d => d.Type).SetElementName(Asset.Type);
        cm.MapMember(d => d.ResourceId).SetElementName(Asset.ResourceId);
        cm.MapMember(d => d.Name).SetElementName(Asset.Name);
        cm.MapMember(d => d.Region).SetElementName(Asset.Region);
        cm.MapMember(d => d.Tags).SetElementName(Asset.Tags).SetSerializer(TagsSerializer);
        cm.MapMember(d => d.RawJson).SetElementName(Asset.RawJson);
    });

    private static readonly BsonClassMap<ImageDocument> ImageMap = new(cm =>
    {
        MapCommon(cm);
        cm.MapMember(d => d.Registry).SetElementName(Image.Registry);
        cm.MapMember(d => d.Repository).SetElementName(Image.Repository);
        cm.MapMember(d => d.Digest).SetElementName(Image.Digest);
        cm.MapMember(d => d.Reference).SetElementName(Image.Reference);
        cm.MapMember(d => d.Tags).SetElementName(Image.Tags);
        cm.MapMember(d => d.PushedAt).SetElementName(Image.PushedAt).SetSerializer(NullableDate);
    });

    private static readonly BsonClassMap<WorkloadDocument> WorkloadMap = new(cm =>
    {
        MapCommon(cm);
        cm.MapMember(d => d.Cluster).SetElementName(Workload.Cluster);
        cm.MapMember(d => d.Namespace).SetElementName(Workload.Namespace);
        cm.MapMember(d => d.Kind).SetElementName(Workload.Kind);
        cm.MapMember(d => d.Name).SetElementName(Workload.Name);
        cm.MapMember(d => d.ResourceId).SetElementName(Workload.ResourceId);
        cm.MapMember(d => d.Images).SetElementName(Workload.Images);
    });

    /// <summary>Registers the three document types (this store's own types) with the driver, once per process.</summary>
    public static void Register()
    {
        BsonClassMap.TryRegisterClassMap(AssetMap);
        BsonClassMap.TryRegisterClassMap(ImageMap);
        BsonClassMap.TryRegisterClassMap(WorkloadMap);
    }

    public static IBsonSerializer<AssetDocument> AssetSerializer => Lookup<AssetDocument>();

    public static IBsonSerializer<ImageDocument> ImageSerializer => Lookup<ImageDocument>();

    public static IBsonSerializer<WorkloadDocument> WorkloadSerializer => Lookup<WorkloadDocument>();

    /// <summary>The instant as MongoDB stores it: UTC, whole milliseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    /// <summary>Every mapped class, for the test that proves each public property of the stored types has an element.</summary>
    internal static IEnumerable<BsonClassMap> ClassMaps => [AssetMap, ImageMap, WorkloadMap, TagMap];

    private static IBsonSerializer<T> Lookup<T>()
    {
        Register();
        return BsonSerializer.LookupSerializer<T>();
    }

    private static void MapCommon<T>(BsonClassMap<T> cm)
        where T : IObservedDocument
    {
        cm.MapProperty(nameof(IObservedDocument.TenantId)).SetElementName(Common.TenantId);
        cm.MapProperty(nameof(IObservedDocument.Key)).SetElementName(Common.Key);
        cm.MapProperty(nameof(IObservedDocument.AccountId)).SetElementName(Common.AccountId).SetSerializer(Uuid);
        cm.MapProperty(nameof(IObservedDocument.Fingerprint)).SetElementName(Common.Fingerprint);
        cm.MapProperty(nameof(IObservedDocument.Source)).SetElementName(Common.Source);
        cm.MapProperty(nameof(IObservedDocument.LastScanId)).SetElementName(Common.LastScanId).SetSerializer(Uuid);
        cm.MapProperty(nameof(IObservedDocument.FirstSeen)).SetElementName(Common.FirstSeen).SetSerializer(Date);
        cm.MapProperty(nameof(IObservedDocument.LastSeen)).SetElementName(Common.LastSeen).SetSerializer(Date);
        cm.SetIgnoreExtraElements(true); // _id, and elements a later version may add
    }

    private static BsonClassMap<T> Frozen<T>(Action<BsonClassMap<T>> map)
    {
        var classMap = new BsonClassMap<T>(cm =>
        {
            map(cm);
            cm.SetIgnoreExtraElements(true);
        });
        classMap.Freeze();
        return classMap;
    }
}

/// <summary>What every document of the asset inventory holds besides its content.</summary>
internal interface IObservedDocument
{
    string TenantId { get; }
    string Key { get; }
    Guid AccountId { get; }
    string Fingerprint { get; }
    string Source { get; }
    Guid LastScanId { get; }
    DateTimeOffset FirstSeen { get; }
    DateTimeOffset LastSeen { get; }
}

internal sealed class TagDocument
{
    public string Key { get; set; } = "";
    public string? Value { get; set; }
}

/// <summary>An asset as <c>inventory_assets</c> holds it.</summary>
internal sealed class AssetDocument : IObservedDocument
{
    public string TenantId { get; set; } = "";
    public string Key { get; set; } = "";
    public Guid AccountId { get; set; }
    public string Fingerprint { get; set; } = "";
    public string Source { get; set; } = "";
    public Guid LastScanId { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public CloudProvider Provider { get; set; }
    public string Type { get; set; } = "";
    public string ResourceId { get; set; } = "";
    public string? Name { get; set; }
    public string? Region { get; set; }
    public List<TagDocument> Tags { get; set; } = [];
    public string? RawJson { get; set; }
}

/// <summary>An image as <c>inventory_images</c> holds it.</summary>
internal sealed class ImageDocument : IObservedDocument
{
    public string TenantId { get; set; } = "";
    public string Key { get; set; } = "";
    public Guid AccountId { get; set; }
    public string Fingerprint { get; set; } = "";
    public string Source { get; set; } = "";
    public Guid LastScanId { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public string Registry { get; set; } = "";
    public string Repository { get; set; } = "";
    public string Digest { get; set; } = "";
    public string Reference { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public DateTimeOffset? PushedAt { get; set; }
}

/// <summary>A workload as <c>inventory_workloads</c> holds it.</summary>
internal sealed class WorkloadDocument : IObservedDocument
{
    public string TenantId { get; set; } = "";
    public string Key { get; set; } = "";
    public Guid AccountId { get; set; }
    public string Fingerprint { get; set; } = "";
    public string Source { get; set; } = "";
    public Guid LastScanId { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public string Cluster { get; set; } = "";
    public string Namespace { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public string ResourceId { get; set; } = "";
    public List<string> Images { get; set; } = [];
}
