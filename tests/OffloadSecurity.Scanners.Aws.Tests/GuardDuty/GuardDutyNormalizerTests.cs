using System.Text.Json;
using System.Text.Json.Nodes;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.GuardDuty;

namespace OffloadSecurity.Scanners.Aws.Tests.GuardDuty;

public sealed class GuardDutyNormalizerTests
{
    private const string Arn = "arn:aws:guardduty:eu-west-1:111122223333:detector/d0/finding/f1";
    private static readonly GuardDutyContext Context = new("tenant-1", Guid.Parse("0f8d7c6b-5a49-4e3d-8c2b-1a0f9e8d7c6b"));

    [Fact]
    public void An_archived_finding_is_closed()
    {
        var finding = Normalize(f => f["service"]!["archived"] = true);

        finding.State.ShouldBe(ObservedState.Closed);
    }

    [Fact]
    public void The_api_form_of_additional_info_marks_a_sample_through_its_json_string_value()
    {
        var finding = Normalize(f => f["service"]!["additionalInfo"] = new JsonObject { ["value"] = "{\"sample\":true}", ["type"] = "default" });

        finding.IsSample.ShouldBeTrue();
    }

    [Theory]
    [InlineData("{\"value\":\"{\\\"sample\\\":false}\",\"type\":\"default\"}")]
    [InlineData("{\"value\":\"not json\",\"type\":\"default\"}")]
    [InlineData("{}")]
    public void Additional_info_without_a_sample_flag_is_not_a_sample(string additionalInfo)
    {
        var finding = Normalize(f => f["service"]!["additionalInfo"] = JsonNode.Parse(additionalInfo));

        finding.IsSample.ShouldBeFalse();
    }

    [Fact]
    public void A_title_with_the_sample_prefix_is_a_sample()
    {
        var finding = Normalize(f => f["title"] = "[SAMPLE] Unprotected port on EC2 instance i-1 is being probed.");

        finding.IsSample.ShouldBeTrue();
    }

    [Theory]
    [InlineData(0.5, Severity.Low)]
    [InlineData(3.9, Severity.Low)]
    [InlineData(4.0, Severity.Medium)]
    [InlineData(6.9, Severity.Medium)]
    [InlineData(7.0, Severity.High)]
    [InlineData(8.9, Severity.High)]
    [InlineData(9.0, Severity.Critical)]
    [InlineData(10.0, Severity.Critical)]
    public void Severity_follows_guardduty_bands(double value, Severity expected) =>
        Normalize(f => f["severity"] = value).Severity.ShouldBe(expected);

    [Fact]
    public void Severity_given_as_a_string_is_read_and_a_missing_one_is_informational()
    {
        Normalize(f => f["severity"] = "7.5").Severity.ShouldBe(Severity.High);
        Normalize(f => f.Remove("severity")).Severity.ShouldBe(Severity.Informational);
    }

    [Fact]
    public void Finding_is_a_detection_with_guardduty_remediation_guidance_and_its_raw_json()
    {
        var finding = Normalize(_ => { });

        finding.Class.ShouldBe(FindingClass.Detection);
        finding.RemediationUrl.ShouldBe("https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_remediate.html");
        finding.Source.ShouldBe("aws.guardduty");
        JsonNode.Parse(finding.RawJson)!["id"]!.GetValue<string>().ShouldBe("f1");
    }

    [Fact]
    public void Without_an_arn_the_native_id_is_built_from_region_account_detector_and_id()
    {
        var finding = Normalize(f => f.Remove("arn"));

        finding.NativeId.ShouldBe(Arn);
    }

    [Fact]
    public void Without_an_id_the_id_comes_from_the_arn()
    {
        GuardDutyFinding.Read(Finding(f => f.Remove("id"))).Id.ShouldBe("f1");
    }

    [Theory]
    [InlineData("{\"title\":\"no id\"}")]
    [InlineData("[]")]
    [InlineData("42")]
    public void A_record_without_an_id_or_arn_or_not_an_object_is_refused(string json)
    {
        using var document = JsonDocument.Parse(json);

        Should.Throw<GuardDutyFormatException>(() => GuardDutyNormalizer.Normalize(document.RootElement, Context));
    }

