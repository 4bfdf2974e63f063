using System.Text.Json;
using System.Text.Json.Nodes;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Core.Normalization;

namespace OffloadSecurity.Scanners.Aws.Tests.SecurityHub;

public sealed class AsffNormalizerTests
{
    private const string FindingId = "arn:aws:securityhub:us-east-1:111122223333:subscription/x/finding/1";
    private static readonly AsffContext Context = new("tenant-1", Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"));

    [Fact]
    public void Maps_the_core_fields_of_a_finding()
    {
        var finding = Normalize(Minimal(f =>
        {
            f["Description"] = "What is wrong";
            f["Region"] = "eu-west-1";
            f["AwsAccountId"] = "111122223333";
            f["ProductArn"] = "arn:aws:securityhub:eu-west-1::product/aws/securityhub";
            f["Remediation"] = new JsonObject
            {
                ["Recommendation"] = new JsonObject { ["Text"] = "Fix it", ["Url"] = "https://example.com/fix" },
            };
            f["FirstObservedAt"] = "2024-01-02T03:04:05.678Z";
            f["UpdatedAt"] = "2024-02-03T04:05:06Z";
        }));

        finding.NativeId.ShouldBe(FindingId);
        finding.Title.ShouldBe("A finding");
        finding.Description.ShouldBe("What is wrong");
        finding.Remediation.ShouldBe("Fix it");
        finding.RemediationUrl.ShouldBe("https://example.com/fix");
        finding.Provider.ShouldBe(CloudProvider.Aws);
        finding.Source.ShouldBe("aws.securityhub");
        finding.CloudAccountId.ShouldBe("111122223333");
        finding.Region.ShouldBe("eu-west-1");
        finding.ProductName.ShouldBe("securityhub");
        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));
        finding.UpdatedAt.ShouldBe(new DateTimeOffset(2024, 2, 3, 4, 5, 6, TimeSpan.Zero));
        finding.Fingerprint.ShouldBe(Fingerprint.ForFinding("tenant-1", Context.AccountId, "aws.securityhub", FindingId));
        finding.IsSample.ShouldBeFalse();
    }

    [Fact]
    public void Keeps_the_raw_json_of_the_finding_as_received()
    {
        const string Raw = """{ "Id" : "x-1",  "Title": "T", "Custom": [1, 2] }""";

        Normalize(Raw).RawJson.ShouldBe(Raw);
    }

    [Fact]
    public void Import_source_gives_its_own_source_and_fingerprint()
    {
        var imported = Normalize(Minimal(), Context with { Source = AsffContext.ImportSource });

        imported.Source.ShouldBe("aws.securityhub.import");
        imported.Fingerprint.ShouldNotBe(Normalize(Minimal()).Fingerprint);
    }

    [Fact]
    public void Severity_id_equals_the_ocsf_value_of_the_severity()
    {
        var finding = Normalize(Minimal(f => f["Severity"] = new JsonObject { ["Label"] = "HIGH" }));

        finding.Severity.ShouldBe(Severity.High);
        finding.SeverityId.ShouldBe(4);
    }

    [Fact]
    public void Maps_missing_severity_label_from_finding_provider_fields()
    {
        var finding = Normalize(Minimal(f =>
        {
            f.Remove("Severity");
            f["FindingProviderFields"] = new JsonObject
            {
                ["Severity"] = new JsonObject { ["Label"] = "LOW", ["Original"] = "10" },
            };
        }));

        finding.Severity.ShouldBe(Severity.Low);
    }

    [Theory]
    [InlineData(0, Severity.Informational)]
    [InlineData(39, Severity.Low)]
    [InlineData(40, Severity.Medium)]
    [InlineData(89, Severity.High)]
    [InlineData(90, Severity.Critical)]
    public void Maps_normalized_severity_when_no_label_is_given(int normalized, Severity expected)
    {
        var finding = Normalize(Minimal(f => f["Severity"] = new JsonObject { ["Normalized"] = normalized }));

        finding.Severity.ShouldBe(expected);
    }

    [Fact]
    public void Maps_a_label_in_the_original_severity_when_nothing_else_is_given()
    {
        var finding = Normalize(Minimal(f => f["Severity"] = new JsonObject { ["Original"] = "CRITICAL" }));

        finding.Severity.ShouldBe(Severity.Critical);
    }

    [Fact]
    public void Maps_guardduty_product_severity_with_the_guardduty_bands()
    {
        var finding = Normalize(Minimal(f =>
        {
            f["ProductArn"] = "arn:aws:securityhub:us-east-1::product/aws/guardduty";
            f["Severity"] = new JsonObject { ["Product"] = 8 };
        }));

        finding.Severity.ShouldBe(Severity.High);
    }

    [Fact]
    public void Maps_a_numeric_original_severity_of_another_product_on_the_normalized_scale()
    {
        var finding = Normalize(Minimal(f => f["Severity"] = new JsonObject { ["Original"] = "75" }));

        finding.Severity.ShouldBe(Severity.High);
    }

    [Fact]
    public void Finding_without_any_severity_is_informational()
    {
        Normalize(Minimal(f => f.Remove("Severity"))).Severity.ShouldBe(Severity.Informational);
    }

    [Theory]
    [InlineData("""{"Vulnerabilities":[{"Id":"CVE-2024-1"}],"Compliance":{"Status":"FAILED"}}""", FindingClass.Vulnerability)]
    [InlineData("""{"Compliance":{"Status":"FAILED"},"Types":["TTPs/Discovery"]}""", FindingClass.Compliance)]
    [InlineData("""{"Types":["TTPs/Discovery/Recon:EC2-Portscan"]}""", FindingClass.Detection)]
    [InlineData("""{"Types":["Effects/Data Exfiltration"]}""", FindingClass.Detection)]
    [InlineData("""{"Types":["Unusual Behaviors"]}""", FindingClass.Detection)]
    [InlineData("""{"Types":["Unusual Behaviors/User"]}""", FindingClass.Detection)]
    [InlineData("""{"Types":["Software and Configuration Checks/Industry and Regulatory Standards/CIS"]}""", FindingClass.Compliance)]
    [InlineData("""{"Types":["Software and Configuration Checks/Vulnerabilities/CVE"]}""", FindingClass.Vulnerability)]
    [InlineData("""{"FindingProviderFields":{"Types":["Software and Configuration Checks/Vulnerabilities/CVE"]}}""", FindingClass.Vulnerability)]
    [InlineData("""{"ProductArn":"arn:aws:securityhub:us-east-1::product/aws/guardduty"}""", FindingClass.Detection)]
    [InlineData("""{"ProductName":"GuardDuty"}""", FindingClass.Detection)]
    [InlineData("""{"Types":["TTPsX/Other"]}""", FindingClass.Compliance)]
    [InlineData("""{"Vulnerabilities":[]}""", FindingClass.Compliance)]
    [InlineData("{}", FindingClass.Compliance)]
    public void Classifies_the_finding(string fields, FindingClass expected)
    {
        Normalize(Minimal(fields)).Class.ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"RecordState":"ARCHIVED"}""", ObservedState.Closed)]
    [InlineData("""{"Compliance":{"Status":"PASSED"}}""", ObservedState.Closed)]
    [InlineData("""{"Compliance":{"Status":"NOT_AVAILABLE"}}""", ObservedState.Closed)]
    [InlineData("""{"Workflow":{"Status":"RESOLVED"}}""", ObservedState.Closed)]
    [InlineData("""{"Workflow":{"Status":"SUPPRESSED"}}""", ObservedState.Closed)]
    [InlineData("""{"WorkflowState":"RESOLVED"}""", ObservedState.Closed)]
    [InlineData("""{"RecordState":"ACTIVE","Workflow":{"Status":"NEW"},"Compliance":{"Status":"FAILED"}}""", ObservedState.Open)]
    [InlineData("""{"Compliance":{"Status":"WARNING"},"Workflow":{"Status":"NOTIFIED"}}""", ObservedState.Open)]
    [InlineData("{}", ObservedState.Open)]
    public void Derives_the_observed_state(string fields, ObservedState expected)
    {
        Normalize(Minimal(fields)).State.ShouldBe(expected);
    }

    [Fact]
    public void Missing_account_id_is_taken_from_a_resource_arn()
    {
        var finding = Normalize(Minimal("""
            {"Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::bucket"},
                          {"Type":"AwsEc2Instance","Id":"arn:aws-cn:ec2:cn-north-1:444455556666:instance/i-1"}]}
            """));

        finding.CloudAccountId.ShouldBe("444455556666");
    }

    [Fact]
    public void Missing_account_id_is_taken_from_a_custom_product_arn()
    {
        var finding = Normalize(Minimal("""{"ProductArn":"arn:aws:securityhub:us-west-1:123456789012:product/123456789012/default"}"""));

        finding.CloudAccountId.ShouldBe("123456789012");
        finding.ProductName.ShouldBe("default");
    }

    [Fact]
    public void Missing_account_id_with_no_arn_to_take_it_from_is_null()
    {
        var finding = Normalize(Minimal("""
            {"ProductArn":"arn:aws:securityhub:us-east-1::product/aws/inspector","Resources":[{"Type":"AwsEc2Instance","Id":"i-1"}]}
            """));

        finding.CloudAccountId.ShouldBeNull();
    }

    [Fact]
    public void Region_falls_back_to_the_first_resource()
    {
        var finding = Normalize(Minimal("""{"Resources":[{"Type":"AwsAccount","Id":"AWS::::Account:1","Region":"ap-south-1"}]}"""));

        finding.Region.ShouldBe("ap-south-1");
        finding.Resource.Region.ShouldBe("ap-south-1");
    }

    [Fact]
    public void Maps_the_first_resource_with_its_tags()
    {
        var finding = Normalize(Minimal("""
            {"Region":"us-east-1","Resources":[
              {"Type":"AwsEc2Instance","Id":"arn:aws:ec2:us-east-1:1:instance/i-0abc","Tags":{"env":"prod","n":5}},
              {"Type":"AwsEc2Vpc","Id":"arn:aws:ec2:us-east-1:1:vpc/vpc-1"}]}
            """));

        finding.Resource.Type.ShouldBe("AwsEc2Instance");
        finding.Resource.Id.ShouldBe("arn:aws:ec2:us-east-1:1:instance/i-0abc");
        finding.Resource.Name.ShouldBe("i-0abc");
        finding.Resource.Region.ShouldBe("us-east-1");
        finding.Resource.Tags.ShouldBe(new Dictionary<string, string> { ["env"] = "prod", ["n"] = "5" });
    }

    [Theory]
    [InlineData("""{"Type":"AwsEcrContainerImage","Id":"arn:aws:ecr:us-east-1:1:repository/app/sha256:ab","Details":{"AwsEcrContainerImage":{"RepositoryName":"app"}}}""", "app")]
    [InlineData("""{"Type":"AwsLambdaFunction","Id":"arn:aws:lambda:us-east-1:1:function:fn","Details":{"AwsLambdaFunction":{"FunctionName":"orders"}}}""", "orders")]
    [InlineData("""{"Type":"AwsEc2Instance","Id":"arn:aws:ec2:us-east-1:1:instance/i-1","Tags":{"Name":"web-1"}}""", "web-1")]
    [InlineData("""{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::my-bucket"}""", "my-bucket")]
    [InlineData("""{"Type":"AwsSecretsManagerSecret","Id":"arn:aws:secretsmanager:us-east-1:1:secret:db-pass"}""", "db-pass")]
    [InlineData("""{"Type":"AwsAccount","Id":"AWS::::Account:012345678912"}""", "012345678912")]
    [InlineData("""{"Type":"AwsDynamoDbTable","Id":"<id>"}""", "<id>")]
    public void Names_the_resource_from_details_tags_or_the_last_id_segment(string resource, string expected)
    {
        Normalize(Minimal($$"""{"Resources":[{{resource}}]}""")).Resource.Name.ShouldBe(expected);
    }

    [Fact]
    public void Finding_without_resources_gets_the_account_as_resource()
    {
        var finding = Normalize(Minimal(f => f["AwsAccountId"] = "111122223333"));

        finding.Resource.Type.ShouldBe("Other");
        finding.Resource.Id.ShouldBe("111122223333");
    }

    [Fact]
    public void Maps_security_control_and_related_requirements_with_the_compliance_status()
    {
        var finding = Normalize(Minimal("""
            {"Compliance":{"Status":"FAILED","SecurityControlId":"IAM.5","RelatedRequirements":["CIS AWS Foundations Benchmark v1.2.0/1.2","NIST.800-53.r5 IA-2(1)"]}}
            """));

        finding.Compliance.ShouldBe(
        [
            new ComplianceRef { Requirement = "IAM.5", Status = "FAILED" },
            new ComplianceRef { Requirement = "CIS AWS Foundations Benchmark v1.2.0/1.2", Status = "FAILED" },
            new ComplianceRef { Requirement = "NIST.800-53.r5 IA-2(1)", Status = "FAILED" },
        ]);
    }

    [Fact]
    public void Takes_the_control_id_from_product_fields_in_older_findings()
    {
        var finding = Normalize(Minimal("""{"Compliance":{"Status":"PASSED"},"ProductFields":{"ControlId":"S3.8"}}"""));

        finding.Compliance.ShouldBe([new ComplianceRef { Requirement = "S3.8", Status = "PASSED" }]);
    }

    [Fact]
    public void Finding_without_compliance_has_no_compliance_references()
    {
        Normalize(Minimal("""{"ProductFields":{"ControlId":"S3.8"}}""")).Compliance.ShouldBeEmpty();
    }

    [Fact]
    public void Maps_vulnerabilities_with_score_and_first_package()
    {
        var finding = Normalize(Minimal("""
            {"Vulnerabilities":[
              {"Id":"CVE-2021-44228",
               "VulnerablePackages":[{"Name":"log4j-core","Version":"2.14.1","FixedInVersion":"2.17.1"},{"Name":"log4j-api","Version":"2.14.1"}],
               "Cvss":[{"Version":"2.0","BaseScore":9.3},{"Version":"3.1","BaseScore":10}]},
              {"Id":"CVE-2024-1234","Cvss":[{"Version":"3.1","BaseScore":"7.5"}]},
              {"NoId":true}]}
            """));

        finding.Vulnerabilities.ShouldBe(
        [
            new VulnerabilityRef
            {
                Id = "CVE-2021-44228", CvssScore = 10, Package = "log4j-core", InstalledVersion = "2.14.1", FixedVersion = "2.17.1",
            },
            new VulnerabilityRef { Id = "CVE-2024-1234", CvssScore = 7.5 },
        ]);
    }

    [Fact]
    public void Related_vulnerability_ids_become_entries_of_their_own()
    {
        var finding = Normalize(Minimal("""
            {"Vulnerabilities":[{"Id":"GHSA-p98r-538v-jgw5","RelatedVulnerabilities":["GHSA-p98r-538v-jgw5","CVE-2023-34256"],
              "VulnerablePackages":[{"Name":"kernel","Version":"1","FixedInVersion":"2"}]}]}
            """));

        finding.Vulnerabilities.Select(v => v.Id).ShouldBe(["GHSA-p98r-538v-jgw5", "CVE-2023-34256"]);
        finding.Vulnerabilities[1].Package.ShouldBe("kernel");
    }

    [Theory]
    [InlineData("""{"Sample":true}""", true)]
    [InlineData("""{"Sample":false}""", false)]
    [InlineData("""{"ProductFields":{"aws/guardduty/service/additionalInfo/sample":"true"}}""", true)]
    [InlineData("""{"ProductFields":{"aws/guardduty/service/additionalInfo/sample":"false"}}""", false)]
    [InlineData("""{"ProductName":"GuardDuty","Title":"[SAMPLE] Unusual DNS resolver"}""", true)]
    [InlineData("""{"Title":"[SAMPLE] not GuardDuty"}""", false)]
    public void Flags_sample_findings(string fields, bool expected)
    {
        Normalize(Minimal(fields)).IsSample.ShouldBe(expected);
    }

    [Fact]
    public void Reads_timestamps_with_nanoseconds_and_a_space_separator()
    {
        var finding = Normalize(Minimal("""{"CreatedAt":"2024-05-24 22:53:24.123456789","UpdatedAt":"2024-05-25 01:02:03.000000000"}"""));

        // .NET keeps 7 fractional digits: the nanoseconds round to the nearest 100 ns tick.
        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2024, 5, 24, 22, 53, 24, TimeSpan.Zero).AddTicks(1234568));
        finding.UpdatedAt.ShouldBe(new DateTimeOffset(2024, 5, 25, 1, 2, 3, TimeSpan.Zero));
    }

    [Fact]
    public void First_observed_and_updated_fall_back_to_created_at()
    {
        var finding = Normalize(Minimal("""{"CreatedAt":"2020-05-27T17:05:54.832Z"}"""));

        var created = new DateTimeOffset(2020, 5, 27, 17, 5, 54, 832, TimeSpan.Zero);
        finding.FirstObservedAt.ShouldBe(created);
        finding.UpdatedAt.ShouldBe(created);
    }

    [Fact]
    public void Unreadable_timestamps_are_left_empty()
    {
        var finding = Normalize(Minimal("""{"FirstObservedAt":"yesterday","UpdatedAt":12}"""));

        finding.FirstObservedAt.ShouldBeNull();
        finding.UpdatedAt.ShouldBeNull();
    }

    [Fact]
    public void Optional_fields_of_unexpected_types_are_ignored()
    {
        var finding = Normalize(Minimal("""
            {"Severity":"HIGH","Resources":"none","Compliance":[],"Vulnerabilities":{"Id":"CVE-1"},"Types":"TTPs",
             "Remediation":null,"ProductFields":[],"Region":42,"AwsAccountId":null,"Sample":"yes"}
            """));

        finding.Severity.ShouldBe(Severity.Informational);
        finding.Class.ShouldBe(FindingClass.Compliance);
        finding.Compliance.ShouldBeEmpty();
        finding.Vulnerabilities.ShouldBeEmpty();
        finding.Remediation.ShouldBeNull();
        finding.CloudAccountId.ShouldBeNull();
        finding.IsSample.ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"Title":"T"}""", "Id")]
    [InlineData("""{"Id":"","Title":"T"}""", "Id")]
    [InlineData("""{"Id":{"x":1},"Title":"T"}""", "Id")]
    [InlineData("""{"Id":"x"}""", "Title")]
    [InlineData("""{"Id":"x","Title":"   "}""", "Title")]
    public void Finding_without_a_required_field_is_rejected_naming_it(string json, string field)
    {
        var error = Should.Throw<AsffFormatException>(() => Normalize(json));

        error.Field.ShouldBe(field);
        error.Message.ShouldContain($"'{field}'");
    }

    [Fact]
    public void A_value_that_is_not_an_object_is_rejected()
    {
        Should.Throw<AsffFormatException>(() => Normalize("[1]")).Message.ShouldContain("JSON object");
    }

    private static NormalizedFinding Normalize(string json, AsffContext? context = null)
    {
        using var document = JsonDocument.Parse(json);
        return AsffNormalizer.Normalize(document.RootElement, context ?? Context);
    }

    private static string Minimal(Action<JsonObject>? edit = null)
    {
        var finding = new JsonObject
        {
            ["Id"] = FindingId,
            ["Title"] = "A finding",
            ["Severity"] = new JsonObject { ["Label"] = "MEDIUM" },
        };
        edit?.Invoke(finding);
        return finding.ToJsonString();
    }

    /// <summary>The minimal finding with these top-level fields added or replaced.</summary>
    private static string Minimal(string fields) => Minimal(finding =>
    {
        foreach (var (name, value) in JsonNode.Parse(fields)!.AsObject())
        {
            finding[name] = value?.DeepClone();
        }
    });
}
