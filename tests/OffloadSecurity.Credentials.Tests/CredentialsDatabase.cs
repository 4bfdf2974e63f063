using System.Text;
using Microsoft.Data.Sqlite;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>Reads the credentials service's SQLite file directly, as an attacker with the disk would.</summary>
public static class CredentialsDatabase
{
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "credentials.db");

    /// <summary>Every column of every row of <paramref name="table"/>, blobs read as Latin-1 text.</summary>
    public static async Task<string> ReadAllTextAsync(string dataDirectory, string table = "accounts")
    {
        await using var connection = new SqliteConnection($"Data Source={PathIn(dataDirectory)};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var text = new StringBuilder();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.GetValue(i) is byte[] blob ? Encoding.Latin1.GetString(blob) : reader.GetValue(i)).Append('|');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