    [Fact]
    public void An_instance_is_its_ec2_arn_named_by_its_name_tag_with_its_tags()
    {
        var resource = Normalize(f => f["resource"] = JsonNode.Parse("""
            {"resourceType":"Instance","instanceDetails":{"instanceId":"i-0abc","tags":[{"key":"Name","value":"web-1"},{"key":"Team","value":"payments"}]}}
            """)).Resource;

        (resource.Type, resource.Id, resource.Name).ShouldBe(("AwsEc2Instance", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc", "web-1"));
        resource.Tags["Team"].ShouldBe("payments");
    }

    [Theory]
    [InlineData("""{"resourceType":"S3Bucket","s3BucketDetails":[{"arn":"arn:aws:s3:::logs-prod","name":"logs-prod","tags":[]}]}""", "AwsS3Bucket", "arn:aws:s3:::logs-prod", "logs-prod")]
    [InlineData("""{"resourceType":"S3Bucket","s3BucketDetails":[{"name":"logs-prod"}]}""", "AwsS3Bucket", "arn:aws:s3:::logs-prod", "logs-prod")]
    [InlineData("""{"resourceType":"EKSCluster","eksClusterDetails":{"name":"prod","arn":"arn:aws:eks:eu-west-1:111122223333:cluster/prod"}}""", "AwsEksCluster", "arn:aws:eks:eu-west-1:111122223333:cluster/prod", "prod")]
    [InlineData("""{"resourceType":"EKSCluster","eksClusterDetails":{"name":"prod"}}""", "AwsEksCluster", "arn:aws:eks:eu-west-1:111122223333:cluster/prod", "prod")]
    [InlineData("""{"resourceType":"ECSCluster","ecsClusterDetails":{"name":"jobs","arn":"arn:aws:ecs:eu-west-1:111122223333:cluster/jobs"}}""", "AwsEcsCluster", "arn:aws:ecs:eu-west-1:111122223333:cluster/jobs", "jobs")]
    [InlineData("""{"resourceType":"Lambda","lambdaDetails":{"functionName":"resize","functionArn":"arn:aws:lambda:eu-west-1:111122223333:function:resize"}}""", "AwsLambdaFunction", "arn:aws:lambda:eu-west-1:111122223333:function:resize", "resize")]
    [InlineData("""{"resourceType":"RDSDBInstance","rdsDbInstanceDetails":{"dbInstanceIdentifier":"orders","dbInstanceArn":"arn:aws:rds:eu-west-1:111122223333:db:orders"}}""", "AwsRdsDbInstance", "arn:aws:rds:eu-west-1:111122223333:db:orders", "orders")]
    [InlineData("""{"resourceType":"EBSSnapshot","ebsSnapshotDetails":{"snapshotArn":"arn:aws:ec2:eu-west-1::snapshot/snap-1"}}""", "AwsEc2Snapshot", "arn:aws:ec2:eu-west-1::snapshot/snap-1", "snap-1")]
    [InlineData("""{"resourceType":"AccessKey","accessKeyDetails":{"accessKeyId":"ASIAEXAMPLE","userName":"ci"}}""", "AwsIamAccessKey", "AWS::IAM::AccessKey:ASIAEXAMPLE", "ci")]
    [InlineData("""{"resourceType":"AttackSequence"}""", "AwsAccount", "AWS::::Account:111122223333", "111122223333")]
    [InlineData("""{"resourceType":"SomethingNew","somethingNewDetails":{"id":"x"}}""", "AwsAccount", "AWS::::Account:111122223333", "111122223333")]
    [InlineData("""{"resourceType":"Instance"}""", "AwsAccount", "AWS::::Account:111122223333", "111122223333")]
    public void Resource_type_and_id_come_from_the_resource_type_and_its_details(string resource, string type, string id, string name)
    {
        var normalized = Normalize(f => f["resource"] = JsonNode.Parse(resource)).Resource;

        (normalized.Type, normalized.Id, normalized.Name, normalized.Region).ShouldBe((type, id, name, "eu-west-1"));
    }

    [Theory]
    [InlineData("""{"findings":[{"id":"a"},{"id":"b"}]}""", 2)]
    [InlineData("""{"Findings":[]}""", 0)]
    [InlineData("""[{"id":"a"}]""", 1)]
    [InlineData("""{"detail-type":"GuardDuty Finding","id":"event-id","detail":{"id":"a"}}""", 1)]
    [InlineData("""{"id":"a","type":"Recon:EC2/Portscan"}""", 1)]
    public void Documents_come_in_every_envelope(string json, int count) =>
        GuardDutyDocument.Parse(json).Count.ShouldBe(count);

    [Theory]
    [InlineData("{\"findings\": [")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"something\":\"else\"}")]
    public void A_document_in_no_known_envelope_is_refused(string json) =>
        Should.Throw<GuardDutyFormatException>(() => GuardDutyDocument.Parse(json));

    private static NormalizedFinding Normalize(Action<JsonObject> change) => GuardDutyNormalizer.Normalize(Finding(change), Context);

    private static JsonElement Finding(Action<JsonObject> change)
    {
        var finding = JsonNode.Parse($$"""
            {
              "accountId": "111122223333", "arn": "{{Arn}}", "createdAt": "2026-10-01T10:00:00.000Z", "id": "f1",
              "partition": "aws", "region": "eu-west-1", "resource": {"resourceType": "AttackSequence"}, "schemaVersion": "2.0",
              "service": {"archived": false, "count": 1, "detectorId": "d0", "serviceName": "guardduty"},
              "severity": 5, "title": "A finding", "type": "Recon:EC2/Portscan", "updatedAt": "2026-10-02T10:00:00.000Z"
            }
            """)!.AsObject();
        change(finding);
        return JsonDocument.Parse(finding.ToJsonString()).RootElement;
    }
}
