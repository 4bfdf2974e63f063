using System.Text;
using System.Text.Json;
using static OffloadSecurity.Scanners.Aws.Normalization.AwsJson;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// GuardDuty findings from a file, in the envelopes they come in: a GetFindings response (<c>{"findings": [...]}</c>
/// on the wire, <c>{"Findings": [...]}</c> from the AWS CLI), an EventBridge event (the finding is its
/// <c>detail</c>), a bare array of findings, or one bare finding (an S3 export line, Panther's samples).
/// </summary>
public static class GuardDutyDocument
{
    /// <summary>The findings of the document, each cloned (safe to keep).</summary>
    /// <exception cref="GuardDutyFormatException">Not JSON, or none of the envelopes above.</exception>
    public static IReadOnlyList<JsonElement> Parse(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8Json = utf8Json[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            using var document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            return [.. Findings(document.RootElement).Select(f => f.Clone())];
        }
        catch (JsonException ex)
        {
            throw new GuardDutyFormatException($"Invalid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}", ex);
        }
    }

    public static IReadOnlyList<JsonElement> Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static IReadOnlyList<JsonElement> LoadFile(string path) => Parse(File.ReadAllBytes(path));

    private static IEnumerable<JsonElement> Findings(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root.EnumerateArray();
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new GuardDutyFormatException($"Expected a findings envelope, an array or a finding object, found {root.ValueKind}.");
        }

        if (Get(root, "findings") is { ValueKind: JsonValueKind.Array } findings)
        {
            return findings.EnumerateArray();
        }

        if (Get(root, "detail") is { ValueKind: JsonValueKind.Object } detail)
        {
            return [detail];
        }

        return Get(root, "id") is not null || Get(root, "arn") is not null
            ? [root]
            : throw new GuardDutyFormatException("The object is neither a findings envelope, an EventBridge event nor a finding (no 'id' or 'arn').");
    }
}
