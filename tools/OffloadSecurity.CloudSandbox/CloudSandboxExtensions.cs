using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws;
using OffloadSecurity.CloudSandbox.Aws.Ec2;
using OffloadSecurity.CloudSandbox.Aws.Ecr;
using OffloadSecurity.CloudSandbox.Aws.GuardDuty;
using OffloadSecurity.CloudSandbox.Aws.Kms;
using OffloadSecurity.CloudSandbox.Aws.S3;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Sts;
using OffloadSecurity.CloudSandbox.Aws.Tagging;
using OffloadSecurity.CloudSandbox.Aws.Throttling;

namespace OffloadSecurity.CloudSandbox;

public static class CloudSandboxExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:4566";

    /// <summary>Accounts from <c>Sandbox</c> configuration, loopback-only listening, the AWS services.</summary>
    public static WebApplicationBuilder AddCloudSandbox(this WebApplicationBuilder builder)
    {
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        else
        {
            EnsureLoopback(urls);
        }

        builder.Services.AddOptions<SandboxOptions>()
            .Bind(builder.Configuration.GetSection(SandboxOptions.SectionName))
            .PostConfigure(options =>
            {
                if (options.Aws.Accounts.Count == 0)
                {
                    options.Aws.Accounts.Add(SandboxAwsAccount.Demo);
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AwsAccounts>();
        builder.Services.AddSingleton<S3BucketChanges>();
        builder.Services.AddSingleton(sp => new SandboxControl(sp.GetRequiredService<AwsAccounts>(), sp.GetRequiredService<S3BucketChanges>()));
        builder.Services.AddSingleton(builder.Configuration.GetSection(SandboxThrottlingOptions.SectionName).Get<SandboxThrottlingOptions>() ?? new SandboxThrottlingOptions());
        builder.Services.AddSingleton<SandboxThrottling>();
        builder.Services.AddSandboxSts(builder.Configuration);
        builder.Services.AddSingleton<SandboxKms>();
        builder.Services.AddSingleton<SecurityHubActivity>();
        return builder;
    }

    /// <summary>SigV4 authentication in front of every request, then each emulated service's routes.</summary>
    public static WebApplication MapCloudSandbox(this WebApplication app)
    {
        // Created now, so the "recently updated" Security Hub findings carry the sandbox's start time.
        app.Services.GetRequiredService<SecurityHubActivity>();
        app.UseMiddleware<StsAuthentication>();
        app.MapKms();
        app.MapSecurityHub();
        app.MapGuardDuty();
        app.MapEcr();
        app.MapTagging();
        app.MapEc2();
        app.MapS3();
        app.MapSts();
        return app;
    }

    private static void EnsureLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var loopback = Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
                (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase));
            if (!loopback)
            {
                throw new InvalidOperationException(
                    $"The cloud sandbox listens on loopback only (it accepts well-known demo keys); '{url}' is not a loopback URL.");
            }
        }
    }
}
