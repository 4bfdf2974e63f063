using System.Collections.Concurrent;

namespace OffloadSecurity.CloudSandbox.Aws.S3;

/// <summary>
/// Changes made to generated buckets since the sandbox started, as a person would make them in the console (turning
/// on Block Public Access, setting default encryption), so a test can fix a bucket between two scans.
/// </summary>
internal sealed class S3BucketChanges
{
    private readonly ConcurrentDictionary<string, S3Generator.Bucket> _changed = new(StringComparer.Ordinal);

    /// <summary>The bucket as it is now: generated, with the changes made to it.</summary>
    public S3Generator.Bucket Current(S3Generator.Bucket bucket) => _changed.GetValueOrDefault(bucket.Name) ?? bucket;

    public void Change(S3Generator.Bucket bucket, Func<S3Generator.Bucket, S3Generator.Bucket> change) =>
        _changed.AddOrUpdate(bucket.Name, _ => change(bucket), (_, current) => change(current));
}
