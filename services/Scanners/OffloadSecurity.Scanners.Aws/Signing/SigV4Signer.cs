namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>
/// Signs an <see cref="HttpRequestMessage"/> in place with SigV4 (Authorization header). Signs <c>host</c>,
/// <c>content-type</c> and every <c>x-amz-*</c> header.
/// </summary>
public sealed class SigV4Signer(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task SignAsync(
        HttpRequestMessage request, AwsCredentials credentials, string region, string service,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request.RequestUri);
        var uri = request.RequestUri;
        var now = _time.GetUtcNow();

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var payloadHash = SigV4.HashHex(body);

        request.Headers.Remove("Authorization");
        SetHeader(request, "X-Amz-Date", SigV4.FormatAmzDate(now));
        if (credentials.SessionToken is not null)
        {
            SetHeader(request, "X-Amz-Security-Token", credentials.SessionToken);
        }

        // S3 requires the payload hash as a header; other services accept it but do not need it.
        if (service == "s3")
        {
            SetHeader(request, "X-Amz-Content-Sha256", payloadHash);
        }

        var headers = new List<KeyValuePair<string, string>>
        {
            new("host", request.Headers.Host ?? uri.Authority),
        };
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                headers.AddRange(values.Select(v => KeyValuePair.Create(name, v)));
            }
        }

        if (request.Content?.Headers.NonValidated.TryGetValues("Content-Type", out var contentTypes) == true)
        {
            headers.AddRange(contentTypes.Select(v => KeyValuePair.Create("content-type", v)));
        }

        var signing = new SigV4Request(request.Method.Method, uri.AbsolutePath, uri.Query, headers, payloadHash);
        var result = SigV4.Sign(signing, credentials, now, region, service, normalizePath: service != "s3");
        request.Headers.TryAddWithoutValidation("Authorization", result.Authorization);
    }

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}
