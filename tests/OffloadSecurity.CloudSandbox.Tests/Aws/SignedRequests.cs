using System.Text;
using System.Text.Json;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws;

/// <summary>Raw, SigV4-signed calls to the sandbox, for tests that need to get at the wire.</summary>
public static class SignedRequests
{
    public static AwsCredentials Credentials(this SandboxAwsAccount account) => new(account.AccessKeyId, account.SecretAccessKey);

    public static HttpRequestMessage GetFindings(Uri address, string body) =>
        new(HttpMethod.Post, new Uri(address, "/findings"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

    public static async Task<HttpRequestMessage> SignedGetFindingsAsync(
        Uri address, AwsCredentials credentials, string body, string region = "us-east-1", string service = "securityhub")
    {
        var request = GetFindings(address, body);
        await new SigV4Signer().SignAsync(request, credentials, region, service, TestContext.Current.CancellationToken);
        return request;
    }

    /// <summary>A request to <paramref name="pathAndQuery"/>, with a JSON body when given, signed for the service and region.</summary>
    public static async Task<HttpRequestMessage> SignedAsync(
        HttpMethod method, Uri address, string pathAndQuery, string? body, AwsCredentials credentials, string region, string service)
    {
        var request = new HttpRequestMessage(method, new Uri(address, pathAndQuery));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        await new SigV4Signer().SignAsync(request, credentials, region, service, TestContext.Current.CancellationToken);
        return request;
    }

    public static async Task<(string Code, string Message)> AwsErrorAsync(this HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        response.Headers.GetValues("x-amzn-ErrorType").Single().ShouldBe(json.RootElement.GetProperty("__type").GetString());
        return (json.RootElement.GetProperty("__type").GetString()!, json.RootElement.GetProperty("message").GetString()!);
    }
}
