using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Scanners.Aws.AwsApi;

/// <summary>
/// An AWS API answered with an error. <see cref="ErrorCode"/> is the bare AWS code
/// (<c>ThrottlingException</c>, <c>AccessDeniedException</c>, <c>InvalidSignatureException</c>, ...).
/// The message never contains credentials: access key ids in it are masked.
/// </summary>
public sealed partial class AwsServiceException : Exception
{
    private const int MaxMessageLength = 1000;

    public AwsServiceException(HttpStatusCode statusCode, string errorCode, string message, TimeSpan? retryAfter = null)
        : base(Clean(message))
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode StatusCode { get; }

    public string ErrorCode { get; }

    /// <summary>How long the service asked us to wait (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsThrottling =>
        StatusCode == HttpStatusCode.TooManyRequests ||
        ErrorCode is "ThrottlingException" or "Throttling" or "ThrottleException" or "TooManyRequestsException" or "RequestLimitExceeded"
            or "ThrottledException" or "SlowDown";

    /// <summary>
    /// The call was signed with temporary credentials that have run out: JSON services say ExpiredTokenException,
    /// query/XML services ExpiredToken, and EC2 RequestExpired (which it also uses for a request signed too long ago).
    /// </summary>
    public bool IsExpiredCredentials => ErrorCode is "ExpiredTokenException" or "ExpiredToken" or "RequestExpired";

    public bool IsAuthenticationFailure =>
        ErrorCode is "InvalidSignatureException" or "SignatureDoesNotMatch" or "UnrecognizedClientException"
            or "InvalidClientTokenId" or "ExpiredTokenException" or "ExpiredToken" or "MissingAuthenticationTokenException"
            or "IncompleteSignatureException" or "AuthFailure" or "InvalidAccessKeyId" or "InvalidToken";

    /// <summary>Reads an error response (JSON protocols: <c>__type</c>/<c>code</c>, <c>message</c>, <c>x-amzn-ErrorType</c>).</summary>
    public static async Task<AwsServiceException> FromResponseAsync(
        HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return Parse(response.StatusCode, errorType, body, retryAfter, response.ReasonPhrase);
    }

    public static AwsServiceException Parse(
        HttpStatusCode statusCode, string? errorTypeHeader, string? body, TimeSpan? retryAfter = null, string? reasonPhrase = null)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = StringProperty(json.RootElement, "__type", "code", "Code");
                message = StringProperty(json.RootElement, "message", "Message", "errorMessage");
            }
        }
        catch (JsonException)
        {
            // Not JSON (e.g. a proxy's HTML page): fall back to the header and the status line.
        }

        code = BareCode(errorTypeHeader) ?? BareCode(code) ?? $"Http{(int)statusCode}";
        message ??= reasonPhrase ?? statusCode.ToString();
        return new AwsServiceException(statusCode, code, $"{code}: {message}", retryAfter);
    }

    /// <summary><c>aws.protocoltests#ThrottlingException:http://internal...</c> becomes <c>ThrottlingException</c>.</summary>
    private static string? BareCode(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        return code[(code.LastIndexOf('#') + 1)..].Trim() is { Length: > 0 } bare ? bare : null;
    }

    private static string? StringProperty(JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }
        }

        return null;
    }

    private static string Clean(string message)
    {
        message = AccessKeyIdPattern().Replace(message, m => m.Value[..4] + "****************");
        return message.Length <= MaxMessageLength ? message : message[..MaxMessageLength] + "…";
    }

    [GeneratedRegex(@"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyIdPattern();
}
