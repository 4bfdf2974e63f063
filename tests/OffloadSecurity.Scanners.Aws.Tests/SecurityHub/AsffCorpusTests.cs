using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Aws.Tests.SecurityHub;

/// <summary>The real-world ASFF samples of shared/corpus/aws-securityhub, against the facts in its MANIFEST.md.</summary>
public sealed class AsffCorpusTests
{
    private const string MalformedFile = "awscli/get-findings-example2-cis-1.13.MALFORMED.json";
    private static readonly AsffContext Context = new("tenant-corpus", Guid.Parse("0b6f1c1e-3c1a-4a53-9a77-5d3f2f0e9c11"), AsffContext.ImportSource);

    public static TheoryData<string, int> FindingCounts => new()
    {
        { "awscli/batch-import-findings-custom-cloudtrail.json", 1 },
        { "awscli/get-findings-example1-pci-lambda2.json", 1 },
        { "defectdojo/config_many_findings.json", 3 },
        { "defectdojo/config_multiple_resources.json", 2 },
        { "defectdojo/config_one_finding.json", 1 },
        { "defectdojo/config_one_finding_active.json", 1 },
        { "defectdojo/config_repeated_findings.json", 2 },
        { "defectdojo/guardduty.json", 4 },
        { "defectdojo/inspector_ec2_cve.json", 5 },
        { "defectdojo/inspector_ec2_cve_no_vulnerabilities.json", 1 },
        { "defectdojo/inspector_ec2_ghsa.json", 1 },
        { "defectdojo/inspector_ecr.json", 7 },
        { "defectdojo/issue_10956.json", 1 },
        { "defectdojo/missing_account_id.json", 1 },
        { "panther/decoy_dynamodb_accessed__0__expect-true.json", 1 },
        { "panther/decoy_iam_assumed__0__expect-true.json", 1 },
        { "panther/decoy_s3_accessed__0__expect-true.json", 1 },
        { "panther/decoy_secret_accessed__0__expect-true.json", 1 },
        { "panther/decoy_systems_manager_parameter_accessed__0__expect-true.json", 1 },
    };

    [Fact]
    public void Every_corpus_file_is_covered_by_these_tests()
    {
        var root = SharedPaths.Corpus("aws-securityhub");
        var files = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        files.ShouldBe(FindingCounts.Select(row => row.Data.Item1).Append(MalformedFile).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(FindingCounts))]
    public void Reads_every_finding_of_the_file(string file, int count)
    {
        var findings = Load(file);

        findings.Count.ShouldBe(count);
        findings.ShouldAllBe(f => f.Provider == CloudProvider.Aws && f.Source == AsffContext.ImportSource);
    }

