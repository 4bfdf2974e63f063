using System.Security.Cryptography;
using System.Text;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Inventory;

namespace OffloadSecurity.Inventory.Tests.Assets;

/// <summary>Builds observed assets, images, workloads and their batches for asset inventory tests.</summary>
public static class SampleAssets
{
    public const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    public static ObservedAsset Asset(string name, string type = "AwsS3Bucket", CloudProvider provider = CloudProvider.Aws, string? region = "eu-west-1") => new()
    {
        Fingerprint = "fp-asset-" + name,
        Provider = provider,
        Type = type,
        Id = "arn:aws:s3:::" + name,
        Name = name,
        Region = region,
        Tags = new Dictionary<string, string> { ["env"] = "prod" },
        RawJson = $$"""{"Name":"{{name}}"}""",
    };

    public static string Digest(string seed) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    public static ObservedImage Image(string repository, string seed, params string[] tags) => new()
    {
        Fingerprint = "fp-image-" + repository + "-" + seed,
        Registry = Registry,
        Repository = repository,
        Digest = Digest(seed),
        Tags = tags,
        PushedAt = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero),
    };

    public static ObservedWorkload Workload(string cluster, string @namespace, string kind, string name, params string[] images) => new()
    {
        Fingerprint = $"fp-workload-{cluster}-{@namespace}-{kind}-{name}",
        Cluster = cluster,
        Namespace = @namespace,
        Kind = kind,
        Name = name,
        Images = images,
    };

    public static AssetsObserved AssetBatch(string tenant, Guid account, DateTimeOffset at, params ObservedAsset[] assets) =>
        AssetBatch(tenant, account, Guid.NewGuid(), at, assets);

    public static AssetsObserved AssetBatch(string tenant, Guid account, Guid scan, DateTimeOffset at, params ObservedAsset[] assets) => new()
    {
        TenantId = tenant,
        AccountId = account,
        ScanId = scan,
        Source = "aws.config",
        ObservedAt = at,
        Assets = assets,
    };

    public static ImagesObserved ImageBatch(string tenant, Guid account, DateTimeOffset at, params ObservedImage[] images) => new()
    {
        TenantId = tenant,
        AccountId = account,
        ScanId = Guid.NewGuid(),
        Source = "aws.ecr",
        ObservedAt = at,
        Images = images,
    };

    public static WorkloadsObserved WorkloadBatch(string tenant, Guid account, DateTimeOffset at, params ObservedWorkload[] workloads) => new()
    {
        TenantId = tenant,
        AccountId = account,
        ScanId = Guid.NewGuid(),
        Source = "k8s.workloads",
        ObservedAt = at,
        Workloads = workloads,
    };
}
