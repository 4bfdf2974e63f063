using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Options;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.Scanners.Aws.Assets.Sdk;

/// <summary>
/// Builds the official AWS SDK clients (EC2, S3) the way our own clients are configured: the scan's short-lived
/// credentials (with their session token), the sandbox's endpoint when <see cref="AwsEndpointOptions.ServiceUrl"/>
/// is set (S3 then addressed path-style, as a single host cannot serve bucket subdomains), and the SDK's own retries
/// off: <see cref="AwsCallPolicy"/> paces and retries every call, so the two never multiply each other's attempts.
/// </summary>
public sealed class AwsSdkClientFactory(IOptions<AwsEndpointOptions> endpoints)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public AmazonEC2Client Ec2(AwsCredentials credentials, string region) =>
        new(Credentials(credentials), Configure(new AmazonEC2Config(), "ec2", region));

    public AmazonS3Client S3(AwsCredentials credentials, string region)
    {
        var config = Configure(new AmazonS3Config(), "s3", region);
        config.ForcePathStyle = Overridden;
        return new AmazonS3Client(Credentials(credentials), config);
    }

    private bool Overridden => !string.IsNullOrWhiteSpace(endpoints.Value.ServiceUrl);

    private T Configure<T>(T config, string endpointPrefix, string region)
        where T : ClientConfig
    {
        // Resolve validates the region name whatever the endpoint; with an override it is the sandbox's address.
        var endpoint = endpoints.Value.Resolve(endpointPrefix, region);
        if (Overridden)
        {
            // ServiceURL and RegionEndpoint exclude each other: with an explicit URL the signing region is set apart.
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        config.MaxErrorRetry = 0;
        config.Timeout = Timeout;
        config.IgnoreConfiguredEndpointUrls = true;
        return config;
    }

    private static Amazon.Runtime.AWSCredentials Credentials(AwsCredentials credentials) =>
        credentials.SessionToken is { Length: > 0 } token
            ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
            : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey);
}
