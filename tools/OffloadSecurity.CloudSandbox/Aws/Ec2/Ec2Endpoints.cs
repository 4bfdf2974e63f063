using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Throttling;
using static OffloadSecurity.CloudSandbox.Aws.Ec2.Ec2Xml;

namespace OffloadSecurity.CloudSandbox.Aws.Ec2;

/// <summary>
/// Amazon EC2 (query protocol, API 2016-11-15: <c>POST /</c> with a form body <c>Action=…&amp;Version=2016-11-15</c>,
/// XML answers): DescribeSecurityGroups and DescribeInstances over the account's generated region, paged with
/// <c>MaxResults</c> (5..1000) and <c>NextToken</c>. Filters and id lists are not emulated (refused).
/// </summary>
internal static class Ec2Endpoints
{
    public const string ServiceName = "ec2";
    public const string ApiVersion = "2016-11-15";
    private const int MinPageSize = 5;
    private const int MaxPageSize = 1000;

    /// <summary>EC2 shares <c>POST /</c> with STS; its requests are told apart by the service they were signed for.</summary>
    public static WebApplication MapEc2(this WebApplication app)
    {
        app.UseWhen(
            context => context.Features.Get<AwsCaller>()?.Service == ServiceName,
            ec2 => ec2.Run(async context => await (await DispatchAsync(context)).ExecuteAsync(context)));
        return app;
    }

    private static async Task<IResult> DispatchAsync(HttpContext context)
    {
        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.Path != "/" || !request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "InvalidRequest", "EC2 requests are form POSTs to /.");
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var action = form["Action"].ToString();
        if (action.Length == 0)
        {
            return Error(StatusCodes.Status400BadRequest, "MissingAction", "The request must contain the parameter Action.");
        }

        if (form["Version"].ToString() != ApiVersion)
        {
            return Error(StatusCodes.Status400BadRequest, "InvalidParameterValue", $"Version '{form["Version"]}' is not emulated; use {ApiVersion}.");
        }

        if (Refused(context, caller, action) is { } refused)
        {
            return refused;
        }

        if (form.Keys.FirstOrDefault(k => k.StartsWith("Filter.", StringComparison.Ordinal) || k.StartsWith("InstanceId.", StringComparison.Ordinal)
            || k.StartsWith("GroupId.", StringComparison.Ordinal) || k.StartsWith("GroupName.", StringComparison.Ordinal)) is { } unsupported)
        {
            return Error(StatusCodes.Status400BadRequest, "InvalidParameterCombination", $"The sandbox does not emulate '{unsupported}'.");
        }

