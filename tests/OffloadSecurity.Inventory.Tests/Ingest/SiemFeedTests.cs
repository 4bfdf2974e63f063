using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Testing;
using RabbitMQ.Client;
using static OffloadSecurity.Inventory.Tests.Findings.SampleFindings;

namespace OffloadSecurity.Inventory.Tests.Ingest;

/// <summary>
/// A SIEM's view: its own queue bound to the FindingsChanged fanout exchange on a real RabbitMQ, fed by the inventory's
/// real Program. This is what docs/siem.md tells a SIEM to do.
/// </summary>
public sealed class SiemFeedTests(RabbitMqFixture rabbit) : IClassFixture<RabbitMqFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_siem_queue_bound_to_the_fanout_exchange_receives_the_deltas_and_nothing_for_identical_input()
    {
        var prefix = RabbitMqBroker.NewEntityPrefix();
        var settings = new Dictionary<string, string?>(TestAuth.Settings);
        foreach (var (key, value) in rabbit.Broker.BusSettings(prefix))
        {
            settings[key] = value;
        }

        using var data = new TempDirectory();
        settings["Store:DataDirectory"] = data.Path;
        await using var host = new ServiceHost<InventoryEntryPoint>(settings);
        host.Start();

        var factory = new ConnectionFactory { Uri = new Uri(rabbit.Broker.RequireUri()) };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var exchange = prefix + "OffloadSecurity.Contracts.Findings:FindingsChanged";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: Ct);
        var queue = (await channel.QueueDeclareAsync(prefix + "siem", durable: false, exclusive: true, autoDelete: true, cancellationToken: Ct)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "", cancellationToken: Ct);

        var bus = host.Services.GetRequiredService<IBus>();
        var account = Guid.NewGuid();
        var scan = Guid.NewGuid();
        var batch = Batch("tenant-siem", account, scan, T0, 0, Finding("a", Severity.Critical), Finding("b"));
        await bus.Publish(batch, Ct);

        var created = await NextAsync(channel, queue);
        created.GetProperty("tenantId").GetString().ShouldBe("tenant-siem");
        created.GetProperty("accountId").GetGuid().ShouldBe(account);
        var changes = created.GetProperty("changes").EnumerateArray().ToList();
        changes.Select(c => c.GetProperty("fingerprint").GetString()).ShouldBe(["fp-a", "fp-b"], ignoreOrder: true);
        changes.ShouldAllBe(c => c.GetProperty("kind").GetString() == "Created");
        var ocsf = JsonDocument.Parse(changes.Single(c => c.GetProperty("fingerprint").GetString() == "fp-a").GetProperty("ocsfJson").GetString()!).RootElement;
        ocsf.GetProperty("class_uid").GetInt32().ShouldBe(2003);
        ocsf.GetProperty("severity_id").GetInt32().ShouldBe(5);

        // Identical input again, then a scan that resolves b: the next message is the resolve, nothing in between.
        await bus.Publish(batch, Ct);
        var rescan = Guid.NewGuid();
        await bus.Publish(Batch("tenant-siem", account, rescan, T0.AddHours(6), 0, Finding("a", Severity.Critical)), Ct);
        await bus.Publish(Completed("tenant-siem", account, rescan, T0.AddHours(6), batches: 1), Ct);

        var resolved = await NextAsync(channel, queue);
        var change = resolved.GetProperty("changes").EnumerateArray().Single();
        change.GetProperty("fingerprint").GetString().ShouldBe("fp-b");
        change.GetProperty("kind").GetString().ShouldBe("Resolved");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        (await channel.MessageCountAsync(queue, Ct)).ShouldBe(0u);
    }

    /// <summary>The next message on the queue: MassTransit's JSON envelope, of which the FindingsChanged is <c>message</c>.</summary>
    private static async Task<JsonElement> NextAsync(IChannel channel, string queue)
    {
        var result = await Eventually.Until(
            () => channel.BasicGetAsync(queue, autoAck: true, Ct),
            r => r is not null, "a FindingsChanged on the SIEM queue");
        var envelope = JsonDocument.Parse(Encoding.UTF8.GetString(result!.Body.Span)).RootElement;
        envelope.GetProperty("messageType")[0].GetString().ShouldBe("urn:message:OffloadSecurity.Contracts.Findings:FindingsChanged");
        return envelope.GetProperty("message");
    }
}
