using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.SecurityHub;

/// <summary>The generator's <c>UpdatedAt</c> without writing, and a <see cref="FindingUpdate"/> applied to a written finding.</summary>
public sealed class FindingUpdateTests
{
    private const string AccountId = "123456789012";
    private const string Region = "us-east-1";
    private static readonly DateTimeOffset At = new(2026, 11, 20, 8, 30, 15, 123, TimeSpan.Zero);

    /// <summary>The members an update may change; every other member stays as generated.</summary>
    private static readonly string[] Changing = ["UpdatedAt", "LastObservedAt", "RecordState", "Workflow", "ProductFields"];

    [Fact]
    public void UpdatedAt_is_the_written_value_and_lies_before_the_epoch()
    {
        foreach (var index in Enumerable.Range(0, 3000))
        {
            var finding = Generate(index);
            var updatedAt = FindingGenerator.UpdatedAt(AccountId, Region, index);

            finding["UpdatedAt"]!.GetValue<string>().ShouldBe(Stamp(updatedAt), $"finding {index}");
            finding["LastObservedAt"]!.GetValue<string>().ShouldBe(Stamp(updatedAt));
            updatedAt.ShouldBeLessThan(FindingGenerator.Epoch);
            updatedAt.ShouldBeGreaterThanOrEqualTo(DateTimeOffset.Parse(finding["CreatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_plain_update_changes_only_the_timestamps()
    {
        foreach (var index in Enumerable.Range(0, 200))
        {
            var generated = Generate(index);
            var updated = Generate(index, new FindingUpdate(At.AddTicks(1234)));

            updated["UpdatedAt"]!.GetValue<string>().ShouldBe("2026-11-20T08:30:15.123Z");
            updated["LastObservedAt"]!.GetValue<string>().ShouldBe("2026-11-20T08:30:15.123Z");
            generated.Remove("UpdatedAt");
            generated.Remove("LastObservedAt");
            updated.Remove("UpdatedAt");
            updated.Remove("LastObservedAt");
            updated.ToJsonString().ShouldBe(generated.ToJsonString());
        }
    }

    [Fact]
    public void Archiving_or_reactivating_keeps_the_finding_and_makes_state_workflow_and_product_fields_agree()
    {
        var seen = new HashSet<(string Product, string From)>();
        foreach (var index in Enumerable.Range(0, 400))
        {
            var generated = Generate(index);
            var product = generated["ProductName"]!.GetValue<string>();
            var from = generated["RecordState"]!.GetValue<string>();
            var to = from == "ACTIVE" ? "ARCHIVED" : "ACTIVE";
            seen.Add((product, from));

            var changed = Generate(index, new FindingUpdate(At, to));

            changed["RecordState"]!.GetValue<string>().ShouldBe(to);
            changed["UpdatedAt"]!.GetValue<string>().ShouldBe(Stamp(At));
            Workflow(changed).ShouldBe(ExpectedWorkflow(generated, to), $"finding {index}: {product} {from} -> {to}");
            foreach (var name in generated.Select(p => p.Key).Except(Changing))
            {
                changed[name]!.ToJsonString().ShouldBe(generated[name]!.ToJsonString(), $"finding {index}: {name}");
            }

            var fields = changed["ProductFields"]!.AsObject();
            switch (product)
            {
                case "Inspector":
                    fields["aws/inspector/FindingStatus"]!.GetValue<string>().ShouldBe(to == "ACTIVE" ? "ACTIVE" : "CLOSED");
                    break;
                case "GuardDuty":
                    fields["aws/guardduty/service/archived"]!.GetValue<string>().ShouldBe(to == "ARCHIVED" ? "true" : "false");
                    break;
                default:
                    fields.ToJsonString().ShouldBe(generated["ProductFields"]!.ToJsonString());
                    break;
            }
        }

        seen.Count.ShouldBe(6, "every product in both generated states");
    }

    [Fact]
    public void An_update_to_the_state_a_finding_already_has_keeps_its_workflow()
    {
        foreach (var index in Enumerable.Range(0, 100))
        {
            var generated = Generate(index);

            var same = Generate(index, new FindingUpdate(At, generated["RecordState"]!.GetValue<string>()));

            Workflow(same).ShouldBe(Workflow(generated));
        }
    }

    /// <summary>
    /// Archived: Inspector and GuardDuty resolved the issue; a control finding keeps its status. Active again: NOTIFIED
    /// and RESOLVED become NEW, except that a PASSED control finding stays RESOLVED.
    /// </summary>
    private static string ExpectedWorkflow(JsonObject generated, string to)
    {
        var workflow = Workflow(generated);
        var isControl = generated["ProductName"]!.GetValue<string>() == "Security Hub";
        if (to == "ARCHIVED")
        {
            return isControl ? workflow : "RESOLVED";
        }

        if (isControl && generated["Compliance"]!["Status"]!.GetValue<string>() == "PASSED")
        {
            return "RESOLVED";
        }

        return workflow is "NOTIFIED" or "RESOLVED" ? "NEW" : workflow;
    }

    private static string Workflow(JsonObject finding) => finding["Workflow"]!["Status"]!.GetValue<string>();

    private static string Stamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Generate(int index, FindingUpdate? update = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            FindingGenerator.Write(writer, AccountId, Region, index, update);
        }

        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }
}
