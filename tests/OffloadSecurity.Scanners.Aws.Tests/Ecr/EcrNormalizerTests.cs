using System.Text.Json;
using System.Text.Json.Nodes;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Ecr;

namespace OffloadSecurity.Scanners.Aws.Tests.Ecr;

public sealed class EcrNormalizerTests
{
    private static readonly EcrContext Context = new("tenant-1", Guid.Parse("7b6a5f4e-3d2c-4b1a-8f9e-7d6c5b4a3f2e"), "eu-west-1");
    private static readonly EcrImageRef Image = new("111122223333", "team/api", "sha256:feed", ["2.1.0", "latest"]);

    [Fact]
    public void A_basic_finding_prefers_the_cvss3_score_and_is_keyed_by_image_cve_and_package()
    {
        var finding = EcrNormalizer.NormalizeBasic(Json("""
            {"name":"CVE-2023-2650","severity":"HIGH","uri":"https://example.test/CVE-2023-2650","attributes":[
              {"key":"package_name","value":"openssl"},{"key":"package_version","value":"1.1.1t"},
              {"key":"CVSS2_SCORE","value":"5.0"},{"key":"CVSS3_SCORE","value":"6.5"}]}
            """), Image, Context, DateTimeOffset.UnixEpoch);

        finding.Vulnerabilities.ShouldHaveSingleItem().CvssScore.ShouldBe(6.5);
        finding.NativeId.ShouldBe("arn:aws:ecr:eu-west-1:111122223333:repository/team/api/sha256:feed/CVE-2023-2650/openssl");
        finding.Title.ShouldBe("CVE-2023-2650 - openssl");
        finding.Severity.ShouldBe(Severity.High);
        finding.RemediationUrl.ShouldBe("https://example.test/CVE-2023-2650");
        finding.Resource.Name.ShouldBe("team/api:2.1.0");
        finding.ProductName.ShouldBe("Amazon ECR");
    }

    [Theory]
    [InlineData("UNDEFINED", Severity.Informational)]
    [InlineData("INFORMATIONAL", Severity.Informational)]
    [InlineData("CRITICAL", Severity.Critical)]
    public void Basic_severities_map_and_undefined_is_informational(string label, Severity expected) =>
        EcrNormalizer.NormalizeBasic(Json($"{{\"name\":\"CVE-1\",\"severity\":\"{label}\"}}"), Image, Context, null).Severity.ShouldBe(expected);

    [Fact]
    public void A_basic_finding_without_a_name_is_refused() =>
        Should.Throw<EcrFormatException>(() => EcrNormalizer.NormalizeBasic(Json("{\"severity\":\"LOW\"}"), Image, Context, null));

    [Fact]
    public void Basic_findings_without_their_image_are_refused() =>
        Should.Throw<EcrFormatException>(() => EcrNormalizer.NormalizeAll(
            EcrScanDocument.Parse("""{"imageScanStatus":{"status":"COMPLETE"},"imageScanFindings":{"findings":[{"name":"CVE-1"}]}}"""), Context));

    [Fact]
    public void An_enhanced_finding_without_resources_is_about_the_image_scanned()
    {
        var finding = EcrNormalizer.NormalizeEnhanced(Enhanced(f => f.Remove("resources")), Context, Image);

        (finding.Resource.Type, finding.Resource.Id).ShouldBe(("AwsEcrContainerImage", "arn:aws:ecr:eu-west-1:111122223333:repository/team/api/sha256:feed"));
    }

    [Fact]
    public void Related_vulnerabilities_become_their_own_entries_with_the_same_package()
    {
        var finding = EcrNormalizer.NormalizeEnhanced(Enhanced(f =>
            f["packageVulnerabilityDetails"]!["relatedVulnerabilities"] = new JsonArray("CVE-2023-34256")), Context, Image);

        finding.Vulnerabilities.Select(v => (v.Id, v.Package)).ShouldBe([("GHSA-p98r-538v-jgw5", "kernel"), ("CVE-2023-34256", "kernel")]);
    }

