using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Sts;

/// <summary>
/// <see cref="SandboxAwsAccount.MaxSessionSeconds"/>: STS sessions for an account end early, and then every service
/// answers ExpiredTokenException, as AWS does when credentials expire in the middle of a scan. The sandbox and the
/// signer share a clock the tests move (SigV4 checks the request time against that same clock).
/// </summary>
public sealed class ShortSessionTests : IAsyncLifetime
{
    private const string CappedAccount = "515151515151";
    private const string OtherAccount = "525252525252";
    private const string RoleArn = "arn:aws:iam::515151515151:role/OffloadScanner";
    private const string ExternalId = "short-session-external-id";
    private const int MaxSessionSeconds = 60;
    private static readonly AwsCredentials Capped = new("AKIACAPPED0000000001", "capped-secret-capped-secret-capped-secr01");
    private static readonly AwsCredentials Other = new("AKIAOTHER00000000001", "other-secret-other-secret-other-secret01");

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
    private readonly SandboxServer _sandbox;
    private readonly StsClient _sts;
    private readonly HttpClient _http = new();

    public ShortSessionTests()
    {
        _sandbox = new SandboxServer
        {
            ConfigureHost = web => web
                .UseSetting("Sandbox:Aws:Accounts:0:AccountId", CappedAccount)
                .UseSetting("Sandbox:Aws:Accounts:0:AccessKeyId", Capped.AccessKeyId)
                .UseSetting("Sandbox:Aws:Accounts:0:SecretAccessKey", Capped.SecretAccessKey)
                .UseSetting("Sandbox:Aws:Accounts:0:MaxSessionSeconds", MaxSessionSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .UseSetting("Sandbox:Aws:Accounts:0:SecurityHubFindings", "5")
                .UseSetting("Sandbox:Aws:Accounts:0:GuardDutyFindings", "5")
                .UseSetting("Sandbox:Aws:Accounts:0:EcrRepositories", "2")
                .UseSetting("Sandbox:Aws:Accounts:0:Roles:0:Name", "OffloadScanner")
                .UseSetting("Sandbox:Aws:Accounts:0:Roles:0:ExternalId", ExternalId)
                .UseSetting("Sandbox:Aws:Accounts:1:AccountId", OtherAccount)
                .UseSetting("Sandbox:Aws:Accounts:1:AccessKeyId", Other.AccessKeyId)
                .UseSetting("Sandbox:Aws:Accounts:1:SecretAccessKey", Other.SecretAccessKey)
                .ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)),
        };
        _sts = new StsClient(_sandbox.Address, _clock);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetSessionToken_issues_no_longer_than_MaxSessionSeconds_and_the_expiration_says_so()
    {
        var (status, body) = await _sts.CallAsync(Capped, "GetSessionToken", ("DurationSeconds", "3600"));

        status.ShouldBe(HttpStatusCode.OK, body.ToString());
        StsClient.Credentials(body).Expiration.ShouldBe(_clock.GetUtcNow().AddSeconds(MaxSessionSeconds));
    }

    [Fact]
    public async Task AssumeRole_into_the_account_is_capped_too_but_other_accounts_keep_AWS_limits()
    {
        var (_, assumed) = await AssumeRoleAsync();
        var (_, uncapped) = await _sts.CallAsync(Other, "GetSessionToken", ("DurationSeconds", "3600"));

        StsClient.Credentials(assumed).Expiration.ShouldBe(_clock.GetUtcNow().AddSeconds(MaxSessionSeconds));
        StsClient.Credentials(uncapped).Expiration.ShouldBe(_clock.GetUtcNow().AddHours(1));
    }

    [Theory]
    [InlineData("securityhub", "GetSessionToken")]
    [InlineData("securityhub", "AssumeRole")]
    [InlineData("guardduty", "GetSessionToken")]
    [InlineData("guardduty", "AssumeRole")]
    [InlineData("ecr", "GetSessionToken")]
    [InlineData("ecr", "AssumeRole")]
    public async Task Once_a_short_session_expires_the_service_answers_ExpiredTokenException(string service, string issuedBy)
    {
        var (status, body) = issuedBy == "AssumeRole"
            ? await AssumeRoleAsync()
            : await _sts.CallAsync(Capped, "GetSessionToken", ("DurationSeconds", "3600"));
        status.ShouldBe(HttpStatusCode.OK, body.ToString());
        var (credentials, expiration) = StsClient.Credentials(body);

        _clock.Advance(TimeSpan.FromSeconds(MaxSessionSeconds - 1));
        using (var before = await SendAsync(service, credentials))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.OK, await before.Content.ReadAsStringAsync(Ct));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        _clock.GetUtcNow().ShouldBe(expiration);
        using var after = await SendAsync(service, credentials);

        after.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var (code, message) = await after.AwsErrorAsync();
        code.ShouldBe("ExpiredTokenException");
        message.ShouldBe("The security token included in the request is expired");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-30")]
    public async Task Refuses_to_start_with_a_MaxSessionSeconds_below_one_naming_the_field(string value)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = "123456789012",
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = "AKIATEST123456789012",
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = "test-secret",
            ["Sandbox:Aws:Accounts:0:MaxSessionSeconds"] = value,
        });
        builder.AddCloudSandbox();
        await using var app = builder.Build();
        app.MapCloudSandbox();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync(Ct));

        error.Message.ShouldContain("Sandbox:Aws:Accounts:0:MaxSessionSeconds must be at least 1");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _sts.Dispose();
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    private Task<(HttpStatusCode Status, System.Xml.Linq.XElement Body)> AssumeRoleAsync() =>
        _sts.CallAsync(Other, "AssumeRole", ("RoleArn", RoleArn), ("RoleSessionName", "offload-scan"), ("ExternalId", ExternalId),
            ("DurationSeconds", "3600"));

    /// <summary>One cheap read of <paramref name="service"/>, signed with <paramref name="credentials"/> at the shared clock's time.</summary>
    private async Task<HttpResponseMessage> SendAsync(string service, AwsCredentials credentials)
    {
        using var request = service switch
        {
            "securityhub" => SignedRequests.GetFindings(_sandbox.Address, "{\"MaxResults\":1}"),
            "guardduty" => new HttpRequestMessage(HttpMethod.Get, new Uri(_sandbox.Address, "/detector")),
            _ => new HttpRequestMessage(HttpMethod.Post, _sandbox.Address)
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1"),
                Headers = { { "X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories" } },
            },
        };
        await new SigV4Signer(_clock).SignAsync(request, credentials, "us-east-1", service, Ct);
        return await _http.SendAsync(request, Ct);
    }
}
