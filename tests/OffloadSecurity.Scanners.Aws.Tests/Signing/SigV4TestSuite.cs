using System.Text;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Scanners.Aws.Tests.Signing;

/// <summary>
/// Reads the AWS SigV4 test suite (shared/reference/aws/sigv4-testsuite): one folder per case with the raw
/// request (.req) and the expected canonical request (.creq), string to sign (.sts) and Authorization (.authz).
/// </summary>
public static class SigV4TestSuite
{
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Region = "us-east-1";
    public const string Service = "service";
    public static readonly DateTimeOffset Time = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    public static string Root => SharedPaths.Reference("aws", "sigv4-testsuite");

    /// <summary>Case ids such as <c>get-vanilla</c> or <c>normalize-path/get-slash</c>.</summary>
    public static IEnumerable<string> CaseIds() =>
        Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories)
            .Where(dir => File.Exists(Path.Combine(dir, Path.GetFileName(dir) + ".req")))
            .Select(dir => Path.GetRelativePath(Root, dir).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static string Read(string caseId, string extension) =>
        File.ReadAllText(Path.Combine(Root, caseId, Path.GetFileName(caseId) + "." + extension), Encoding.UTF8);

    /// <summary>The session token of a case, taken from its canonical request the way botocore's tests do.</summary>
    public static string? SessionToken(string caseId) =>
        Read(caseId, "creq").Split('\n')
            .FirstOrDefault(line => line.StartsWith("x-amz-security-token:", StringComparison.Ordinal))?
            ["x-amz-security-token:".Length..];

    public static ParsedRequest Parse(string caseId)
    {
        var text = Read(caseId, "req");
        var blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = blank < 0 ? text : text[..blank];
        var body = blank < 0 ? "" : text[(blank + 2)..];
        var lines = head.Split('\n');

        // Request line: METHOD <target, which may contain spaces> HTTP/1.1
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            if (char.IsWhiteSpace(line[0]))
            {
                // A folded (multi-line) value continues the previous header.
                var last = headers[^1];
                headers[^1] = KeyValuePair.Create(last.Key, last.Value + " " + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(KeyValuePair.Create(line[..colon], line[(colon + 1)..]));
        }

        return new ParsedRequest(method, path, query, headers, Encoding.UTF8.GetBytes(body));
    }

    public static AwsCredentials Credentials(string? sessionToken = null) => new(AccessKeyId, SecretAccessKey, sessionToken);
}

public sealed record ParsedRequest(
    string Method, string Path, string Query, List<KeyValuePair<string, string>> Headers, byte[] Body);
