using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>A request as a server received it, for <see cref="SigV4Verifier"/>.</summary>
/// <param name="Path">The path exactly as sent on the wire (still percent-encoded).</param>
/// <param name="Query">The raw query string, with or without the leading <c>?</c>.</param>
/// <param name="Headers">Every received header; a name may repeat.</param>
public sealed record ReceivedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body);

public enum SigV4Failure
{
    None,

    /// <summary>No Authorization header.</summary>
    MissingAuthorization,

    /// <summary>Authorization header malformed, or a header it needs (x-amz-date, host) missing or unsigned.</summary>
    MissingOrMalformedHeader,

    UnknownAccessKey,

    /// <summary>x-amz-date more than <see cref="SigV4Verifier.MaxClockSkew"/> away from now, or not the scope's day.</summary>
    ExpiredOrSkewed,

    SignatureMismatch,
}

/// <summary>The outcome of a verification. The message never contains a secret.</summary>
public sealed record SigV4Verification(
    SigV4Failure Failure,
    string Message,
    string? AccessKeyId = null,
    string? Region = null,
    string? Service = null)
{
    public bool IsValid => Failure == SigV4Failure.None;
}

/// <summary>
/// Server side of SigV4: recomputes the signature of a received request and compares it in constant time.
/// </summary>
public static partial class SigV4Verifier
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    public static SigV4Verification Verify(
        ReceivedRequest request, Func<string, string?> secretForAccessKey, DateTimeOffset now)
    {
        var authorization = Header(request, "authorization");
        if (authorization is null)
        {
            return Fail(SigV4Failure.MissingAuthorization, "Missing Authentication Token");
        }

        var match = AuthorizationPattern().Match(authorization);
        if (!match.Success)
        {
            return Fail(SigV4Failure.MissingOrMalformedHeader,
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' for " + SigV4.Algorithm + ".");
        }

        var accessKeyId = match.Groups["key"].Value;
        var scopeDate = match.Groups["date"].Value;
        var region = match.Groups["region"].Value;
        var service = match.Groups["service"].Value;
        var signedHeaders = match.Groups["signed"].Value.Split(';');
        var claimed = match.Groups["signature"].Value;

        if (!signedHeaders.Contains("host") || !signedHeaders.Contains("x-amz-date"))
        {
            return Fail(SigV4Failure.MissingOrMalformedHeader, "The host and x-amz-date headers must be signed.");
        }

        if (!SigV4.TryParseAmzDate(Header(request, "x-amz-date"), out var time))
        {
            return Fail(SigV4Failure.MissingOrMalformedHeader, "Missing or malformed x-amz-date header (yyyyMMddTHHmmssZ).");
        }

        if ((now - time).Duration() > MaxClockSkew)
        {
            return Fail(SigV4Failure.ExpiredOrSkewed,
                $"Signature expired: {SigV4.FormatAmzDate(time)} is more than {MaxClockSkew.TotalMinutes} minutes from the server time {SigV4.FormatAmzDate(now)}.");
        }

        if (scopeDate != time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
        {
            return Fail(SigV4Failure.ExpiredOrSkewed, "The credential scope date does not match x-amz-date.");
        }

        var secret = secretForAccessKey(accessKeyId);
        if (secret is null)
        {
            return Fail(SigV4Failure.UnknownAccessKey, "The security token included in the request is invalid.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in signedHeaders)
        {
            var values = request.Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (values.Count == 0)
            {
                return Fail(SigV4Failure.MissingOrMalformedHeader, $"The signed header '{name}' is missing from the request.");
            }

            headers.AddRange(values);
        }

        var signing = new SigV4Request(request.Method, request.Path, request.Query, headers, SigV4.HashHex(request.Body.Span));
        var expected = SigV4.Sign(signing, new AwsCredentials(accessKeyId, secret), time, region, service, normalizePath: service != "s3");

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected.Signature), Encoding.ASCII.GetBytes(claimed))
            ? new SigV4Verification(SigV4Failure.None, "OK", accessKeyId, region, service)
            : new SigV4Verification(SigV4Failure.SignatureMismatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
                accessKeyId, region, service);
    }

    private static SigV4Verification Fail(SigV4Failure failure, string message) => new(failure, message);

    private static string? Header(ReceivedRequest request, string name)
    {
        var values = request.Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(',', values);
    }

    [GeneratedRegex(
        @"^AWS4-HMAC-SHA256\s+Credential=(?<key>[^/\s]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request,\s*SignedHeaders=(?<signed>[a-z0-9\-;]+),\s*Signature=(?<signature>[0-9a-f]{64})$",
        RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationPattern();
}
