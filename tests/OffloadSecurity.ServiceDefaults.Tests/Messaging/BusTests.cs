using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.ServiceDefaults.Messaging;
using OffloadSecurity.Testing;
using RabbitMQ.Client;

namespace OffloadSecurity.ServiceDefaults.Tests.Messaging;

public record PingSent
{
    public required Guid Id { get; init; }
    public bool Invalid { get; init; }
}

/// <summary>Counts deliveries; an invalid ping throws a validation error, which must not be retried.</summary>
public sealed class PingConsumer(PingLog log) : IConsumer<PingSent>
{
    public Task Consume(ConsumeContext<PingSent> context)
    {
        log.Record(context.Message.Id);
        return context.Message.Invalid ? throw new ValidationException("ping is invalid") : Task.CompletedTask;
    }
}

public sealed class PingLog
{
    private readonly List<Guid> _seen = [];

    public void Record(Guid id)
    {
        lock (_seen)
        {
            _seen.Add(id);
        }
    }

    public int Count(Guid id)
    {
        lock (_seen)
        {
            return _seen.Count(s => s == id);
        }
    }
}

public class BusTests(RabbitMqFixture rabbit) : IClassFixture<RabbitMqFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delivers_over_rabbitmq_only_to_hosts_with_the_same_entity_prefix()
    {
        var prefix = RabbitMqBroker.NewEntityPrefix();
        using var sender = await StartAsync(rabbit.Broker.BusSettings(prefix));
        using var sameRun = await StartAsync(rabbit.Broker.BusSettings(prefix));
        using var otherRun = await StartAsync(rabbit.Broker.BusSettings(RabbitMqBroker.NewEntityPrefix()));
        var id = Guid.NewGuid();

        await sender.Services.GetRequiredService<IBus>().Publish(new PingSent { Id = id }, Ct);

        await Eventually.Until(() => Task.FromResult(Log(sender).Count(id) + Log(sameRun).Count(id)), n => n == 1, "the ping to arrive once");
        await Task.Delay(500, Ct);
        (Log(sender).Count(id) + Log(sameRun).Count(id)).ShouldBe(1);
        Log(otherRun).Count(id).ShouldBe(0);
    }

    [Fact]
    public async Task A_validation_error_is_not_retried_and_ends_in_the_error_queue()
    {
        var prefix = RabbitMqBroker.NewEntityPrefix();
        using var host = await StartAsync(rabbit.Broker.BusSettings(prefix));
        var id = Guid.NewGuid();

        await host.Services.GetRequiredService<IBus>().Publish(new PingSent { Id = id, Invalid = true }, Ct);

        var factory = new ConnectionFactory { Uri = new Uri(rabbit.Broker.RequireUri()) };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        var errorQueue = prefix + "ping_error";
        await Eventually.Until(() => MessageCount(connection, errorQueue), count => count == 1, $"one message in {errorQueue}");
        Log(host).Count(id).ShouldBe(1);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.QueueDeleteAsync(errorQueue, cancellationToken: Ct);
    }

    [Fact]
    public async Task Uses_the_in_memory_transport_when_asked()
    {
        using var host = await StartAsync(new Dictionary<string, string?> { ["Bus:Transport"] = "InMemory" });
        var id = Guid.NewGuid();

        await host.Services.GetRequiredService<IBus>().Publish(new PingSent { Id = id }, Ct);

        await Eventually.Until(() => Task.FromResult(Log(host).Count(id)), n => n == 1, "the ping to arrive");
    }

    private static async Task<uint> MessageCount(IConnection connection, string queue)
    {
        // A passive declare of a missing queue closes the channel, so each probe gets its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, Ct)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    private static PingLog Log(IHost host) => host.Services.GetRequiredService<PingLog>();

    private static async Task<IHost> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<PingLog>();
        builder.AddBusConsumers(bus => bus.AddConsumer<PingConsumer>());
        builder.AddOffloadBus();
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }
}
