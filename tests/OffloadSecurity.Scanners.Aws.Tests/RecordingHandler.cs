using System.Net;
using System.Text;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Tests;

/// <summary>A request as a <see cref="RecordingHandler"/> saw it: method, URI, every header, and the body.</summary>
public sealed record RecordedRequest(string Method, Uri Uri, List<KeyValuePair<string, string>> Headers, string Body)
{
    /// <summary>The request as the server side of SigV4 sees it (the handler adds no Host header, so it is added here).</summary>
    public ReceivedRequest AsReceived() => new(
        Method, Uri.AbsolutePath, Uri.Query, [.. Headers, KeyValuePair.Create("Host", Uri.Authority)], Encoding.UTF8.GetBytes(Body));

    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>Records each request (headers, body) and answers from the given function of the request.</summary>
public sealed class RecordingHandler(Func<RecordedRequest, HttpResponseMessage> respond) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.NonValidated.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v))).ToList();
        if (request.Content is not null)
        {
            headers.AddRange(request.Content.Headers.NonValidated.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v))));
        }

        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        return respond(recorded);
    }
}
