using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Scanners.Aws.Normalization;

/// <summary>
/// Reads AWS JSON the way it arrives in the wild: the same record with API member names (PascalCase in the AWS
/// CLI's output) or wire names (camelCase, EventBridge, S3 exports), numbers sometimes as strings, and timestamps
/// in ISO 8601, "yyyy-MM-dd HH:mm:ss.fffffffff" or epoch seconds.
/// </summary>
internal static partial class AwsJson
{
    /// <summary>The member at <paramref name="path"/>, matching each name exactly first, else ignoring case; null for JSON null.</summary>
    public static JsonElement? Get(JsonElement? element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current is not { ValueKind: JsonValueKind.Object } node)
            {
                return null;
            }

            current = node.TryGetProperty(name, out var exact) ? exact : FindIgnoringCase(node, name);
        }

        return current is { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : current;
    }

    /// <summary>A non-blank string (trimmed), or a number's text; else null.</summary>
    public static string? Text(JsonElement? element, params string[] path) => Get(element, path) switch
    {
        { ValueKind: JsonValueKind.String } s when !string.IsNullOrWhiteSpace(s.GetString()) => s.GetString()!.Trim(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    /// <summary>A number, or a string holding one.</summary>
    public static double? Number(JsonElement? element, params string[] path) => Get(element, path) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var value) => value,
        { ValueKind: JsonValueKind.String } s when double.TryParse(
            s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    /// <summary>true/false, or the strings "true"/"false" in any case.</summary>
    public static bool? Bool(JsonElement? element, params string[] path) => Get(element, path) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString()?.Trim(), out var value) => value,
        _ => null,
    };

    /// <summary>
    /// ISO 8601 (UTC assumed without an offset), also with a space for the <c>T</c> and up to nine fractional digits;
    /// or a number of epoch seconds (AWS JSON protocols' default timestamp format).
    /// </summary>
    public static DateTimeOffset? Timestamp(JsonElement? element, params string[] path)
    {
        var value = Get(element, path);
        if (value is { ValueKind: JsonValueKind.Number } epoch && epoch.TryGetDouble(out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        }

        return Text(value) is { } text && DateTimeOffset.TryParse(
            ExtraFraction().Replace(text, "$1"), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>The items of an array member; empty when missing or not an array.</summary>
    public static IEnumerable<JsonElement> Items(JsonElement? element, params string[] path) =>
        Get(element, path) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>
    /// Tags given either as a list of <c>{key, value}</c> (GuardDuty, ECR) or as an object of name → value.
    /// </summary>
    public static Dictionary<string, string> Tags(JsonElement? tags)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tags is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var tag in map.EnumerateObject())
            {
                result[tag.Name] = Text(tag.Value) ?? "";
            }
        }

        foreach (var tag in Items(tags))
        {
            if (Text(tag, "key") is { } key)
            {
                result[key] = Text(tag, "value") ?? "";
            }
        }

        return result;
    }

    private static JsonElement? FindIgnoringCase(JsonElement node, string name)
    {
        foreach (var property in node.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary>.NET parses at most seven fractional digits: "06.000000000" keeps "06.0000000".</summary>
    [GeneratedRegex(@"(\.\d{7})\d+", RegexOptions.CultureInvariant)]
    private static partial Regex ExtraFraction();
}
