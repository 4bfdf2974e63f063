using MongoDB.Driver;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// The account store from configuration: SQLite (<c>credentials.db</c> under <c>Store:DataDirectory</c>, standalone) or
/// MongoDB (<c>Store:Provider=MongoDb</c>, see <see cref="MongoStoreSettings"/>, distributed).
/// </summary>
public static class AccountStoreRegistration
{
    public static IHostApplicationBuilder AddAccountStore(this IHostApplicationBuilder builder)
    {
        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        if (store.Provider == StoreProvider.MongoDb)
        {
            var mongo = MongoStoreSettings.FromConfiguration(builder.Configuration);
            builder.Services.AddSingleton<IAccountStore>(_ => new MongoAccountStore(new MongoClient(mongo.Url).GetDatabase(mongo.Database)));
        }
        else
        {
            builder.Services.AddSingleton<IAccountStore>(new SqliteAccountStore(new SqliteDatabase(store.SqlitePath("credentials.db"))));
        }

        builder.Services.AddStoreLifecycle<IAccountStore>("credentials-store");
        return builder;
    }
}
