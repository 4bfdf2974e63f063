using System.Text.Json;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Throttling;

namespace OffloadSecurity.CloudSandbox.Aws.Ecr;

/// <summary>
/// Amazon ECR (JSON 1.1: <c>POST /</c> with <c>X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.&lt;Operation&gt;</c>):
/// DescribeRepositories, DescribeImages and DescribeImageScanFindings over the account's generated registry, paged.
/// </summary>
internal static class EcrEndpoints
{
    public const string ServiceName = "ecr";
    private const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    /// <summary>ECR answers excess calls with 400 ThrottlingException (JSON 1.1 protocol).</summary>
    private static readonly AwsError Throttled = new(StatusCodes.Status400BadRequest, "ThrottlingException", "Rate exceeded");

    /// <summary>ECR shares <c>POST /</c> with STS and KMS; its requests are told apart by their target header.</summary>
    public static WebApplication MapEcr(this WebApplication app) => app.MapJsonTarget(ServiceName, TargetPrefix, DispatchAsync);

    private static async Task<IResult> DispatchAsync(HttpContext context, AwsCaller caller, string operation)
    {
        if (context.RequestServices.GetRequiredService<SandboxThrottling>().Check(caller, ServiceName + ":" + operation, Throttled) is { } throttled)
        {
            return throttled;
        }

        if (caller.Account.EcrAccessDeniedRegions.Contains(caller.Region, StringComparer.Ordinal))
        {
            return Error("AccessDeniedException",
                $"User: arn:aws:iam::{caller.Account.AccountId}:user/sandbox is not authorized to perform: ecr:{operation} in {caller.Region}");
        }

        var (request, unreadable) = await AwsJsonTarget.ReadBodyAsync(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (request.ValueKind != JsonValueKind.Object)
        {
            return Error("SerializationException", "The request body must be a JSON object.");
        }

        try
        {
            var call = new EcrCall(caller.Account, caller.Region, request);
            return operation switch
            {
                "DescribeRepositories" => DescribeRepositories(call),
                "DescribeImages" => DescribeImages(call),
                "DescribeImageScanFindings" => DescribeImageScanFindings(call),
                _ => Error("UnknownOperationException", $"Operation {operation} is not emulated by the sandbox."),
            };
        }
        catch (EcrRequestException ex)
        {
            return Error(ex.Code, ex.Message);
        }
    }

    private static IResult DescribeRepositories(EcrCall call)
    {
        var names = call.Strings("repositoryNames");
        foreach (var name in names)
        {
            _ = call.Repository(name);
        }

        var repositories = EcrGenerator.Repositories(call.Account, call.Region)
            .Where(r => names.Count == 0 || names.Contains(r.Name))
            .ToList();
        var (start, end, next) = call.Page(repositories.Count, "repositories|" + string.Join(',', names));
        return Json(json =>
        {
            json.WriteStartArray("repositories");
            foreach (var repository in repositories[start..end])
            {
                EcrWriter.Repository(json, call.Account.AccountId, call.Region, repository);
            }

            json.WriteEndArray();
            WriteNext(json, next);
        });
    }

    private static IResult DescribeImages(EcrCall call)
    {
        var repository = call.Repository(call.RequiredString("repositoryName"));
        var tagStatus = call.String("filter", "tagStatus") ?? "ANY";
        if (tagStatus is not ("ANY" or "TAGGED" or "UNTAGGED"))
        {
            throw new EcrRequestException("InvalidParameterException", "filter.tagStatus must be TAGGED, UNTAGGED or ANY.");
        }

        var images = EcrGenerator.Images(call.Account, call.Region, repository)
            .Where(i => tagStatus == "ANY" || (tagStatus == "TAGGED") == (i.Tags.Count > 0))
            .ToList();
        var (start, end, next) = call.Page(images.Count, $"images|{repository.Name}|{tagStatus}");
        return Json(json =>
        {
            json.WriteStartArray("imageDetails");
            foreach (var image in images[start..end])
            {
                EcrWriter.ImageDetail(json, call.Account.AccountId, image);
            }

            json.WriteEndArray();
            WriteNext(json, next);
        });
    }

    private static IResult DescribeImageScanFindings(EcrCall call)
    {
        var repository = call.Repository(call.RequiredString("repositoryName"));
        var digest = call.String("imageId", "imageDigest");
        var tag = call.String("imageId", "imageTag");
        var image = EcrGenerator.Find(call.Account, call.Region, repository, digest, tag)
            ?? throw new EcrRequestException("ImageNotFoundException",
                $"The image with imageId {{imageDigest:'{digest}', imageTag:'{tag}'}} does not exist within the repository with name '{repository.Name}' in the registry with id '{call.Account.AccountId}'");
        if (image.ScanStatus is null)
        {
            throw new EcrRequestException("ScanNotFoundException",
                $"Image scan does not exist for the image with '{{imageDigest:'{image.Digest}', imageTag:'{tag}'}}' in the repository with name '{repository.Name}' in the registry with id '{call.Account.AccountId}'");
        }

        var scanned = image.ScanStatus is "COMPLETE" or "ACTIVE";
        var vulnerabilities = scanned ? image.Vulnerabilities : [];
        var (start, end, next) = call.Page(vulnerabilities.Count, $"scan|{repository.Name}|{image.Digest}");
        return Json(json =>
        {
            json.WriteString("registryId", call.Account.AccountId);
            json.WriteString("repositoryName", repository.Name);
            json.WriteStartObject("imageId");
            json.WriteString("imageDigest", image.Digest);
            if (tag is not null)
            {
                json.WriteString("imageTag", tag);
            }

            json.WriteEndObject();
            json.WriteStartObject("imageScanStatus");
            json.WriteString("status", image.ScanStatus);
            json.WriteString("description", EcrWriter.Describe(image.ScanStatus));
            json.WriteEndObject();
            if (scanned)
            {
                json.WriteStartObject("imageScanFindings");
                json.WriteNumber("imageScanCompletedAt", EcrWriter.ScanCompletedAt(image).ToUnixTimeSeconds());
                json.WriteNumber("vulnerabilitySourceUpdatedAt", EcrWriter.ScanCompletedAt(image).AddHours(-6).ToUnixTimeSeconds());
                EcrWriter.SeverityCounts(json, image);
                var enhanced = repository.Scanning == EcrGenerator.ScanKind.Enhanced;
                json.WriteStartArray(enhanced ? "enhancedFindings" : "findings");
                foreach (var vulnerability in vulnerabilities.Take(end).Skip(start))
                {
                    if (enhanced)
                    {
                        EcrWriter.EnhancedFinding(json, call.Account.AccountId, call.Region, image, vulnerability);
                    }
                    else
                    {
                        EcrWriter.BasicFinding(json, vulnerability);
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            WriteNext(json, next);
        });
    }

    private static void WriteNext(Utf8JsonWriter json, string? next)
    {
        if (next is not null)
        {
            json.WriteString("nextToken", next);
        }
    }

    private static IResult Json(Action<Utf8JsonWriter> members) => Results.Stream(async stream =>
    {
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        members(json);
        json.WriteEndObject();
        await json.FlushAsync();
    }, "application/x-amz-json-1.1");

    private static AwsError Error(string code, string message) => AwsJsonTarget.Error(code, message);

    /// <summary>One ECR request: its account, region and body, with the reading and paging rules ECR applies.</summary>
    private sealed class EcrCall(SandboxAwsAccount account, string region, JsonElement body)
    {
        public SandboxAwsAccount Account => account;
        public string Region => region;

        public string? String(params string[] path)
        {
            var current = body;
            foreach (var name in path)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return null;
                }
            }

            return current.ValueKind switch
            {
                JsonValueKind.String => current.GetString(),
                JsonValueKind.Null => null,
                _ => throw new EcrRequestException("SerializationException", $"{string.Join('.', path)} must be a string."),
            };
        }

        public string RequiredString(string name) =>
            String(name) is { Length: > 0 } value
                ? value
                : throw new EcrRequestException("InvalidParameterException", $"{name} is required.");

        public List<string> Strings(string name) =>
            body.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
                ? [.. list.EnumerateArray().Select(v => v.GetString() ?? "")]
                : [];

        /// <summary>The repository named, which must be in the caller's registry (registryId, when given, is the account).</summary>
        public EcrGenerator.Repository Repository(string name)
        {
            if (String("registryId") is { } registry && registry != account.AccountId)
            {
                throw new EcrRequestException("InvalidParameterException", $"Invalid parameter at 'registryId' failed to satisfy constraint: '{registry}' is not the caller's registry.");
            }

            return EcrGenerator.FindRepository(account, region, name)
                ?? throw new EcrRequestException("RepositoryNotFoundException",
                    $"The repository with name '{name}' does not exist in the registry with id '{account.AccountId}'");
        }

        /// <summary>The slice of <paramref name="total"/> items this call returns and the token of the rest, bound to <paramref name="key"/>.</summary>
        public (int Start, int End, string? Next) Page(int total, string key)
        {
            var maxResults = DefaultPageSize;
            if (body.TryGetProperty("maxResults", out var max) && max.ValueKind != JsonValueKind.Null &&
                (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out maxResults) || maxResults is < 1 or > MaxPageSize))
            {
                throw new EcrRequestException("InvalidParameterException", $"maxResults must be between 1 and {MaxPageSize}.");
            }

            var start = 0;
            if (String("nextToken") is { Length: > 0 } token &&
                !FindingsPageToken.TryRead(token, account.AccountId, region, "ecr|" + key, total, out start))
            {
                throw new EcrRequestException("InvalidParameterException", "Invalid parameter at 'nextToken': the token is not valid for this request.");
            }

            var end = Math.Min(total, start + maxResults);
            return (start, end, end < total ? FindingsPageToken.Create(account.AccountId, region, "ecr|" + key, end) : null);
        }
    }

    private sealed class EcrRequestException(string code, string message) : Exception(message)
    {
        public string Code => code;
    }
}
