using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>
/// Middleware: every request must carry a valid SigV4 signature from a configured access key, as AWS requires.
/// On success the <see cref="AwsCaller"/> is set as a request feature; otherwise the request ends with the error the
/// service it was signed for answers (a 403, or EC2's 401 AuthFailure), in that service's protocol.
/// </summary>
internal sealed class AwsRequestAuthentication(RequestDelegate next, AwsAccounts accounts, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var received = await ReadAsync(context);
        var verification = SigV4Verifier.Verify(received, accounts.SecretFor, time.GetUtcNow());
        if (!verification.IsValid)
        {
            await ServiceErrors.Authentication(
                    verification.Service ?? ServiceErrors.SignedService(context.Request), StatusCodes.Status403Forbidden,
                    ErrorCode(verification.Failure), verification.Message, verification.Failure == SigV4Failure.ExpiredOrSkewed)
                .ExecuteAsync(context);
            return;
        }

        context.Features.Set(new AwsCaller(
            accounts.FindByAccessKey(verification.AccessKeyId!)!, verification.Region!, verification.Service!));
        await next(context);
    }

    /// <summary>
    /// The request as SigV4 sees it. The body is part of the signature: it is read once and the endpoints get a
    /// rewindable copy. The path is taken exactly as the client sent it, before any decoding.
    /// </summary>
    public static async Task<ReceivedRequest> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        var body = new MemoryStream();
        context.Response.RegisterForDispose(body);
        await request.Body.CopyToAsync(body, context.RequestAborted);
        body.Position = 0;
        request.Body = body;

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var question = target.IndexOf('?', StringComparison.Ordinal);
        return new ReceivedRequest(
            request.Method,
            question < 0 ? target : target[..question],
            question < 0 ? "" : target[(question + 1)..],
            request.Headers.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v ?? ""))).ToList(),
            body.ToArray());
    }

    private static string ErrorCode(SigV4Failure failure) => failure switch
    {
        SigV4Failure.MissingAuthorization => "MissingAuthenticationTokenException",
        SigV4Failure.MissingOrMalformedHeader => "IncompleteSignatureException",
        SigV4Failure.UnknownAccessKey => "UnrecognizedClientException",
        _ => "InvalidSignatureException",
    };
}
