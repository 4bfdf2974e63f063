using System.Security.Cryptography;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Cli.Standalone;

/// <summary>
/// The standalone platform's folder: SQLite files, the token signing key and the encryption key. The keys are made
/// on first run, readable by the owner only (0600), and reused on every later run so data and tokens stay valid.
/// </summary>
public sealed class DataFolder
{
    public const string EnvironmentVariable = "OFFLOAD_DATA";
    public const string SigningKeyFileName = "signing.key";
    public const string EncryptionKeyFileName = "encryption.key";

    public DataFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string SigningKeyFile => System.IO.Path.Combine(Path, SigningKeyFileName);
    public string EncryptionKeyFile => System.IO.Path.Combine(Path, EncryptionKeyFileName);
    public bool HasSigningKey => File.Exists(SigningKeyFile);

    /// <summary><c>--data</c> when given, else <c>$OFFLOAD_DATA</c> (looked up with <paramref name="variable"/>), else <c>~/.offload</c>.</summary>
    public static DataFolder Resolve(string? explicitPath, Func<string, string?> variable) => new(
        explicitPath is { Length: > 0 } ? explicitPath
        : variable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".offload"));

    /// <summary>Creates the folder and any missing key. Returns true when this was the first run.</summary>
    public bool EnsureCreated()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
        }
        else
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var created = CreateKeyFile(SigningKeyFile, LocalTokenIssuer.NewSigningKey);
        created |= CreateKeyFile(EncryptionKeyFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return created;
    }

    /// <summary>The local issuer's key (base64). Never printed.</summary>
    public string ReadSigningKey() => HasSigningKey
        ? File.ReadAllText(SigningKeyFile).Trim()
        : throw new CliException(ExitCodes.Failed,
            $"There is no platform data in {Path} (no {SigningKeyFileName}). Start the platform once with `offload up --data {Path}`.");

    public AuthOptions AuthOptions() => new() { SigningKey = ReadSigningKey() };

    private static bool CreateKeyFile(string path, Func<string> newKey)
    {
        if (File.Exists(path))
        {
            return false;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, options);
        writer.Write(newKey());
        return true;
    }
}
