using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Sts;

public sealed class StsTests : IAsyncLifetime
{
    private const string OwnerAccount = "111122223333";
    private const string PlatformAccount = "444455556666";
    private const string RoleArn = "arn:aws:iam::111122223333:role/OffloadScanner";
    private const string ExternalId = "tenant-external-id-0001";
    private static readonly AwsCredentials Owner = new("AKIAOWNER00000000001", "owner-secret-owner-secret-owner-secret01");
    private static readonly AwsCredentials Platform = new("AKIAPLATFORM00000001", "platform-secret-platform-secret-platfor1");

    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly SandboxServer _sandbox;
    private readonly StsClient _sts;
    private readonly HttpClient _http = new();

    public StsTests()
    {
        _sandbox = new SandboxServer
        {
            ConfigureHost = web => web
                .UseSetting("Sandbox:Aws:Accounts:0:AccountId", OwnerAccount)
                .UseSetting("Sandbox:Aws:Accounts:0:AccessKeyId", Owner.AccessKeyId)
                .UseSetting("Sandbox:Aws:Accounts:0:SecretAccessKey", Owner.SecretAccessKey)
                .UseSetting("Sandbox:Aws:Accounts:0:SecurityHubFindings", "7")
                .UseSetting("Sandbox:Aws:Accounts:0:Roles:0:Name", "OffloadScanner")
                .UseSetting("Sandbox:Aws:Accounts:0:Roles:0:ExternalId", ExternalId)
                .UseSetting("Sandbox:Aws:Accounts:1:AccountId", PlatformAccount)
                .UseSetting("Sandbox:Aws:Accounts:1:AccessKeyId", Platform.AccessKeyId)
                .UseSetting("Sandbox:Aws:Accounts:1:SecretAccessKey", Platform.SecretAccessKey)
                .ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)),
        };
        _sts = new StsClient(_sandbox.Address, _clock);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<(HttpStatusCode Status, System.Xml.Linq.XElement Body)> AssumeRole(
        AwsCredentials caller, string roleArn = RoleArn, string? externalId = ExternalId, params (string, string)[] more) =>
        _sts.CallAsync(caller, "AssumeRole",
            [("RoleArn", roleArn), ("RoleSessionName", "offload-scan"), .. externalId is null ? [] : new[] { ("ExternalId", externalId) }, .. more]);

    [Fact]
    public async Task GetCallerIdentity_names_the_account_and_user_of_long_term_keys()
    {
        var (status, body) = await _sts.CallAsync(Owner, "GetCallerIdentity");

        status.ShouldBe(HttpStatusCode.OK);
        body.Name.ShouldBe(StsClient.Ns + "GetCallerIdentityResponse");
        var result = body.Element(StsClient.Ns + "GetCallerIdentityResult")!;
        result.Element(StsClient.Ns + "Account")!.Value.ShouldBe(OwnerAccount);
        result.Element(StsClient.Ns + "Arn")!.Value.ShouldBe($"arn:aws:iam::{OwnerAccount}:user/sandbox");
        result.Element(StsClient.Ns + "UserId")!.Value.ShouldStartWith("AIDA");
        body.Descendants(StsClient.Ns + "RequestId").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_in_the_sts_error_shape()
    {
        var (status, body) = await _sts.CallAsync(Owner with { SecretAccessKey = "x" + Owner.SecretAccessKey[1..] }, "GetCallerIdentity");

        status.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(body).Code.ShouldBe("SignatureDoesNotMatch");
    }

    [Fact]
    public async Task An_unknown_access_key_is_an_invalid_client_token_id()
    {
        var (status, body) = await _sts.CallAsync(new AwsCredentials("AKIANOBODY0000000001", Owner.SecretAccessKey), "GetCallerIdentity");

        status.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(body).Code.ShouldBe("InvalidClientTokenId");
    }

    [Fact]
    public async Task AssumeRole_with_the_external_id_issues_temporary_credentials_that_the_sandbox_accepts()
    {
        var (status, body) = await AssumeRole(Platform, more: ("DurationSeconds", "1800"));

        status.ShouldBe(HttpStatusCode.OK, body.ToString());
        var (credentials, expiration) = StsClient.Credentials(body);
        credentials.AccessKeyId.ShouldStartWith("ASIA");
        credentials.AccessKeyId.Length.ShouldBe(20);
        credentials.SecretAccessKey.Length.ShouldBe(40);
        credentials.SessionToken.ShouldNotBeNullOrEmpty();
        expiration.ShouldBeLessThanOrEqualTo(_clock.GetUtcNow().AddSeconds(1800));
        expiration.ShouldBeGreaterThan(_clock.GetUtcNow().AddSeconds(1790));
        body.Descendants(StsClient.Ns + "Arn").Single().Value.ShouldBe($"arn:aws:sts::{OwnerAccount}:assumed-role/OffloadScanner/offload-scan");

        var (_, identity) = await _sts.CallAsync(credentials, "GetCallerIdentity");
        identity.Descendants(StsClient.Ns + "Account").Single().Value.ShouldBe(OwnerAccount);
        identity.Descendants(StsClient.Ns + "Arn").Single().Value.ShouldBe($"arn:aws:sts::{OwnerAccount}:assumed-role/OffloadScanner/offload-scan");

        using var findings = await SignedFindings(credentials);
        using var response = await _http.SendAsync(findings, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(OwnerAccount);
    }

    [Fact]
    public async Task AssumeRole_with_a_mismatched_external_id_is_access_denied_without_echoing_it()
    {
        var (status, body) = await AssumeRole(Platform, externalId: "someone-elses-external-id");

        status.ShouldBe(HttpStatusCode.Forbidden);
        var (code, message) = StsClient.Error(body);
        code.ShouldBe("AccessDenied");
        message.ShouldBe($"User: arn:aws:iam::{PlatformAccount}:user/sandbox is not authorized to perform: sts:AssumeRole on resource: {RoleArn}");
        message.ShouldNotContain("someone-elses-external-id");
    }

    [Fact]
    public async Task AssumeRole_without_the_required_external_id_is_access_denied()
    {
        var (status, body) = await AssumeRole(Platform, externalId: null);

        status.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(body).Code.ShouldBe("AccessDenied");
    }

    [Theory]
    [InlineData("arn:aws:iam::999999999999:role/OffloadScanner")]
    [InlineData("arn:aws:iam::111122223333:role/NoSuchRole")]
    public async Task AssumeRole_of_a_role_no_sandbox_account_has_is_access_denied(string roleArn)
    {
        var (status, body) = await AssumeRole(Platform, roleArn);

        status.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(body).Code.ShouldBe("AccessDenied");
    }

    [Theory]
    [InlineData("DurationSeconds", "7200", "ValidationError")]
    [InlineData("DurationSeconds", "60", "ValidationError")]
    [InlineData("Policy", "{not json", "MalformedPolicyDocument")]
    public async Task AssumeRole_rejects_bad_parameters_with_the_aws_error_code(string name, string value, string code)
    {
        var (status, body) = await AssumeRole(Platform, more: (name, value));

        status.ShouldBe(HttpStatusCode.BadRequest);
        StsClient.Error(body).Code.ShouldBe(code);
    }

    [Fact]
    public async Task AssumeRole_accepts_a_session_policy_and_reports_its_packed_size()
    {
        const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"securityhub:GetFindings","Resource":"*"}]}""";

        var (status, body) = await AssumeRole(Platform, more: ("Policy", Policy));

        status.ShouldBe(HttpStatusCode.OK);
        int.Parse(body.Descendants(StsClient.Ns + "PackedPolicySize").Single().Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Temporary_credentials_without_their_session_token_are_refused()
    {
        var (_, body) = await AssumeRole(Platform);
        var (credentials, _) = StsClient.Credentials(body);

        using var request = await SignedFindings(credentials with { SessionToken = null });
        using var response = await _http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("UnrecognizedClientException");
    }

    [Fact]
    public async Task Temporary_credentials_stop_working_when_they_expire()
    {
        var (_, body) = await _sts.CallAsync(Owner, "GetSessionToken", ("DurationSeconds", "900"));
        var (credentials, _) = StsClient.Credentials(body);
        using (var before = await SignedFindings(credentials))
        {
            (await _http.SendAsync(before, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        _clock.Advance(TimeSpan.FromSeconds(901));

        using var after = await SignedFindings(credentials);
        using var response = await _http.SendAsync(after, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.AwsErrorAsync()).Code.ShouldBe("ExpiredTokenException");
        var (status, expired) = await _sts.CallAsync(credentials, "GetCallerIdentity");
        status.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(expired).Code.ShouldBe("ExpiredToken");
    }

    [Fact]
    public async Task GetSessionToken_issues_credentials_for_the_callers_own_account_but_not_from_a_session()
    {
        var (status, body) = await _sts.CallAsync(Owner, "GetSessionToken", ("DurationSeconds", "3600"));
        status.ShouldBe(HttpStatusCode.OK);
        var (credentials, expiration) = StsClient.Credentials(body);
        expiration.ShouldBeLessThanOrEqualTo(_clock.GetUtcNow().AddHours(1));

        var (_, identity) = await _sts.CallAsync(credentials, "GetCallerIdentity");
        identity.Descendants(StsClient.Ns + "Arn").Single().Value.ShouldBe($"arn:aws:iam::{OwnerAccount}:user/sandbox");

        var (again, refused) = await _sts.CallAsync(credentials, "GetSessionToken");
        again.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(refused).Code.ShouldBe("AccessDenied");
    }

    [Fact]
    public async Task Long_term_keys_sent_with_a_session_token_are_refused()
    {
        var (status, body) = await _sts.CallAsync(Owner with { SessionToken = "FwoGZXIvYXdzEnotatoken" }, "GetCallerIdentity");

        status.ShouldBe(HttpStatusCode.Forbidden);
        StsClient.Error(body).Code.ShouldBe("InvalidClientTokenId");
    }

    [Fact]
    public async Task An_unknown_action_is_an_invalid_action()
    {
        var (status, body) = await _sts.CallAsync(Owner, "GetFederationToken");

        status.ShouldBe(HttpStatusCode.BadRequest);
        StsClient.Error(body).Code.ShouldBe("InvalidAction");
    }

    [Fact]
    public async Task The_demo_account_has_a_demo_role_when_none_is_configured()
    {
        await using var demo = new SandboxServer();
        using var sts = new StsClient(demo.Address);
        var account = SandboxAwsAccount.Demo;

        var (status, body) = await sts.CallAsync(account.Credentials(), "AssumeRole",
            ("RoleArn", "arn:aws:iam::123456789012:role/OffloadSecurityScanner"), ("RoleSessionName", "demo"),
            ("ExternalId", "offload-sandbox-demo-external-id"));

        status.ShouldBe(HttpStatusCode.OK, body.ToString());
    }

    private async Task<HttpRequestMessage> SignedFindings(AwsCredentials credentials)
    {
        var request = SignedRequests.GetFindings(_sandbox.Address, "{\"MaxResults\":1}");
        await new SigV4Signer(_clock).SignAsync(request, credentials, "us-east-1", "securityhub", Ct);
        return request;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _sts.Dispose();
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }
}
