using System.Net;
using System.Runtime.CompilerServices;
using Amazon.EC2;
using Amazon.EC2.Model;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core.RateLimiting;

namespace OffloadSecurity.Scanners.Aws.Assets.Ec2;

/// <summary>
/// Reads a region's security groups and instances with the official SDK (AWSSDK.EC2, query protocol), page by page:
/// a page is handed on before the next is asked for, so nothing holds a whole account. With a call policy every page
/// waits for its API's token and is retried on throttling, 5xx and expired credentials. One reader serves one scan
/// (its SDK clients are disposed with it).
/// </summary>
public sealed class Ec2Reader(AwsSdkClientFactory sdk, AssetScanOptions options, AwsCallPolicy? policy = null) : IDisposable
{
    public const string SigningName = "ec2";

    private readonly SdkClients<AmazonEC2Client> _clients = new(sdk.Ec2);
    private readonly int _pageSize = options.Clamped().Ec2PageSize;

    public IAsyncEnumerable<Ec2Page<SecurityGroupInfo>> SecurityGroupPagesAsync(IAwsCredentialSource credentials, string region, CancellationToken ct) =>
        PagesAsync("DescribeSecurityGroups", Ec2Rates.DescribeSecurityGroups, credentials, region,
            (signWith, token, attemptCt) => DescribeSecurityGroupsPageAsync(signWith, region, token, _pageSize, attemptCt), ct);

    public IAsyncEnumerable<Ec2Page<InstanceInfo>> InstancePagesAsync(IAwsCredentialSource credentials, string region, CancellationToken ct) =>
        PagesAsync("DescribeInstances", Ec2Rates.DescribeInstances, credentials, region,
            (signWith, token, attemptCt) => DescribeInstancesPageAsync(signWith, region, token, _pageSize, attemptCt), ct);

    /// <summary>One DescribeSecurityGroups call (MaxResults 5..1000).</summary>
    public async Task<Ec2Page<SecurityGroupInfo>> DescribeSecurityGroupsPageAsync(
        AwsCredentials credentials, string region, string? nextToken, int maxResults, CancellationToken ct)
    {
        var client = _clients.For(credentials, region);
        var response = await SdkErrors.CallAsync(() => client.DescribeSecurityGroupsAsync(
            new DescribeSecurityGroupsRequest { MaxResults = maxResults, NextToken = nextToken }, ct));
        return new Ec2Page<SecurityGroupInfo>(
            [.. (response.SecurityGroups ?? []).Select(g => Ec2Mapping.SecurityGroup(g, region)).OfType<SecurityGroupInfo>()],
            Next(response.NextToken));
    }

    /// <summary>One DescribeInstances call (MaxResults 5..1000 instances, grouped in their reservations).</summary>
    public async Task<Ec2Page<InstanceInfo>> DescribeInstancesPageAsync(
        AwsCredentials credentials, string region, string? nextToken, int maxResults, CancellationToken ct)
    {
        var client = _clients.For(credentials, region);
        var response = await SdkErrors.CallAsync(() => client.DescribeInstancesAsync(
            new DescribeInstancesRequest { MaxResults = maxResults, NextToken = nextToken }, ct));
        return new Ec2Page<InstanceInfo>(
            [
                .. (response.Reservations ?? []).SelectMany(r => (r.Instances ?? [])
                    .Select(i => Ec2Mapping.Instance(i, r.OwnerId ?? "", region)).OfType<InstanceInfo>()),
            ],
            Next(response.NextToken));
    }

    public void Dispose() => _clients.Dispose();

    private async IAsyncEnumerable<Ec2Page<T>> PagesAsync<T>(
        string api, ApiRate rate, IAwsCredentialSource credentials, string region,
        Func<AwsCredentials, string?, CancellationToken, Task<Ec2Page<T>>> page, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var pageToken = token;
            var result = await policy.CallAsync(SigningName + ":" + api, rate, credentials, region,
                (signWith, attemptCt) => page(signWith, pageToken, attemptCt), ct);
            yield return result;
            token = result.NextToken is not null && result.NextToken == pageToken
                ? throw new AwsServiceException(HttpStatusCode.OK, "RepeatedNextToken", $"RepeatedNextToken: EC2 {api} returned the NextToken it was sent; paging stopped.")
                : result.NextToken;
        }
        while (token is not null);
    }

    private static string? Next(string? token) => string.IsNullOrEmpty(token) ? null : token;
}
