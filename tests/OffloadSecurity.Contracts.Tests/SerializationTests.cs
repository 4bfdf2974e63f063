using System.Text.Json;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Contracts.Tests;

public class SerializationTests
{
    public static TheoryData<string> MessageTypes() => [.. MessageSamples.All().Select(m => m.GetType().FullName!)];

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Every_message_survives_a_json_round_trip_unchanged(string typeName)
    {
        var message = MessageSamples.All().Single(m => m.GetType().FullName == typeName);
        var json = JsonSerializer.Serialize(message, message.GetType(), JsonSerializerOptions.Web);

        var back = JsonSerializer.Deserialize(json, message.GetType(), JsonSerializerOptions.Web)!;

        JsonSerializer.Serialize(back, back.GetType(), JsonSerializerOptions.Web).ShouldBe(json);
    }

    [Fact]
    public void Every_contract_record_has_a_sample()
    {
        var contracts = typeof(CloudProvider).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .Select(t => t.FullName!);
        var sampled = MessageSamples.All().Select(m => m.GetType().FullName!).ToHashSet();

        contracts.Where(name => !sampled.Contains(name)).ShouldBeEmpty();
    }

    [Fact]
    public void Enums_travel_as_names_and_severity_keeps_its_ocsf_id()
    {
        var json = JsonSerializer.Serialize(MessageSamples.Finding, JsonSerializerOptions.Web);

        json.ShouldContain("\"severity\":\"High\"");
        json.ShouldContain("\"severityId\":4");
        json.ShouldContain("\"provider\":\"Aws\"");
        ((int)Severity.Critical).ShouldBe(5);
        ((int)Severity.Informational).ShouldBe(1);
    }

    [Fact]
    public void Broker_credentials_never_print_their_secret()
    {
        var credentials = new Credentials.AwsScanCredentials { AccessKeyId = "AKIAEXAMPLE000000000", SecretAccessKey = "very-secret-value", SessionToken = "session-secret" };

        credentials.ToString().ShouldNotContain("very-secret-value");
        credentials.ToString().ShouldNotContain("session-secret");
    }
}
