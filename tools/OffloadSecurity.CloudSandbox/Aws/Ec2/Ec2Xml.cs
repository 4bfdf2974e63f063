using System.Globalization;
using System.Xml.Linq;

namespace OffloadSecurity.CloudSandbox.Aws.Ec2;

/// <summary>
/// EC2's query-protocol answers: <c>&lt;{Action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"&gt;</c> with
/// lists as <c>&lt;item&gt;</c> elements, and errors as
/// <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;/Errors&gt;&lt;RequestID/&gt;&lt;/Response&gt;</c>.
/// </summary>
internal static class Ec2Xml
{
    public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    /// <summary>A list member: <c>&lt;name&gt;&lt;item&gt;…&lt;/item&gt;…&lt;/name&gt;</c>.</summary>
    public static XElement Items(string name, IEnumerable<object?[]> items) => E(name, items.Select(content => E("item", content)));

    public static XElement Tags(IReadOnlyDictionary<string, string> tags) =>
        Items("tagSet", tags.Select(t => new object?[] { E("key", t.Key), E("value", t.Value) }));

    public static XElement? Optional(string name, object? value) => value is null ? null : E(name, value);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static XmlResult Response(string action, params object?[] content) =>
        new(StatusCodes.Status200OK, E(action + "Response", E("requestId", Guid.NewGuid().ToString()), content));

    /// <summary>An EC2 error (no namespace on the envelope, as EC2 sends it).</summary>
    public static XmlResult Error(int statusCode, string code, string message) => new(statusCode, new XElement("Response",
        new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
        new XElement("RequestID", Guid.NewGuid().ToString())));
}
