namespace OffloadSecurity.Scanners.Aws.Assets.S3;

/// <summary>A bucket as ListBuckets names it; <see cref="Region"/> when S3 said (paginated listings carry it).</summary>
public sealed record BucketListing(string Name, DateTimeOffset? CreatedAt, string? Region);

/// <summary>One ListBuckets page and the continuation token of the next (null on the last).</summary>
public sealed record BucketPage(IReadOnlyList<BucketListing> Buckets, string? ContinuationToken);

/// <summary>The bucket's S3 Block Public Access settings (GetPublicAccessBlock).</summary>
public sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets);

/// <summary>The first rule of the bucket's default encryption configuration (GetBucketEncryption).</summary>
/// <param name="Algorithm"><c>AES256</c> (SSE-S3), <c>aws:kms</c>, <c>aws:kms:dsse</c>.</param>
public sealed record DefaultEncryption(string Algorithm, string? KmsKeyId, bool BucketKeyEnabled);

/// <summary>An ACL grant to a group that means everyone: AllUsers or AuthenticatedUsers (any AWS account).</summary>
public sealed record PublicGrant(string Grantee, string Permission);

/// <summary>What the public-access and encryption checks need to know about a bucket, read in its region.</summary>
/// <param name="PublicAccessBlock">Null when the bucket has none (<c>NoSuchPublicAccessBlockConfiguration</c>).</param>
/// <param name="PolicyIsPublic">GetBucketPolicyStatus' IsPublic; false when the bucket has no policy.</param>
/// <param name="Encryption">Null when S3 returns no default encryption configuration.</param>
public sealed record BucketPosture(
    string Name,
    string Region,
    DateTimeOffset? CreatedAt,
    PublicAccessBlock? PublicAccessBlock,
    bool PolicyIsPublic,
    IReadOnlyList<PublicGrant> PublicAclGrants,
    DefaultEncryption? Encryption)
{
    public string ResourceId => AwsArns.Bucket(Region, Name);

    /// <summary>A public policy that RestrictPublicBuckets does not neutralise.</summary>
    public bool PublicThroughPolicy => PolicyIsPublic && PublicAccessBlock is not { RestrictPublicBuckets: true };

    /// <summary>Public ACL grants that IgnorePublicAcls does not neutralise.</summary>
    public bool PublicThroughAcl => PublicAclGrants.Count > 0 && PublicAccessBlock is not { IgnorePublicAcls: true };

    public bool IsPublic => PublicThroughPolicy || PublicThroughAcl;
}
