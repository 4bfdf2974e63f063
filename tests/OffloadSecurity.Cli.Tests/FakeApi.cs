using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OffloadSecurity.Cli.Tests;

/// <summary>One request as <see cref="FakeApi"/> received it.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body)
{
    public JsonNode? Json => JsonNode.Parse(Body);
}

/// <summary>
/// A tiny HTTP server on 127.0.0.1 (a free port) that records every request and answers as told: what the CLI
/// sends, checked byte for byte, for API changes that land in the services later.
/// </summary>
public sealed class FakeApi : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication _app = null!;

    private FakeApi()
    {
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>How to answer a request; by default 404.</summary>
    public Func<RecordedRequest, IResult> Answer { get; set; } = _ => Results.NotFound();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeApi> StartAsync()
    {
        var api = new FakeApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var request = new RecordedRequest(
                http.Request.Method,
                http.Request.Path + http.Request.QueryString,
                http.Request.Headers.Authorization.FirstOrDefault(),
                http.Request.ContentType,
                await reader.ReadToEndAsync(http.RequestAborted));
            api._requests.Enqueue(request);
            await api.Answer(request).ExecuteAsync(http);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        api._app = app;
        api.Url = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