        try
        {
            return action switch
            {
                "DescribeSecurityGroups" => DescribeSecurityGroups(caller, form),
                "DescribeInstances" => DescribeInstances(caller, form),
                _ => Error(StatusCodes.Status400BadRequest, "InvalidAction", $"The action {action} is not valid for this web service."),
            };
        }
        catch (Ec2RequestException ex)
        {
            return Error(StatusCodes.Status400BadRequest, ex.Code, ex.Message);
        }
    }

    /// <summary>Injected throttling (503 RequestLimitExceeded) and 5xx faults, then access denied for the region.</summary>
    private static XmlResult? Refused(HttpContext context, AwsCaller caller, string action)
    {
        var throttled = new AwsError(StatusCodes.Status503ServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.");
        var fault = context.RequestServices.GetRequiredService<SandboxThrottling>().Check(caller, ServiceName + ":" + action, throttled);
        if (fault is not null)
        {
            return ReferenceEquals(fault, throttled)
                ? Error(StatusCodes.Status503ServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
                : Error(StatusCodes.Status500InternalServerError, "InternalError", "An internal error has occurred.");
        }

        return caller.Account.Ec2AccessDeniedRegions.Contains(caller.Region, StringComparer.Ordinal)
            ? Error(StatusCodes.Status403Forbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.")
            : null;
    }

    private static XmlResult DescribeSecurityGroups(AwsCaller caller, IFormCollection form)
    {
        var (account, region) = (caller.Account, caller.Region);
        var (start, end, next) = Page(form, account.AccountId, region, account.Ec2SecurityGroups, "DescribeSecurityGroups");
        var groups = Enumerable.Range(start, end - start).Select(i => Ec2Generator.SecurityGroupAt(account.AccountId, region, i));
        return Response("DescribeSecurityGroups",
            Items("securityGroupInfo", groups.Select(g => new object?[]
            {
                E("ownerId", account.AccountId),
                E("groupId", g.GroupId),
                E("groupName", g.Name),
                E("groupDescription", g.Description),
                E("vpcId", g.VpcId),
                Items("ipPermissions", g.Template.Ingress.Select(r => Permission(r, account.AccountId, g.GroupId))),
                Items("ipPermissionsEgress", [Permission(new Ec2Generator.Rule("-1", null, null, [Ec2Generator.AnyIpv4]), account.AccountId, g.GroupId)]),
                Tags(g.Tags),
                E("securityGroupArn", Ec2Generator.SecurityGroupArn(account.AccountId, region, g.GroupId)),
            })),
            Optional("nextToken", next));
    }

    private static XmlResult DescribeInstances(AwsCaller caller, IFormCollection form)
    {
        var (account, region) = (caller.Account, caller.Region);
        var (start, end, next) = Page(form, account.AccountId, region, account.Ec2Instances, "DescribeInstances");
        var instances = Enumerable.Range(start, end - start).Select(i => Ec2Generator.InstanceAt(account, region, i));
        // Consecutive instances of one reservation are returned together; a page boundary may split a reservation.
        var reservations = new List<List<Ec2Generator.Instance>>();
        foreach (var instance in instances)
        {
            if (reservations.Count > 0 && reservations[^1][0].ReservationId == instance.ReservationId)
            {
                reservations[^1].Add(instance);
            }
            else
            {
                reservations.Add([instance]);
            }
        }

        return Response("DescribeInstances",
            Items("reservationSet", reservations.Select(r => new object?[]
            {
                E("reservationId", r[0].ReservationId),
                E("ownerId", account.AccountId),
                E("groupSet"),
                Items("instancesSet", r.Select(i => Instance(i, account.AccountId))),
            })),
            Optional("nextToken", next));
    }

    private static object?[] Instance(Ec2Generator.Instance i, string accountId) =>
    [
        E("instanceId", i.InstanceId),
        E("imageId", i.ImageId),
        E("instanceState", E("code", i.StateCode), E("name", i.State)),
        E("privateDnsName", i.State == "terminated" ? "" : $"ip-{i.PrivateIp.Replace('.', '-')}.ec2.internal"),
        E("dnsName", i.PublicIp is null ? "" : $"ec2-{i.PublicIp.Replace('.', '-')}.compute-1.amazonaws.com"),
        E("reason"),
        E("amiLaunchIndex", i.Index % 2),
        E("productCodes"),
        E("instanceType", i.InstanceType),
        E("launchTime", Time(i.LaunchTime)),
        E("placement", E("availabilityZone", i.AvailabilityZone), E("groupName"), E("tenancy", "default")),
        E("monitoring", E("state", "disabled")),
        E("subnetId", i.SubnetId),
        E("vpcId", i.VpcId),
        E("privateIpAddress", i.PrivateIp),
        Optional("ipAddress", i.PublicIp),
        Items("groupSet", [[E("groupId", i.Group.GroupId), E("groupName", i.Group.Name)]]),
        E("architecture", i.InstanceType.StartsWith("c6g", StringComparison.Ordinal) ? "arm64" : "x86_64"),
        E("rootDeviceType", "ebs"),
        E("rootDeviceName", "/dev/xvda"),
        E("virtualizationType", "hvm"),
        Tags(i.Tags),
        E("hypervisor", "xen"),
        E("iamInstanceProfile",
            E("arn", $"arn:aws:iam::{accountId}:instance-profile/{i.Tags["Name"]}"),
            E("id", "AIPA" + i.InstanceId[2..].ToUpperInvariant())),
        E("metadataOptions", E("state", "applied"), E("httpTokens", i.Index % 4 == 0 ? "optional" : "required"),
            E("httpPutResponseHopLimit", 2), E("httpEndpoint", "enabled")),
        E("platformDetails", "Linux/UNIX"),
    ];

    private static object?[] Permission(Ec2Generator.Rule rule, string accountId, string groupId) =>
    [
        E("ipProtocol", rule.Protocol),
        Optional("fromPort", rule.FromPort),
        Optional("toPort", rule.ToPort),
        Items("groups", rule.SelfReference ? [[E("userId", accountId), E("groupId", groupId)]] : []),
        Items("ipRanges", rule.Ipv4Ranges.Select(c => new object?[] { E("cidrIp", c) })),
        Items("ipv6Ranges", rule.Ipv6Ranges.Select(c => new object?[] { E("cidrIpv6", c) })),
        Items("prefixListIds", rule.PrefixListIds.Select(p => new object?[] { E("prefixListId", p) })),
    ];

    /// <summary>The slice of <paramref name="total"/> items this call returns and the token of the rest.</summary>
    private static (int Start, int End, string? Next) Page(IFormCollection form, string accountId, string region, int total, string action)
    {
        var maxResults = MaxPageSize;
        if (form.TryGetValue("MaxResults", out var max) &&
            (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxResults) || maxResults is < MinPageSize or > MaxPageSize))
        {
            throw new Ec2RequestException("InvalidParameterValue", $"Value ( {max} ) for parameter maxResults is invalid. Expecting a value between {MinPageSize} and {MaxPageSize}.");
        }

        var start = 0;
        if (form["NextToken"].ToString() is { Length: > 0 } token &&
            !FindingsPageToken.TryRead(token, accountId, region, "ec2|" + action, total, out start))
        {
            throw new Ec2RequestException("InvalidParameterValue", "The token is not valid for this request.");
        }

        var end = Math.Min(total, start + maxResults);
        return (start, end, end < total ? FindingsPageToken.Create(accountId, region, "ec2|" + action, end) : null);
    }

    private sealed class Ec2RequestException(string code, string message) : Exception(message)
    {
        public string Code => code;
    }
}
