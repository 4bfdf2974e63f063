using System.Xml.Linq;

namespace OffloadSecurity.CloudSandbox.Tests.Aws;

/// <summary>Reads the sandbox's XML answers (EC2 query protocol, S3 REST-XML).</summary>
public static class XmlAnswers
{
    public static async Task<XElement> XmlAsync(this HttpResponseMessage response) =>
        XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Root!;

    /// <summary>The code of an EC2 error (<c>Response/Errors/Error/Code</c>) or an S3 error (<c>Error/Code</c>).</summary>
    public static async Task<string> XmlErrorCodeAsync(this HttpResponseMessage response)
    {
        var root = await response.XmlAsync();
        return (root.Name.LocalName == "Response" ? root.Element("Errors")!.Element("Error")!.Element("Code") : root.Element("Code"))!.Value;
    }
}
