using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>
/// The pure functions of AWS Signature Version 4: canonical request, string to sign, signing key and
/// signature. See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>SHA-256 of an empty body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    public static bool TryParseAmzDate(string? value, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(
            value, AmzDateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    public static string CanonicalRequest(SigV4Request request, bool normalizePath = true)
    {
        var (canonicalHeaders, signedHeaders) = CanonicalHeaders(request.Headers);
        return string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalUri(request.Path, normalizePath),
            CanonicalQueryString(request.Query),
            canonicalHeaders,
            signedHeaders,
            request.PayloadHash);
    }

    /// <summary>
    /// Removes <c>.</c>/<c>..</c> segments and empty segments (unless <paramref name="normalizePath"/> is
    /// false, as for S3), then URI-encodes every byte except unreserved characters and <c>/</c>.
    /// </summary>
    public static string CanonicalUri(string path, bool normalizePath = true)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        if (normalizePath)
        {
            var segments = new List<string>();
            foreach (var segment in path.Split('/'))
            {
                if (segment == "..")
                {
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }
                }
                else if (segment is not ("" or "."))
                {
                    segments.Add(segment);
                }
            }

            var trailingSlash = segments.Count > 0 && path.EndsWith('/');
            path = "/" + string.Join('/', segments) + (trailingSlash ? "/" : "");
        }

        return UriEncode(path, keepSlash: true);
    }

    /// <summary>
    /// Decodes each <c>name=value</c> pair of <paramref name="query"/>, re-encodes it strictly and sorts by name
    /// then value.
    /// </summary>
    public static string CanonicalQueryString(string query)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>
    /// Lower-cases names, trims values and collapses inner whitespace, joins repeated names with commas
    /// and sorts by name. Returns the header block (each line ends with a newline) and the signed-header list.
    /// </summary>
    public static (string CanonicalHeaders, string SignedHeaders) CanonicalHeaders(
        IEnumerable<KeyValuePair<string, string>> headers)
    {
        var byName = headers
            .GroupBy(h => h.Key.Trim().ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

        var block = new StringBuilder();
        foreach (var header in byName)
        {
            block.Append(header.Key).Append(':')
                .AppendJoin(',', header.Select(h => CollapseWhitespace(h.Value)))
                .Append('\n');
        }

        return (block.ToString(), string.Join(';', byName.Select(g => g.Key)));
    }

    public static string CredentialScope(DateTimeOffset time, string region, string service) =>
        $"{time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";

    public static string StringToSign(DateTimeOffset time, string credentialScope, string canonicalRequest) =>
        string.Join('\n', Algorithm, FormatAmzDate(time), credentialScope, HashHex(canonicalRequest));

    public static byte[] SigningKey(string secretAccessKey, DateTimeOffset time, string region, string service)
    {
        var date = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey),
            time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        return Hmac(Hmac(Hmac(date, region), service), "aws4_request");
    }

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(Hmac(signingKey, stringToSign));

    public static string AuthorizationHeader(
        string accessKeyId, string credentialScope, string signedHeaders, string signature) =>
        $"{Algorithm} Credential={accessKeyId}/{credentialScope}, SignedHeaders={signedHeaders}, Signature={signature}";

    /// <summary>
    /// Signs <paramref name="request"/> and returns the Authorization header value with the intermediate
    /// results (handy in tests and when a signature does not match).
    /// </summary>
    public static SigV4Result Sign(
        SigV4Request request, AwsCredentials credentials, DateTimeOffset time, string region, string service,
        bool normalizePath = true)
    {
        var canonicalRequest = CanonicalRequest(request, normalizePath);
        var scope = CredentialScope(time, region, service);
        var stringToSign = StringToSign(time, scope, canonicalRequest);
        var signature = Signature(SigningKey(credentials.SecretAccessKey, time, region, service), stringToSign);
        var signedHeaders = CanonicalHeaders(request.Headers).SignedHeaders;
        return new SigV4Result(
            canonicalRequest, stringToSign, signature,
            AuthorizationHeader(credentials.AccessKeyId, scope, signedHeaders, signature));
    }

    public static string HashHex(string text) => HashHex(Encoding.UTF8.GetBytes(text));

    public static string HashHex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string CollapseWhitespace(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>RFC 3986 encoding: every UTF-8 byte except A-Z a-z 0-9 - _ . ~ (and / when asked) becomes %XX.</summary>
    private static string UriEncode(string value, bool keepSlash = false)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}

/// <summary>The outcome of <see cref="SigV4.Sign"/>.</summary>
public sealed record SigV4Result(string CanonicalRequest, string StringToSign, string Signature, string Authorization);