    [Theory]
    [InlineData("SUPPRESSED", ObservedState.Closed)]
    [InlineData("CLOSED", ObservedState.Closed)]
    [InlineData("ACTIVE", ObservedState.Open)]
    public void Suppressed_and_closed_findings_are_closed(string status, ObservedState expected) =>
        EcrNormalizer.NormalizeEnhanced(Enhanced(f => f["status"] = status), Context, Image).State.ShouldBe(expected);

    [Fact]
    public void The_ecr_api_score_and_remediation_text_are_read()
    {
        var finding = EcrNormalizer.NormalizeEnhanced(Enhanced(f =>
        {
            f["score"] = 7.1;
            f["remediation"] = new JsonObject { ["recommendation"] = new JsonObject { ["text"] = "Upgrade kernel.", ["url"] = "https://example.test/fix" } };
        }), Context, Image);

        finding.Vulnerabilities[0].CvssScore.ShouldBe(7.1);
        (finding.Remediation, finding.RemediationUrl).ShouldBe(("Upgrade kernel.", "https://example.test/fix"));
    }

    [Fact]
    public void An_enhanced_finding_without_an_arn_is_keyed_by_image_and_vulnerability()
    {
        var finding = EcrNormalizer.NormalizeEnhanced(Enhanced(f => f.Remove("findingArn")), Context, Image);

        finding.NativeId.ShouldBe("arn:aws:ecr:eu-west-1:111122223333:repository/team/api/sha256:feed/GHSA-p98r-538v-jgw5");
    }

    [Fact]
    public void Without_a_region_an_image_is_named_by_registry_repository_and_digest() =>
        Image.ResourceId(null).ShouldBe("111122223333/team/api@sha256:feed");

    [Fact]
    public void Image_fingerprints_are_stable_and_differ_by_every_component()
    {
        var fingerprint = ImageFingerprint.For("t", "r.dkr.ecr.us-east-1.amazonaws.com", "team/api", "sha256:feed");

        fingerprint.ShouldBe(ImageFingerprint.For("t", "r.dkr.ecr.us-east-1.amazonaws.com", "team/api", "sha256:feed"));
        fingerprint.Length.ShouldBe(32);
        new[]
        {
            ImageFingerprint.For("u", "r.dkr.ecr.us-east-1.amazonaws.com", "team/api", "sha256:feed"),
            ImageFingerprint.For("t", "s.dkr.ecr.us-east-1.amazonaws.com", "team/api", "sha256:feed"),
            ImageFingerprint.For("t", "r.dkr.ecr.us-east-1.amazonaws.com", "team/web", "sha256:feed"),
            ImageFingerprint.For("t", "r.dkr.ecr.us-east-1.amazonaws.com", "team/api", "sha256:beef"),
        }.ShouldNotContain(fingerprint);
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static JsonElement Enhanced(Action<JsonObject> change)
    {
        var finding = JsonNode.Parse("""
            {
              "awsAccountId": "111122223333", "findingArn": "arn:aws:inspector2:eu-west-1:111122223333:finding/abc",
              "packageVulnerabilityDetails": {"vulnerabilityId": "GHSA-p98r-538v-jgw5", "relatedVulnerabilities": [],
                "vulnerablePackages": [{"name": "kernel", "version": "5.15", "fixedInVersion": "5.16"}]},
              "resources": [{"id": "arn:aws:ecr:eu-west-1:111122223333:repository/team/api/sha256:feed", "type": "AWS_ECR_CONTAINER_IMAGE",
                "details": {"awsEcrContainerImage": {"registry": "111122223333", "repositoryName": "team/api", "imageHash": "sha256:feed", "imageTags": ["2.1.0"]}}}],
              "severity": "HIGH", "status": "ACTIVE", "title": "GHSA-p98r-538v-jgw5 - kernel"
            }
            """)!.AsObject();
        change(finding);
        return JsonDocument.Parse(finding.ToJsonString()).RootElement;
    }
}
