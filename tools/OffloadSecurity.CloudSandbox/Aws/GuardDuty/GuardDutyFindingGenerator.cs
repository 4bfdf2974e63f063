using System.Globalization;
using System.Text;
using System.Text.Json;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using static OffloadSecurity.CloudSandbox.Aws.GuardDuty.GuardDutyCatalog;

namespace OffloadSecurity.CloudSandbox.Aws.GuardDuty;

/// <summary>
/// Writes GuardDuty findings as GetFindings returns them (service-2.json's <c>Finding</c>, wire names). Finding
/// <c>n</c> of an account and region is always the same, so nothing is stored: its id carries <c>n</c> (the last 8
/// of its 32 hex digits) and the rest is derived from a seed.
/// </summary>
internal static class GuardDutyFindingGenerator
{
    public const int ArchivedPercent = 15;
    public const int SamplePercent = 6;

    private static readonly string[] RemoteIps = ["198.51.100.7", "203.0.113.24", "192.0.2.113", "198.51.100.250"];
    private static readonly string[] Principals = ["deploy-bot", "john_doe", "ci-runner", "data-loader"];

    /// <summary>The account's detector in a region: 32 hex digits, stable.</summary>
    public static string DetectorId(string accountId, string region) => Hex(NewRandom(accountId, region, "detector"), 32);

    public static string FindingId(string accountId, string region, int index) => Draw(accountId, region, index).Id;

    public static bool IsArchived(string accountId, string region, int index) => Draw(accountId, region, index).Archived;

    public static bool IsSample(string accountId, string region, int index) => Draw(accountId, region, index).Sample;

    public static double Severity(string accountId, string region, int index) => Draw(accountId, region, index).Type.Severity;

