using System.Text.Json;

namespace OffloadSecurity.Cli.Commands.Login;

/// <summary>What <c>offload login</c> saves: the platform's address and a token it accepted.</summary>
public sealed record SavedLogin(string Url, string Token, DateTimeOffset SavedAt)
{
    public override string ToString() => $"SavedLogin {{ Url = {Url}, token redacted }}";
}

/// <summary>
/// The CLI's config file, <c>config.json</c> in <c>$OFFLOAD_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/offload</c>,
/// else <c>~/.config/offload</c> (<c>%APPDATA%\offload</c> on Windows). It holds a bearer token, so the folder is
/// made 0700 and the file 0600, and a save replaces the file whole (never a half-written token).
/// </summary>
public sealed class ConfigFile(string directory)
{
    public const string DirectoryVariable = "OFFLOAD_CONFIG_DIR";
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Directory { get; } = System.IO.Path.GetFullPath(directory);
    public string Path => System.IO.Path.Combine(Directory, FileName);
    public bool Exists => File.Exists(Path);

    public static ConfigFile Resolve(Func<string, string?> variable)
    {
        if (variable(DirectoryVariable) is { Length: > 0 } explicitDirectory)
        {
            return new ConfigFile(explicitDirectory);
        }

        if (OperatingSystem.IsWindows())
        {
            return new ConfigFile(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "offload"));
        }

        var configHome = variable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new ConfigFile(System.IO.Path.Combine(configHome, "offload"));
    }

    /// <summary>The saved login, or null when there is none.</summary>
    public SavedLogin? Load()
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Failed, $"Cannot read the saved login in {Path} ({ex.Message}). Run `offload login` again, or `offload logout`.");
        }

        SavedLogin? login = null;
        try
        {
            login = JsonSerializer.Deserialize<SavedLogin>(text, Json);
        }
        catch (JsonException)
        {
        }

        return login is { Url.Length: > 0, Token.Length: > 0 }
            ? login
            : throw new CliException(ExitCodes.Failed, $"The saved login in {Path} is not readable. Run `offload login` again, or `offload logout` to remove it.");
    }

    public void Save(SavedLogin login)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Written to a new file made 0600 from the start, then moved over the old one: the token is never readable
        // by others, not even for a moment, and an interrupted save leaves the previous login intact.
        var temporary = System.IO.Path.Combine(Directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, login, Json);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Removes the saved login. Returns false when there was none.</summary>
    public bool Delete()
    {
        if (!Exists)
        {
            return false;
        }

        File.Delete(Path);
        return true;
    }
}
