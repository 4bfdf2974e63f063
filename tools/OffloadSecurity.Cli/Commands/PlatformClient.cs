using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffloadSecurity.Cli.Commands;

/// <summary>
/// The platform's public API as the CLI calls it. Every failure becomes a <see cref="CliException"/> that says
/// what went wrong and what to do, with the exit code scripts can rely on.
/// </summary>
public sealed class PlatformClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly HttpClient _http;

    public PlatformClient(Uri baseUrl, string? token)
    {
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseUrl { get; }
    public bool HasToken => _http.DefaultRequestHeaders.Authorization is not null;

    /// <summary>
    /// The command-line option behind each request field (e.g. <c>azure.clientId</c> → <c>--client-id</c>), so a
    /// validation error names what to change on the command line. Matched case-insensitively, by prefix for list items.
    /// </summary>
    public IReadOnlyDictionary<string, string> FieldOptions { get; set; } = new Dictionary<string, string>();

    public Task<T> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) => SendAsync<T>(
        new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) }, ct);

    /// <summary>A request whose answer has no body to read (e.g. 204 of a DELETE).</summary>
    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, path);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, ct);
    }

    /// <summary>
    /// A GET whose body the caller streams (an export): returned as soon as the headers are in, so the body is never
    /// held in memory whole. The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> OpenAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                ?? throw new CliException(ExitCodes.Failed, $"The platform answered {request.RequestUri} with an empty body.");
        }
    }

    /// <summary>Sends the request; a failure (unreachable, timeout, an error status) becomes a <see cref="CliException"/>.</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Unreachable($"no answer within {_http.Timeout.TotalSeconds:0}s");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await FailureAsync(request, response, ct);
        }
    }

    private CliException Unreachable(string reason) => new(ExitCodes.Unreachable,
        $"Cannot reach the platform at {BaseUrl} ({reason}). Is `offload up` running? Start it, or point --url (or $OFFLOAD_URL, " +
        "or `offload login --url`) at the platform.");

    private async Task<CliException> FailureAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var what = $"{request.Method} {request.RequestUri}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CliException(ExitCodes.AuthRefused, HasToken
                ? $"The platform refused the token (401 on {what}): it is expired, malformed or signed by another key. " +
                  "Get a new one with `offload token` on the platform's machine, and pass it with --token or $OFFLOAD_TOKEN, " +
                  "or save it with `offload login --url URL --token -`."
                : $"No token (401 on {what}). Save one with `offload login --url URL --token -`, or pass it with --token or " +
                  "$OFFLOAD_TOKEN (`offload token` prints one), or run the command on the machine where `offload up` keeps its data (--data)."),
            HttpStatusCode.Forbidden => new CliException(ExitCodes.AuthRefused,
                $"The token's role may not do this (403 on {what}). Connecting, syncing, disconnecting and deleting accounts need the tenant-admin role."),
            HttpStatusCode.NotFound => new CliException(ExitCodes.Failed, $"Not found (404 on {what}): check the id; `offload accounts list` and `offload findings list` show them."),
            HttpStatusCode.TooManyRequests => new CliException(ExitCodes.Failed,
                $"Too many requests for this tenant (429); try again in {response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 60:0}s."),
            _ => new CliException(ExitCodes.Failed, $"The platform refused the request ({status} {response.ReasonPhrase} on {what})" + await ProblemAsync(response, status, ct)),
        };
    }

    /// <summary>Problem details, field by field and with the option to change; or the body as text when it is not one.</summary>
    private async Task<string> ProblemAsync(HttpResponseMessage response, int status, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (string.IsNullOrWhiteSpace(body))
        {
            return ".";
        }

        ProblemBody? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize<ProblemBody>(body, Json);
        }
        catch (JsonException)
        {
        }

        if (problem is null || (problem.Title is null && problem.Errors is null))
        {
            return ": " + body.Trim().Trim('"');
        }

        var text = new StringBuilder(":");
        text.Append(' ').Append(problem.Title);
        if (problem.Detail is { Length: > 0 } detail && detail != problem.Title)
        {
            text.Append(' ').Append(detail);
        }

        var errors = problem.Errors ?? [];
        foreach (var (field, messages) in errors)
        {
            text.AppendLine().Append("  ").Append(field);
            if (OptionFor(field) is { } option)
            {
                text.Append(" (").Append(option).Append(')');
            }

            text.Append(": ").Append(string.Join(" ", messages));
        }

        if (errors.Count > 0)
        {
            text.AppendLine().Append(status == 422
                ? "The provider refused these credentials: check them and their permissions, then run the command again."
                : "Correct the values above and run the command again.");
        }

        return text.ToString();
    }

    private string? OptionFor(string field)
    {
        foreach (var (name, option) in FieldOptions)
        {
            if (field.Equals(name, StringComparison.OrdinalIgnoreCase)
                || (field.StartsWith(name, StringComparison.OrdinalIgnoreCase) && field.Length > name.Length && field[name.Length] == '['))
            {
                return option;
            }
        }

        return null;
    }

    private sealed record ProblemBody(string? Title, string? Detail, Dictionary<string, string[]>? Errors);
}
