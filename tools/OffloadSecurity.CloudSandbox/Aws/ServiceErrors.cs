using OffloadSecurity.CloudSandbox.Aws.Ec2;
using OffloadSecurity.CloudSandbox.Aws.S3;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>
/// An authentication failure in the protocol of the service the request was signed for: EC2 and S3 answer XML with
/// their own codes, the JSON services <c>{"__type", "message"}</c>. The JSON code names the failure.
/// </summary>
internal static class ServiceErrors
{
    public static IResult Authentication(string? service, int statusCode, string jsonCode, string message, bool skewed = false) => service switch
    {
        Ec2Endpoints.ServiceName => Ec2Xml.Error(
            skewed || jsonCode == "ExpiredTokenException" ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized,
            skewed || jsonCode == "ExpiredTokenException" ? "RequestExpired" : "AuthFailure",
            skewed || jsonCode == "ExpiredTokenException" ? "Request has expired." : "AWS was not able to validate the provided access credentials"),
        S3Endpoints.ServiceName => jsonCode switch
        {
            _ when skewed => S3Xml.Error(StatusCodes.Status403Forbidden, "RequestTimeTooSkewed", message),
            "MissingAuthenticationTokenException" => S3Xml.Error(StatusCodes.Status403Forbidden, "AccessDenied", message),
            "IncompleteSignatureException" => S3Xml.Error(StatusCodes.Status400BadRequest, "AuthorizationHeaderMalformed", message),
            "UnrecognizedClientException" => S3Xml.Error(StatusCodes.Status403Forbidden, "InvalidAccessKeyId", message),
            "ExpiredTokenException" => S3Xml.Error(StatusCodes.Status400BadRequest, "ExpiredToken", "The provided token has expired."),
            _ => S3Xml.Error(StatusCodes.Status403Forbidden, "SignatureDoesNotMatch", message),
        },
        _ => new AwsError(statusCode, jsonCode, message),
    };

    /// <summary>The service of <c>Credential=AKID/date/region/service/aws4_request</c>, if the header has one.</summary>
    public static string? SignedService(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = authorization.IndexOfAny([',', ' '], start);
        var parts = authorization[(start + "Credential=".Length)..(end < 0 ? authorization.Length : end)].Split('/');
        return parts.Length == 5 ? parts[3] : null;
    }
}
