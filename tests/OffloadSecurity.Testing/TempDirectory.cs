namespace OffloadSecurity.Testing;

/// <summary>A fresh folder for one test's files (SQLite databases, key files), removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("offload-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite connection may still hold a file for a moment; the OS temp cleaner takes it later.
        }
    }
}
