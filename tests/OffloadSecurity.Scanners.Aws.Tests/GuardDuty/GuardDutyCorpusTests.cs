using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Aws.Tests.GuardDuty;

/// <summary>
/// The real-world GuardDuty samples of shared/corpus/aws-guardduty (an AWS CLI GetFindings response with API member
/// names, Panther's single findings with wire names), one test per fact of its MANIFEST.md, each over every file.
/// </summary>
public sealed class GuardDutyCorpusTests
{
    private const string AwsCli = "awscli/get-findings-recon-iamuser-userpermissions.json";
    private static readonly GuardDutyContext Context = new("tenant-corpus", Guid.Parse("6a3c2f4e-0d51-4b7e-9f0e-2b8f6d1c7a90"));

    /// <summary>The MANIFEST's per-file table: file → (account, region, type, severity, resourceType, id, sample, title).</summary>
    private static readonly Dictionary<string, Facts> Manifest = new()
    {
        ["panther/critical_sev__0__expect-true.json"] = new("123456789012", "us-east-1", "AttackSequence:IAM/CompromisedCredentials", 9, "AttackSequence",
            "8c258d654378414b9bc26f61a93eb816", false, "Potential credential compromise of IAMUser/john_doe indicated by a sequence of actions."),
        ["panther/critical_sev__1__expect-false.json"] = new("123456789012", "us-east-1", "AttackSequence:S3/CompromisedData", 9, "AttackSequence",
            "b174b38d16e34da0a4c66012083bd8f7", true, "Potential data compromise of one or more S3 buckets involving a sequence of actions associ"),
        ["panther/high_sev__0__expect-true.json"] = new("123456789012", "us-east-1", "PrivilegeEscalation:IAMUser/AdministrativePermissions", 8, null,
            "eeb88ab56556eb7771b266670dddee5a", false, "Principal AssumedRole:IAMRole attempted to add a policy to themselves that is highly permi"),
        ["panther/high_sev__1__expect-false.json"] = new("123456789012", "us-east-1", "PrivilegeEscalation:IAMUser/AdministrativePermissions", 8, null,
            "eeb88ab56556eb7771b266670dddee5a", true, "Principal AssumedRole:IAMRole attempted to add a policy to themselves that is highly permi"),
        ["panther/low_sev__0__expect-true.json"] = new("123456789012", "us-east-1", "PrivilegeEscalation:IAMUser/AdministrativePermissions", 1, null,
            "eeb88ab56556eb7771b266670dddee5a", false, "Principal AssumedRole:IAMRole attempted to add a policy to themselves that is highly permi"),
        ["panther/low_sev__1__expect-false.json"] = new("123456789012", "us-east-1", "PrivilegeEscalation:IAMUser/AdministrativePermissions", 1, null,
            "eeb88ab56556eb7771b266670dddee5a", true, "Principal AssumedRole:IAMRole attempted to add a policy to themselves that is highly permi"),
        ["panther/med_sev__0__expect-true.json"] = new("123456789012", "us-east-1", "PrivilegeEscalation:IAMUser/AdministrativePermissions", 5, null,
            "eeb88ab56556eb7771b266670dddee5a", false, "Principal AssumedRole:IAMRole attempted to add a policy to themselves that is highly permi"),
        ["panther/med_sev__1__expect-false.json"] = new("123456789012", "us-east-1", "PrivilegeEscalation:IAMUser/AdministrativePermissions", 5, null,
            "eeb88ab56556eb7771b266670dddee5a", true, "Principal AssumedRole:IAMRole attempted to add a policy to themselves that is highly permi"),
        [AwsCli] = new("111122223333", "us-east-1", "Recon:IAMUser/UserPermissions", 5, "AccessKey",
            "1ab92989eaf0e742df4a014d5example", false, "Unusual user permission reconnaissance activity by testuser."),
    };

