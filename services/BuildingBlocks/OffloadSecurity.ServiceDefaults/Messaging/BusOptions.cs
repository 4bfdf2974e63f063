namespace OffloadSecurity.ServiceDefaults.Messaging;

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section <c>Bus</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    /// <summary>
    /// Prefix for every exchange and queue name. Lets test runs (or several installations) share a broker
    /// without ever seeing each other's messages. Empty in production.
    /// </summary>
    public string EntityPrefix { get; set; } = "";

    public RabbitMqOptions RabbitMq { get; set; } = new();
}

public sealed class RabbitMqOptions
{
    /// <summary>Full AMQP URI (<c>amqp://user:pass@host:5672/vhost</c>); overrides the other fields when set.</summary>
    public string? Uri { get; set; }

    public string Host { get; set; } = "localhost";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
}
