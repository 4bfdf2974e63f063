using System.Text;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Tests.Signing;

public sealed class SigV4VerifierTests
{
    private const string Secret = "sandbox-secret";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Accepts_a_request_signed_with_the_right_secret()
    {
        var received = await SignedRequest("{\"MaxResults\":10}");

        var result = SigV4Verifier.Verify(received, SecretFor, Now);

        result.IsValid.ShouldBeTrue(result.Message);
        (result.AccessKeyId, result.Region, result.Service).ShouldBe(("AKIDSANDBOX", "eu-west-1", "securityhub"));
    }

    [Fact]
    public async Task Rejects_a_request_whose_signature_is_wrong()
    {
        var received = await SignedRequest("{}", secret: "not-the-secret");

        SigV4Verifier.Verify(received, SecretFor, Now).Failure.ShouldBe(SigV4Failure.SignatureMismatch);
    }

    [Fact]
    public async Task Rejects_a_request_whose_body_was_changed_after_signing()
    {
        var received = await SignedRequest("{\"MaxResults\":10}");

        var tampered = received with { Body = Encoding.UTF8.GetBytes("{\"MaxResults\":99}") };

        SigV4Verifier.Verify(tampered, SecretFor, Now).Failure.ShouldBe(SigV4Failure.SignatureMismatch);
    }

    [Fact]
    public async Task Rejects_an_unknown_access_key()
    {
        var received = await SignedRequest("{}", accessKeyId: "AKIDUNKNOWN");

        SigV4Verifier.Verify(received, SecretFor, Now).Failure.ShouldBe(SigV4Failure.UnknownAccessKey);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public async Task Rejects_a_date_more_than_15_minutes_away(int minutes)
    {
        var received = await SignedRequest("{}", signedAt: Now.AddMinutes(minutes));

        SigV4Verifier.Verify(received, SecretFor, Now).Failure.ShouldBe(SigV4Failure.ExpiredOrSkewed);
    }

    [Fact]
    public async Task Accepts_a_clock_a_few_minutes_off()
    {
        var received = await SignedRequest("{}", signedAt: Now.AddMinutes(-14));

        SigV4Verifier.Verify(received, SecretFor, Now).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Rejects_a_request_without_authorization()
    {
        var received = new ReceivedRequest("POST", "/findings", "", [KeyValuePair.Create("Host", "127.0.0.1:4566")], Array.Empty<byte>());

        SigV4Verifier.Verify(received, SecretFor, Now).Failure.ShouldBe(SigV4Failure.MissingAuthorization);
    }

    [Fact]
    public async Task Rejects_a_request_missing_a_signed_header()
    {
        var received = await SignedRequest("{}");

        var withoutContentType = received with { Headers = received.Headers.Where(h => h.Key != "Content-Type").ToList() };

        var result = SigV4Verifier.Verify(withoutContentType, SecretFor, Now);
        result.Failure.ShouldBe(SigV4Failure.MissingOrMalformedHeader);
        result.Message.ShouldContain("content-type");
    }

    [Fact]
    public async Task Rejects_a_malformed_authorization_header()
    {
        var received = await SignedRequest("{}");
        var headers = received.Headers.Where(h => h.Key != "Authorization").Append(KeyValuePair.Create("Authorization", "AWS4-HMAC-SHA256 garbage")).ToList();

        SigV4Verifier.Verify(received with { Headers = headers }, SecretFor, Now).Failure.ShouldBe(SigV4Failure.MissingOrMalformedHeader);
    }

    private static string? SecretFor(string accessKeyId) => accessKeyId == "AKIDSANDBOX" ? Secret : null;

    /// <summary>Signs a Security Hub call with the real signer and turns it into what a server receives.</summary>
    private static async Task<ReceivedRequest> SignedRequest(
        string body, string accessKeyId = "AKIDSANDBOX", string secret = Secret, DateTimeOffset? signedAt = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/findings")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        await new SigV4Signer(new FixedTimeProvider(signedAt ?? Now))
            .SignAsync(request, new AwsCredentials(accessKeyId, secret), "eu-west-1", "securityhub", TestContext.Current.CancellationToken);

        var headers = request.Headers.NonValidated
            .Concat(request.Content.Headers.NonValidated)
            .SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v)))
            .Append(KeyValuePair.Create("Host", "127.0.0.1:4566"))
            .ToList();
        return new ReceivedRequest("POST", "/findings", "", headers, Encoding.UTF8.GetBytes(body));
    }
}
