using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OffloadSecurity.ServiceDefaults.Messaging;

/// <summary>
/// One bus per process. Modules add their consumers with <see cref="AddBusConsumers"/>; the host calls
/// <see cref="AddOffloadBus"/> once, after all modules, so the standalone host can compose every module
/// on a single bus.
/// </summary>
public static class BusExtensions
{
    /// <summary>Registers consumers (and anything else) that a module puts on the bus.</summary>
    public static IHostApplicationBuilder AddBusConsumers(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        BusRegistrations.From(builder.Services).Add(configure);
        return builder;
    }

    /// <summary>
    /// Adds MassTransit on the transport <c>Bus:Transport</c> names (RabbitMq or InMemory), with every module's
    /// consumers, endpoints named by <c>ConfigureEndpoints</c>, and one bus-wide retry policy: a few quick
    /// retries for transient faults, none for validation errors. What still fails ends in the error queue.
    /// </summary>
    public static IHostApplicationBuilder AddOffloadBus(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        builder.Services.AddSingleton(options);
        var registrations = BusRegistrations.From(builder.Services);

        // A host serves only once its queues are bound: a message published at start-up is never lost for want of a binding.
        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StartTimeout = TimeSpan.FromSeconds(60);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(options.EntityPrefix, includeNamespace: false));
            foreach (var configure in registrations)
            {
                configure(bus);
            }

            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(retry =>
            {
                retry.Ignore<ValidationException>();
                retry.Intervals(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
            }));

            switch (options.Transport)
            {
                case BusTransport.RabbitMq:
                    bus.UsingRabbitMq((context, cfg) =>
                    {
                        ConfigureHost(cfg, options.RabbitMq);
                        ConfigureJson(cfg);
                        ApplyPrefix(cfg, options.EntityPrefix);
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                default:
                    bus.UsingInMemory((context, cfg) =>
                    {
                        ConfigureJson(cfg);
                        ApplyPrefix(cfg, options.EntityPrefix);
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
            }
        });
        return builder;
    }

    /// <summary>
    /// Compact JSON on the wire: MassTransit indents its envelopes by default, which makes a batch of 500 findings a fifth
    /// larger (1,124 KB instead of 930 KB) to write, send, and parse again. Readers accept either form, so services on
    /// both settings interoperate.
    /// </summary>
    private static void ConfigureJson(IBusFactoryConfigurator cfg) => cfg.ConfigureJsonSerializerOptions(json =>
    {
        json.WriteIndented = false;
        return json;
    });

    private static void ApplyPrefix(IBusFactoryConfigurator cfg, string prefix)
    {
        if (prefix.Length > 0)
        {
            cfg.MessageTopology.SetEntityNameFormatter(
                new PrefixedEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix));
        }
    }

    private static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, RabbitMqOptions rabbit)
    {
        if (!string.IsNullOrWhiteSpace(rabbit.Uri))
        {
            var uri = new Uri(rabbit.Uri);
            cfg.Host(uri, host =>
            {
                if (!string.IsNullOrEmpty(uri.UserInfo))
                {
                    var parts = uri.UserInfo.Split(':', 2);
                    host.Username(Uri.UnescapeDataString(parts[0]));
                    host.Password(parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
                }
            });
            return;
        }

        cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, host =>
        {
            host.Username(rabbit.Username);
            host.Password(rabbit.Password);
        });
    }

    /// <summary>The consumer registrations modules made, kept in the service collection until the bus is built.</summary>
    private sealed class BusRegistrations : List<Action<IBusRegistrationConfigurator>>
    {
        public static BusRegistrations From(IServiceCollection services)
        {
            var existing = services.FirstOrDefault(d => d.ServiceType == typeof(BusRegistrations))?.ImplementationInstance;
            if (existing is BusRegistrations registrations)
            {
                return registrations;
            }

            registrations = [];
            services.AddSingleton(registrations);
            return registrations;
        }
    }
}
