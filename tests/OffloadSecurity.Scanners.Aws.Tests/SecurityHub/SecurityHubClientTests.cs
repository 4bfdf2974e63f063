using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Tests.SecurityHub;

/// <summary>
/// The client's wire behaviour against a recording handler. The end-to-end tests against the real cloud sandbox
/// on loopback live in OffloadSecurity.CloudSandbox.Tests (this project does not reference the sandbox).
/// </summary>
public sealed class SecurityHubClientTests
{
    private static readonly AwsCredentials Credentials = new("AKIAIOSFODNN7EXAMPLE", "client-test-secret");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Posts_a_signed_GetFindings_request_for_active_findings_to_the_regional_endpoint()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"Findings\":[]}"));

        await Client(handler).GetFindingsAsync(Credentials, "eu-west-1", null, Ct).ToListAsync(Ct);

        var request = handler.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Uri.ShouldBe(new Uri("https://securityhub.eu-west-1.amazonaws.com/findings"));
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("MaxResults").GetInt32().ShouldBe(100);
        var recordState = body.RootElement.GetProperty("Filters").GetProperty("RecordState")[0];
        (recordState.GetProperty("Value").GetString(), recordState.GetProperty("Comparison").GetString()).ShouldBe(("ACTIVE", "EQUALS"));
        body.RootElement.TryGetProperty("NextToken", out _).ShouldBeFalse();

        var verification = SigV4Verifier.Verify(request.AsReceived(), key => key == Credentials.AccessKeyId ? Credentials.SecretAccessKey : null,
            DateTimeOffset.UtcNow);
        verification.IsValid.ShouldBeTrue(verification.Message);
        (verification.Region, verification.Service).ShouldBe(("eu-west-1", "securityhub"));
    }

    [Fact]
    public async Task Calls_the_configured_service_url_instead_of_AWS()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"Findings\":[]}"));

        await Client(handler, "http://127.0.0.1:4566").GetFindingsPageAsync(Credentials, "us-east-1", null, 10, Ct);

        handler.Requests.Single().Uri.ShouldBe(new Uri("http://127.0.0.1:4566/findings"));
    }

    [Fact]
    public async Task Follows_NextToken_until_the_last_page_and_returns_findings_as_they_came()
    {
        var handler = new RecordingHandler(request => request.Body.Contains("\"NextToken\":\"page-2\"", StringComparison.Ordinal)
            ? RecordingHandler.Json("{\"Findings\":[{\"Id\":\"c\"}]}")
            : RecordingHandler.Json("{\"Findings\":[{\"Id\":\"a\"},{\"Id\":\"b\"}],\"NextToken\":\"page-2\"}"));

        var pages = await Client(handler).GetFindingsAsync(Credentials, "us-east-1", null, Ct).ToListAsync(Ct);

        pages.Select(p => p.NextToken).ShouldBe(["page-2", null]);
        pages.SelectMany(p => p.Findings).Select(f => f.GetProperty("Id").GetString()).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public async Task A_service_repeating_the_same_NextToken_stops_the_paging_with_an_error_instead_of_looping()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"Findings\":[{\"Id\":\"a\"}],\"NextToken\":\"same\"}"));

        var error = await Should.ThrowAsync<AwsServiceException>(Client(handler).GetFindingsAsync(Credentials, "us-east-1", null, Ct).ToListAsync(Ct).AsTask());

        error.ErrorCode.ShouldBe("RepeatedNextToken");
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Starts_from_the_given_token()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"Findings\":[]}"));

        await Client(handler).GetFindingsAsync(Credentials, "us-east-1", "resume-here", Ct).ToListAsync(Ct);

        handler.Requests.Single().Body.ShouldContain("\"NextToken\":\"resume-here\"");
    }

    [Fact]
    public async Task Turns_throttling_into_an_AwsServiceException_with_the_retry_delay()
    {
        var handler = new RecordingHandler(_ =>
        {
            var response = RecordingHandler.Json("{\"message\":\"Rate exceeded\"}", HttpStatusCode.TooManyRequests);
            response.Headers.Add("x-amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return response;
        });

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client(handler).GetFindingsPageAsync(Credentials, "us-east-1", null, 100, Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        error.ErrorCode.ShouldBe("TooManyRequestsException");
        error.IsThrottling.ShouldBeTrue();
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
        error.Message.ShouldBe("TooManyRequestsException: Rate exceeded");
    }

    [Theory]
    [InlineData(null, "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\",\"message\":\"bad token\"}", "UnrecognizedClientException", "bad token")]
    [InlineData(null, "{\"code\":\"AccessDeniedException\",\"Message\":\"not allowed\"}", "AccessDeniedException", "not allowed")]
    [InlineData(null, "{\"Code\":\"InvalidAccessException\",\"Message\":\"Security Hub is not enabled\"}", "InvalidAccessException", "Security Hub is not enabled")]
    [InlineData("InvalidSignatureException:http://internal.amazon.com/", "{\"message\":\"signature\"}", "InvalidSignatureException", "signature")]
    [InlineData(null, "<html>Bad gateway</html>", "Http502", "Bad Gateway")]
    public void Parses_AWS_JSON_error_bodies_and_headers(string? header, string body, string code, string message)
    {
        var error = AwsServiceException.Parse(HttpStatusCode.BadGateway, header, body, reasonPhrase: "Bad Gateway");

        error.ErrorCode.ShouldBe(code);
        error.Message.ShouldBe($"{code}: {message}");
    }

    [Fact]
    public void Masks_access_key_ids_that_an_error_message_echoes()
    {
        var error = AwsServiceException.Parse(HttpStatusCode.Forbidden, null,
            "{\"__type\":\"AccessDeniedException\",\"message\":\"Key AKIAIOSFODNN7EXAMPLE is not allowed\"}");

        error.Message.ShouldNotContain("AKIAIOSFODNN7EXAMPLE");
        error.Message.ShouldContain("AKIA****************");
    }

    [Fact]
    public async Task Rejects_a_region_that_is_not_an_AWS_region_name()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"Findings\":[]}"));

        await Should.ThrowAsync<ArgumentException>(
            Client(handler).GetFindingsPageAsync(Credentials, "evil.example.com/x", null, 10, Ct));
        handler.Requests.ShouldBeEmpty();
    }

    private static SecurityHubClient Client(RecordingHandler handler, string? serviceUrl = null) =>
        new(new HttpClient(handler), Options.Create(new AwsEndpointOptions { ServiceUrl = serviceUrl }));
}
