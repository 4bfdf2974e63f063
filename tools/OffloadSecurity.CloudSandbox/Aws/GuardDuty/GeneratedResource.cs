using System.Text.Json;
using static OffloadSecurity.CloudSandbox.Aws.GuardDuty.GuardDutyFindingGenerator;
using static OffloadSecurity.CloudSandbox.Aws.SecurityHub.SecurityHubCatalog;

namespace OffloadSecurity.CloudSandbox.Aws.GuardDuty;

/// <summary>The <c>resource</c> of a generated GuardDuty finding, written as service-2.json's <c>Resource</c>.</summary>
internal sealed class GeneratedResource
{
    private readonly Action<Utf8JsonWriter> _details;

    private GeneratedResource(string type, string name, Action<Utf8JsonWriter> details)
    {
        Type = type;
        Name = name;
        _details = details;
    }

    /// <summary><c>resourceType</c>, e.g. <c>Instance</c>.</summary>
    public string Type { get; }

    /// <summary>What the title calls the resource (instance id, bucket or cluster name, principal).</summary>
    public string Name { get; }

    public static GeneratedResource Instance(Random random, string accountId, string region)
    {
        var instanceId = "i-0" + Hex(random, 16);
        var workload = Pick(random, Workloads);
        var environment = Pick(random, EnvironmentNames);
        var (vpc, subnet, group) = ("vpc-0" + Hex(random, 16), "subnet-0" + Hex(random, 16), "sg-0" + Hex(random, 16));
        var instanceType = Pick(random, "t3.medium", "m5.large", "c6i.xlarge");
        var zone = region + Pick(random, "a", "b", "c");
        return new("Instance", instanceId, json =>
        {
            json.WriteStartObject("instanceDetails");
            json.WriteString("availabilityZone", zone);
            json.WriteStartObject("iamInstanceProfile");
            json.WriteString("arn", $"arn:aws:iam::{accountId}:instance-profile/{workload}-{environment}");
            json.WriteString("id", "AIPA" + Hex(random, 17).ToUpperInvariant());
            json.WriteEndObject();
            json.WriteString("imageId", "ami-0" + Hex(random, 16));
            json.WriteString("instanceId", instanceId);
            json.WriteString("instanceState", "running");
            json.WriteString("instanceType", instanceType);
            json.WriteString("launchTime", Timestamp(SecurityHub.FindingGenerator.Epoch.AddDays(-100 - random.Next(300))));
            json.WriteStartArray("networkInterfaces");
            json.WriteStartObject();
            json.WriteString("networkInterfaceId", "eni-0" + Hex(random, 16));
            json.WriteString("privateIpAddress", $"10.0.{random.Next(256)}.{1 + random.Next(254)}");
            json.WriteString("publicIp", $"203.0.113.{1 + random.Next(254)}");
            json.WriteStartArray("securityGroups");
            json.WriteStartObject();
            json.WriteString("groupId", group);
            json.WriteString("groupName", workload + "-sg");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("subnetId", subnet);
            json.WriteString("vpcId", vpc);
            json.WriteEndObject();
            json.WriteEndArray();
            WriteTags(json, ("Name", $"{workload}-{environment}"), ("Environment", environment), ("Team", Pick(random, Teams)));
            json.WriteEndObject();
        });
    }

    public static GeneratedResource AccessKey(Random random)
    {
        var user = Pick(random, Workloads) + "-deployer";
        var accessKeyDetails = AccessKeyDetails(random, user);
        return new("AccessKey", user, accessKeyDetails);
    }

    public static GeneratedResource S3Bucket(Random random)
    {
        var bucket = $"{Pick(random, Workloads)}-{Pick(random, EnvironmentNames)}-{Hex(random, 6)}";
        var actor = AccessKeyDetails(random, Pick(random, Workloads) + "-reader");
        var created = SecurityHub.FindingGenerator.Epoch.AddDays(-200 - random.Next(500));
        var owner = Hex(random, 64);
        return new("S3Bucket", bucket, json =>
        {
            actor(json);
            json.WriteStartArray("s3BucketDetails");
            json.WriteStartObject();
            json.WriteString("arn", "arn:aws:s3:::" + bucket);
            json.WriteString("name", bucket);
            json.WriteString("type", "Destination");
            // A timestamp member: rest-json writes epoch seconds.
            json.WriteNumber("createdAt", created.ToUnixTimeSeconds());
            json.WriteStartObject("owner");
            json.WriteString("id", owner);
            json.WriteEndObject();
            WriteTags(json, ("Environment", Pick(random, EnvironmentNames)));
            json.WriteStartObject("defaultServerSideEncryption");
            json.WriteString("encryptionType", "AES256");
            json.WriteEndObject();
            json.WriteStartObject("publicAccess");
            json.WriteString("effectivePermission", "NOT_PUBLIC");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }

    public static GeneratedResource EksCluster(Random random, string accountId, string region)
    {
        var cluster = $"{Pick(random, Workloads)}-{Pick(random, EnvironmentNames)}";
        var vpc = "vpc-0" + Hex(random, 16);
        return new("EKSCluster", cluster, json =>
        {
            json.WriteStartObject("eksClusterDetails");
            json.WriteString("name", cluster);
            json.WriteString("arn", $"arn:aws:eks:{region}:{accountId}:cluster/{cluster}");
            json.WriteString("vpcId", vpc);
            json.WriteString("status", "ACTIVE");
            WriteTags(json, ("Team", Pick(random, Teams)));
            json.WriteEndObject();
            json.WriteStartObject("kubernetesDetails");
            json.WriteStartObject("kubernetesUserDetails");
            json.WriteString("username", "system:serviceaccount:default:" + Pick(random, Workloads));
            json.WriteEndObject();
            json.WriteStartObject("kubernetesWorkloadDetails");
            json.WriteString("name", Pick(random, Workloads) + "-" + Hex(random, 5));
            json.WriteString("type", "pods");
            json.WriteString("namespace", "default");
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>Extended Threat Detection's attack sequences name no single resource.</summary>
    public static GeneratedResource AttackSequence(string accountId) => new("AttackSequence", accountId, _ => { });

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject("resource");
        json.WriteString("resourceType", Type);
        _details(json);
        json.WriteEndObject();
    }

    private static Action<Utf8JsonWriter> AccessKeyDetails(Random random, string user)
    {
        var (accessKeyId, principalId) = ("ASIA" + Hex(random, 16).ToUpperInvariant(), "AIDA" + Hex(random, 17).ToUpperInvariant());
        return json =>
        {
            json.WriteStartObject("accessKeyDetails");
            json.WriteString("accessKeyId", accessKeyId);
            json.WriteString("principalId", principalId);
            json.WriteString("userName", user);
            json.WriteString("userType", "IAMUser");
            json.WriteEndObject();
        };
    }

    private static void WriteTags(Utf8JsonWriter json, params (string Key, string Value)[] tags)
    {
        json.WriteStartArray("tags");
        foreach (var (key, value) in tags)
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WriteString("value", value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
