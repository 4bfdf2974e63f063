using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.GuardDuty;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Tests.Aws;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Scanners.Aws.SecurityHub;

namespace OffloadSecurity.CloudSandbox.Tests;

public sealed class SandboxConfigurationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_configuration_the_demo_account_exists_with_250_findings_per_region()
    {
        await using var sandbox = new SandboxServer();
        using var http = new HttpClient();
        var client = new SecurityHubClient(http, Options.Create(new AwsEndpointOptions { ServiceUrl = sandbox.Address.ToString() }));
        var demo = SandboxAwsAccount.Demo;

        var first = await client.GetFindingsPageAsync(demo.Credentials(), "us-east-1", null, 100, Ct);

        demo.AccountId.ShouldBe("123456789012");
        demo.AccessKeyId.ShouldBe("AKIASANDBOXDEMO00001");
        first.Findings.Count.ShouldBe(100);
        first.Findings.ShouldAllBe(f => f.GetProperty("AwsAccountId").GetString() == "123456789012");
    }

    [Fact]
    public async Task Accounts_come_from_the_Sandbox_configuration_section()
    {
        await using var sandbox = new SandboxServer
        {
            ConfigureHost = web => web
                .UseSetting("Sandbox:Aws:Accounts:0:AccountId", "999988887777")
                .UseSetting("Sandbox:Aws:Accounts:0:AccessKeyId", "AKIACONFIGURED000001")
                .UseSetting("Sandbox:Aws:Accounts:0:SecretAccessKey", "configured-secret")
                .UseSetting("Sandbox:Aws:Accounts:0:SecurityHubFindings", "3"),
        };
        using var http = new HttpClient();
        var client = new SecurityHubClient(http, Options.Create(new AwsEndpointOptions { ServiceUrl = sandbox.Address.ToString() }));
        var credentials = new Scanners.Aws.Signing.AwsCredentials("AKIACONFIGURED000001", "configured-secret");

        var pages = await client.GetFindingsAsync(credentials, "us-east-1", null, Ct).ToListAsync(Ct);

        pages.SelectMany(p => p.Findings).Count()
            .ShouldBe(Enumerable.Range(0, 3).Count(i => FindingGenerator.RecordState("999988887777", "us-east-1", i) == "ACTIVE"));
        var demoError = await Should.ThrowAsync<AwsServiceException>(
            client.GetFindingsPageAsync(SandboxAwsAccount.Demo.Credentials(), "us-east-1", null, 1, Ct));
        demoError.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task GuardDuty_findings_and_regions_come_from_the_account_configuration()
    {
        await using var sandbox = new SandboxServer
        {
            ConfigureHost = web => web
                .UseSetting("Sandbox:Aws:Accounts:0:AccountId", "999988887777")
                .UseSetting("Sandbox:Aws:Accounts:0:AccessKeyId", "AKIACONFIGURED000001")
                .UseSetting("Sandbox:Aws:Accounts:0:SecretAccessKey", "configured-secret")
                .UseSetting("Sandbox:Aws:Accounts:0:GuardDutyFindings", "7")
                .UseSetting("Sandbox:Aws:Accounts:0:GuardDutyDisabledRegions:0", "us-west-1")
                .UseSetting("Sandbox:Aws:Accounts:0:GuardDutyAccessDeniedRegions:0", "eu-west-3"),
        };
        using var http = new HttpClient();
        var client = new GuardDutyClient(http, Options.Create(new AwsEndpointOptions { ServiceUrl = sandbox.Address.ToString() }));
        var credentials = new Scanners.Aws.Signing.AwsCredentials("AKIACONFIGURED000001", "configured-secret");

        var detector = (await client.ListDetectorsAsync(credentials, "us-east-1", Ct).ToListAsync(Ct)).ShouldHaveSingleItem();
        var ids = await client.ListFindingsAsync(credentials, "us-east-1", detector, Ct).SelectMany(p => p.Ids.ToAsyncEnumerable()).ToListAsync(Ct);

        ids.Count.ShouldBe(Enumerable.Range(0, 7).Count(i => !GuardDutyFindingGenerator.IsArchived("999988887777", "us-east-1", i)));
        (await client.ListDetectorsAsync(credentials, "us-west-1", Ct).ToListAsync(Ct)).ShouldBeEmpty();
        (await Should.ThrowAsync<AwsServiceException>(client.ListDetectorsAsync(credentials, "eu-west-3", Ct).ToListAsync(Ct).AsTask()))
            .ErrorCode.ShouldBe("AccessDeniedException");
    }

    [Fact]
    public void Configured_accounts_have_no_guardduty_findings_or_ecr_repositories_unless_asked()
    {
        new SandboxAwsAccount().GuardDutyFindings.ShouldBe(0);
        SandboxAwsAccount.Demo.GuardDutyFindings.ShouldBe(0);
        new SandboxAwsAccount().EcrRepositories.ShouldBe(0);
        SandboxAwsAccount.Demo.EcrRepositories.ShouldBe(0);
    }

    [Theory]
    [InlineData("GuardDutyFindings", "-1", "Sandbox:Aws:Accounts:0:GuardDutyFindings must be between 0 and 1000000")]
    [InlineData("GuardDutyAccessDeniedRegions:0", "Europe", "Sandbox:Aws:Accounts:0:GuardDutyAccessDeniedRegions: 'Europe' is not an AWS region name")]
    [InlineData("GuardDutyDisabledRegions:0", "us_east_1", "Sandbox:Aws:Accounts:0:GuardDutyDisabledRegions: 'us_east_1' is not an AWS region name")]
    [InlineData("EcrRepositories", "1001", "Sandbox:Aws:Accounts:0:EcrRepositories must be between 0 and 1000")]
    [InlineData("EcrImagesPerRepository", "-1", "Sandbox:Aws:Accounts:0:EcrImagesPerRepository must be between 0 and 1000")]
    [InlineData("EcrScansInProgress", "-2", "Sandbox:Aws:Accounts:0:EcrScansInProgress must not be negative")]
    [InlineData("EcrAccessDeniedRegions:0", "mars-1", "Sandbox:Aws:Accounts:0:EcrAccessDeniedRegions: 'mars-1' is not an AWS region name")]
    public async Task Refuses_to_start_with_invalid_guardduty_or_ecr_settings_naming_the_field(string key, string value, string message)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = "123456789012",
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = "AKIATEST123456789012",
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = "test-secret",
            ["Sandbox:Aws:Accounts:0:" + key] = value,
        });
        builder.AddCloudSandbox();
        await using var app = builder.Build();
        app.MapCloudSandbox();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        error.Message.ShouldContain(message);
    }

    [Fact]
    public async Task Refuses_to_start_with_an_invalid_account_naming_the_field()
    {
        // Built directly rather than through WebApplicationFactory, whose deferred host can report a failed start
        // as ObjectDisposedException instead of the start-up error (a race inside the test host).
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = "12345",
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = "AKIATEST123456789012",
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = "test-secret",
        });
        builder.AddCloudSandbox();
        await using var app = builder.Build();
        app.MapCloudSandbox();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        error.Message.ShouldContain("Sandbox:Aws:Accounts:0:AccountId must be 12 digits");
    }

    [Fact]
    public void Refuses_to_listen_beyond_loopback()
    {
        using var sandbox = new SandboxServer { ConfigureHost = web => web.UseSetting("urls", "http://0.0.0.0:4566") };

        Should.Throw<InvalidOperationException>(() => sandbox.Address).Message.ShouldContain("loopback only");
    }
}
