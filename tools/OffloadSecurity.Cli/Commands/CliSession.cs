using System.CommandLine;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.ServiceDefaults.Auth;
using Spectre.Console;

namespace OffloadSecurity.Cli.Commands;

/// <summary>
/// What every command shares in one invocation: the global options (<c>--url</c>, <c>--token</c>, <c>--data</c>)
/// and standard input (for secrets).
/// </summary>
public sealed class CliSession(TextReader input)
{
    public const string DefaultUrl = "http://127.0.0.1:5100";
    public const string UrlVariable = "OFFLOAD_URL";
    public const string TokenVariable = "OFFLOAD_TOKEN";
    public const string DefaultTenant = "default";
    private static readonly TimeSpan MintedTokenLifetime = TimeSpan.FromMinutes(15);

    public TextReader Input { get; } = input;

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The platform's address (default ${UrlVariable}, else {DefaultUrl}).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : DefaultUrl,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Bearer token (default ${TokenVariable}, else one minted from the local data folder's key when present).",
        Recursive = true,
    };

    public Option<string?> Data { get; } = new("--data")
    {
        Description = $"The standalone platform's data folder (default ${Standalone.DataFolder.EnvironmentVariable}, else ~/.offload).",
        Recursive = true,
    };

    public IAnsiConsole Out(ParseResult parse) => Terminal.For(parse.InvocationConfiguration.Output);

    public TextWriter Error(ParseResult parse) => parse.InvocationConfiguration.Error;

    public DataFolder DataFolder(ParseResult parse) => Standalone.DataFolder.Resolve(parse.GetValue(Data));

    /// <summary>A client for the platform at <c>--url</c>, with the caller's token.</summary>
    public PlatformClient Platform(ParseResult parse)
    {
        var url = parse.GetValue(Url)!;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"--url '{url}' is not an http(s) address, e.g. {DefaultUrl}.");
        }

        return new PlatformClient(baseUrl, ResolveToken(parse));
    }

    private string? ResolveToken(ParseResult parse)
    {
        if (parse.GetValue(Token) is { Length: > 0 } token)
        {
            return token;
        }

        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var data = DataFolder(parse);
        return data.HasSigningKey
            ? new LocalTokenIssuer(data.AuthOptions()).Issue("offload-cli", DefaultTenant, [Roles.TenantAdmin], MintedTokenLifetime)
            : null;
    }
}
