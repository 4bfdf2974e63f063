using MongoDB.Driver;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Chooses the inventory's store from configuration: SQLite (<c>inventory.db</c> under <c>Store:DataDirectory</c>,
/// the default, standalone) or MongoDB (<c>Store:Provider=MongoDb</c>, see <see cref="MongoStoreSettings"/>, distributed).
/// A MongoDb choice without a usable connection string stops the start-up with a message saying what to set.
/// </summary>
public static class InventoryStoreRegistration
{
    private const string MongoClientKey = "inventory";

    public static IHostApplicationBuilder AddInventoryStore(this IHostApplicationBuilder builder)
    {
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        if (store.Provider == StoreProvider.MongoDb)
        {
            var mongo = MongoStoreSettings.FromConfiguration(builder.Configuration);
            builder.Services.AddKeyedSingleton<IMongoClient>(MongoClientKey, (_, _) => new MongoClient(mongo.Url));
            builder.Services.AddSingleton<IInventoryStore>(sp => new MongoInventoryStore(
                sp.GetRequiredKeyedService<IMongoClient>(MongoClientKey).GetDatabase(mongo.Database), sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            builder.Services.AddSingleton<IInventoryStore>(sp =>
                new SqliteInventoryStore(new SqliteDatabase(store.SqlitePath("inventory.db")), sp.GetRequiredService<TimeProvider>()));
        }

        builder.Services.AddStoreLifecycle<IInventoryStore>("inventory-store");
        return builder;
    }
}
