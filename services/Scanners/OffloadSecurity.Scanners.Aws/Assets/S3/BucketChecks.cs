using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Assets.Checks;

namespace OffloadSecurity.Scanners.Aws.Assets.S3;

/// <summary>
/// OFFLOAD-AWS-S3-001 (public bucket) and OFFLOAD-AWS-S3-002 (no default encryption) on one bucket: a finding for
/// each check the bucket fails, none when it passes.
/// </summary>
/// <remarks>
/// Public: GetBucketPolicyStatus says the policy is public and the bucket's RestrictPublicBuckets setting does not
/// neutralise it, or the ACL grants AllUsers or AuthenticatedUsers and IgnorePublicAcls does not neutralise that.
/// The account-level Block Public Access settings (S3 Control) are not read: a bucket they protect is still reported.
/// Unencrypted: S3 returns no default encryption configuration. Since January 2023 S3 encrypts every bucket with SSE-S3
/// and reports that configuration, so on AWS this fires only where the configuration is missing (S3-compatible
/// endpoints, buckets whose configuration could not be applied); it never means objects are stored in the clear.
/// </remarks>
public static class BucketChecks
{
    public const string ResourceType = "AwsS3Bucket";

    public static IReadOnlyList<NormalizedFinding> Evaluate(BucketPosture bucket, IReadOnlyDictionary<string, string> tags, CheckContext context)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var resource = Resource(bucket, tags);
        var findings = new List<NormalizedFinding>(2);
        if (bucket.IsPublic)
        {
            var ways = new List<string>(2);
            if (bucket.PublicThroughPolicy)
            {
                ways.Add("its bucket policy is public");
            }

            if (bucket.PublicThroughAcl)
            {
                ways.Add("its ACL grants " + string.Join(" and ", bucket.PublicAclGrants.Select(g => $"{g.Permission} to {g.Grantee}").Distinct()));
            }

            var block = bucket.PublicAccessBlock is null ? "no Block Public Access configuration" : "Block Public Access settings that do not cover it";
            findings.Add(CheckFindings.Failed(AwsChecks.BucketPublic, context, resource, null,
                $"S3 bucket {bucket.Name} ({bucket.Region}) is public: {string.Join("; ", ways)}, with {block}.", [],
                new { bucket = bucket.Name, region = bucket.Region, bucket.PolicyIsPublic, bucket.PublicAclGrants, bucket.PublicAccessBlock }));
        }

        if (bucket.Encryption is null)
        {
            findings.Add(CheckFindings.Failed(AwsChecks.BucketWithoutDefaultEncryption, context, resource, null,
                $"S3 bucket {bucket.Name} ({bucket.Region}) returns no default encryption configuration.", [],
                new { bucket = bucket.Name, region = bucket.Region, defaultEncryption = (object?)null }));
        }

        return findings;
    }

    public static ResourceRef Resource(BucketPosture bucket, IReadOnlyDictionary<string, string> tags) => new()
    {
        Type = ResourceType,
        Id = bucket.ResourceId,
        Name = bucket.Name,
        Region = bucket.Region,
        Tags = tags,
    };
}
