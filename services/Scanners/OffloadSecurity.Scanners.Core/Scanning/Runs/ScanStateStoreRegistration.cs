using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MongoDB.Driver;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>
/// Chooses the scanners' run store like the other services choose theirs: SQLite (<c>scanner.db</c> under
/// <c>Store:DataDirectory</c>) by default, MongoDB with <c>Store:Provider=MongoDb</c> so scanners on several machines
/// share runs and can resume each other's.
/// </summary>
public static class ScanStateStoreRegistration
{
    private const string MongoClientKey = "scanner";

    public static IHostApplicationBuilder AddScanStateStore(this IHostApplicationBuilder builder)
    {
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        if (store.Provider == StoreProvider.MongoDb)
        {
            var mongo = MongoStoreSettings.FromConfiguration(builder.Configuration);
            builder.Services.AddKeyedSingleton<IMongoClient>(MongoClientKey, (_, _) => new MongoClient(mongo.Url));
            builder.Services.AddSingleton<IScanStateStore>(sp =>
                new MongoScanStateStore(sp.GetRequiredKeyedService<IMongoClient>(MongoClientKey).GetDatabase(mongo.Database)));
        }
        else
        {
            builder.Services.AddSingleton<IScanStateStore>(_ => new SqliteScanStateStore(new SqliteDatabase(store.SqlitePath("scanner.db"))));
        }

        builder.Services.AddStoreLifecycle<IScanStateStore>("scanner-store");
        return builder;
    }
}
