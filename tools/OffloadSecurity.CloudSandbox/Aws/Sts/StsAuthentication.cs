using System.Security.Cryptography;
using System.Text;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Aws.Sts;

/// <summary>The temporary session a request was signed with (absent for long-term access keys).</summary>
internal sealed record StsCaller(StsSession? Session);

/// <summary>
/// Middleware in front of <see cref="AwsRequestAuthentication"/>: it authenticates requests signed for STS (whose
/// errors are XML) and requests signed with temporary credentials the sandbox STS issued (which must carry their
/// <c>X-Amz-Security-Token</c>). Every other request goes on to <see cref="AwsRequestAuthentication"/> unchanged.
/// </summary>
internal sealed class StsAuthentication
{
    private readonly RequestDelegate _next;
    private readonly AwsRequestAuthentication _longTermKeys;
    private readonly AwsAccounts _accounts;
    private readonly StsSessions _sessions;
    private readonly TimeProvider _time;

    public StsAuthentication(RequestDelegate next, AwsAccounts accounts, StsSessions sessions, TimeProvider time)
    {
        _next = next;
        _longTermKeys = new AwsRequestAuthentication(next, accounts, time);
        _accounts = accounts;
        _sessions = sessions;
        _time = time;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var (accessKeyId, service) = ParseCredential(context.Request.Headers.Authorization.ToString());
        var isSts = service == StsEndpoints.ServiceName;
        if (accessKeyId is null || (!isSts && !StsSessions.IsTemporaryAccessKey(accessKeyId)))
        {
            await _longTermKeys.InvokeAsync(context);
            return;
        }

        var request = context.Request;
        var received = await AwsRequestAuthentication.ReadAsync(context);

        StsSession? session = null;
        var expired = false;
        string? SecretFor(string key)
        {
            if (StsSessions.IsTemporaryAccessKey(key))
            {
                session = _sessions.Find(key, out expired);
                return session?.SecretAccessKey;
            }

            return _accounts.SecretFor(key);
        }

        var verification = SigV4Verifier.Verify(received, SecretFor, _time.GetUtcNow());
        var failure = verification.IsValid ? null : Failure(verification, expired, isSts, service);
        // Temporary keys need their own session token; long-term keys must not send one (AWS refuses both).
        var tokenSent = request.Headers.ContainsKey("X-Amz-Security-Token");
        if (failure is null && (StsSessions.IsTemporaryAccessKey(accessKeyId) ? !TokenMatches(request, session!) : tokenSent))
        {
            failure = Error(isSts, service, StatusCodes.Status403Forbidden,
                isSts ? "InvalidClientTokenId" : "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (failure is not null)
        {
            await failure.ExecuteAsync(context);
            return;
        }

        var account = session?.Account ?? _accounts.FindByAccessKey(accessKeyId)!;
        context.Features.Set(new AwsCaller(account, verification.Region!, verification.Service!));
        context.Features.Set(new StsCaller(session));
        await _next(context);
    }

    private static bool TokenMatches(HttpRequest request, StsSession session)
    {
        var sent = request.Headers["X-Amz-Security-Token"].ToString();
        return sent.Length > 0 &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.SessionToken));
    }

    private static IResult Failure(SigV4Verification verification, bool expired, bool isSts, string? service)
    {
        if (expired)
        {
            return Error(isSts, service, StatusCodes.Status403Forbidden, isSts ? "ExpiredToken" : "ExpiredTokenException",
                "The security token included in the request is expired");
        }

        var code = (verification.Failure, isSts) switch
        {
            (SigV4Failure.MissingAuthorization, true) => "MissingAuthenticationToken",
            (SigV4Failure.MissingOrMalformedHeader, true) => "IncompleteSignature",
            (SigV4Failure.UnknownAccessKey, true) => "InvalidClientTokenId",
            (_, true) => "SignatureDoesNotMatch",
            (SigV4Failure.MissingAuthorization, false) => "MissingAuthenticationTokenException",
            (SigV4Failure.MissingOrMalformedHeader, false) => "IncompleteSignatureException",
            (SigV4Failure.UnknownAccessKey, false) => "UnrecognizedClientException",
            _ => "InvalidSignatureException",
        };
        return Error(isSts, service, StatusCodes.Status403Forbidden, code, verification.Message, verification.Failure == SigV4Failure.ExpiredOrSkewed);
    }

    /// <summary>STS answers XML errors; every other service answers in its own protocol (EC2 and S3 XML, the rest JSON).</summary>
    private static IResult Error(bool isSts, string? service, int status, string code, string message, bool skewed = false) =>
        isSts ? new StsError(status, code, message) : ServiceErrors.Authentication(service, status, code, message, skewed);

    /// <summary>The access key id and service of <c>Credential=AKID/date/region/service/aws4_request</c>, if present.</summary>
    private static (string? AccessKeyId, string? Service) ParseCredential(string authorization)
    {
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return (null, null);
        }

        var end = authorization.IndexOfAny([',', ' '], start);
        var parts = authorization[(start + "Credential=".Length)..(end < 0 ? authorization.Length : end)].Split('/');
        return parts.Length == 5 ? (parts[0], parts[3]) : (null, null);
    }
}
