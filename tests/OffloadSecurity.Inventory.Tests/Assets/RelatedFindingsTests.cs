using OffloadSecurity.Inventory.Assets;

namespace OffloadSecurity.Inventory.Tests.Assets;

/// <summary>Which resource ids a finding about an image may carry, by registry.</summary>
public sealed class RelatedFindingsTests
{
    private const string Digest = "sha256:0123abcd";

    private static ImageRecord Image(string registry) => new()
    {
        Id = AssetKeys.Image(registry, "team/api", Digest),
        AccountId = Guid.Empty,
        Registry = registry,
        Repository = "team/api",
        Digest = Digest,
        Reference = AssetKeys.ImageReference(registry, "team/api", Digest),
        Source = "aws.ecr",
        Fingerprint = "f",
        FirstSeen = DateTimeOffset.UnixEpoch,
        LastSeen = DateTimeOffset.UnixEpoch,
        LastScanId = Guid.Empty,
    };

    [Theory]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "arn:aws:ecr:eu-west-1:123456789012:repository/team/api/sha256:0123abcd")]
    [InlineData("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", "arn:aws:ecr:us-east-1:123456789012:repository/team/api/sha256:0123abcd")]
    [InlineData("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com", "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/team/api/sha256:0123abcd")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/api/sha256:0123abcd")]
    public void An_ecr_image_is_found_by_its_reference_its_arn_and_its_region_less_id(string registry, string arn)
    {
        var ids = RelatedFindings.ImageResourceIds(Image(registry));

        ids[0].ShouldBe($"{registry}/team/api@{Digest}");
        ids.ShouldContain(arn);
        // As the ECR normalizer writes it, whatever the partition.
        ids.ShouldContain(arn.Replace(arn.Split(':')[1], "aws"));
        ids.ShouldContain($"123456789012/team/api@{Digest}");
        ids.ShouldBeUnique();
    }

    [Theory]
    [InlineData("registry-1.docker.io")]
    [InlineData("ghcr.io")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example")]
    public void Another_registrys_image_is_found_by_its_reference_only(string registry)
    {
        RelatedFindings.ImageResourceIds(Image(registry)).ShouldBe([$"{registry}/team/api@{Digest}"]);
    }
}
