using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>
/// What the sandbox's awsJson1.1 services (KMS, ECR, Tagging) share: they all take <c>POST /</c>, alongside STS, and
/// are told apart by their <c>X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;</c> header; a request must be signed for
/// the service; its body is one JSON document.
/// </summary>
internal static class AwsJsonTarget
{
    /// <summary>
    /// Sends every request whose target starts with <paramref name="targetPrefix"/> to <paramref name="dispatch"/>,
    /// with its verified caller and the operation named by the target; a request signed for another service is refused.
    /// </summary>
    public static WebApplication MapJsonTarget(
        this WebApplication app, string serviceName, string targetPrefix, Func<HttpContext, AwsCaller, string, Task<IResult>> dispatch)
    {
        app.UseWhen(
            context => Target(context).StartsWith(targetPrefix, StringComparison.Ordinal),
            branch => branch.Run(async context =>
            {
                var caller = context.Features.GetRequiredFeature<AwsCaller>();
                var result = caller.Service != serviceName
                    ? AwsError.InvalidSignature($"Credential should be scoped to correct service: '{serviceName}'.")
                    : await dispatch(context, caller, Target(context)[targetPrefix.Length..]);
                await result.ExecuteAsync(context);
            }));
        return app;
    }

    /// <summary>The request's JSON body, or the SerializationException the services answer when it is not JSON.</summary>
    public static async Task<(JsonElement Body, IResult? Error)> ReadBodyAsync(HttpContext context)
    {
        try
        {
            using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return (json.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (default, Error("SerializationException", "The request body is not valid JSON."));
        }
    }

    /// <summary>A client error as the JSON protocols answer it (400 with <c>__type</c> and message).</summary>
    public static AwsError Error(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    private static string Target(HttpContext context) => context.Request.Headers["X-Amz-Target"].ToString();
}
