namespace OffloadSecurity.Cli.Tests;

/// <summary>What one <c>offload</c> invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs <c>offload</c> in-process through the same entry code as its Program, with captured streams.</summary>
public static class Offload
{
    public static async Task<CliResult> RunAsync(string[] args, string stdin = "", CancellationToken ct = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        var exitCode = await OffloadCommandLine.InvokeAsync(args, output, error, input, ct);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, "", TestContext.Current.CancellationToken);
}
