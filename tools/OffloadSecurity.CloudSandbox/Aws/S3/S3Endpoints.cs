using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http.Features;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using OffloadSecurity.CloudSandbox.Aws.Throttling;
using static OffloadSecurity.CloudSandbox.Aws.S3.S3Xml;

namespace OffloadSecurity.CloudSandbox.Aws.S3;

/// <summary>
/// Amazon S3 (REST-XML, path-style addressing): ListBuckets (<c>GET /</c>, paginated with <c>max-buckets</c> and
/// <c>continuation-token</c>; with any parameter each bucket carries its <c>BucketRegion</c>, as S3 does), and the
/// bucket configuration reads <c>GET /{bucket}?location</c>, <c>?publicAccessBlock</c>, <c>?policyStatus</c>,
/// <c>?acl</c>, <c>?encryption</c>. A bucket is read in its own region (another region answers
/// AuthorizationHeaderMalformed, as S3 does), except its location, which any region answers. "Not configured" is an
/// error, as on S3: NoSuchPublicAccessBlockConfiguration, NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError.
/// </summary>
internal static class S3Endpoints
{
    public const string ServiceName = "s3";
    private const int MaxBuckets = 10_000;

    public static WebApplication MapS3(this WebApplication app)
    {
        app.UseWhen(
            context => context.Features.Get<AwsCaller>()?.Service == ServiceName,
            s3 => s3.Run(async context => await Dispatch(context).ExecuteAsync(context)));
        return app;
    }

