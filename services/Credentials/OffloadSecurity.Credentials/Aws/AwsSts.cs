using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Options;

namespace OffloadSecurity.Credentials.Aws;

/// <summary>Temporary AWS credentials from STS. <see cref="ToString"/> never prints the secret or the token.</summary>
public sealed record AwsSessionCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken, DateTimeOffset? Expiration)
{
    public override string ToString() => $"AwsSessionCredentials {{ AccessKeyId = {AccessKeyId}, Expiration = {Expiration}, secrets redacted }}";
}

/// <summary>Long-term or temporary keys to call STS with.</summary>
public sealed record AwsKeys(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() => $"AwsKeys {{ AccessKeyId = {AccessKeyId}, secrets redacted }}";
}

/// <summary>What STS (or the way to it) said when a call failed: an AWS error code and a message without secrets.</summary>
public sealed class AwsStsException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>
/// The three STS calls the credentials service makes, through AWSSDK.SecurityToken. With <c>Aws:Endpoints:ServiceUrl</c>
/// set, every call goes there (the cloud sandbox in tests and demos), signed for the account's region.
/// </summary>
public sealed class AwsSts(IOptions<AwsOptions> options)
{
    public const string DefaultRegion = "us-east-1";

    public Task<GetCallerIdentityResponse> GetCallerIdentityAsync(AwsKeys keys, string? region, CancellationToken ct) =>
        CallAsync(keys, region, client => client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct));

    public async Task<AwsSessionCredentials> GetSessionTokenAsync(AwsKeys keys, string? region, TimeSpan duration, CancellationToken ct)
    {
        var response = await CallAsync(keys, region, client => client.GetSessionTokenAsync(
            new GetSessionTokenRequest { DurationSeconds = (int)duration.TotalSeconds }, ct));
        return From(response.Credentials);
    }

    public async Task<AwsSessionCredentials> AssumeRoleAsync(
        AwsKeys keys, string? region, string roleArn, string? externalId, string sessionName, string? sessionPolicy, TimeSpan duration,
        CancellationToken ct)
    {
        var response = await CallAsync(keys, region, client => client.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = roleArn,
            ExternalId = externalId,
            RoleSessionName = sessionName,
            Policy = sessionPolicy,
            DurationSeconds = (int)duration.TotalSeconds,
        }, ct));
        return From(response.Credentials);
    }

    private static AwsSessionCredentials From(Amazon.SecurityToken.Model.Credentials credentials) => new(
        credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken,
        credentials.Expiration is { } expiration ? new DateTimeOffset(DateTime.SpecifyKind(expiration, DateTimeKind.Utc)) : null);

    private async Task<T> CallAsync<T>(AwsKeys keys, string? region, Func<AmazonSecurityTokenServiceClient, Task<T>> call)
    {
        region ??= DefaultRegion;
        var config = new AmazonSecurityTokenServiceConfig { MaxErrorRetry = 2, Timeout = TimeSpan.FromSeconds(20) };
        if (options.Value.Endpoints.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        AWSCredentials credentials = keys.SessionToken is null
            ? new BasicAWSCredentials(keys.AccessKeyId, keys.SecretAccessKey)
            : new SessionAWSCredentials(keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken);
        using var client = new AmazonSecurityTokenServiceClient(credentials, config);
        try
        {
            return await call(client);
        }
        catch (AmazonServiceException e) when (e.ErrorCode is { Length: > 0 })
        {
            throw new AwsStsException(e.ErrorCode, e.Message, e);
        }
        catch (AmazonServiceException e)
        {
            throw new AwsStsException("HTTP" + (int)e.StatusCode, $"STS answered HTTP {(int)e.StatusCode} without an AWS error.", e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or TaskCanceledException)
        {
            throw new AwsStsException("Unreachable", "STS could not be reached: " + e.GetType().Name + ".", e);
        }
    }
}
