using MongoDB.Driver;
using OffloadSecurity.ServiceDefaults.Messaging;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The asset inventory's part of the inventory module: its store, chosen like the findings store (SQLite file
/// <c>assets.db</c> under <c>Store:DataDirectory</c> by default; MongoDB with <c>Store:Provider=MongoDb</c>, in the same
/// database), and its consumers on the bus.
/// </summary>
public static class AssetInventoryRegistration
{
    private const string MongoClientKey = "inventory-assets";

    public static IHostApplicationBuilder AddAssetInventory(this IHostApplicationBuilder builder)
    {
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        if (store.Provider == StoreProvider.MongoDb)
        {
            var mongo = MongoStoreSettings.FromConfiguration(builder.Configuration);
            // Clients with equal settings share the driver's connection pool, so this costs no second pool.
            builder.Services.AddKeyedSingleton<IMongoClient>(MongoClientKey, (_, _) => new MongoClient(mongo.Url));
            builder.Services.AddSingleton<IAssetStore>(sp =>
                new MongoAssetStore(sp.GetRequiredKeyedService<IMongoClient>(MongoClientKey).GetDatabase(mongo.Database)));
        }
        else
        {
            builder.Services.AddSingleton<IAssetStore>(_ => new SqliteAssetStore(new SqliteDatabase(store.SqlitePath("assets.db"))));
        }

        builder.Services.AddStoreLifecycle<IAssetStore>("asset-store");
        builder.AddBusConsumers(bus =>
        {
            bus.AddConsumer<AssetsObservedConsumer>();
            bus.AddConsumer<ImagesObservedConsumer>();
            bus.AddConsumer<WorkloadsObservedConsumer>();
            bus.AddConsumer<AssetsAccountDeletedConsumer>();
        });
        return builder;
    }
}