    private static IResult Dispatch(HttpContext context)
    {
        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        var request = context.Request;
        var bucketName = request.Path.Value?.Trim('/') ?? "";
        var operation = bucketName.Length == 0 ? "ListBuckets" : Subresource(request.Query) ?? "";
        if (!HttpMethods.IsGet(request.Method) || operation.Length == 0 || bucketName.Contains('/', StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status501NotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented.");
        }

        if (Refused(context, caller, operation) is { } refused)
        {
            return refused;
        }

        if (operation == "ListBuckets")
        {
            return ListBuckets(caller, request.Query);
        }

        var changes = context.RequestServices.GetRequiredService<S3BucketChanges>();
        if (S3Generator.Buckets(caller.Account).FirstOrDefault(b => b.Name == bucketName) is not { } generated)
        {
            return Error(StatusCodes.Status404NotFound, "NoSuchBucket", "The specified bucket does not exist", bucketName);
        }

        var bucket = changes.Current(generated);
        if (operation != "GetBucketLocation" && caller.Region != bucket.Region)
        {
            return Error(StatusCodes.Status400BadRequest, "AuthorizationHeaderMalformed",
                $"The authorization header is malformed; the region '{caller.Region}' is wrong; expecting '{bucket.Region}'", bucketName);
        }

        return operation switch
        {
            "GetBucketLocation" => Ok(E("LocationConstraint", bucket.Region == S3Generator.DefaultRegion ? null : bucket.Region)),
            "GetPublicAccessBlock" => bucket.PublicAccessBlock is [var blockAcls, var ignoreAcls, var blockPolicy, var restrict]
                ? Ok(E("PublicAccessBlockConfiguration",
                    E("BlockPublicAcls", Bool(blockAcls)), E("IgnorePublicAcls", Bool(ignoreAcls)),
                    E("BlockPublicPolicy", Bool(blockPolicy)), E("RestrictPublicBuckets", Bool(restrict))))
                : Error(StatusCodes.Status404NotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", bucketName),
            "GetBucketPolicyStatus" => bucket.PolicyIsPublic is { } isPublic
                ? Ok(E("PolicyStatus", E("IsPublic", Bool(isPublic))))
                : Error(StatusCodes.Status404NotFound, "NoSuchBucketPolicy", "The bucket policy does not exist", bucketName),
            "GetBucketAcl" => Ok(Acl(caller.Account, bucket)),
            "GetBucketEncryption" => bucket.Encryption is { } algorithm
                ? Ok(E("ServerSideEncryptionConfiguration", E("Rule",
                    E("ApplyServerSideEncryptionByDefault", E("SSEAlgorithm", algorithm), bucket.KmsKeyId is null ? null : E("KMSMasterKeyID", bucket.KmsKeyId)),
                    E("BucketKeyEnabled", Bool(algorithm == "aws:kms")))))
                : Error(StatusCodes.Status404NotFound, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found", bucketName),
            _ => Error(StatusCodes.Status501NotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented."),
        };
    }

    /// <summary>The bucket subresource a GET reads (only those emulated).</summary>
    private static string? Subresource(IQueryCollection query) =>
        query.ContainsKey("location") ? "GetBucketLocation"
        : query.ContainsKey("publicAccessBlock") ? "GetPublicAccessBlock"
        : query.ContainsKey("policyStatus") ? "GetBucketPolicyStatus"
        : query.ContainsKey("acl") ? "GetBucketAcl"
        : query.ContainsKey("encryption") ? "GetBucketEncryption"
        : null;

    /// <summary>Injected throttling (503 SlowDown) and 5xx faults, then access denied for requests signed in the region.</summary>
    private static XmlResult? Refused(HttpContext context, AwsCaller caller, string operation)
    {
        var throttled = new AwsError(StatusCodes.Status503ServiceUnavailable, "SlowDown", "Please reduce your request rate.");
        var fault = context.RequestServices.GetRequiredService<SandboxThrottling>().Check(caller, ServiceName + ":" + operation, throttled);
        if (fault is not null)
        {
            return ReferenceEquals(fault, throttled)
                ? Error(StatusCodes.Status503ServiceUnavailable, "SlowDown", "Please reduce your request rate.")
                : Error(StatusCodes.Status500InternalServerError, "InternalError", "We encountered an internal error. Please try again.");
        }

        return caller.Account.S3AccessDeniedRegions.Contains(caller.Region, StringComparer.Ordinal)
            ? Error(StatusCodes.Status403Forbidden, "AccessDenied", "Access Denied")
            : null;
    }

    private static XmlResult ListBuckets(AwsCaller caller, IQueryCollection query)
    {
        var account = caller.Account;
        var paginated = query.ContainsKey("max-buckets") || query.ContainsKey("continuation-token") || query.ContainsKey("bucket-region") || query.ContainsKey("prefix");
        var maxBuckets = MaxBuckets;
        if (query.TryGetValue("max-buckets", out var max) &&
            (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxBuckets) || maxBuckets is < 1 or > MaxBuckets))
        {
            return Error(StatusCodes.Status400BadRequest, "InvalidArgument", $"Argument max-buckets must be an integer between 1 and {MaxBuckets}");
        }

        var regionFilter = query["bucket-region"].ToString();
        var prefix = query["prefix"].ToString();
        var buckets = S3Generator.Buckets(account)
            .Where(b => (regionFilter.Length == 0 || b.Region == regionFilter) && b.Name.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        var filterKey = $"s3|ListBuckets|{regionFilter}|{prefix}";
        var start = 0;
        if (query["continuation-token"].ToString() is { Length: > 0 } token &&
            !FindingsPageToken.TryRead(token, account.AccountId, "global", filterKey, buckets.Count, out start))
        {
            return Error(StatusCodes.Status400BadRequest, "InvalidArgument", "The continuation token provided is incorrect");
        }

        var end = Math.Min(buckets.Count, start + maxBuckets);
        var next = end < buckets.Count ? FindingsPageToken.Create(account.AccountId, "global", filterKey, end) : null;
        return Ok(E("ListAllMyBucketsResult",
            Owner(account),
            E("Buckets", buckets[start..end].Select(b => E("Bucket",
                E("Name", b.Name),
                E("CreationDate", Time(b.CreatedAt)),
                paginated ? E("BucketRegion", b.Region) : null))),
            next is null ? null : E("ContinuationToken", next),
            prefix.Length == 0 ? null : E("Prefix", prefix)));
    }

    private static XElement Acl(SandboxAwsAccount account, S3Generator.Bucket bucket)
    {
        var grants = new List<XElement>
        {
            E("Grant", E("Grantee", new XAttribute(XNamespace.Xmlns + "xsi", Xsi), new XAttribute(Xsi + "type", "CanonicalUser"),
                E("ID", CanonicalUserId(account)), E("DisplayName", "sandbox")), E("Permission", "FULL_CONTROL")),
        };
        if (bucket.PublicAclGrantee is { } group)
        {
            grants.Add(E("Grant", E("Grantee", new XAttribute(XNamespace.Xmlns + "xsi", Xsi), new XAttribute(Xsi + "type", "Group"),
                E("URI", group)), E("Permission", "READ")));
        }

        return E("AccessControlPolicy", Owner(account), E("AccessControlList", grants));
    }

    private static XElement Owner(SandboxAwsAccount account) => E("Owner", E("ID", CanonicalUserId(account)), E("DisplayName", "sandbox"));

    /// <summary>The account's canonical user id: 64 hex digits, stable.</summary>
    private static string CanonicalUserId(SandboxAwsAccount account) =>
        SandboxRandom.Hex(SandboxRandom.For($"s3/{account.AccountId}/canonical-user"), 64);
}
