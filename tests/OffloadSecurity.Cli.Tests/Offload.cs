namespace OffloadSecurity.Cli.Tests;

/// <summary>What one <c>offload</c> invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Runs <c>offload</c> in-process through the same entry code as its Program, with captured streams and an
/// environment of its own: only the variables a test gives, so nothing comes in from the shell that runs the tests
/// ($OFFLOAD_TOKEN, a saved login under ~/.config). By default the config folder is one where no login is saved.
/// </summary>
public static class Offload
{
    /// <summary>A config folder nothing is ever saved in: commands see no saved login unless a test gives its own.</summary>
    public static readonly string NoLoginConfigDirectory = Path.Combine(Path.GetTempPath(), $"offload-test-no-login-{Guid.NewGuid():N}");

    public static Task<CliResult> RunAsync(string[] args, string stdin = "", CancellationToken ct = default) =>
        RunAsync(args, new Dictionary<string, string?>(), stdin, terminal: false, ct);

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, "", TestContext.Current.CancellationToken);

    /// <param name="environment">Environment variables the command sees (no others).</param>
    /// <param name="terminal">Whether standard input stands for a terminal a person types into.</param>
    public static async Task<CliResult> RunAsync(
        string[] args, IReadOnlyDictionary<string, string?> environment, string stdin = "", bool terminal = false, CancellationToken ct = default)
    {
        var variables = new Dictionary<string, string?>(environment);
        variables.TryAdd(Commands.Login.ConfigFile.DirectoryVariable, NoLoginConfigDirectory);
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        var cli = new CliEnvironment { Input = input, InputIsTerminal = terminal, Variable = name => variables.GetValueOrDefault(name) };
        var exitCode = await OffloadCommandLine.InvokeAsync(args, output, error, cli, ct == default ? TestContext.Current.CancellationToken : ct);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
