namespace OffloadSecurity.CloudSandbox.Tests.Aws;

public sealed class AssetSettingsValidationTests
{
    [Fact]
    public void Asset_counts_and_region_lists_are_validated_naming_the_field()
    {
        var account = SandboxServer.Account("717171717171");
        account.Ec2SecurityGroups = -1;
        account.S3Buckets = SandboxOptionsValidator.MaxAssetsPerRegion + 1;
        account.S3BucketRegions.Add("Frankfurt");
        account.TaggingAccessDeniedRegions.Add("eu-central-1");
        var options = new SandboxOptions();
        options.Aws.Accounts.Add(account);

        var result = new SandboxOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures.ShouldContain("Sandbox:Aws:Accounts:0:Ec2SecurityGroups must be between 0 and 100000.");
        result.Failures.ShouldContain("Sandbox:Aws:Accounts:0:S3Buckets must be between 0 and 100000.");
        result.Failures.ShouldContain("Sandbox:Aws:Accounts:0:S3BucketRegions: 'Frankfurt' is not an AWS region name.");
        result.Failures.Count().ShouldBe(3);
    }

    [Fact]
    public void The_demo_account_has_no_EC2_or_S3_resources_by_default()
    {
        var demo = SandboxAwsAccount.Demo;

        (demo.Ec2SecurityGroups, demo.Ec2Instances, demo.S3Buckets).ShouldBe((0, 0, 0));
    }
}
