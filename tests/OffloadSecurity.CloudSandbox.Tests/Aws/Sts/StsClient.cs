using System.Net;
using System.Text;
using System.Xml.Linq;
using OffloadSecurity.Scanners.Aws.Signing;

namespace OffloadSecurity.CloudSandbox.Tests.Aws.Sts;

/// <summary>Raw STS query-protocol calls (form POST signed for "sts", XML answers), so the tests see the wire.</summary>
public sealed class StsClient(Uri address, TimeProvider? time = null) : IDisposable
{
    public static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";
    private readonly HttpClient _http = new();
    private readonly SigV4Signer _signer = new(time);

    public async Task<(HttpStatusCode Status, XElement Body)> CallAsync(AwsCredentials credentials, string action, params (string Name, string Value)[] parameters)
    {
        var form = new[] { ("Action", action), ("Version", "2011-06-15") }.Concat(parameters)
            .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/"))
        {
            Content = new StringContent(string.Join('&', form), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        await _signer.SignAsync(request, credentials, "us-east-1", "sts", TestContext.Current.CancellationToken);
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("text/xml");
        return (response.StatusCode, XElement.Parse(text));
    }

    /// <summary>The temporary credentials in an AssumeRole or GetSessionToken answer.</summary>
    public static (AwsCredentials Credentials, DateTimeOffset Expiration) Credentials(XElement body)
    {
        var credentials = body.Descendants(Ns + "Credentials").Single();
        string Value(string name) => credentials.Element(Ns + name)!.Value;
        return (new AwsCredentials(Value("AccessKeyId"), Value("SecretAccessKey"), Value("SessionToken")),
            DateTimeOffset.Parse(Value("Expiration"), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The code and message of an STS <c>ErrorResponse</c>.</summary>
    public static (string Code, string Message) Error(XElement body)
    {
        body.Name.ShouldBe(Ns + "ErrorResponse");
        var error = body.Element(Ns + "Error")!;
        error.Element(Ns + "Type")!.Value.ShouldBe("Sender");
        body.Element(Ns + "RequestId").ShouldNotBeNull();
        return (error.Element(Ns + "Code")!.Value, error.Element(Ns + "Message")!.Value);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A clock the test moves by hand; the sandbox and the signer share it.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public void Advance(TimeSpan by) => _now += by;

    public override DateTimeOffset GetUtcNow() => _now;
}
