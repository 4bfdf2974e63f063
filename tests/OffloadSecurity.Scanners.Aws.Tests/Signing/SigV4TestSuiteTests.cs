using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Tests.Signing;

/// <summary>Every case of the AWS SigV4 test suite, one test row per case.</summary>
public sealed class SigV4TestSuiteTests
{
    /// <summary>The cases botocore's own test_sigv4.py skips, with its reasons.</summary>
    private static readonly Dictionary<string, string> SkippedLikeBotocore = new()
    {
        ["normalize-path/get-space"] =
            "botocore skips it: bad request-line syntax (a raw space in the path), Python's HTTP parser chokes on it.",
        ["get-vanilla-query-order-key-case"] =
            "botocore skips it: multiple query params of the same key are not supported by the SDKs.",
    };

    public static TheoryData<string> Cases => new(SigV4TestSuite.CaseIds());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_canonical_request_string_to_sign_and_authorization_of_the_suite(string caseId)
    {
        if (SkippedLikeBotocore.TryGetValue(caseId, out var reason))
        {
            Assert.Skip(reason);
        }

        var request = SigV4TestSuite.Parse(caseId);
        var token = SigV4TestSuite.SessionToken(caseId);
        var headers = request.Headers.ToList();
        if (token is not null && !headers.Any(h => h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase)))
        {
            // As the signer does: temporary credentials add (and sign) the token header.
            headers.Add(KeyValuePair.Create("X-Amz-Security-Token", token));
        }

        var result = SigV4.Sign(
            new SigV4Request(request.Method, request.Path, request.Query, headers, SigV4.HashHex(request.Body)),
            SigV4TestSuite.Credentials(token), SigV4TestSuite.Time, SigV4TestSuite.Region, SigV4TestSuite.Service);

        result.CanonicalRequest.ShouldBe(SigV4TestSuite.Read(caseId, "creq"));
        result.StringToSign.ShouldBe(SigV4TestSuite.Read(caseId, "sts"));
        result.Authorization.ShouldBe(SigV4TestSuite.Read(caseId, "authz"));
    }

    [Fact]
    public void The_suite_is_present_and_complete()
    {
        // 20 top-level cases plus 8 normalize-path and 2 post-sts-token sub-cases.
        SigV4TestSuite.CaseIds().Count().ShouldBe(30);
    }
}
