using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Assets.Checks;
using OffloadSecurity.Scanners.Aws.Assets.S3;

namespace OffloadSecurity.Scanners.Aws.Tests.Assets;

public sealed class BucketChecksTests
{
    private static readonly CheckContext Context = new("tenant-a", Guid.Parse("9a4c2f7e-1111-4c5d-8e9f-123456789abc"), "aws.s3");
    private static readonly PublicAccessBlock AllBlocked = new(true, true, true, true);
    private static readonly DefaultEncryption SseS3 = new("AES256", null, false);
    private static readonly Dictionary<string, string> Tags = new() { ["Team"] = "data" };

    [Fact]
    public void Flags_a_bucket_whose_policy_is_public_and_not_restricted_as_critical()
    {
        var finding = Public(Bucket(block: null, policyIsPublic: true)).ShouldHaveSingleItem();

        (finding.Severity, finding.Class, finding.Source, finding.ProductName).ShouldBe((Severity.Critical, FindingClass.Compliance, "aws.s3", "Offload Security"));
        finding.Resource.ShouldBe(new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::reports", Name = "reports", Region = "eu-west-1", Tags = Tags });
        finding.NativeId.ShouldBe("OFFLOAD-AWS-S3-001/arn:aws:s3:::reports");
        finding.Description.ShouldNotBeNull().ShouldContain("bucket policy is public");
    }

    [Fact]
    public void Does_not_flag_a_public_policy_that_RestrictPublicBuckets_neutralises()
    {
        Public(Bucket(block: new PublicAccessBlock(false, false, false, true), policyIsPublic: true)).ShouldBeEmpty();
    }

    [Fact]
    public void Flags_ACL_grants_to_everyone_unless_IgnorePublicAcls_is_on()
    {
        Public(Bucket(block: null, grants: [new PublicGrant("AllUsers", "READ")])).ShouldHaveSingleItem();
        Public(Bucket(block: new PublicAccessBlock(true, false, true, true), grants: [new PublicGrant("AuthenticatedUsers", "WRITE")])).ShouldHaveSingleItem();
        Public(Bucket(block: new PublicAccessBlock(false, true, false, false), grants: [new PublicGrant("AllUsers", "READ")])).ShouldBeEmpty();
    }

    [Fact]
    public void A_private_encrypted_bucket_passes_both_checks()
    {
        BucketChecks.Evaluate(Bucket(block: AllBlocked), Tags, Context).ShouldBeEmpty();
        BucketChecks.Evaluate(Bucket(block: null, encryption: new DefaultEncryption("aws:kms", "arn:aws:kms:eu-west-1:1:key/k", true)), Tags, Context).ShouldBeEmpty();
    }

    [Fact]
    public void Flags_a_bucket_that_returns_no_default_encryption_configuration()
    {
        var finding = BucketChecks.Evaluate(Bucket(block: AllBlocked, unencrypted: true), Tags, Context).ShouldHaveSingleItem();

        (finding.NativeId, finding.Severity).ShouldBe(("OFFLOAD-AWS-S3-002/arn:aws:s3:::reports", Severity.Medium));
        finding.RemediationUrl.ShouldBe("https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html");
    }

    [Fact]
    public void Bucket_ARNs_follow_the_partition_of_the_region()
    {
        (Bucket(block: null) with { Region = "cn-north-1" }).ResourceId.ShouldBe("arn:aws-cn:s3:::reports");
        (Bucket(block: null) with { Region = "us-gov-west-1" }).ResourceId.ShouldBe("arn:aws-us-gov:s3:::reports");
    }

    [Theory]
    [InlineData(null, "us-east-1")]
    [InlineData("", "us-east-1")]
    [InlineData("US", "us-east-1")]
    [InlineData("EU", "eu-west-1")]
    [InlineData("ap-southeast-2", "ap-southeast-2")]
    public void GetBucketLocation_constraints_name_the_region(string? constraint, string region)
    {
        S3Reader.RegionOf(constraint).ShouldBe(region);
    }

    private static IReadOnlyList<NormalizedFinding> Public(BucketPosture bucket) =>
        [.. BucketChecks.Evaluate(bucket, Tags, Context).Where(f => f.NativeId.StartsWith(AwsChecks.BucketPublic.Id, StringComparison.Ordinal))];

    private static BucketPosture Bucket(
        PublicAccessBlock? block, bool policyIsPublic = false, IReadOnlyList<PublicGrant>? grants = null, DefaultEncryption? encryption = null,
        bool unencrypted = false) =>
        new("reports", "eu-west-1", null, block, policyIsPublic, grants ?? [], unencrypted ? null : encryption ?? SseS3);
}
