using Microsoft.Extensions.Options;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Aws;

namespace OffloadSecurity.Credentials.Broker;

/// <summary>Configuration section <c>Credentials:Broker</c>.</summary>
public sealed class CredentialBrokerOptions
{
    public const string Section = "Credentials:Broker";

    /// <summary>How long brokered AWS sessions last: 15 minutes to 1 hour (clamped).</summary>
    public TimeSpan SessionDuration { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan EffectiveDuration =>
        SessionDuration < TimeSpan.FromMinutes(15) ? TimeSpan.FromMinutes(15)
        : SessionDuration > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1)
        : SessionDuration;
}

/// <summary>
/// Turns an account's stored secret into short-lived credentials for one scan, so long-lived secrets never leave this
/// service: access keys become a <c>GetSessionToken</c> session; a role is assumed by the platform's principal with the
/// external id and the <see cref="ReadOnlySessionPolicy"/>.
/// </summary>
public sealed class AwsCredentialBroker(AwsSts sts, IOptions<AwsOptions> aws, IOptions<CredentialBrokerOptions> options)
{
    public async Task<AwsScanCredentials> IssueAsync(Account account, AwsSettings settings, AwsSecret secret, CancellationToken ct)
    {
        var duration = options.Value.EffectiveDuration;
        AwsSessionCredentials session;
        if (settings.AuthType == AwsAuthType.Role)
        {
            var platform = aws.Value.Platform;
            if (!platform.IsConfigured)
            {
                throw new AwsStsException("PlatformPrincipalMissing", "This installation has no AWS principal of its own to assume roles with.");
            }

            session = await sts.AssumeRoleAsync(
                new AwsKeys(platform.AccessKeyId!, platform.SecretAccessKey!, platform.SessionToken), settings.DefaultRegion,
                settings.RoleArn!, secret.ExternalId, SessionName(account), ReadOnlySessionPolicy.Json, duration, ct);
        }
        else if (secret.SessionToken is not null)
        {
            // Already temporary: STS refuses GetSessionToken with session credentials, and they expire on their own.
            session = new AwsSessionCredentials(settings.AccessKeyId!, secret.SecretAccessKey!, secret.SessionToken, null);
        }
        else
        {
            session = await sts.GetSessionTokenAsync(new AwsKeys(settings.AccessKeyId!, secret.SecretAccessKey!), settings.DefaultRegion, duration, ct);
        }

        return new AwsScanCredentials
        {
            AccessKeyId = session.AccessKeyId,
            SecretAccessKey = session.SecretAccessKey,
            SessionToken = session.SessionToken,
            ExpiresAt = session.Expiration,
            DefaultRegion = settings.DefaultRegion,
        };
    }

    /// <summary>Visible in the tenant's CloudTrail: says who assumed the role and for which account.</summary>
    private static string SessionName(Account account) => "offload-scan-" + account.Id.ToString("N")[..16];
}
