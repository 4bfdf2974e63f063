using System.Xml.Linq;

namespace OffloadSecurity.CloudSandbox.Aws;

/// <summary>An XML answer of the query (EC2) and REST-XML (S3) protocols.</summary>
internal sealed class XmlResult(int statusCode, XElement root, IReadOnlyDictionary<string, string>? headers = null) : IResult
{
    public int StatusCode => statusCode;

    public XElement Root => root;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/xml;charset=UTF-8";
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        var document = new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
        return response.WriteAsync(document.Declaration + document.ToString(SaveOptions.DisableFormatting), httpContext.RequestAborted);
    }
}
