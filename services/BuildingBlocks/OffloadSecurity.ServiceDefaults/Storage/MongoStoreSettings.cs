using Microsoft.Extensions.Configuration;
using MongoDB.Driver;

namespace OffloadSecurity.ServiceDefaults.Storage;

/// <summary>
/// Where a service's MongoDB store lives (distributed mode):
/// <code>
///   Store:Provider                  MongoDb (Sqlite is the default)
///   Store:MongoDb:ConnectionString  required, e.g. mongodb://mongodb:27017
///   Store:MongoDb:Database          default "offload"
/// </code>
/// Unusable settings stop the start-up with a message saying what to set, never quoting the connection string.
/// </summary>
public sealed record MongoStoreSettings(MongoUrl Url, string Database)
{
    public const string Section = StoreOptions.Section + ":MongoDb";
    public const string DefaultDatabase = "offload";

    public static MongoStoreSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var connectionString = section["ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{StoreOptions.Section}:Provider is MongoDb but {Section}:ConnectionString is not set. Set it (for example " +
                "Store__MongoDb__ConnectionString=mongodb://mongodb:27017 in the environment), or choose Store:Provider=Sqlite.");
        }

        MongoUrl url;
        try
        {
            url = MongoUrl.Create(connectionString);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            // Not chained: the driver's message may quote the connection string, password included.
            throw new InvalidOperationException(
                $"{Section}:ConnectionString is not a MongoDB connection string (mongodb://host:port/ or mongodb+srv://host/).");
        }

        var database = section["Database"];
        database = string.IsNullOrWhiteSpace(database) ? DefaultDatabase : database.Trim();
        if (database.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) >= 0 || database.Length > 63)
        {
            throw new InvalidOperationException(
                $"{Section}:Database '{database}' is not a MongoDB database name (at most 63 characters, none of / \\ . \" $ or space).");
        }

        return new MongoStoreSettings(url, database);
    }

    public override string ToString() => $"MongoStoreSettings {{ Database = {Database}, connection string redacted }}";
}
