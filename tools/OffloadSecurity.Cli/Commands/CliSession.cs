using System.CommandLine;
using OffloadSecurity.Cli.Commands.Login;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.ServiceDefaults.Auth;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands;

/// <summary>
/// What every command shares in one invocation: the global options (<c>--url</c>, <c>--token</c>, <c>--data</c>),
/// standard input (for secrets), the environment, and the login saved by <c>offload login</c>.
/// </summary>
/// <remarks>
/// Where the platform and the token come from, first match wins:
/// <list type="bullet">
/// <item>address: <c>--url</c>, <c>$OFFLOAD_URL</c>, the saved login, <see cref="DefaultUrl"/>;</item>
/// <item>token: <c>--token</c> (<c>-</c> reads it from standard input), <c>$OFFLOAD_TOKEN</c>, a token minted from
/// the key of the data folder named by <c>--data</c> or <c>$OFFLOAD_DATA</c>, the saved login's token (only when the
/// address is the saved login's: a token is never sent to another platform), a token minted from the default data
/// folder's key (~/.offload) when it has one.</item>
/// </list>
/// </remarks>
public sealed class CliSession(CliEnvironment environment)
{
    public const string DefaultUrl = "http://127.0.0.1:5100";
    public const string UrlVariable = "OFFLOAD_URL";
    public const string TokenVariable = "OFFLOAD_TOKEN";
    public const string StdinValue = "-";
    public const string DefaultTenant = "default";
    private static readonly TimeSpan MintedTokenLifetime = TimeSpan.FromMinutes(15);

    private string? _stdinReadFor;

    public CliEnvironment Environment { get; } = environment;
    public TextReader Input => Environment.Input;

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"The platform's address (default ${UrlVariable}, else the address saved by `offload login`, else {DefaultUrl}).",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Bearer token; `-` reads it from standard input (default ${TokenVariable}, else the token saved by " +
            "`offload login` for that address, else one minted from the local data folder's key when present).",
        HelpName = "jwt",
        Recursive = true,
    };

    public Option<string?> Data { get; } = new("--data")
    {
        Description = $"The standalone platform's data folder (default ${Standalone.DataFolder.EnvironmentVariable}, else ~/.offload).",
        HelpName = "dir",
        Recursive = true,
    };

    public IAnsiConsole Out(ParseResult parse) => Terminal.For(parse.InvocationConfiguration.Output);

    /// <summary>Standard error as a console: progress and notes go there, so standard output stays parseable.</summary>
    public IAnsiConsole ErrorConsole(ParseResult parse) => Terminal.For(parse.InvocationConfiguration.Error);

    public TextWriter Error(ParseResult parse) => parse.InvocationConfiguration.Error;

    public DataFolder DataFolder(ParseResult parse) => Standalone.DataFolder.Resolve(parse.GetValue(Data), Environment.Variable);

    public ConfigFile Config() => ConfigFile.Resolve(Environment.Variable);

    /// <summary>A client for the platform (see the remarks on <see cref="CliSession"/> for where address and token come from).</summary>
    public PlatformClient Platform(ParseResult parse)
    {
        var saved = new Lazy<SavedLogin?>(() => Config().Load());
        var url = ResolveUrl(parse, saved);
        return new PlatformClient(url, ResolveToken(parse, url, saved));
    }

    /// <summary>The address alone: <c>--url</c>, <c>$OFFLOAD_URL</c>, the saved login, the default.</summary>
    public Uri ResolveUrl(ParseResult parse) => ResolveUrl(parse, new Lazy<SavedLogin?>(() => Config().Load()));

    /// <summary>
    /// All of standard input, read once per command: <paramref name="what"/> names the secret for the message
    /// when two options both ask for it.
    /// </summary>
    public async Task<string> ReadInputAsync(string what, CancellationToken ct)
    {
        if (_stdinReadFor is not null)
        {
            throw new CliException(ExitCodes.Usage,
                $"Standard input carries one secret per command and already gave {_stdinReadFor}: give {what} from a file instead.");
        }

        _stdinReadFor = what;
        return await Input.ReadToEndAsync(ct);
    }

    public static Uri ParseUrl(string url, string source)
    {
        var withSlash = url.EndsWith('/') ? url : url + "/";
        return Uri.TryCreate(withSlash, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new CliException(ExitCodes.Usage, $"{source} '{url}' is not an http(s) address, e.g. {DefaultUrl}.");
    }

    private Uri ResolveUrl(ParseResult parse, Lazy<SavedLogin?> saved)
    {
        if (parse.GetValue(Url) is { Length: > 0 } flag)
        {
            return ParseUrl(flag, "--url");
        }

        if (Environment.Variable(UrlVariable) is { Length: > 0 } fromEnvironment)
        {
            return ParseUrl(fromEnvironment, $"${UrlVariable}");
        }

        return saved.Value is { } login ? ParseUrl(login.Url, $"The saved login's address (in {Config().Path})") : ParseUrl(DefaultUrl, "The default address");
    }

    private string? ResolveToken(ParseResult parse, Uri url, Lazy<SavedLogin?> saved)
    {
        if (parse.GetValue(Token) is { Length: > 0 } token)
        {
            return token == StdinValue ? ReadTokenFromInput() : token;
        }

        if (Environment.Variable(TokenVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        // A data folder named on purpose (--data, $OFFLOAD_DATA) comes before the saved login; the default one after.
        var data = DataFolder(parse);
        var dataNamed = parse.GetValue(Data) is { Length: > 0 } || Environment.Variable(Standalone.DataFolder.EnvironmentVariable) is { Length: > 0 };
        if (dataNamed && data.HasSigningKey)
        {
            return Mint(data);
        }

        // The saved token goes only to the platform it was saved for, never to another --url or $OFFLOAD_URL.
        if (saved.Value is { } login && ParseUrl(login.Url, "The saved login's address") == url)
        {
            return login.Token;
        }

        return data.HasSigningKey ? Mint(data) : null;
    }

    /// <summary>The token of <c>--token -</c>: standard input (one line when a person types or pastes it on a terminal).</summary>
    public string ReadTokenFromInput()
    {
        if (_stdinReadFor is not null)
        {
            throw new CliException(ExitCodes.Usage, $"Standard input already gave {_stdinReadFor}: pass the token itself, or with ${TokenVariable}.");
        }

        _stdinReadFor = "the token (--token -)";
        var text = Environment.InputIsTerminal ? Input.ReadLine() : Input.ReadToEnd();
        return text?.Trim() is { Length: > 0 } token
            ? token
            : throw new CliException(ExitCodes.Usage, "--token -: standard input is empty; pipe the token in, e.g. `offload login --token - < token.txt`.");
    }

    private static string Mint(DataFolder data) =>
        new LocalTokenIssuer(data.AuthOptions()).Issue("offload-cli", DefaultTenant, [Roles.TenantAdmin], MintedTokenLifetime);
}