    public static TheoryData<string> Files => [.. Manifest.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_corpus_file_is_covered_by_these_tests()
    {
        var root = SharedPaths.Corpus("aws-guardduty");
        var files = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        files.ShouldBe(Manifest.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_file_holds_one_aws_detection_from_guardduty(string file)
    {
        var finding = Normalize(file);

        finding.Provider.ShouldBe(CloudProvider.Aws);
        finding.Class.ShouldBe(FindingClass.Detection);
        finding.Source.ShouldBe("aws.guardduty");
        finding.ProductName.ShouldBe("GuardDuty");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Account_is_the_finding_account(string file) =>
        Normalize(file).CloudAccountId.ShouldBe(Manifest[file].Account);

    [Theory]
    [MemberData(nameof(Files))]
    public void Region_is_the_finding_region_field_even_where_the_arn_names_another(string file)
    {
        var finding = Normalize(file);

        finding.Region.ShouldBe(Manifest[file].Region);
        finding.Resource.Region.ShouldBe(Manifest[file].Region);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Finding_type_is_read(string file) => Read(file).Type.ShouldBe(Manifest[file].Type);

    [Theory]
    [MemberData(nameof(Files))]
    public void Numeric_severity_is_read_and_mapped_to_its_guardduty_band(string file)
    {
        var expected = Manifest[file].Severity;
        var band = expected switch
        {
            >= 9 => Severity.Critical,
            >= 7 => Severity.High,
            >= 4 => Severity.Medium,
            _ => Severity.Low,
        };

        Read(file).Severity.ShouldBe(expected);
        var finding = Normalize(file);
        finding.Severity.ShouldBe(band);
        finding.SeverityId.ShouldBe((int)band);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Resource_type_is_read_as_guardduty_writes_it(string file) =>
        Read(file).ResourceType.ShouldBe(Manifest[file].ResourceType);

    [Theory]
    [MemberData(nameof(Files))]
    public void Attack_sequences_and_findings_without_a_resource_are_about_the_account(string file)
    {
        var resource = Normalize(file).Resource;

        if (Manifest[file].ResourceType is null or "AttackSequence")
        {
            resource.Type.ShouldBe("AwsAccount");
            resource.Id.ShouldBe("AWS::::Account:" + Manifest[file].Account);
            resource.Name.ShouldBe(Manifest[file].Account);
        }
        else
        {
            resource.Type.ShouldNotBe("AwsAccount");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Finding_id_is_read_and_the_finding_arn_is_its_native_id(string file)
    {
        var read = Read(file);
        var finding = Normalize(file);

        read.Id.ShouldBe(Manifest[file].Id);
        finding.NativeId.ShouldBe(read.Arn);
        finding.NativeId.ShouldStartWith("arn:aws:guardduty:");
        finding.Fingerprint.ShouldBe(Scanners.Core.Normalization.Fingerprint.ForFinding(Context.TenantId, Context.AccountId, "aws.guardduty", read.Arn!));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Sample_findings_are_flagged_as_samples(string file) =>
        Normalize(file).IsSample.ShouldBe(Manifest[file].Sample);

    [Theory]
    [MemberData(nameof(Files))]
    public void Title_is_the_finding_title(string file) =>
        Normalize(file).Title.ShouldStartWith(Manifest[file].Title);

    [Theory]
    [MemberData(nameof(Files))]
    public void Not_archived_findings_are_open(string file) =>
        Normalize(file).State.ShouldBe(ObservedState.Open);

    [Theory]
    [MemberData(nameof(Files))]
    public void Api_and_wire_casing_of_the_same_finding_normalize_identically(string file)
    {
        var json = Load(file);
        var recased = JsonDocument.Parse(Recase(json, toPascal: char.IsLower(json.EnumerateObject().First().Name[0]))).RootElement;

        var original = GuardDutyNormalizer.Normalize(json, Context);
        var other = GuardDutyNormalizer.Normalize(recased, Context);

        JsonSerializer.Serialize(other with { RawJson = "" }).ShouldBe(JsonSerializer.Serialize(original with { RawJson = "" }));
        other.RawJson.ShouldNotBe(original.RawJson);
    }

    [Fact]
    public void Aws_cli_access_key_finding_is_about_the_users_access_key()
    {
        var resource = Normalize(AwsCli).Resource;

        (resource.Type, resource.Id, resource.Name, resource.Region)
            .ShouldBe(("AwsIamAccessKey", "AWS::IAM::AccessKey:ASIASZ4SI7REEEXAMPLE", "testuser", "us-east-1"));
    }

    [Fact]
    public void Aws_cli_finding_keeps_its_count_timestamps_and_remote_ip()
    {
        var read = Read(AwsCli);
        var finding = Normalize(AwsCli);

        read.Count.ShouldBe(5);
        read.Archived.ShouldBeFalse();
        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2020, 5, 26, 22, 2, 24, TimeSpan.Zero));
        finding.UpdatedAt.ShouldBe(new DateTimeOffset(2020, 5, 26, 22, 55, 21, 703, TimeSpan.Zero));
        finding.Description.ShouldStartWith("APIs commonly used to discover the users, groups, policies and permissions");
        finding.RawJson.ShouldContain("52.94.36.7");
        finding.RawJson.ShouldContain("London");
    }

    [Fact]
    public void Panther_timestamps_with_a_space_and_nine_fractional_digits_are_read()
    {
        var finding = Normalize("panther/critical_sev__1__expect-false.json");

        finding.FirstObservedAt.ShouldBe(new DateTimeOffset(2025, 2, 25, 20, 40, 6, TimeSpan.Zero));
        finding.UpdatedAt.ShouldBe(new DateTimeOffset(2025, 2, 25, 20, 40, 6, 765, TimeSpan.Zero));
    }

    [Fact]
    public void The_affected_role_of_a_finding_without_a_resource_stays_in_the_raw_json()
    {
        var finding = Normalize("panther/high_sev__0__expect-true.json");

        finding.Resource.Type.ShouldBe("AwsAccount");
        using var raw = JsonDocument.Parse(finding.RawJson);
        raw.RootElement.GetProperty("service").GetProperty("action").GetProperty("awsApiCallAction")
            .GetProperty("affectedResources").GetProperty("AWS::IAM::Role").GetString()
            .ShouldBe("arn:aws:iam::123456789012:role/IAMRole");
    }

    [Fact]
    public void Sample_and_real_copies_of_one_finding_share_its_identity()
    {
        Normalize("panther/high_sev__1__expect-false.json").Fingerprint
            .ShouldBe(Normalize("panther/high_sev__0__expect-true.json").Fingerprint);
    }

    [Theory]
    [InlineData("ec2-duty-event.json", "AwsEc2Instance", "arn:aws:ec2:us-east-1:883606788610:instance/i-99999999", Severity.Medium)]
    [InlineData("iam-duty-event.json", "AwsIamAccessKey", "AWS::IAM::AccessKey:GeneratedFindingAccessKeyId", Severity.Medium)]
    public void EventBridge_events_normalize_their_detail_as_a_sample_finding(string file, string type, string id, Severity severity)
    {
        var path = SharedPaths.Reference("aws", "samples", "custodian-cwe", file);

        var finding = GuardDutyNormalizer.Normalize(GuardDutyDocument.LoadFile(path).ShouldHaveSingleItem(), Context);

        finding.CloudAccountId.ShouldBe("883606788610");
        finding.Resource.Type.ShouldBe(type);
        finding.Resource.Id.ShouldBe(id);
        finding.Severity.ShouldBe(severity);
        finding.IsSample.ShouldBeTrue();
    }

    private sealed record Facts(
        string Account, string Region, string Type, double Severity, string? ResourceType, string Id, bool Sample, string Title);

    private static JsonElement Load(string file) =>
        GuardDutyDocument.LoadFile(SharedPaths.Corpus(["aws-guardduty", .. file.Split('/')])).ShouldHaveSingleItem();

    private static GuardDutyFinding Read(string file) => GuardDutyFinding.Read(Load(file));

    private static NormalizedFinding Normalize(string file) => GuardDutyNormalizer.Normalize(Load(file), Context);

    /// <summary>The same JSON with every member name's first letter upper- (API, CLI) or lower-cased (wire).</summary>
    private static string Recase(JsonElement element, bool toPascal)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(element);

            void Write(JsonElement e)
            {
                switch (e.ValueKind)
                {
                    case JsonValueKind.Object:
                        writer.WriteStartObject();
                        foreach (var property in e.EnumerateObject())
                        {
                            var name = property.Name;
                            writer.WritePropertyName((toPascal ? char.ToUpperInvariant(name[0]) : char.ToLowerInvariant(name[0])) + name[1..]);
                            Write(property.Value);
                        }

                        writer.WriteEndObject();
                        break;
                    case JsonValueKind.Array:
                        writer.WriteStartArray();
                        foreach (var item in e.EnumerateArray())
                        {
                            Write(item);
                        }

                        writer.WriteEndArray();
                        break;
                    default:
                        e.WriteTo(writer);
                        break;
                }
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
