using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.Ecr;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Aws.Tests.Ecr;

/// <summary>
/// The real-world image scan samples of shared/corpus/aws-ecr (an AWS CLI DescribeImageScanFindings response with
/// basic findings; Inspector2 finding lists, the shape of ECR's enhanced findings), against its MANIFEST.md.
/// </summary>
public sealed class EcrCorpusTests
{
    private const string Basic = "awscli/describe-image-scan-findings-basic.json";
    private const string Zero = "defectdojo/aws_inspector2_zero_vul.json";
    private const string One = "defectdojo/aws_inspector2_one_vul.json";
    private const string Many = "defectdojo/aws_inspector2_many_vul.json";
    private const string BasicDigest = "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6";
    private static readonly EcrContext Context = new("tenant-corpus", Guid.Parse("3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"), "us-east-1");

    /// <summary>The MANIFEST's table: "file#index" → CVE, severity, status, resource type, packages, score.</summary>
    private static readonly Dictionary<string, Row> Manifest = new()
    {
        [$"{Basic}#0"] = new("CVE-2019-5188", Severity.Medium, ObservedState.Open, "AwsEcrContainerImage", "e2fsprogs 1.44.1-1ubuntu1.1", 4.6),
        [$"{One}#0"] = new("CVE-2021-3744", Severity.Medium, ObservedState.Open, "AwsEcrContainerImage", "linux 4.19.118", 5.5),
        [$"{Many}#0"] = new("CVE-2021-3744", Severity.Medium, ObservedState.Closed, "AwsEcrContainerImage", "linux 4.19.118", 5.5),
        [$"{Many}#1"] = new("CVE-2024-37021", Severity.Informational, ObservedState.Open, "AwsEcrContainerImage", "linux 4.19.118", null),
        [$"{Many}#2"] = new("CVE-2021-3640", Severity.High, ObservedState.Open, "AwsEcrContainerImage", "linux 4.19.118", 7.0),
        [$"{Many}#3"] = new("CVE-2021-47013", Severity.Informational, ObservedState.Open, "AwsEcrContainerImage", "linux 4.19.118", null),
        [$"{Many}#4"] = new("CVE-2022-29824", Severity.Medium, ObservedState.Open, "AwsEcrContainerImage", "libxml2 2.9.4+dfsg1", 6.5),
        [$"{Many}#5"] = new("CVE-2023-42753", Severity.High, ObservedState.Open, "AwsEcrContainerImage", "linux 4.19.118", 7.8),
        [$"{Many}#6"] = new("CVE-2020-27170", Severity.Medium, ObservedState.Open, "AwsEcrContainerImage", "linux 4.19.118", 4.7),
        [$"{Many}#7"] = new("CVE-2015-8035", Severity.Low, ObservedState.Open, "AwsEc2Instance", "libxml2 2.9.1, libxml2-python 2.9.1", 2.6),
    };

    public static TheoryData<string> Rows => [.. Manifest.Keys];

