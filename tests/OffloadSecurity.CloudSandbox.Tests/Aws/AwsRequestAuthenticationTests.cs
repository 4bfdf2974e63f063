using System.Net;
using System.Text;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws;

public sealed class AwsRequestAuthenticationTests : IAsyncLifetime
{
    private static readonly SandboxAwsAccount Account = SandboxServer.Account("111122223333");
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rejects_an_unsigned_request_with_403()
    {
        using var request = SignedRequests.GetFindings(_sandbox.Address, "{}");

        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("MissingAuthenticationTokenException");
    }

    [Fact]
    public async Task Rejects_a_body_changed_after_signing_with_403()
    {
        using var request = await SignedRequests.SignedGetFindingsAsync(_sandbox.Address, Account.Credentials(), "{\"MaxResults\":5}");
        request.Content = new StringContent("{\"MaxResults\":100}", Encoding.UTF8, "application/json");

        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("InvalidSignatureException");
    }

    [Fact]
    public async Task Rejects_a_wrong_secret_with_403()
    {
        var credentials = new AwsCredentials(Account.AccessKeyId, "not-the-secret");
        using var request = await SignedRequests.SignedGetFindingsAsync(_sandbox.Address, credentials, "{}");

        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var (code, message) = await response.AwsErrorAsync();
        code.ShouldBe("InvalidSignatureException");
        message.ShouldNotContain(Account.SecretAccessKey);
    }

    [Fact]
    public async Task Rejects_an_unknown_access_key_as_an_unrecognized_client()
    {
        var credentials = new AwsCredentials("AKIAUNKNOWN000000000", "whatever");
        using var request = await SignedRequests.SignedGetFindingsAsync(_sandbox.Address, credentials, "{}");

        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("UnrecognizedClientException");
    }

    [Fact]
    public async Task Rejects_a_signature_for_another_service()
    {
        using var request = await SignedRequests.SignedGetFindingsAsync(
            _sandbox.Address, Account.Credentials(), "{}", service: "guardduty");

        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Message.ShouldContain("securityhub");
    }

    [Fact]
    public async Task Accepts_a_correctly_signed_request()
    {
        using var request = await SignedRequests.SignedGetFindingsAsync(_sandbox.Address, Account.Credentials(), "{\"MaxResults\":1}");

        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }
}
