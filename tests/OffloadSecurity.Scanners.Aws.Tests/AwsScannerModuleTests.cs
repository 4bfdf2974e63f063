using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Scanners.Aws.Scanning;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Aws.Tests;

public sealed class AwsScannerModuleTests
{
    [Fact]
    public void The_module_composes_the_scanner_with_its_security_hub_guardduty_ecr_ec2_and_s3_sources()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new LocalTokenIssuer(TestAuth.Options));
        builder.AddAwsScanner();
        builder.Services.AddMassTransitTestHarness();
        using var provider = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        using var scope = provider.CreateScope();

        scope.ServiceProvider.GetServices<IProviderScanner>().ShouldHaveSingleItem().ShouldBeOfType<AwsScanner>();
        scope.ServiceProvider.GetServices<IAwsFindingSource>().Select(s => s.Source)
            .ShouldBe(["aws.securityhub", "aws.guardduty", "aws.ecr", "aws.ec2", "aws.s3"]);
    }
}
