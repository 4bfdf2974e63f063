using System.Text;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Tests.Signing;

public sealed class SigV4SignerTests
{
    private readonly SigV4Signer _signer = new(new FixedTimeProvider(SigV4TestSuite.Time));

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-query-order-encoded")]
    [InlineData("get-vanilla-with-session-token")]
    [InlineData("post-vanilla-query")]
    [InlineData("post-x-www-form-urlencoded")]
    [InlineData("post-x-www-form-urlencoded-parameters")]
    [InlineData("post-sts-token/post-sts-header-before")]
    public async Task Signs_an_HttpRequestMessage_like_the_suite(string caseId)
    {
        var parsed = SigV4TestSuite.Parse(caseId);
        var query = parsed.Query.Length == 0 ? "" : "?" + parsed.Query;
        using var request = new HttpRequestMessage(new HttpMethod(parsed.Method), "https://example.amazonaws.com" + parsed.Path + query);
        var contentType = parsed.Headers.FirstOrDefault(h => h.Key == "Content-Type").Value;
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(parsed.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        await _signer.SignAsync(request, SigV4TestSuite.Credentials(SigV4TestSuite.SessionToken(caseId)), SigV4TestSuite.Region, SigV4TestSuite.Service,
            TestContext.Current.CancellationToken);

        request.Headers.GetValues("Authorization").Single().ShouldBe(SigV4TestSuite.Read(caseId, "authz"));
    }

    [Fact]
    public async Task Adds_the_date_the_session_token_and_replaces_an_old_signature()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/findings")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "stale");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20000101T000000Z");

        await _signer.SignAsync(request, new AwsCredentials("AKIDEXAMPLE", "secret", "session-token"), "eu-west-1", "securityhub",
            TestContext.Current.CancellationToken);

        request.Headers.GetValues("X-Amz-Date").Single().ShouldBe("20150830T123600Z");
        request.Headers.GetValues("X-Amz-Security-Token").Single().ShouldBe("session-token");
        request.Headers.Contains("X-Amz-Content-Sha256").ShouldBeFalse();
        var authorization = request.Headers.GetValues("Authorization").Single();
        authorization.ShouldStartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/securityhub/aws4_request, ");
        authorization.ShouldContain("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,");
    }

    [Fact]
    public async Task Adds_the_payload_hash_header_for_S3()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.amazonaws.com/key");

        await _signer.SignAsync(request, SigV4TestSuite.Credentials(), "us-east-1", "s3", TestContext.Current.CancellationToken);

        request.Headers.GetValues("X-Amz-Content-Sha256").Single().ShouldBe(SigV4.EmptyPayloadHash);
        request.Headers.GetValues("Authorization").Single().ShouldContain("SignedHeaders=host;x-amz-content-sha256;x-amz-date,");
    }

    [Fact]
    public void Credentials_never_print_their_secret()
    {
        var text = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "the-session-token").ToString();

        text.ShouldContain("AKIDEXAMPLE");
        text.ShouldNotContain("wJalrXUtnFEMI");
        text.ShouldNotContain("the-session-token");
    }
}
