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

    public Task<T> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) => SendAsync<T>(
        new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) }, ct);

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException ex)
            {
                throw Unreachable(ex.Message);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                throw Unreachable($"no answer within {_http.Timeout.TotalSeconds:0}s");
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await FailureAsync(request, response, ct);
                }

                return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                    ?? throw new CliException(ExitCodes.Failed, $"The platform answered {request.RequestUri} with an empty body.");
            }
        }
    }

    private CliException Unreachable(string reason) => new(ExitCodes.Unreachable,
        $"Cannot reach the platform at {BaseUrl} ({reason}). Is `offload up` running? Start it, or point --url (or $OFFLOAD_URL) at the platform.");

    private async Task<CliException> FailureAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var what = $"{request.Method} {request.RequestUri}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CliException(ExitCodes.AuthRefused, HasToken
                ? $"The platform refused the token (401 on {what}): it is expired, malformed or signed by another key. " +
                  "Get a new one with `offload token` on the platform's machine, and pass it with --token or $OFFLOAD_TOKEN."
                : $"No token (401 on {what}). Pass one with --token or $OFFLOAD_TOKEN (`offload token` prints one), " +
                  "or run the command on the machine where `offload up` keeps its data (--data)."),
            HttpStatusCode.Forbidden => new CliException(ExitCodes.AuthRefused,
                $"The token's role may not do this (403 on {what}). Connecting and syncing accounts needs the tenant-admin role."),
            HttpStatusCode.NotFound => new CliException(ExitCodes.Failed, $"Not found (404 on {what}): check the id; `offload accounts list` and `offload findings list` show them."),
            HttpStatusCode.TooManyRequests => new CliException(ExitCodes.Failed,
                $"Too many requests for this tenant (429); try again in {response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 60:0}s."),
            _ => new CliException(ExitCodes.Failed, $"The platform refused the request ({status} {response.ReasonPhrase} on {what})" + await ProblemAsync(response, ct)),
        };
    }

    /// <summary>Problem details, field by field; or the body as text when it is not one.</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
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
        if (problem.Detail is { Length: > 0 } detail)
        {
            text.Append(' ').Append(detail);
        }

        foreach (var (field, messages) in problem.Errors ?? [])
        {
            text.AppendLine().Append("  ").Append(field).Append(": ").Append(string.Join(" ", messages));
        }

        return text.ToString();
    }

    private sealed record ProblemBody(string? Title, string? Detail, Dictionary<string, string[]>? Errors);
}
