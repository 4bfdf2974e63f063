using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands.Findings;

/// <summary>
/// <c>offload findings export [--format jsonl|csv] [--output FILE|-] [filters]</c>: streams
/// <c>GET /api/findings/export</c> to a file or standard output chunk by chunk, never holding the whole export in
/// memory. A file is written under a temporary name and renamed when the export is complete, so a broken export
/// never leaves a half-written file behind.
/// </summary>
public static class FindingExportCommand
{
    public const string Stdout = "-";
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(200);

    public static Command Create(CliSession session)
    {
        var filters = new FindingFilterOptions();
        var format = new Option<string>("--format")
        {
            Description = "jsonl: one OCSF JSON object per line (for SIEMs and jq); csv: one row per finding, with a header (for spreadsheets).",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var output = new Option<string>("--output", "-o")
        {
            Description = "The file to write (replaced when the export is complete); `-` (the default) writes to standard output.",
            DefaultValueFactory = _ => Stdout,
            HelpName = "file",
        };
        var command = new Command("export", "Every finding that matches the filters, streamed as JSON Lines or CSV to a file or standard output.");
        command.Options.Add(format);
        command.Options.Add(output);
        filters.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var csv = parse.GetValue(format) == "csv";
            var target = parse.GetValue(output)!;
            var file = target == Stdout ? null : TargetFile(target);

            using var platform = session.Platform(parse);
            platform.FieldOptions = FindingFilterOptions.FieldOptions;
            using var response = await platform.OpenAsync($"api/findings/export?format={(csv ? "csv" : "jsonl")}{filters.Query(parse)}", ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var counter = new ExportCounter(csv);
            var stdout = parse.InvocationConfiguration.Output;
            Func<Action, Task> copy = file is null
                ? progress => ToStandardOutputAsync(body, stdout, counter, progress, ct)
                : progress => ToFileAsync(body, file, counter, progress, ct);

            // A live count on standard error while a person watches it, unless the export itself goes to that terminal.
            var error = session.ErrorConsole(parse);
            if (error.Profile.Capabilities.Interactive && (file is not null || !ReferenceEquals(stdout, Console.Out) || Console.IsOutputRedirected))
            {
                await error.Status().Spinner(Spinner.Known.Dots).StartAsync("Exporting…",
                    status => copy(() => status.Status(Markup.Escape(Describe(counter, csv)))));
            }
            else
            {
                await copy(() => { });
            }

            if (file is not null)
            {
                await session.Error(parse).WriteLineAsync($"Wrote {Describe(counter, csv)} to {file}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(ExportCounter counter, bool csv) =>
        $"{counter.Findings:N0} findings ({(csv ? "csv" : "jsonl")}, {counter.Bytes:N0} bytes, {counter.Lines:N0} lines{(csv ? " with the header" : "")})";

    /// <summary>The full path to write, after checking its folder exists (before anything is asked of the platform).</summary>
    private static string TargetFile(string target)
    {
        var path = Path.GetFullPath(target);
        if (Directory.Exists(path))
        {
            throw new CliException(ExitCodes.Usage, $"--output {target} is a folder: name a file, e.g. {Path.Combine(target, "findings.jsonl")}.");
        }

        var folder = Path.GetDirectoryName(path)!;
        return Directory.Exists(folder)
            ? path
            : throw new CliException(ExitCodes.Failed, $"--output: the folder {folder} does not exist.");
    }

    private static async Task ToFileAsync(Stream body, string path, ExportCounter counter, Action progress, CancellationToken ct)
    {
        var partial = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await CopyAsync(body, (chunk, token) => file.WriteAsync(chunk, token), counter, progress, path, ct);
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>
    /// Bytes as they come to the process's standard output; to another writer (tests, a redirected
    /// <see cref="Console.Out"/> replacement) as text decoded chunk by chunk.
    /// </summary>
    private static async Task ToStandardOutputAsync(Stream body, TextWriter output, ExportCounter counter, Action progress, CancellationToken ct)
    {
        if (ReferenceEquals(output, Console.Out))
        {
            await output.FlushAsync(ct);
            await using var stdout = Console.OpenStandardOutput();
            await CopyAsync(body, (chunk, token) => stdout.WriteAsync(chunk, token), counter, progress, "standard output", ct);
            await stdout.FlushAsync(ct);
            return;
        }

        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(BufferSize)];
        await CopyAsync(body, async (chunk, token) =>
        {
            var count = decoder.GetChars(chunk.Span, chars, flush: false);
            await output.WriteAsync(chars.AsMemory(0, count), token);
        }, counter, progress, "standard output", ct);
        await output.FlushAsync(ct);
    }

    private static async Task CopyAsync(
        Stream body, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, ExportCounter counter, Action progress, string target, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw new CliException(ExitCodes.Failed,
                        $"The export broke off after {counter.Bytes:N0} bytes ({ex.Message}); {(target == "standard output" ? "the output is incomplete" : $"{target} was not written")}. Run it again.");
                }

                if (read == 0)
                {
                    return;
                }

                try
                {
                    await write(buffer.AsMemory(0, read), ct);
                }
                catch (IOException ex)
                {
                    throw new CliException(ExitCodes.Failed, $"Cannot write to {target} after {counter.Bytes:N0} bytes ({ex.Message}).");
                }

                counter.Add(buffer.AsSpan(0, read));
                if (clock.Elapsed >= ProgressEvery)
                {
                    progress();
                    clock.Restart();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// Counts an export as it streams: bytes, lines, and findings (a JSON Lines export has one per line; a CSV export
/// a header, then one record per finding, where a line break inside a quoted cell does not end a record).
/// </summary>
public sealed class ExportCounter(bool csv)
{
    private bool _inQuotes;

    public long Bytes { get; private set; }

    /// <summary>Lines (for CSV: records, the header included).</summary>
    public long Lines { get; private set; }

    public long Findings => csv ? Math.Max(0, Lines - 1) : Lines;

    public void Add(ReadOnlySpan<byte> chunk)
    {
        Bytes += chunk.Length;
        if (!csv)
        {
            Lines += chunk.Count((byte)'\n');
            return;
        }

        foreach (var b in chunk)
        {
            if (b == (byte)'"')
            {
                _inQuotes = !_inQuotes;
            }
            else if (b == (byte)'\n' && !_inQuotes)
            {
                Lines++;
            }
        }
    }
}
