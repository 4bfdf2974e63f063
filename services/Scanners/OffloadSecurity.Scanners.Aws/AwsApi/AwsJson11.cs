using System.Net.Http.Headers;
using System.Text.Json;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.AwsApi;

/// <summary>
/// The awsJson1.1 protocol (ECR, Tagging): <c>POST /</c> with the operation in <c>X-Amz-Target</c>, a JSON body, a
/// JSON answer; errors become <see cref="AwsServiceException"/>.
/// </summary>
public static class AwsJson11
{
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>One signed call of <paramref name="target"/> (<c>Prefix.Operation</c>); the caller disposes the answer.</summary>
    public static async Task<JsonDocument> SendAsync(
        HttpClient http, SigV4Signer signer, Uri endpoint, string target, byte[] body, AwsCredentials credentials, string region,
        string signingName, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        await signer.SignAsync(request, credentials, region, signingName, ct);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await AwsServiceException.FromResponseAsync(response, ct);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(stream, cancellationToken: ct);
    }
}
