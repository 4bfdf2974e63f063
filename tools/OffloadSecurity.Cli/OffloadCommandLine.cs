using System.CommandLine;
using System.CommandLine.Invocation;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Accounts;
using OffloadSecurity.Cli.Commands.Findings;
using OffloadSecurity.Cli.Commands.Import;
using OffloadSecurity.Cli.Commands.Login;
using OffloadSecurity.Cli.Commands.Posture;
using OffloadSecurity.Cli.Commands.Tokens;
using OffloadSecurity.Cli.Standalone;

namespace OffloadSecurity.Cli;

/// <summary>The <c>offload</c> command line: what <c>Program</c> runs, and what tests invoke in-process.</summary>
public static class OffloadCommandLine
{
    public static RootCommand Create(CliSession session)
    {
        var root = new RootCommand(
            "Offload Security: run the platform on this machine (`offload up`), log in to one (`offload login`), connect cloud accounts, " +
            "and read findings and posture. Exit codes: 0 ok, 1 failed (the platform said no, or a local file), 2 wrong command line, " +
            "3 platform unreachable, 4 token refused.")
        {
            session.Url, session.Token, session.Data,
        };
        root.Subcommands.Add(UpCommand.Create(session));
        root.Subcommands.Add(LoginCommands.Login(session));
        root.Subcommands.Add(LoginCommands.Logout(session));
        root.Subcommands.Add(TokenCommand.Create(session));
        root.Subcommands.Add(AccountsCommands.Create(session));
        root.Subcommands.Add(FindingsCommands.Create(session));
        root.Subcommands.Add(PostureCommand.Create(session));
        root.Subcommands.Add(ImportCommands.Create(session));
        return root;
    }

    /// <summary>Runs <c>offload</c> on the process's console; Ctrl+C cancels the command.</summary>
    public static Task<int> InvokeAsync(string[] args) =>
        InvokeAsync(args, Console.Out, Console.Error, CliEnvironment.Process(), TimeSpan.FromSeconds(30), CancellationToken.None);

    /// <summary>Runs <c>offload</c> with the given streams and the process's environment; <paramref name="ct"/> stands in for Ctrl+C.</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, TextReader input, CancellationToken ct) =>
        InvokeAsync(args, output, error, new CliEnvironment { Input = input }, null, ct);

    /// <summary>Runs <c>offload</c> with the given streams and environment (tests); <paramref name="ct"/> stands in for Ctrl+C.</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment environment, CancellationToken ct) =>
        InvokeAsync(args, output, error, environment, null, ct);

    private static async Task<int> InvokeAsync(
        string[] args, TextWriter output, TextWriter error, CliEnvironment environment, TimeSpan? signalTimeout, CancellationToken ct)
    {
        var parse = Create(new CliSession(environment)).Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync($"See `offload {string.Join(' ', parse.CommandResult.Command.Name == "offload" ? [] : CommandPath(parse))} --help`.".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = signalTimeout,
        };
        try
        {
            return await parse.InvokeAsync(configuration, ct);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Failed;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result?.Parent is { } parent; result = parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }

        return names;
    }
}
