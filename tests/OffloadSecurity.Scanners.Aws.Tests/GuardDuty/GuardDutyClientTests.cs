using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Tests.GuardDuty;

/// <summary>
/// The GuardDuty client's wire behaviour against a recording handler; the tests against the real sandbox on loopback
/// live in OffloadSecurity.CloudSandbox.Tests.
/// </summary>
public sealed class GuardDutyClientTests
{
    private const string Detector = "12abc34d567e8fa901bc2d34e56789f0";
    private static readonly AwsCredentials Credentials = new("AKIAIOSFODNN7EXAMPLE", "guardduty-client-test-secret");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListDetectors_is_a_signed_GET_of_detector_at_the_regional_guardduty_endpoint()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json($"{{\"detectorIds\":[\"{Detector}\"]}}"));

        var detectors = await Client(handler).ListDetectorsAsync(Credentials, "eu-west-1", Ct).ToListAsync(Ct);

        detectors.ShouldBe([Detector]);
        var request = handler.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Uri.ShouldBe(new Uri("https://guardduty.eu-west-1.amazonaws.com/detector?maxResults=50"));
        request.Body.ShouldBeEmpty();
        var verification = SigV4Verifier.Verify(request.AsReceived(), SecretFor, DateTimeOffset.UtcNow);
        verification.IsValid.ShouldBeTrue(verification.Message);
        (verification.Region, verification.Service).ShouldBe(("eu-west-1", "guardduty"));
    }

    [Fact]
    public async Task No_detector_in_a_region_is_an_empty_list()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"detectorIds\":[]}"));

        (await Client(handler).ListDetectorsAsync(Credentials, "eu-west-1", Ct).ToListAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListFindings_posts_the_not_archived_criterion_with_the_largest_page()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"findingIds\":[\"a\",\"b\"]}"));

        var pages = await Client(handler).ListFindingsAsync(Credentials, "us-east-1", Detector, Ct).ToListAsync(Ct);

        pages.ShouldHaveSingleItem().Ids.ShouldBe(["a", "b"]);
        var request = handler.Requests.ShouldHaveSingleItem();
        (request.Method, request.Uri.AbsolutePath).ShouldBe(("POST", $"/detector/{Detector}/findings"));
        request.Header("Content-Type").ShouldBe("application/json");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("maxResults").GetInt32().ShouldBe(50);
        body.RootElement.GetProperty("findingCriteria").GetProperty("criterion").GetProperty("service.archived")
            .GetProperty("equals").EnumerateArray().Select(v => v.GetString()).ShouldBe(["false"]);
        body.RootElement.TryGetProperty("nextToken", out _).ShouldBeFalse();
        SigV4Verifier.Verify(request.AsReceived(), SecretFor, DateTimeOffset.UtcNow).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task ListFindings_follows_nextToken_until_a_page_has_none()
    {
        var handler = new RecordingHandler(request => NextToken(request) == "page/2+="
            ? RecordingHandler.Json("{\"findingIds\":[\"c\"],\"nextToken\":\"\"}")
            : RecordingHandler.Json("{\"findingIds\":[\"a\",\"b\"],\"nextToken\":\"page/2+=\"}"));

        var pages = await Client(handler).ListFindingsAsync(Credentials, "us-east-1", Detector, Ct).ToListAsync(Ct);

        pages.SelectMany(p => p.Ids).ShouldBe(["a", "b", "c"]);
        pages.Select(p => p.NextToken).ShouldBe(["page/2+=", null]);
    }

    [Fact]
    public async Task A_server_repeating_the_same_nextToken_stops_the_paging_with_an_error_instead_of_looping()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"findingIds\":[\"a\"],\"nextToken\":\"same\"}"));

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client(handler).ListFindingsAsync(Credentials, "us-east-1", Detector, Ct).ToListAsync(Ct).AsTask());

        error.ErrorCode.ShouldBe("RepeatedNextToken");
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ListDetectors_sends_the_next_token_escaped_in_the_query_and_signs_it()
    {
        var handler = new RecordingHandler(request => request.Uri.Query.Contains("nextToken", StringComparison.Ordinal)
            ? RecordingHandler.Json("{\"detectorIds\":[\"d2\"]}")
            : RecordingHandler.Json("{\"detectorIds\":[\"d1\"],\"nextToken\":\"a b/c+=\"}"));

        var detectors = await Client(handler).ListDetectorsAsync(Credentials, "us-east-1", Ct).ToListAsync(Ct);

        detectors.ShouldBe(["d1", "d2"]);
        var second = handler.Requests[1];
        second.Uri.Query.ShouldBe("?maxResults=50&nextToken=a%20b%2Fc%2B%3D");
        SigV4Verifier.Verify(second.AsReceived(), SecretFor, DateTimeOffset.UtcNow).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task GetFindings_asks_for_at_most_50_ids_per_call_in_order()
    {
        var ids = Enumerable.Range(0, 120).Select(i => $"f{i:000}").ToList();
        var handler = new RecordingHandler(request =>
        {
            using var body = JsonDocument.Parse(request.Body);
            var asked = body.RootElement.GetProperty("findingIds").EnumerateArray().Select(i => $"{{\"id\":\"{i.GetString()}\"}}");
            return RecordingHandler.Json($"{{\"findings\":[{string.Join(',', asked)}]}}");
        });

        var findings = await Client(handler).GetFindingsAsync(Credentials, "us-east-1", Detector, ids, Ct);

        findings.Select(f => f.GetProperty("id").GetString()).ShouldBe(ids);
        handler.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("findingIds").GetArrayLength()).ShouldBe([50, 50, 20]);
        handler.Requests.ShouldAllBe(r => r.Method == "POST" && r.Uri.AbsolutePath == $"/detector/{Detector}/findings/get");
    }

    [Fact]
    public async Task One_GetFindings_call_refuses_more_than_50_ids_before_sending()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"findings\":[]}"));
        var ids = Enumerable.Range(0, 51).Select(i => $"f{i}").ToList();

        await Should.ThrowAsync<ArgumentOutOfRangeException>(
            Client(handler).GetFindingsBatchAsync(Credentials, "us-east-1", Detector, ids, Ct));
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task No_ids_means_no_call()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"findings\":[]}"));

        (await Client(handler).GetFindingsAsync(Credentials, "us-east-1", Detector, [], Ct)).ShouldBeEmpty();
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Calls_the_configured_service_url_instead_of_AWS()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"detectorIds\":[]}"));

        await Client(handler, "http://127.0.0.1:4566").ListDetectorsAsync(Credentials, "us-east-1", Ct).ToListAsync(Ct);

        handler.Requests.Single().Uri.ShouldBe(new Uri("http://127.0.0.1:4566/detector?maxResults=50"));
    }

    [Fact]
    public async Task Access_denied_surfaces_as_an_AwsServiceException_that_is_neither_throttling_nor_authentication()
    {
        var handler = new RecordingHandler(_ =>
        {
            var response = RecordingHandler.Json("{\"message\":\"User is not authorized to perform: guardduty:ListDetectors\",\"__type\":\"AccessDeniedException\"}", HttpStatusCode.Forbidden);
            response.Headers.Add("x-amzn-ErrorType", "AccessDeniedException");
            return response;
        });

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client(handler).ListDetectorsAsync(Credentials, "us-east-1", Ct).ToListAsync(Ct).AsTask());

        error.ErrorCode.ShouldBe("AccessDeniedException");
        error.IsThrottling.ShouldBeFalse();
        error.IsAuthenticationFailure.ShouldBeFalse();
    }

    [Fact]
    public async Task With_its_call_policy_a_429_and_a_500_are_retried_until_the_page_comes()
    {
        var calls = 0;
        var handler = new RecordingHandler(_ => Interlocked.Increment(ref calls) switch
        {
            1 => Error(HttpStatusCode.TooManyRequests, "TooManyRequestsException"),
            2 => Error(HttpStatusCode.InternalServerError, "InternalServerErrorException"),
            _ => RecordingHandler.Json("{\"findingIds\":[\"a\"]}"),
        });
        using var limiters = new ApiRateLimiters();
        var policy = new AwsCallPolicy(limiters, new AwsRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
            TimeProvider.System, NullLogger<AwsCallPolicy>.Instance);

        var pages = await Client(handler, policy: policy).ListFindingsAsync(Credentials, "us-east-1", Detector, Ct).ToListAsync(Ct);

        pages.ShouldHaveSingleItem().Ids.ShouldBe(["a"]);
        calls.ShouldBe(3);
    }

    [Fact]
    public async Task Rejects_a_region_that_is_not_an_AWS_region_name()
    {
        var handler = new RecordingHandler(_ => RecordingHandler.Json("{\"detectorIds\":[]}"));

        await Should.ThrowAsync<ArgumentException>(Client(handler).ListDetectorsPageAsync(Credentials, "evil.example.com/x", null, 50, Ct));
        handler.Requests.ShouldBeEmpty();
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code)
    {
        var response = RecordingHandler.Json($"{{\"message\":\"{code}\"}}", status);
        response.Headers.Add("x-amzn-ErrorType", code);
        return response;
    }

    private static string? NextToken(RecordedRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return body.RootElement.TryGetProperty("nextToken", out var token) ? token.GetString() : null;
    }

    private static string? SecretFor(string key) => key == Credentials.AccessKeyId ? Credentials.SecretAccessKey : null;

    private static GuardDutyClient Client(RecordingHandler handler, string? serviceUrl = null, AwsCallPolicy? policy = null) =>
        new(new HttpClient(handler), Options.Create(new AwsEndpointOptions { ServiceUrl = serviceUrl }), policy: policy);
}
