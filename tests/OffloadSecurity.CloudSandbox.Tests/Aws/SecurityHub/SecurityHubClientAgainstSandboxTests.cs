using System.Net;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.SecurityHub;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.SecurityHub;

/// <summary>The real <see cref="SecurityHubClient"/> against the real sandbox on a loopback port.</summary>
public sealed class SecurityHubClientAgainstSandboxTests : IAsyncLifetime
{
    private const string Region = "eu-central-1";
    private static readonly SandboxAwsAccount Account = SandboxServer.Account("444455556666", findings: 260);
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reading_every_page_returns_every_active_finding_exactly_once()
    {
        var expected = Enumerable.Range(0, Account.SecurityHubFindings)
            .Count(i => FindingGenerator.RecordState(Account.AccountId, Region, i) == "ACTIVE");

        var pages = await Client().GetFindingsAsync(Account.Credentials(), Region, null, Ct).ToListAsync(Ct);

        pages.Count.ShouldBe((expected + 99) / 100);
        var ids = pages.SelectMany(p => p.Findings).Select(f => f.GetProperty("Id").GetString()).ToList();
        ids.Count.ShouldBe(expected);
        ids.Distinct().Count().ShouldBe(expected);
        pages[^1].NextToken.ShouldBeNull();
    }

    [Fact]
    public async Task Resumes_from_a_start_token()
    {
        var client = Client();
        var first = await client.GetFindingsPageAsync(Account.Credentials(), Region, null, 50, Ct);

        var rest = await client.GetFindingsAsync(Account.Credentials(), Region, first.NextToken, Ct).ToListAsync(Ct);

        var all = await client.GetFindingsAsync(Account.Credentials(), Region, null, Ct).ToListAsync(Ct);
        first.Findings.Concat(rest.SelectMany(p => p.Findings)).Select(f => f.GetProperty("Id").GetString())
            .ShouldBe(all.SelectMany(p => p.Findings).Select(f => f.GetProperty("Id").GetString()));
    }

    [Fact]
    public async Task A_wrong_secret_fails_with_403_InvalidSignatureException()
    {
        var wrong = new AwsCredentials(Account.AccessKeyId, "wrong-secret");

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client().GetFindingsAsync(wrong, Region, null, Ct).ToListAsync(Ct).AsTask());

        error.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        error.ErrorCode.ShouldBe("InvalidSignatureException");
        error.IsAuthenticationFailure.ShouldBeTrue();
        error.Message.ShouldNotContain("wrong-secret");
    }

    [Fact]
    public async Task An_unknown_access_key_fails_with_UnrecognizedClientException()
    {
        var unknown = new AwsCredentials("AKIAUNKNOWN000000000", "secret");

        var error = await Should.ThrowAsync<AwsServiceException>(
            Client().GetFindingsPageAsync(unknown, Region, null, 10, Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        error.ErrorCode.ShouldBe("UnrecognizedClientException");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    private SecurityHubClient Client() =>
        new(_http, Options.Create(new AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() }));
}
