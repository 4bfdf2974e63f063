namespace OffloadSecurity.ServiceDefaults.Storage;

public enum StoreProvider
{
    Sqlite,
    MongoDb,
}

/// <summary>Configuration section <c>Store</c>: which backend a service keeps its data in.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>Folder for the SQLite files (standalone mode).</summary>
    public string DataDirectory { get; set; } = ".data";

    public string SqlitePath(string fileName)
    {
        Directory.CreateDirectory(DataDirectory);
        return Path.GetFullPath(Path.Combine(DataDirectory, fileName));
    }
}
