using System.CommandLine;
using System.CommandLine.Parsing;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary>
/// A secret given on standard input (<c>--NAME-stdin</c>) or in a file (<c>--NAME-file</c>), never as a plain
/// argument, so it lands neither in shell history nor in process lists. It is never printed.
/// </summary>
public sealed class SecretOption
{
    public SecretOption(string name, string what)
    {
        What = what;
        Stdin = new Option<bool>($"--{name}-stdin") { Description = $"Read {what} from standard input." };
        File = new Option<FileInfo?>($"--{name}-file") { Description = $"Read {what} from this file.", HelpName = "path" };
    }

    /// <summary>What the secret is, for messages: e.g. "the client secret".</summary>
    public string What { get; }
    public Option<bool> Stdin { get; }
    public Option<FileInfo?> File { get; }

    /// <summary>Both options, for a field-to-option hint.</summary>
    public string Names => $"{Stdin.Name} or {File.Name}";

    /// <summary>How many of the two were given: exactly one is right when the secret is needed.</summary>
    public int Sources(CommandResult result) => (result.GetValue(Stdin) ? 1 : 0) + (result.GetValue(File) is null ? 0 : 1);

    public async Task<string> ReadAsync(CliSession session, ParseResult parse, CancellationToken ct)
    {
        var file = parse.GetValue(File);
        var text = file is null
            ? await session.ReadInputAsync($"{What} ({Stdin.Name})", ct)
            : await LocalFile.ReadTextAsync(file, File.Name, ct);
        return text.Trim() is { Length: > 0 } secret
            ? secret
            : throw new CliException(ExitCodes.Usage,
                $"{char.ToUpperInvariant(What[0])}{What[1..]} is empty: pipe it in with {Stdin.Name} (e.g. `< secret.txt`) or name a file that holds it with {File.Name}.");
    }
}

/// <summary>Files named on the command line (keys, kubeconfigs, certificates): a missing or unreadable one is a clear error (exit code 1).</summary>
public static class LocalFile
{
    /// <summary>Larger than any key, kubeconfig or certificate the platform accepts (its request limit is 256 KiB).</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>The file as UTF-8 text (without a byte order mark).</summary>
    public static async Task<string> ReadTextAsync(FileInfo file, string option, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(file, option, ct);
        var preamble = System.Text.Encoding.UTF8.Preamble;
        return System.Text.Encoding.UTF8.GetString(bytes.AsSpan().StartsWith(preamble) ? bytes.AsSpan(preamble.Length) : bytes);
    }

    public static async Task<byte[]> ReadBytesAsync(FileInfo file, string option, CancellationToken ct)
    {
        if (Directory.Exists(file.FullName))
        {
            throw new CliException(ExitCodes.Failed, $"{option}: {file.FullName} is a folder; name the file itself.");
        }

        if (!file.Exists)
        {
            throw new CliException(ExitCodes.Failed, $"{option}: {file.FullName} does not exist.");
        }

        if (file.Length > MaxBytes)
        {
            throw new CliException(ExitCodes.Failed, $"{option}: {file.FullName} is {file.Length:N0} bytes, too large for what it should hold.");
        }

        try
        {
            return await System.IO.File.ReadAllBytesAsync(file.FullName, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Failed, $"{option}: cannot read {file.FullName} ({ex.Message}).");
        }
    }
}
