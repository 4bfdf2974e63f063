using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Inventory;

namespace OffloadSecurity.Scanners.Aws.Assets.S3;

/// <summary>A bucket as an observed asset: keyed by its ARN, with its Tagging API tags and its settings as raw JSON.</summary>
public static class S3Assets
{
    public static ObservedAsset Bucket(string tenantId, BucketPosture bucket, IReadOnlyDictionary<string, string> tags) => new()
    {
        Fingerprint = AssetFingerprint.For(tenantId, CloudProvider.Aws, bucket.ResourceId),
        Provider = CloudProvider.Aws,
        Type = BucketChecks.ResourceType,
        Id = bucket.ResourceId,
        Name = bucket.Name,
        Region = bucket.Region,
        Tags = tags,
        RawJson = AssetJson.Of(bucket),
    };
}
