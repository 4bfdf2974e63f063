using OffloadSecurity.Inventory.Assets;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Ingest;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.ServiceDefaults.Messaging;

namespace OffloadSecurity.Inventory;

public static class InventoryModule
{
    /// <summary>The inventory: ingest consumers, the store behind the query API, and the SIEM feed.</summary>
    public static IHostApplicationBuilder AddInventory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddInventoryStore();
        builder.Services.Configure<RiskAcceptanceExpiryOptions>(builder.Configuration.GetSection(RiskAcceptanceExpiryOptions.Section));
        builder.Services.AddHostedService<RiskAcceptanceExpiry>();
        builder.AddAssetInventory();
        builder.AddBusConsumers(bus =>
        {
            bus.AddConsumer<FindingsObservedConsumer>(typeof(FindingsObservedConsumerDefinition));
            bus.AddConsumer<SourceScanCompletedConsumer>();
            bus.AddConsumer<AccountDeletedConsumer>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapInventoryApi(this IEndpointRouteBuilder app) => app.MapFindingsApi().MapPostureApi().MapAssetsApi();
}

/// <summary>Names this service's assembly, so tests can host its real Program with WebApplicationFactory.</summary>
public sealed class InventoryEntryPoint
{
    private InventoryEntryPoint()
    {
    }
}
