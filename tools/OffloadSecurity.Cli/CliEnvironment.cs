namespace OffloadSecurity.Cli;

/// <summary>
/// What <c>offload</c> reads from its process besides the arguments: standard input and environment variables.
/// Tests pass their own, so nothing leaks in from the machine (or the shell) that runs them.
/// </summary>
public sealed record CliEnvironment
{
    public required TextReader Input { get; init; }

    /// <summary>Whether <see cref="Input"/> is a terminal a person types into (so a question can be asked).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Looks up an environment variable; null when it is not set.</summary>
    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The process's own console and environment.</summary>
    public static CliEnvironment Process() => new() { Input = Console.In, InputIsTerminal = !Console.IsInputRedirected };
}
