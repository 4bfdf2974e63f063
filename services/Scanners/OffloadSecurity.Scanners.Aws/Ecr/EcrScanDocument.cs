using System.Text;
using System.Text.Json;
using static OffloadSecurity.Scanners.Aws.Normalization.AwsJson;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>
/// Image scan results in the envelopes they come in: a DescribeImageScanFindings response (basic <c>findings</c>
/// and/or <c>enhancedFindings</c> under <c>imageScanFindings</c>), or an Inspector2 ListFindings response
/// (<c>{"findings": [...]}</c>, the shape of ECR's enhanced findings).
/// </summary>
public static class EcrScanDocument
{
    /// <exception cref="EcrFormatException">Not JSON, or neither envelope.</exception>
    public static EcrScanPage Parse(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8Json = utf8Json[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            using var document = JsonDocument.Parse(utf8Json);
            return Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new EcrFormatException($"Invalid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}", ex);
        }
    }

    public static EcrScanPage Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static EcrScanPage LoadFile(string path) => Parse(File.ReadAllBytes(path));

    /// <summary>Reads a response's root object; its elements are cloned.</summary>
    /// <exception cref="EcrFormatException">Neither envelope.</exception>
    public static EcrScanPage Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EcrFormatException($"Expected a JSON object, found {root.ValueKind}.");
        }

        var scan = Get(root, "imageScanFindings");
        if (scan is null && Get(root, "imageScanStatus") is null)
        {
            // No scan and no scan status: an Inspector2 findings list, or nothing we know.
            return Get(root, "findings") is { ValueKind: JsonValueKind.Array } findings
                ? new EcrScanPage { EnhancedFindings = Clone(findings), NextToken = Text(root, "nextToken") }
                : throw new EcrFormatException("The object is neither a DescribeImageScanFindings response nor an Inspector2 findings list.");
        }

        // A scan still in progress (or failed) has a status and no imageScanFindings.

        return new EcrScanPage
        {
            RegistryId = Text(root, "registryId"),
            Repository = Text(root, "repositoryName"),
            Digest = Text(root, "imageId", "imageDigest"),
            Tag = Text(root, "imageId", "imageTag"),
            Status = Text(root, "imageScanStatus", "status"),
            StatusDescription = Text(root, "imageScanStatus", "description"),
            ScanCompletedAt = Timestamp(scan, "imageScanCompletedAt"),
            VulnerabilitySourceUpdatedAt = Timestamp(scan, "vulnerabilitySourceUpdatedAt"),
            SeverityCounts = Counts(Get(scan, "findingSeverityCounts")),
            Findings = Clone(Get(scan, "findings")),
            EnhancedFindings = Clone(Get(scan, "enhancedFindings")),
            NextToken = Text(root, "nextToken"),
        };
    }

    private static List<JsonElement> Clone(JsonElement? array) => [.. Items(array).Select(item => item.Clone())];

    private static Dictionary<string, int> Counts(JsonElement? counts)
    {
        var result = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (counts is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var count in map.EnumerateObject())
            {
                if (Number(count.Value) is { } value)
                {
                    result[count.Name] = (int)value;
                }
            }
        }

        return result;
    }
}
