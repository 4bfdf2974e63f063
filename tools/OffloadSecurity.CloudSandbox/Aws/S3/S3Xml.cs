using System.Globalization;
using System.Xml.Linq;

namespace OffloadSecurity.CloudSandbox.Aws.S3;

/// <summary>
/// S3's REST-XML answers, in the <c>http://s3.amazonaws.com/doc/2006-03-01/</c> namespace, and its errors:
/// <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;BucketName/&gt;&lt;RequestId/&gt;&lt;HostId/&gt;&lt;/Error&gt;</c>.
/// </summary>
internal static class S3Xml
{
    public static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static XmlResult Ok(XElement root) => new(StatusCodes.Status200OK, root, RequestHeaders());

    public static XmlResult Error(int statusCode, string code, string message, string? bucket = null)
    {
        var headers = RequestHeaders();
        return new XmlResult(statusCode, new XElement("Error",
            new XElement("Code", code),
            new XElement("Message", message),
            bucket is null ? null : new XElement("BucketName", bucket),
            new XElement("RequestId", headers["x-amz-request-id"]),
            new XElement("HostId", headers["x-amz-id-2"])), headers);
    }

    private static Dictionary<string, string> RequestHeaders() => new()
    {
        ["x-amz-request-id"] = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(),
        ["x-amz-id-2"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
    };
}
