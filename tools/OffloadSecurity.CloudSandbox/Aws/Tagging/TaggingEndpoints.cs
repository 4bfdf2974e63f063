using System.Text.Json;
using OffloadSecurity.CloudSandbox.Aws.Ec2;
using OffloadSecurity.CloudSandbox.Aws.S3;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Throttling;

namespace OffloadSecurity.CloudSandbox.Aws.Tagging;

/// <summary>
/// The Resource Groups Tagging API (JSON 1.1: <c>POST /</c> with <c>X-Amz-Target:
/// ResourceGroupsTaggingAPI_20170126.GetResources</c>): the tagged resources of the caller's region (the account's
/// buckets located there, its tagged security groups and instances), filtered by <c>ResourceTypeFilters</c>
/// (<c>s3</c>, <c>ec2</c>, <c>ec2:instance</c>, <c>ec2:security-group</c>), paged with <c>ResourcesPerPage</c> (1..100)
/// and <c>PaginationToken</c>; the last page answers an empty token, as AWS does.
/// </summary>
internal static class TaggingEndpoints
{
    public const string ServiceName = "tagging";
    private const string TargetPrefix = "ResourceGroupsTaggingAPI_20170126.";
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 100;

    private static readonly AwsError Throttled = new(StatusCodes.Status400BadRequest, "ThrottledException", "Rate exceeded");

    public static WebApplication MapTagging(this WebApplication app) => app.MapJsonTarget(ServiceName, TargetPrefix, DispatchAsync);

    private static async Task<IResult> DispatchAsync(HttpContext context, AwsCaller caller, string operation)
    {
        if (context.RequestServices.GetRequiredService<SandboxThrottling>().Check(caller, ServiceName + ":" + operation, Throttled) is { } refused)
        {
            return refused;
        }

        if (caller.Account.TaggingAccessDeniedRegions.Contains(caller.Region, StringComparer.Ordinal))
        {
            return Error("AccessDeniedException",
                $"User: arn:aws:iam::{caller.Account.AccountId}:user/sandbox is not authorized to perform: tag:{operation} in {caller.Region}");
        }

        if (operation != "GetResources")
        {
            return Error("UnknownOperationException", $"Operation {operation} is not emulated by the sandbox.");
        }

        var (body, unreadable) = await AwsJsonTarget.ReadBodyAsync(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        return body.ValueKind == JsonValueKind.Object ? GetResources(caller, body) : Error("SerializationException", "The request body must be a JSON object.");
    }

    private static IResult GetResources(AwsCaller caller, JsonElement body)
    {
        if (body.TryGetProperty("TagFilters", out _) || body.TryGetProperty("ResourceARNList", out _))
        {
            return Error("InvalidParameterException", "The sandbox does not emulate TagFilters or ResourceARNList.");
        }

        var filters = body.TryGetProperty("ResourceTypeFilters", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(f => f.GetString() ?? "")]
            : new List<string>();
        var pageSize = DefaultPageSize;
        if (body.TryGetProperty("ResourcesPerPage", out var perPage) &&
            (perPage.ValueKind != JsonValueKind.Number || !perPage.TryGetInt32(out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            return Error("InvalidParameterException", $"ResourcesPerPage must be between 1 and {MaxPageSize}.");
        }

        var resources = Resources(caller.Account, caller.Region)
            .Where(r => filters.Count == 0 || filters.Any(f => f == r.Type || r.Type.StartsWith(f + ":", StringComparison.Ordinal)))
            .ToList();
        var filterKey = "tagging|" + string.Join(',', filters);
        var start = 0;
        if (body.TryGetProperty("PaginationToken", out var token) && token.GetString() is { Length: > 0 } text &&
            !FindingsPageToken.TryRead(text, caller.Account.AccountId, caller.Region, filterKey, resources.Count, out start))
        {
            return Error("InvalidParameterException", "The PaginationToken is not valid for this request.");
        }

        var end = Math.Min(resources.Count, start + pageSize);
        var next = end < resources.Count ? FindingsPageToken.Create(caller.Account.AccountId, caller.Region, filterKey, end) : "";
        return Results.Stream(async stream =>
        {
            await using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteString("PaginationToken", next);
            json.WriteStartArray("ResourceTagMappingList");
            foreach (var resource in resources[start..end])
            {
                json.WriteStartObject();
                json.WriteString("ResourceARN", resource.Arn);
                json.WriteStartArray("Tags");
                foreach (var (key, value) in resource.Tags)
                {
                    json.WriteStartObject();
                    json.WriteString("Key", key);
                    json.WriteString("Value", value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync();
        }, "application/x-amz-json-1.1");
    }

    /// <summary>The tagged resources of the region, with their <c>service:type</c>.</summary>
    internal static IEnumerable<(string Type, string Arn, IReadOnlyDictionary<string, string> Tags)> Resources(SandboxAwsAccount account, string region)
    {
        foreach (var bucket in S3Generator.Buckets(account).Where(b => b.Region == region && b.Tags.Count > 0))
        {
            yield return ("s3", bucket.Arn, bucket.Tags);
        }

        foreach (var group in Ec2Generator.SecurityGroups(account, region).Where(g => g.Tags.Count > 0))
        {
            yield return ("ec2:security-group", Ec2Generator.SecurityGroupArn(account.AccountId, region, group.GroupId), group.Tags);
        }

        foreach (var instance in Ec2Generator.Instances(account, region).Where(i => i.State != "terminated"))
        {
            yield return ("ec2:instance", Ec2Generator.InstanceArn(account.AccountId, region, instance.InstanceId), instance.Tags);
        }
    }

    private static AwsError Error(string code, string message) => AwsJsonTarget.Error(code, message);
}