    [Fact]
    public void Every_corpus_file_is_covered_by_these_tests()
    {
        var root = SharedPaths.Corpus("aws-ecr");
        var files = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        files.ShouldBe(new[] { Basic, Zero, One, Many }.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(Basic, 1)]
    [InlineData(Zero, 0)]
    [InlineData(One, 1)]
    [InlineData(Many, 8)]
    public void Reads_every_finding_of_the_file_as_an_aws_vulnerability(string file, int count)
    {
        var findings = Normalize(file);

        findings.Count.ShouldBe(count);
        findings.ShouldAllBe(f => f.Provider == CloudProvider.Aws && f.Class == FindingClass.Vulnerability && f.Source == "aws.ecr");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_cve_is_the_vulnerability_id(string row) =>
        Finding(row).Vulnerabilities.Select(v => v.Id).Distinct().ShouldBe([Manifest[row].Cve]);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Severity_maps_ecr_labels_and_untriaged_is_informational_never_dropped(string row)
    {
        var finding = Finding(row);

        finding.Severity.ShouldBe(Manifest[row].Severity);
        finding.SeverityId.ShouldBe((int)Manifest[row].Severity);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Closed_findings_are_closed_and_active_ones_open(string row) =>
        Finding(row).State.ShouldBe(Manifest[row].State);

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_resource_is_the_image_unless_the_finding_names_another_resource(string row) =>
        Finding(row).Resource.Type.ShouldBe(Manifest[row].ResourceType);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Packages_and_installed_versions_are_read_once_each(string row) =>
        string.Join(", ", Finding(row).Vulnerabilities.Select(v => $"{v.Package} {v.InstalledVersion}")).ShouldBe(Manifest[row].Packages);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Cvss_score_is_read(string row) =>
        Finding(row).Vulnerabilities.ShouldAllBe(v => v.CvssScore == Manifest[row].Score);

    [Fact]
    public void Basic_scan_names_registry_repository_and_digest_without_a_tag_and_is_complete()
    {
        var page = Load(Basic);

        (page.RegistryId, page.Repository, page.Digest, page.Tag, page.Status).ShouldBe(("123456789012", "sample-repo", BasicDigest, (string?)null, "COMPLETE"));
        var finding = Normalize(Basic).ShouldHaveSingleItem();
        finding.CloudAccountId.ShouldBe("123456789012");
        finding.Resource.Id.ShouldBe($"arn:aws:ecr:us-east-1:123456789012:repository/sample-repo/{BasicDigest}");
        finding.Resource.Name.ShouldBe($"sample-repo@{BasicDigest}");
        finding.NativeId.ShouldBe($"arn:aws:ecr:us-east-1:123456789012:repository/sample-repo/{BasicDigest}/CVE-2019-5188/e2fsprogs");
    }

    [Fact]
    public void Basic_scan_cvss2_score_comes_from_string_attributes()
    {
        var vulnerability = Normalize(Basic).Single().Vulnerabilities.ShouldHaveSingleItem();

        vulnerability.ShouldBe(new VulnerabilityRef { Id = "CVE-2019-5188", CvssScore = 4.6, Package = "e2fsprogs", InstalledVersion = "1.44.1-1ubuntu1.1" });
    }

    [Fact]
    public void Basic_scan_severity_counts_match_the_findings_read()
    {
        var page = Load(Basic);

        page.SeverityCounts.ShouldBe(new Dictionary<string, int> { ["MEDIUM"] = 1 });
        page.SeverityCounts.Values.Sum().ShouldBe(Normalize(Basic).Count);
    }

    [Fact]
    public void Basic_scan_timestamps_are_epoch_seconds_as_floats()
    {
        var page = Load(Basic);

        page.ScanCompletedAt.ShouldBe(new DateTimeOffset(2020, 1, 24, 4, 11, 45, TimeSpan.Zero));
        page.VulnerabilitySourceUpdatedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1579811117));
        Normalize(Basic).Single().UpdatedAt.ShouldBe(new DateTimeOffset(2020, 1, 24, 4, 11, 45, TimeSpan.Zero));
    }

    [Fact]
    public void An_empty_findings_list_is_no_findings_and_no_error() => Normalize(Zero).ShouldBeEmpty();

    [Fact]
    public void Enhanced_finding_keeps_its_arn_image_tag_cvss_vector_and_fix()
    {
        var finding = Normalize(One).ShouldHaveSingleItem();

        finding.NativeId.ShouldBe("arn:aws:inspector2:us-east-1:012345678901:finding/00031f625ee77ac186869f906eb73366");
        finding.CloudAccountId.ShouldBe("012345678901");
        finding.Title.ShouldBe("CVE-2021-3744 - linux");
        finding.Resource.Id.ShouldBe("arn:aws:ecr:us-east-1:012345678901:repository/my-awesome-docker-image/sha256:c667ad018b538adadb5bd1db75836c8561b23bc7d31d9cd8941fa74f5df93802");
        finding.Resource.Name.ShouldBe("my-awesome-docker-image:2.3.0");
        finding.Vulnerabilities.ShouldHaveSingleItem().FixedVersion.ShouldBe("0:4.19.232-1");
        finding.RawJson.ShouldContain("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H");
        finding.Remediation.ShouldBeNull();
        finding.RemediationUrl.ShouldBe("https://security-tracker.debian.org/tracker/CVE-2021-3744");
        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2024, 2, 2, 15, 30, 33, 45, TimeSpan.Zero));
    }

    [Fact]
    public void The_ec2_instance_finding_is_not_attributed_to_an_image()
    {
        var finding = Normalize(Many)[7];

        finding.Resource.Type.ShouldBe("AwsEc2Instance");
        finding.Resource.Id.ShouldBe("arn:aws:ec2:us-east-1:012345678901:instance/i-0b22a22eec53b9321");
        finding.Resource.Id.ShouldNotContain("repository/");
    }

    [Fact]
    public void A_fix_that_is_not_available_is_no_fixed_version()
    {
        Normalize(Many)[1].Vulnerabilities.ShouldHaveSingleItem().FixedVersion.ShouldBeNull();
    }

    [Fact]
    public void Every_finding_of_the_many_file_has_its_own_fingerprint()
    {
        var findings = Normalize(Many);

        findings.Select(f => f.Fingerprint).Distinct().Count().ShouldBe(8);
    }

    private static EcrScanPage Load(string file) => EcrScanDocument.LoadFile(SharedPaths.Corpus(["aws-ecr", .. file.Split('/')]));

    private static IReadOnlyList<NormalizedFinding> Normalize(string file) => EcrNormalizer.NormalizeAll(Load(file), Context);

    private static NormalizedFinding Finding(string row) => Normalize(row.Split('#')[0])[int.Parse(row.Split('#')[1], System.Globalization.CultureInfo.InvariantCulture)];

    private sealed record Row(string Cve, Severity Severity, ObservedState State, string ResourceType, string Packages, double? Score);
}