    /// <summary>The index of a finding id this generator made for the account and region, among <paramref name="total"/>.</summary>
    public static bool TryIndexOf(string accountId, string region, string findingId, int total, out int index)
    {
        index = -1;
        if (findingId.Length != 32 ||
            !int.TryParse(findingId[24..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var candidate) ||
            candidate < 0 || candidate >= total || FindingId(accountId, region, candidate) != findingId)
        {
            return false;
        }

        index = candidate;
        return true;
    }

    public static void Write(Utf8JsonWriter json, string accountId, string region, int index)
    {
        var draw = Draw(accountId, region, index);
        var (random, type) = (draw.Random, draw.Type);
        var detector = DetectorId(accountId, region);
        var created = FindingGenerator.Epoch.AddDays(-1 - random.Next(90)).AddSeconds(-random.Next(86_400));
        var updated = created.AddHours(random.NextDouble() * 24 * 20);
        var ip = Pick(random, RemoteIps);
        var principal = Pick(random, Principals);
        var resource = NewResource(random, type.Resource, accountId, region);
        object[] arguments = [resource.Name, ip, principal];

        json.WriteStartObject();
        json.WriteString("accountId", accountId);
        json.WriteString("arn", $"arn:aws:guardduty:{region}:{accountId}:detector/{detector}/finding/{draw.Id}");
        json.WriteString("createdAt", Timestamp(created));
        json.WriteString("description", string.Format(CultureInfo.InvariantCulture, type.DescriptionFormat, arguments));
        json.WriteString("id", draw.Id);
        json.WriteString("partition", "aws");
        json.WriteString("region", region);
        resource.Write(json);
        json.WriteString("schemaVersion", "2.0");
        WriteService(json, draw, detector, created, updated, ip, principal);
        json.WriteNumber("severity", type.Severity);
        json.WriteString("title", string.Format(CultureInfo.InvariantCulture, type.TitleFormat, arguments));
        json.WriteString("type", type.Type);
        json.WriteString("updatedAt", Timestamp(updated));
        json.WriteEndObject();
    }

    private sealed record Drawn(Random Random, string Id, bool Archived, bool Sample, FindingType Type);

    /// <summary>The seeded draws every view of finding <c>n</c> starts with, always in this order.</summary>
    private static Drawn Draw(string accountId, string region, int index)
    {
        var random = NewRandom(accountId, region, index.ToString(CultureInfo.InvariantCulture));
        var id = Hex(random, 24) + index.ToString("x8", CultureInfo.InvariantCulture);
        var archived = random.Next(100) < ArchivedPercent;
        var sample = random.Next(100) < SamplePercent;
        return new Drawn(random, id, archived, sample, Pick(random, Types));
    }

    private static void WriteService(
        Utf8JsonWriter json, Drawn draw, string detector, DateTimeOffset created, DateTimeOffset updated, string ip, string principal)
    {
        json.WriteStartObject("service");
        if (draw.Type.ActionType is { } actionType)
        {
            json.WriteStartObject("action");
            json.WriteString("actionType", actionType);
            WriteAction(json, actionType, draw.Random, ip, principal);
            json.WriteEndObject();
        }

        if (draw.Sample)
        {
            // ServiceAdditionalInfo: the API carries extra information as a JSON string in "value".
            json.WriteStartObject("additionalInfo");
            json.WriteString("value", "{\"sample\":true}");
            json.WriteString("type", "default");
            json.WriteEndObject();
        }

        json.WriteBoolean("archived", draw.Archived);
        json.WriteNumber("count", 1 + draw.Random.Next(40));
        json.WriteString("detectorId", detector);
        json.WriteString("eventFirstSeen", Timestamp(created.AddMinutes(-draw.Random.Next(60))));
        json.WriteString("eventLastSeen", Timestamp(updated));
        if (draw.Type.Resource == ResourceKind.AttackSequence)
        {
            json.WriteString("featureName", "Correlation");
        }

        json.WriteString("resourceRole", "TARGET");
        json.WriteString("serviceName", "guardduty");
        json.WriteEndObject();
    }

    private static void WriteAction(Utf8JsonWriter json, string actionType, Random random, string ip, string principal)
    {
        switch (actionType)
        {
            case "DNS_REQUEST":
                json.WriteStartObject("dnsRequestAction");
                json.WriteString("domain", Pick(random, "pool.example-miner.net", "c2.example-botnet.org", "cnc.example.com"));
                json.WriteString("protocol", "UDP");
                json.WriteBoolean("blocked", false);
                json.WriteEndObject();
                break;
            case "PORT_PROBE":
                json.WriteStartObject("portProbeAction");
                json.WriteBoolean("blocked", false);
                json.WriteStartArray("portProbeDetails");
                json.WriteStartObject();
                json.WriteStartObject("localPortDetails");
                json.WriteNumber("port", Pick(random, 22, 3389, 5432));
                json.WriteEndObject();
                WriteRemoteIp(json, ip);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                break;
            case "NETWORK_CONNECTION":
                json.WriteStartObject("networkConnectionAction");
                json.WriteString("connectionDirection", "INBOUND");
                json.WriteString("protocol", "TCP");
                json.WriteBoolean("blocked", false);
                WriteRemoteIp(json, ip);
                json.WriteEndObject();
                break;
            case "KUBERNETES_API_CALL":
                json.WriteStartObject("kubernetesApiCallAction");
                json.WriteString("requestUri", "/api/v1/namespaces/default/pods");
                json.WriteString("verb", "create");
                json.WriteString("userAgent", "kubectl/v1.31.0");
                json.WriteEndObject();
                break;
            default:
                json.WriteStartObject("awsApiCallAction");
                json.WriteString("api", Pick(random, "ListPolicyVersions", "GetObject", "PutBucketPublicAccessBlock", "ListRoles"));
                json.WriteString("callerType", "Remote IP");
                json.WriteString("serviceName", "iam.amazonaws.com");
                json.WriteString("userAgent", "aws-cli/2.17.0");
                WriteRemoteIp(json, ip);
                json.WriteStartObject("affectedResources");
                json.WriteString("AWS::IAM::User", principal);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
        }
    }

    private static void WriteRemoteIp(Utf8JsonWriter json, string ip)
    {
        json.WriteStartObject("remoteIpDetails");
        json.WriteString("ipAddressV4", ip);
        json.WriteStartObject("country");
        json.WriteString("countryName", "Netherlands");
        json.WriteEndObject();
        json.WriteStartObject("organization");
        json.WriteString("asn", "64496");
        json.WriteString("asnOrg", "EXAMPLE-NET");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static GeneratedResource NewResource(Random random, ResourceKind kind, string accountId, string region) => kind switch
    {
        ResourceKind.Instance => GeneratedResource.Instance(random, accountId, region),
        ResourceKind.AccessKey => GeneratedResource.AccessKey(random),
        ResourceKind.S3Bucket => GeneratedResource.S3Bucket(random),
        ResourceKind.EksCluster => GeneratedResource.EksCluster(random, accountId, region),
        _ => GeneratedResource.AttackSequence(accountId),
    };

    internal static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Random NewRandom(string accountId, string region, string salt)
    {
        // FNV-1a: a stable hash (string.GetHashCode changes every run).
        var hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes($"guardduty/{accountId}/{region}/{salt}"))
        {
            hash = (hash ^ b) * 16777619;
        }

        return new Random(unchecked((int)hash));
    }

    internal static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    internal static string Hex(Random random, int length)
    {
        var bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }
}
