using System.Globalization;
using System.Xml.Linq;

namespace OffloadSecurity.CloudSandbox.Aws.Sts;

/// <summary>STS's query-protocol responses: <c>&lt;{Action}Response&gt;&lt;{Action}Result&gt;…</c> in the 2011-06-15 namespace.</summary>
internal static class StsXml
{
    public static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static XElement Element(string name, params object?[] content) => new(Ns + name, content);

    public static XElement Credentials(StsSession session) => Element("Credentials",
        Element("AccessKeyId", session.AccessKeyId),
        Element("SecretAccessKey", session.SecretAccessKey),
        Element("SessionToken", session.SessionToken),
        Element("Expiration", session.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));

    /// <summary>A successful response of <paramref name="action"/> with <paramref name="result"/> inside its result wrapper.</summary>
    public static IResult Response(string action, params object?[] result) => new XmlResult(StatusCodes.Status200OK, new XDocument(
        Element(action + "Response",
            Element(action + "Result", result),
            Element("ResponseMetadata", Element("RequestId", Guid.NewGuid().ToString())))));

    private sealed class XmlResult(int statusCode, XDocument document) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = "text/xml";
            return httpContext.Response.WriteAsync(document.ToString(SaveOptions.DisableFormatting), httpContext.RequestAborted);
        }
    }
}

/// <summary>
/// An STS (query-protocol) error: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;</c>.
/// Messages name principals and roles, never a secret.
/// </summary>
internal sealed class StsError(int statusCode, string code, string message) : IResult
{
    public int StatusCode => statusCode;
    public string Code => code;
    public string Message => message;

    public static StsError Validation(string message) => new(StatusCodes.Status400BadRequest, "ValidationError", message);

    public static StsError AccessDenied(string message) => new(StatusCodes.Status403Forbidden, "AccessDenied", message);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var requestId = Guid.NewGuid().ToString();
        var document = new XDocument(StsXml.Element("ErrorResponse",
            StsXml.Element("Error",
                StsXml.Element("Type", statusCode >= 500 ? "Receiver" : "Sender"),
                StsXml.Element("Code", code),
                StsXml.Element("Message", message)),
            StsXml.Element("RequestId", requestId)));
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/xml";
        response.Headers["x-amzn-RequestId"] = requestId;
        return response.WriteAsync(document.ToString(SaveOptions.DisableFormatting), httpContext.RequestAborted);
    }
}
