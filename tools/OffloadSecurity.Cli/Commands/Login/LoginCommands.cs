using System.CommandLine;
using System.Text;
using System.Text.Json;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Cli.Commands.Login;

/// <summary>
/// <c>offload login --url URL --token JWT|-</c> checks the token against the platform and saves both in the config
/// file (0600), for later commands that get no <c>--url</c>/<c>--token</c> and no <c>$OFFLOAD_URL</c>/<c>$OFFLOAD_TOKEN</c>;
/// <c>offload logout</c> removes it.
/// </summary>
public static class LoginCommands
{
    public static Command Login(CliSession session)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts): the address, tenant, roles, expiry and config file." };
        var command = new Command("login",
            $"Check a token against the platform (--url, --token; `--token -` reads it from standard input) and save both in " +
            $"${ConfigFile.DirectoryVariable}/{ConfigFile.FileName} (default ~/.config/offload), readable by you only, for later commands.")
        {
            json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var token = parse.GetValue(session.Token) switch
            {
                null or "" => throw new CliException(ExitCodes.Usage,
                    "offload login needs the token: --token <jwt>, or --token - to read it from standard input (e.g. `offload token | offload login --token -`)."),
                CliSession.StdinValue => ReadTokenFromInput(session, parse),
                var given => given.Trim(),
            };
            var url = session.ResolveUrl(parse);

            // The platform must accept the token before it is saved: any reader may list the tenant's accounts.
            using (var platform = new PlatformClient(url, token))
            {
                try
                {
                    await platform.GetAsync<AccountView[]>("api/accounts", ct);
                }
                catch (CliException ex)
                {
                    throw new CliException(ex.ExitCode, $"Not logged in, nothing saved. {ex.Message}");
                }
            }

            var config = session.Config();
            var login = new SavedLogin(url.ToString().TrimEnd('/'), token, DateTimeOffset.UtcNow);
            config.Save(login);
            var claims = TokenClaims.Read(token);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(new LoginResult(login.Url, claims?.Tenant, claims?.Roles ?? [], claims?.ExpiresAt, config.Path), PlatformClient.Json));
                return ExitCodes.Ok;
            }

            console.Line($"Logged in to {login.Url}" + (claims is null ? "." :
                $" as tenant '{claims.Tenant}' ({string.Join(", ", claims.Roles)})" +
                (claims.ExpiresAt is { } expires ? $"; the token expires {expires:u} (in {Until(expires)})." : ".")));
            console.Line($"Saved in {config.Path} (readable by you only). Commands without --url/--token use it; `offload logout` removes it.");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Logout(CliSession session)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts): whether a login was removed, and from where." };
        var command = new Command("logout", "Remove the address and token saved by `offload login`.") { json };
        command.SetAction(parse =>
        {
            var config = session.Config();
            var removed = config.Delete();
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(new LogoutResult(removed, config.Path), PlatformClient.Json));
            }
            else
            {
                console.Line(removed ? $"Logged out: removed {config.Path}." : $"Not logged in (no {config.Path}).");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ReadTokenFromInput(CliSession session, ParseResult parse)
    {
        if (session.Environment.InputIsTerminal)
        {
            session.Error(parse).Write("Paste the token and press Enter: ");
        }

        return session.ReadTokenFromInput();
    }

    private static string Until(DateTimeOffset at) => (at - DateTimeOffset.UtcNow) switch
    {
        var d when d < TimeSpan.Zero => "the past",
        var d when d < TimeSpan.FromHours(1) => $"{(int)d.TotalMinutes}m",
        var d when d < TimeSpan.FromDays(2) => $"{(int)d.TotalHours}h",
        var d => $"{(int)d.TotalDays}d",
    };
}

/// <summary><c>offload login --json</c>.</summary>
public sealed record LoginResult(string Url, string? Tenant, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt, string ConfigFile);

/// <summary><c>offload logout --json</c>.</summary>
public sealed record LogoutResult(bool Removed, string ConfigFile);

/// <summary>
/// What a token says about itself (tenant, roles, expiry), read without checking its signature: only to tell the
/// user what they saved. The platform is what checks it.
/// </summary>
public sealed record TokenClaims(string? Tenant, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt)
{
    public static TokenClaims? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            var root = json.RootElement;
            var tenant = root.TryGetProperty("tenant", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var roles = !root.TryGetProperty("role", out var r) ? []
                : r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(e => e.ToString()).ToArray()
                : [r.ToString()];
            DateTimeOffset? expires = root.TryGetProperty("exp", out var e) && e.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            return new TokenClaims(tenant, roles, expires);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