    [Theory]
    [InlineData("defectdojo/config_many_findings.json", 0, "012345678912", "us-east-1", Severity.Informational, ObservedState.Closed, "Security Hub", "IAM.5 MFA should be enabled for all IAM users that have console password", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/config_many_findings.json", 1, "012345678912", "us-east-1", Severity.Informational, ObservedState.Closed, "Security Hub", "SSM.2 EC2 instances managed by Systems Manager should have a patch compliance status of CO", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/config_many_findings.json", 2, "012345678912", "us-east-1", Severity.Informational, ObservedState.Closed, "Security Hub", "ELBv2.1 Application Load Balancer should be configured to redirect all HTTP requests to HT", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/config_multiple_resources.json", 0, "012345678912", "us-east-1", Severity.High, ObservedState.Open, "Security Hub", "EC2.2 The VPC default security group should not allow inbound and outbound traffic", "AwsEc2SecurityGroup", "arn:aws:ec2:us-east-1:012345678912:security-group/sg-0fff2222bbbb1111a")]
    [InlineData("defectdojo/config_multiple_resources.json", 1, "001122334455", "us-east-1", Severity.Medium, ObservedState.Open, "Security Hub", "S3.8 S3 Block Public Access setting should be enabled at the bucket level", "AwsS3Bucket", "arn:aws:s3:::zeta-reports-bucket")]
    [InlineData("defectdojo/config_one_finding.json", 0, "012345678912", "us-east-1", Severity.Informational, ObservedState.Closed, "Security Hub", "IAM.5 MFA should be enabled for all IAM users that have console password", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/config_one_finding_active.json", 0, "012345678912", "us-east-1", Severity.Medium, ObservedState.Open, "Security Hub", "IAM.5 MFA should be enabled for all IAM users that have console password", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/config_repeated_findings.json", 0, "012345678912", "us-east-1", Severity.Informational, ObservedState.Closed, "Security Hub", "IAM.5 MFA should be enabled for all IAM users that have console password", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/config_repeated_findings.json", 1, "012345678912", "us-east-1", Severity.Informational, ObservedState.Closed, "Security Hub", "IAM.5 MFA should be enabled for all IAM users that have console password", "AwsAccount", "AWS::::Account:012345678912")]
    [InlineData("defectdojo/guardduty.json", 0, "123456789012", "us-east-1", Severity.Medium, ObservedState.Open, "GuardDuty", "EC2 instance i-1234567890 is communicating with an Unusual DNS Resolver 1.1.1.1.", "AwsEc2Instance", "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890")]
    [InlineData("defectdojo/guardduty.json", 1, "123456789012", "us-east-1", Severity.Medium, ObservedState.Open, "GuardDuty", "Outbound portscan from EC2 instance i-1234567890.", "AwsEc2Instance", "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890")]
    [InlineData("defectdojo/guardduty.json", 2, "123456789012", "us-east-1", Severity.Low, ObservedState.Open, "GuardDuty", "1.2.9.9 is performing SSH brute force attacks against i-1234567890.", "AwsEc2Instance", "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890")]
    [InlineData("defectdojo/guardduty.json", 3, "123456789012", "us-east-1", Severity.Low, ObservedState.Open, "GuardDuty", "User AssumedRole : 123123123 is anomalously invoking APIs commonly used in Discovery tacti", "AwsIamAccessKey", "AWS::IAM::AccessKey:123123123")]
    [InlineData("defectdojo/inspector_ec2_cve.json", 0, "XXXXXXXXXXXX", "us-east-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2022-3643 - kernel", "AwsEc2Instance", "arn:aws:ec2:us-east-1:XXXXXXXXXXXX:i-11111111111111111")]
    [InlineData("defectdojo/inspector_ec2_cve.json", 1, "111111111111", "us-east-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2022-3643 - kernel", "AwsEc2Instance", "arn:aws:ec2:us-east-1:111111111111:i-11111111111111111")]
    [InlineData("defectdojo/inspector_ec2_cve.json", 2, "XXXXXXXXXXXX", "us-east-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2022-3643 - kernel", "AwsEc2Instance", "arn:aws:ec2:us-east-1:XXXXXXXXXXXX:i-11111111111111111")]
    [InlineData("defectdojo/inspector_ec2_cve.json", 3, "XXXXXXXXXXXX", "us-east-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2022-3643 - kernel", "AwsEc2Instance", "arn:aws:ec2:us-east-1:XXXXXXXXXXXX:i-11111111111111111")]
    [InlineData("defectdojo/inspector_ec2_cve.json", 4, "XXXXXXXXXXXX", "us-east-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2022-3643 - kernel", "AwsEc2Instance", "arn:aws:ec2:us-east-1:XXXXXXXXXXXX:i-11111111111111111")]
    [InlineData("defectdojo/inspector_ec2_cve_no_vulnerabilities.json", 0, "XXXXXXXXXXXX", "us-east-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2022-3643 - kernel", "AwsEc2Instance", "arn:aws:ec2:us-east-1:XXXXXXXXXXXX:i-11111111111111111")]
    [InlineData("defectdojo/inspector_ec2_ghsa.json", 0, "012345678912", "eu-central-1", Severity.Medium, ObservedState.Open, "Inspector", "GHSA-p98r-538v-jgw5 - kernel-5.15", "AwsEc2Instance", "arn:aws:ec2:eu-central-1:012345678912:instance/i-07c11cc535d830123")]
    [InlineData("defectdojo/inspector_ecr.json", 0, "123456789012", "eu-central-1", Severity.Medium, ObservedState.Open, "Inspector", "CVE-2023-2650 - openssl", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-os/sha256:af965ef68c78374a5f987fce98c0ddfa45801df2395bf012c50b863e65978d74")]
    [InlineData("defectdojo/inspector_ecr.json", 1, "123456789012", "eu-central-1", Severity.High, ObservedState.Open, "Inspector", "CVE-2022-32149 - golang.org/x/text, golang.org/x/text and 1 more", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-gomod/sha256:a94c3dfd6c8ecb573a30fae7c18cf682de4b6c16f3c7250c107de1770db41220")]
    [InlineData("defectdojo/inspector_ecr.json", 2, "123456789012", "eu-central-1", Severity.High, ObservedState.Open, "Inspector", "CVE-2022-25883 - semver", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-nodepkg/sha256:1e9cf640d33e8a4fca7cb8d7ddf952ef0a3cd54b9446567d44e638a6571385bd")]
    [InlineData("defectdojo/inspector_ecr.json", 3, "123456789012", "eu-central-1", Severity.Critical, ObservedState.Open, "Inspector", "CVE-2023-37920 - certifi, certifi and 2 more", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-poetry/sha256:d0406162a81777e5fe3eb5835fec5d4436ca750a1e12e367474efc39cc62cfbf")]
    [InlineData("defectdojo/inspector_ecr.json", 4, "123456789012", "eu-central-1", Severity.High, ObservedState.Open, "Inspector", "CVE-2022-31163 - tzinfo", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-bundler/sha256:f15d536b44e9700b6d687947139cec8f7741ea4f796f807d4d909b68fb34c418")]
    [InlineData("defectdojo/inspector_ecr.json", 5, "123456789012", "eu-central-1", Severity.High, ObservedState.Open, "Inspector", "CVE-2023-37788 - github.com/elazarl/goproxy", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-gobinary/sha256:6b48d92046b51a4761462e432d99724343006425dca0694b41634fd0b6ecce7c")]
    [InlineData("defectdojo/inspector_ecr.json", 6, "123456789012", "eu-central-1", Severity.High, ObservedState.Open, "Inspector", "CVE-2023-25194 - org.apache.kafka:kafka-clients", "AwsEcrContainerImage", "arn:aws:ecr:eu-central-1:123456789012:repository/repo-jar/sha256:856d54232d3e463b6aa99d3f951cac8bacb6deb95e5795c1440f4be4ad60cf63")]
    [InlineData("defectdojo/issue_10956.json", 0, "1234567", "us-east-1", Severity.Medium, ObservedState.Open, "Inspector", "CVE-2024-123 - fdd", "AwsEc2Instance", "i-1234xxyy")]
    [InlineData("defectdojo/missing_account_id.json", 0, null, "us-east-1", Severity.Medium, ObservedState.Open, "Inspector", "CVE-2024-123 - fdd", "AwsEc2Instance", "i-1234xxyy")]
    [InlineData("panther/decoy_dynamodb_accessed__0__expect-true.json", 0, "123456789012", "us-east-1", Severity.High, ObservedState.Open, "Default", "Suspicious activity detected accessing private decoy DynamoDB table arn:aws:dynamodb:us-ea", "AwsDynamoDbTable", "<id>")]
    [InlineData("panther/decoy_iam_assumed__0__expect-true.json", 0, "123456789012", "us-east-1", Severity.High, ObservedState.Open, "Default", "Suspicious activity detected accessing private decoy IAM role arn:aws:iam::123456789012:ro", "AwsIamRole", "arn:aws:iam::123456789012:role/Dummy-Test-InfoRole-ab21cde50f")]
    [InlineData("panther/decoy_s3_accessed__0__expect-true.json", 0, "123456789012", "us-east-1", Severity.High, ObservedState.Open, "Default", "Suspicious activity detected accessing private decoy S3 bucket panther-databucket", "AwsS3Bucket", "arn:aws:s3:::panther-databucket")]
    [InlineData("panther/decoy_secret_accessed__0__expect-true.json", 0, "123456789012", "us-east-1", Severity.High, ObservedState.Open, "Default", "Suspicious activity detected accessing private decoy secret arn:aws:secretsmanager:us-east", "AwsSecretsManagerSecret", "arn:aws:secretsmanager:us-east-1:123456789012:secret:Dummy-Secret-ab12cde34f")]
    [InlineData("panther/decoy_systems_manager_parameter_accessed__0__expect-true.json", 0, "123456789012", "us-east-1", Severity.High, ObservedState.Open, "Default", "Suspicious activity detected accessing private decoy Systems Manager parameter arn:aws:ssm", "Other", "arn:aws:ssm:us-east-1:123456789012:parameter/info-parameter")]
    [InlineData("awscli/batch-import-findings-custom-cloudtrail.json", 0, "123456789012", "us-west-1", Severity.Low, ObservedState.Open, "default", "CloudTrail trail vulnerability", "AwsCloudTrailTrail", "arn:aws:cloudtrail:us-west-1:123456789012:trail/TrailName")]
    [InlineData("awscli/get-findings-example1-pci-lambda2.json", 0, "123456789012", "us-west-1", Severity.Informational, ObservedState.Closed, "Security Hub", "PCI.Lambda.2 Lambda functions should be in a VPC", "AwsAccount", "AWS::::Account:123456789012")]
    public void Normalizes_the_finding_as_the_manifest_states(
        string file, int index, string? account, string region, Severity severity, ObservedState state,
        string product, string titleStart, string resourceType, string resourceId)
    {
        var finding = Load(file)[index];

        finding.CloudAccountId.ShouldBe(account);
        finding.Region.ShouldBe(region);
        finding.Severity.ShouldBe(severity);
        finding.SeverityId.ShouldBe((int)severity);
        finding.State.ShouldBe(state);
        finding.ProductName.ShouldBe(product);
        finding.Title.ShouldStartWith(titleStart);
        finding.Resource.Type.ShouldBe(resourceType);
        finding.Resource.Id.ShouldBe(resourceId);
    }

    [Fact]
    public void Repeated_finding_id_gives_one_fingerprint_so_the_inventory_keeps_one_finding()
    {
        var findings = Load("defectdojo/config_repeated_findings.json");

        findings.Count.ShouldBe(2);
        findings.Select(f => f.Fingerprint).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public void Findings_of_two_accounts_in_one_file_keep_their_own_account()
    {
        var findings = Load("defectdojo/config_multiple_resources.json");

        findings.Select(f => f.CloudAccountId).ShouldBe(["012345678912", "001122334455"]);
    }

    [Fact]
    public void Resources_after_the_first_are_kept_in_the_raw_json()
    {
        // NormalizedFinding holds one resource; the others survive only in RawJson (see the contract gap note).
        var findings = Load("defectdojo/config_multiple_resources.json");

        ResourceIds(findings[0]).ShouldBe(
        [
            "arn:aws:ec2:us-east-1:012345678912:security-group/sg-0fff2222bbbb1111a",
            "arn:aws:ec2:us-east-1:012345678912:security-group/sg-0aaa1111cccc2222b",
            "arn:aws:ec2:us-east-1:012345678912:vpc/vpc-0bbb3333dddd4444c",
        ]);
        ResourceIds(findings[1]).ShouldBe(["arn:aws:s3:::zeta-reports-bucket", "arn:aws:s3:::alpha-artifacts-bucket"]);
    }

    [Fact]
    public void Finding_without_an_account_id_still_parses_with_no_account()
    {
        var finding = Load("defectdojo/missing_account_id.json").ShouldHaveSingleItem();

        finding.CloudAccountId.ShouldBeNull();
        finding.NativeId.ShouldBe("arn:aws:inspector2:us-east-1:1234567:finding/12344bc");
    }

    [Fact]
    public void Redacted_non_numeric_account_id_is_kept_as_given()
    {
        Load("defectdojo/inspector_ec2_cve.json")[0].CloudAccountId.ShouldBe("XXXXXXXXXXXX");
    }

    [Fact]
    public void Inspector_findings_carry_their_cve_ids()
    {
        var findings = Load("defectdojo/inspector_ec2_cve.json");

        findings.ShouldAllBe(f => f.Class == FindingClass.Vulnerability);
        findings.ShouldAllBe(f => f.Vulnerabilities.Any(v => v.Id == "CVE-2022-3643"));
    }

    [Fact]
    public void Cvss_vector_of_the_first_ec2_finding_is_kept_in_the_raw_json()
    {
        var finding = Load("defectdojo/inspector_ec2_cve.json")[0];

        finding.Vulnerabilities[0].CvssScore.ShouldBe(10);
        finding.RawJson.ShouldContain("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
    }

    [Fact]
    public void Inspector_finding_without_vulnerabilities_is_still_a_vulnerability_by_its_type()
    {
        var finding = Load("defectdojo/inspector_ec2_cve_no_vulnerabilities.json").ShouldHaveSingleItem();

        finding.Class.ShouldBe(FindingClass.Vulnerability);
        finding.Vulnerabilities.ShouldBeEmpty();
    }

    [Fact]
    public void Ghsa_finding_carries_the_advisory_and_its_related_cve()
    {
        var finding = Load("defectdojo/inspector_ec2_ghsa.json").ShouldHaveSingleItem();

        finding.Vulnerabilities.Select(v => v.Id).ShouldBe(["GHSA-p98r-538v-jgw5", "CVE-2023-34256"]);
        finding.Vulnerabilities[0].Package.ShouldBe("kernel-5.15");
        finding.Vulnerabilities[0].InstalledVersion.ShouldBe("1.14.1");
        finding.Vulnerabilities[0].FixedVersion.ShouldBe("0:1.14.2-0");
    }

    [Fact]
    public void Ecr_image_findings_name_the_repository_one_per_package_manager()
    {
        var findings = Load("defectdojo/inspector_ecr.json");

        findings.ShouldAllBe(f => f.Resource.Type == "AwsEcrContainerImage" && f.Class == FindingClass.Vulnerability);
        findings.Select(f => f.Resource.Name)
            .ShouldBe(["repo-os", "repo-gomod", "repo-nodepkg", "repo-poetry", "repo-bundler", "repo-gobinary", "repo-jar"]);
        findings.Select(f => f.Vulnerabilities[0].Id).ShouldBe(
            ["CVE-2023-2650", "CVE-2022-32149", "CVE-2022-25883", "CVE-2023-37920", "CVE-2022-31163", "CVE-2023-37788", "CVE-2023-25194"]);
    }

    [Fact]
    public void Cvss_score_given_as_a_string_is_read_and_epss_stays_in_the_raw_json()
    {
        var finding = Load("defectdojo/issue_10956.json").ShouldHaveSingleItem();

        finding.Vulnerabilities.ShouldHaveSingleItem().ShouldBe(new VulnerabilityRef
        {
            Id = "CVE-2024-1234",
            CvssScore = 7.5,
            Package = "aa",
            InstalledVersion = "1.2.0",
            FixedVersion = "abc[2.0]",
        });
        finding.RawJson.ShouldContain("\"EpssScore\": \"0.00239\"");
    }

    [Fact]
    public void Guardduty_findings_are_open_detections_with_the_guardduty_severity()
    {
        var findings = Load("defectdojo/guardduty.json");

        findings.ShouldAllBe(f => f.Class == FindingClass.Detection && f.State == ObservedState.Open && !f.IsSample);
        findings[0].Severity.ShouldBe(Severity.Medium);
        findings[3].Severity.ShouldBe(Severity.Low);
        findings[3].Title.ShouldBe("User AssumedRole : 123123123 is anomalously invoking APIs commonly used in Discovery tactics.");
    }

    [Fact]
    public void Guardduty_finding_keeps_the_guardduty_finding_arn_as_native_id()
    {
        var finding = Load("defectdojo/guardduty.json")[0];

        finding.NativeId.ShouldBe("arn:aws:guardduty:us-east-1:123456789012:detector/123456789/finding/123456789789");
        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2024, 1, 17, 11, 19, 23, TimeSpan.Zero));
        finding.Resource.Tags["ManagedBy"].ShouldBe("Terraform");
    }

    [Theory]
    [InlineData("panther/decoy_dynamodb_accessed__0__expect-true.json")]
    [InlineData("panther/decoy_iam_assumed__0__expect-true.json")]
    [InlineData("panther/decoy_s3_accessed__0__expect-true.json")]
    [InlineData("panther/decoy_secret_accessed__0__expect-true.json")]
    [InlineData("panther/decoy_systems_manager_parameter_accessed__0__expect-true.json")]
    public void Custom_product_decoy_findings_are_high_detections(string file)
    {
        var finding = Load(file).ShouldHaveSingleItem();

        finding.Severity.ShouldBe(Severity.High);
        finding.Class.ShouldBe(FindingClass.Detection);
        finding.FirstObservedAt.ShouldNotBeNull();
        finding.UpdatedAt.ShouldNotBeNull();
    }

    [Fact]
    public void Placeholder_resource_id_is_kept_as_an_opaque_string()
    {
        var finding = Load("panther/decoy_dynamodb_accessed__0__expect-true.json").ShouldHaveSingleItem();

        finding.Resource.Id.ShouldBe("<id>");
        finding.Resource.Name.ShouldBe("<id>");
    }

    [Fact]
    public void Finding_with_only_the_provider_severity_label_is_low()
    {
        var finding = Load("awscli/batch-import-findings-custom-cloudtrail.json").ShouldHaveSingleItem();

        finding.Severity.ShouldBe(Severity.Low);
        finding.Class.ShouldBe(FindingClass.Vulnerability);
        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2020, 5, 27, 17, 5, 54, 832, TimeSpan.Zero));
        finding.Resource.Name.ShouldBe("TrailName");
    }

    [Fact]
    public void Archived_passed_control_is_closed_with_its_requirements()
    {
        var finding = Load("awscli/get-findings-example1-pci-lambda2.json").ShouldHaveSingleItem();

        finding.State.ShouldBe(ObservedState.Closed);
        finding.Class.ShouldBe(FindingClass.Compliance);
        finding.RemediationUrl.ShouldBe("https://docs.aws.amazon.com/console/securityhub/PCI.Lambda.2/remediation");
        finding.Compliance.Select(c => c.Requirement)
            .ShouldBe(["PCI.Lambda.2", "PCI DSS 1.2.1", "PCI DSS 1.3.1", "PCI DSS 1.3.2", "PCI DSS 1.3.4"]);
        finding.Compliance.ShouldAllBe(c => c.Status == "PASSED");
    }

    [Fact]
    public void Passed_control_is_informational_and_closed()
    {
        var finding = Load("defectdojo/config_one_finding.json").ShouldHaveSingleItem();

        finding.Severity.ShouldBe(Severity.Informational);
        finding.State.ShouldBe(ObservedState.Closed);
        finding.Compliance.ShouldBe([new ComplianceRef { Requirement = "IAM.5", Status = "PASSED" }]);
    }

    [Fact]
    public void Failed_control_is_medium_and_open()
    {
        var finding = Load("defectdojo/config_one_finding_active.json").ShouldHaveSingleItem();

        finding.Severity.ShouldBe(Severity.Medium);
        finding.State.ShouldBe(ObservedState.Open);
        finding.Class.ShouldBe(FindingClass.Compliance);
    }

    [Fact]
    public void Malformed_aws_cli_example_is_rejected_at_its_first_record_before_any_record_is_read()
    {
        var error = Should.Throw<AsffFormatException>(() => AsffDocument.LoadFile(CorpusPath(MalformedFile)));

        error.RecordIndex.ShouldBe(0);
        error.Line.ShouldBe(12);
        error.Message.ShouldStartWith("ASFF record 0 (line 12): Invalid JSON");
        error.InnerException.ShouldBeAssignableTo<JsonException>();
    }

    [Fact]
    public void Ecr_image_finding_recorded_from_security_hub_normalizes()
    {
        var path = SharedPaths.Reference(
            "aws", "samples", "custodian-placebo", "test_ecr_image_filter_security_finding", "securityhub.GetFindings_1.json");
        using var recorded = JsonDocument.Parse(File.ReadAllBytes(path));
        var asff = recorded.RootElement.GetProperty("data").GetProperty("Findings")[0];

        var finding = AsffNormalizer.Normalize(asff, Context);

        finding.Severity.ShouldBe(Severity.Critical);
        finding.Class.ShouldBe(FindingClass.Vulnerability);
        finding.State.ShouldBe(ObservedState.Open);
        finding.CloudAccountId.ShouldBe("644160558196");
        finding.ProductName.ShouldBe("Inspector");
        finding.Resource.Type.ShouldBe("AwsEcrContainerImage");
        finding.Resource.Name.ShouldBe("sas-log4j-test");
        finding.Vulnerabilities.ShouldHaveSingleItem().ShouldBe(new VulnerabilityRef
        {
            Id = "CVE-2021-44228",
            CvssScore = 10,
            Package = "org.apache.logging.log4j:log4j-api",
            InstalledVersion = "2.14.1",
        });
    }

    private static IReadOnlyList<NormalizedFinding> Load(string file) =>
        AsffNormalizer.NormalizeAll(AsffDocument.LoadFile(CorpusPath(file)), Context);

    private static string CorpusPath(string file) => SharedPaths.Corpus(["aws-securityhub", .. file.Split('/')]);

    private static List<string> ResourceIds(NormalizedFinding finding)
    {
        using var raw = JsonDocument.Parse(finding.RawJson);
        return [.. raw.RootElement.GetProperty("Resources").EnumerateArray().Select(r => r.GetProperty("Id").GetString()!)];
    }
}
