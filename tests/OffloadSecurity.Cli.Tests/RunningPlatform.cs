using System.Text;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// <c>offload up [--demo] --data DIR --port 0</c> running in-process, exactly as the command runs it, until
/// <see cref="StopAsync"/> stands in for Ctrl+C.
/// </summary>
public sealed partial class RunningPlatform : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly CancellationTokenSource _ctrlC = new();
    private readonly StringBuilder _output = new();
    private readonly Task<int> _run;

    private RunningPlatform(string dataDirectory, bool demo)
    {
        DataDirectory = dataDirectory;
        string[] args = ["up", "--data", dataDirectory, "--port", "0", .. demo ? new[] { "--demo" } : []];
        var writer = TextWriter.Synchronized(new StringWriter(_output));
        _run = Task.Run(() => OffloadCommandLine.InvokeAsync(args, writer, writer, TextReader.Null, _ctrlC.Token));
    }

    public string DataDirectory { get; }
    public Uri Url { get; private set; } = null!;
    public string AdminToken { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The global options that point a CLI command at this platform (its URL, its data folder's key).</summary>
    public string[] Target => ["--url", Url.ToString(), "--data", DataDirectory];

    public static async Task<RunningPlatform> StartAsync(string dataDirectory, bool demo)
    {
        var platform = new RunningPlatform(dataDirectory, demo);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!platform.Output.Contains("Press Ctrl+C to stop.", StringComparison.Ordinal))
        {
            if (platform._run.IsCompleted || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"`offload up` did not come up (exit {(platform._run.IsCompleted ? platform._run.Result : "-")}):\n{platform.Output}");
            }

            await Task.Delay(100);
        }

        var output = platform.Output;
        platform.Url = new Uri(RunningAt().Match(output).Groups["url"].Value + "/");
        platform.AdminToken = TokenLine().Match(output).Groups["token"].Value;
        return platform;
    }

    /// <summary>Ctrl+C: returns the command's exit code once it has stopped.</summary>
    public async Task<int> StopAsync()
    {
        await _ctrlC.CancelAsync();
        return await _run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        _ctrlC.Dispose();
    }

    [GeneratedRegex(@"running \(standalone\) at (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex RunningAt();

    [GeneratedRegex(@"^(?<token>eyJ[\w-]+\.[\w-]+\.[\w-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TokenLine();
}
