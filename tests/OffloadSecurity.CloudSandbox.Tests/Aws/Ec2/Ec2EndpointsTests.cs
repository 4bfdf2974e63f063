using System.Net;
using System.Xml.Linq;
using Microsoft.Extensions.Options;
using OffloadSecurity.CloudSandbox.Aws.Ec2;
using OffloadSecurity.Scanners.Aws.Assets;
using OffloadSecurity.Scanners.Aws.Assets.Ec2;
using OffloadSecurity.Scanners.Aws.Assets.Sdk;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Ec2;

/// <summary>The sandbox's EC2 on the wire (query protocol, form POST to <c>/</c>, XML in the 2016-11-15 namespace).</summary>
public sealed class Ec2EndpointsTests : IAsyncLifetime
{
    private const string Region = "ca-central-1";
    private static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static readonly SandboxAwsAccount Account = Configure(SandboxServer.Account("616161616161", findings: 0));
    private readonly SandboxServer _sandbox = new(Account);
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task DescribeSecurityGroups_pages_with_NextToken_until_the_last_page()
    {
        var ids = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            using var response = await SendAsync("DescribeSecurityGroups", Account.Credentials(), ("MaxResults", "5"), ("NextToken", token));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var root = await response.XmlAsync();
            root.Name.ShouldBe(Ns + "DescribeSecurityGroupsResponse");
            ids.AddRange(root.Element(Ns + "securityGroupInfo")!.Elements(Ns + "item").Select(i => i.Element(Ns + "groupId")!.Value));
            token = root.Element(Ns + "nextToken")?.Value;
            pages++;
        }
        while (token is not null);

        pages.ShouldBe(3);
        ids.ShouldBe(Ec2Generator.SecurityGroups(Account, Region).Select(g => g.GroupId));
    }

    [Fact]
    public async Task Rejects_a_bad_signature_as_an_EC2_AuthFailure()
    {
        using var response = await SendAsync("DescribeInstances", new AwsCredentials(Account.AccessKeyId, "not-the-secret"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.XmlErrorCodeAsync()).ShouldBe("AuthFailure");
    }

    [Fact]
    public async Task The_SDK_reads_a_rejected_signature_as_rejected_credentials()
    {
        using var reader = new Ec2Reader(
            new AwsSdkClientFactory(Options.Create(new AwsEndpointOptions { ServiceUrl = _sandbox.Address.ToString() })), new AssetScanOptions());

        var error = await Should.ThrowAsync<AwsServiceException>(
            reader.DescribeInstancesPageAsync(new AwsCredentials(Account.AccessKeyId, "not-the-secret"), Region, null, 5, Ct));

        (error.ErrorCode, error.IsAuthenticationFailure).ShouldBe(("AuthFailure", true));
        error.Message.ShouldNotContain("not-the-secret");
    }

    [Fact]
    public async Task Rejects_MaxResults_outside_5_to_1000_and_foreign_tokens()
    {
        using var small = await SendAsync("DescribeInstances", Account.Credentials(), ("MaxResults", "4"));
        using var foreign = await SendAsync("DescribeInstances", Account.Credentials(), ("NextToken", "bm90LWEtdG9rZW4"));

        small.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await small.XmlErrorCodeAsync()).ShouldBe("InvalidParameterValue");
        (await foreign.XmlErrorCodeAsync()).ShouldBe("InvalidParameterValue");
    }

    [Fact]
    public async Task Instances_come_in_their_reservations_with_state_tags_and_groups()
    {
        using var response = await SendAsync("DescribeInstances", Account.Credentials(), ("MaxResults", "1000"));

        var root = await response.XmlAsync();
        root.Element(Ns + "nextToken").ShouldBeNull();
        var reservations = root.Element(Ns + "reservationSet")!.Elements(Ns + "item").ToList();
        reservations.ShouldAllBe(r => r.Element(Ns + "ownerId")!.Value == Account.AccountId);
        var instances = reservations.SelectMany(r => r.Element(Ns + "instancesSet")!.Elements(Ns + "item")).ToList();
        instances.Count.ShouldBe(Account.Ec2Instances);
        var first = Ec2Generator.InstanceAt(Account, Region, 0);
        var xml = instances[0];
        xml.Element(Ns + "instanceId")!.Value.ShouldBe(first.InstanceId);
        xml.Element(Ns + "instanceState")!.Element(Ns + "name")!.Value.ShouldBe("running");
        xml.Element(Ns + "groupSet")!.Element(Ns + "item")!.Element(Ns + "groupId")!.Value.ShouldBe(first.Group.GroupId);
        xml.Element(Ns + "tagSet")!.Elements(Ns + "item").Select(t => t.Element(Ns + "key")!.Value).ShouldContain("Name");
    }

    [Fact]
    public async Task A_denied_region_answers_UnauthorizedOperation()
    {
        using var response = await SendAsync("DescribeSecurityGroups", Account.Credentials(), region: "eu-south-1");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.XmlErrorCodeAsync()).ShouldBe("UnauthorizedOperation");
    }

    private async Task<HttpResponseMessage> SendAsync(
        string action, AwsCredentials credentials, (string Name, string? Value) first = default, (string Name, string? Value) second = default,
        string region = Region)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", "2016-11-15") };
        form.AddRange(new[] { first, second }.Where(p => p.Name is not null && p.Value is not null).Select(p => KeyValuePair.Create(p.Name, p.Value!)));
        using var request = new HttpRequestMessage(HttpMethod.Post, _sandbox.Address) { Content = new FormUrlEncodedContent(form) };
        await new SigV4Signer().SignAsync(request, credentials, region, "ec2", Ct);
        return await _http.SendAsync(request, Ct);
    }

    private static SandboxAwsAccount Configure(SandboxAwsAccount account)
    {
        account.Ec2SecurityGroups = 12;
        account.Ec2Instances = 7;
        account.Ec2AccessDeniedRegions.Add("eu-south-1");
        return account;
    }
}
