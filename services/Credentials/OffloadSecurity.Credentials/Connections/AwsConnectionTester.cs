using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Aws;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>
/// AWS: access keys must pass <c>sts:GetCallerIdentity</c>; for a role, the platform's own principal must be able to
/// <c>sts:AssumeRole</c> it with the external id, and the session must then pass GetCallerIdentity in the role's account.
/// </summary>
public sealed class AwsConnectionTester(AwsSts sts, IOptions<AwsOptions> options, ILogger<AwsConnectionTester> logger) : IConnectionTester
{
    private static readonly TimeSpan TestSession = TimeSpan.FromMinutes(15);

    public CloudProvider Provider => CloudProvider.Aws;

    public async Task<ConnectionTestResult> TestAsync(ConnectAccountRequest request, CancellationToken ct)
    {
        var aws = request.Aws!;
        var region = aws.DefaultRegion ?? request.Regions?.FirstOrDefault();
        return aws.RoleArn is null
            ? await TestKeysAsync(aws, region, ct)
            : await TestRoleAsync(aws, region, ct);
    }

    private async Task<ConnectionTestResult> TestKeysAsync(AwsConnection aws, string? region, CancellationToken ct)
    {
        try
        {
            var identity = await sts.GetCallerIdentityAsync(new AwsKeys(aws.AccessKeyId!, aws.SecretAccessKey!, aws.SessionToken), region, ct);
            return ConnectionTestResult.Ok(identity.Arn);
        }
        catch (AwsStsException e)
        {
            logger.LogInformation("AWS connection test with access key {AccessKeyId} failed: {Code}", aws.AccessKeyId, e.Code);
            var (field, meaning) = e.Code switch
            {
                "InvalidClientTokenId" or "UnrecognizedClientException" => ("aws.accessKeyId", "AWS does not know this access key id."),
                "SignatureDoesNotMatch" or "InvalidSignatureException" => ("aws.secretAccessKey", "The secret access key does not belong to this access key id."),
                "ExpiredToken" or "ExpiredTokenException" => ("aws.sessionToken", "The session token has expired."),
                "AccessDenied" or "AccessDeniedException" => ("aws", "The access keys may not call sts:GetCallerIdentity."),
                _ => ("aws", "AWS STS could not confirm these credentials."),
            };
            return Failed(field, meaning, e, aws);
        }
    }

    private async Task<ConnectionTestResult> TestRoleAsync(AwsConnection aws, string? region, CancellationToken ct)
    {
        var platform = options.Value.Platform;
        if (!platform.IsConfigured)
        {
            return ConnectionTestResult.Failed("aws.roleArn",
                "This installation has no AWS principal of its own to assume roles with (Aws:Platform:AccessKeyId and SecretAccessKey); connect with access keys, or ask the operator to configure it.",
                "PlatformPrincipalMissing");
        }

        AwsSessionCredentials session;
        try
        {
            session = await sts.AssumeRoleAsync(
                new AwsKeys(platform.AccessKeyId!, platform.SecretAccessKey!, platform.SessionToken), region,
                aws.RoleArn!, aws.ExternalId, "offload-connection-test", ReadOnlySessionPolicy.Json, TestSession, ct);
        }
        catch (AwsStsException e)
        {
            logger.LogInformation("AWS connection test assuming {RoleArn} failed: {Code}", aws.RoleArn, e.Code);
            var (field, meaning) = e.Code switch
            {
                "AccessDenied" or "AccessDeniedException" => ("aws.externalId",
                    "AWS refused to let the Offload Security principal assume the role: check that the role exists, that its trust policy names our principal, and that the external id matches the one in its sts:ExternalId condition."),
                "InvalidClientTokenId" or "SignatureDoesNotMatch" or "ExpiredToken" => ("aws.roleArn",
                    "This installation's own AWS principal was refused by STS; the operator must fix Aws:Platform."),
                "ValidationError" => ("aws.roleArn", "STS rejected the AssumeRole request."),
                _ => ("aws.roleArn", "AWS STS could not assume the role."),
            };
            return Failed(field, meaning, e, aws);
        }

        try
        {
            var identity = await sts.GetCallerIdentityAsync(new AwsKeys(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), region, ct);
            var roleAccount = aws.RoleArn!.Split(':')[4];
            return identity.Account == roleAccount
                ? ConnectionTestResult.Ok(identity.Arn)
                : ConnectionTestResult.Failed("aws.roleArn", $"The assumed session belongs to account {identity.Account}, not {roleAccount}.", "AccountMismatch");
        }
        catch (AwsStsException e)
        {
            return Failed("aws.roleArn", "The role's session could not call sts:GetCallerIdentity.", e, aws);
        }
    }

    private static ConnectionTestResult Failed(string field, string meaning, AwsStsException e, AwsConnection aws) =>
        ConnectionTestResult.Failed(field, SecretScrubber.Scrub($"{meaning} AWS said: {e.Code}: {e.Message}", aws.SecretAccessKey, aws.SessionToken, aws.ExternalId), e.Code);
}

/// <summary>Last line of defence: a provider's message must never carry a secret back to the caller.</summary>
public static class SecretScrubber
{
    public static string Scrub(string text, params string?[] secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret is { Length: >= 4 })
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
