using Spectre.Console;
using Spectre.Console.Rendering;

namespace OffloadSecurity.Cli.Output;

/// <summary>Spectre.Console over the writer a command was given: the real terminal, or plain text for pipes and tests.</summary>
public static class Terminal
{
    /// <summary>Width of tables written to a pipe or file: wide enough not to cut ids and fingerprints.</summary>
    private const int Wide = 240;

    /// <summary>
    /// A line as is: Spectre's <c>WriteLine</c> wraps at the console width, which would break tokens, commands and
    /// JSON a user copies.
    /// </summary>
    public static void Line(this IAnsiConsole console, string text = "") => console.Profile.Out.Writer.WriteLine(text);

    /// <summary>
    /// The console for <paramref name="writer"/>: live and in colour on a terminal; plain text, wide and without escape
    /// codes when the output goes to a pipe, a file or a test's writer.
    /// </summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        if (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected)
        {
            return AnsiConsole.Console;
        }

        if (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected)
        {
            // Progress and notes: a live spinner while a person watches standard error.
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error), Interactive = InteractionSupport.Yes });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Wide;
        return console;
    }

    /// <summary>A table row of plain text: values from the platform are never read as markup.</summary>
    public static Table Row(this Table table, params string?[] cells) =>
        table.AddRow(cells.Select(cell => (IRenderable)new Text(cell ?? "")).ToArray());

    /// <summary>Text that needs attention (a rotation warning): bold yellow on a terminal; plain where there is no colour.</summary>
    public static Text Highlight(string text) => new(text, new Style(Color.Yellow, decoration: Decoration.Bold));

    /// <summary>
    /// A highlighted line: styled on a terminal; as is elsewhere, like <see cref="Line"/>, so a pipe gets it whole.
    /// </summary>
    public static void HighlightedLine(this IAnsiConsole console, string text)
    {
        if (console.Profile.Capabilities.Ansi)
        {
            console.Write(Highlight(text));
            console.WriteLine();
        }
        else
        {
            console.Line(text);
        }
    }

    public static string Ago(DateTimeOffset? at) => at is not { } time ? "never"
        : (DateTimeOffset.UtcNow - time) switch
        {
            var d when d < TimeSpan.FromMinutes(1) => $"{Math.Max(0, (int)d.TotalSeconds)}s ago",
            var d when d < TimeSpan.FromHours(1) => $"{(int)d.TotalMinutes}m ago",
            var d when d < TimeSpan.FromDays(1) => $"{(int)d.TotalHours}h ago",
            var d => $"{(int)d.TotalDays}d ago",
        };
}
