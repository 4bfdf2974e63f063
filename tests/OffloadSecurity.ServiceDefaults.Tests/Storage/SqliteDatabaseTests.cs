using Dapper;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.ServiceDefaults.Tests.Storage;

public sealed class SqliteDatabaseTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_new_database_and_its_wal_are_readable_by_their_owner_only()
    {
        using var dir = new TempDirectory();
        var database = new SqliteDatabase(dir.File("store.db"));

        await using (var connection = await database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
            File.GetUnixFileMode(database.Path + "-wal").ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.GetUnixFileMode(database.Path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
