namespace OffloadSecurity.Testing;

/// <summary>xUnit fixture around <see cref="RabbitMqBroker"/>: one broker lookup per test assembly or class.</summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    public RabbitMqBroker Broker { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Broker = await RabbitMqBroker.FindAsync();

    public async ValueTask DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>xUnit fixture around <see cref="MongoDbServer"/>.</summary>
public sealed class MongoDbFixture : IAsyncLifetime
{
    public MongoDbServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await MongoDbServer.FindAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
