using MassTransit;

namespace OffloadSecurity.ServiceDefaults.Messaging;

/// <summary>Puts <see cref="BusOptions.EntityPrefix"/> in front of every exchange name MassTransit derives.</summary>
internal sealed class PrefixedEntityNameFormatter(IEntityNameFormatter inner, string prefix) : IEntityNameFormatter
{
    public string FormatEntityName<T>() => prefix + inner.FormatEntityName<T>();
}
