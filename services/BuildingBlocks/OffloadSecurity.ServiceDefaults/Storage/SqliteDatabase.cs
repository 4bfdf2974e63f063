using Dapper;
using Microsoft.Data.Sqlite;

namespace OffloadSecurity.ServiceDefaults.Storage;

/// <summary>
/// Opens connections to one SQLite file with the pragmas every store wants (WAL, busy timeout). A new file is made
/// readable by its owner only (0600); SQLite gives its WAL and shared-memory files the same mode.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    static SqliteDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        CreateOwnerOnly(path);
    }

    public string Path { get; }

    private static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process made it first.
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: ct));
    }
}
