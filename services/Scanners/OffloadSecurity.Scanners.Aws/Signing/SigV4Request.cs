namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>
/// The parts of an HTTP request that SigV4 signs.
/// </summary>
/// <param name="Method">HTTP method, e.g. <c>POST</c>.</param>
/// <param name="Path">The path as sent on the wire (for non-S3 services it is URI-encoded once more when signing).</param>
/// <param name="Query">The raw query string without the leading <c>?</c>; empty when there is none.</param>
/// <param name="Headers">The headers to sign (name, value); a name may repeat.</param>
/// <param name="PayloadHash">Lower-case hex SHA-256 of the body.</param>
public sealed record SigV4Request(
    string Method,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadHash);
