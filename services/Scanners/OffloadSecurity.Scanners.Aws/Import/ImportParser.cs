using System.Text;
using System.Text.Json;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Aws.GuardDuty;
using OffloadSecurity.Scanners.Aws.SecurityHub;

namespace OffloadSecurity.Scanners.Aws.Import;

/// <summary>The kinds of file the import API takes.</summary>
public enum ImportKind
{
    Asff,
    GuardDuty,
}

/// <summary>
/// Reads a whole file and normalizes every finding in it, all or nothing: the first bad record throws
/// <see cref="ImportFormatException"/> naming it. Takes a JSON array of findings, an object with
/// <c>Findings</c>/<c>findings</c> (GetFindings, Security Hub export), one finding object, or JSON Lines (one
/// finding per line, as Prowler writes). Findings are normalized with an empty account id; the caller re-keys
/// them once it knows which account each belongs to.
/// </summary>
public static class ImportParser
{
    public const string AsffSource = AsffContext.ImportSource;
    public const string GuardDutySource = "aws.guardduty.import";

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    public static string SourceOf(ImportKind kind) => kind == ImportKind.Asff ? AsffSource : GuardDutySource;

    /// <exception cref="ImportFormatException">The file, or one of its records, cannot be read.</exception>
    public static IReadOnlyList<NormalizedFinding> Parse(ImportKind kind, ReadOnlyMemory<byte> utf8, string tenantId)
    {
        if (utf8.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        if (utf8.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new ImportFormatException("document", "The file is empty.");
        }

        return IsJsonLines(utf8.Span)
            ? ParseLines(kind, utf8.Span, tenantId)
            : kind == ImportKind.Asff ? ParseAsff(utf8, tenantId) : ParseGuardDuty(utf8, tenantId);
    }

    /// <summary>JSON Lines: an object first, and something more than whitespace after it.</summary>
    private static bool IsJsonLines(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowMultipleValues = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !json[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8).IsEmpty;
        }
        catch (JsonException)
        {
            // A broken first value: let the document parser report where.
            return false;
        }
    }

    private static List<NormalizedFinding> ParseAsff(ReadOnlyMemory<byte> utf8, string tenantId)
    {
        try
        {
            return [.. AsffNormalizer.NormalizeAll(AsffDocument.Parse(utf8), new AsffContext(tenantId, Guid.Empty, AsffSource))];
        }
        catch (AsffFormatException ex)
        {
            var record = (ex.RecordIndex, ex.Line) switch
            {
                (int index, long line) => $"findings[{index}] (line {line})",
                (int index, null) => $"findings[{index}]",
                (null, long line) => $"line {line}",
                _ => "document",
            };
            throw new ImportFormatException(record, ex.Field is null ? ex.Reason : $"{ex.Field}: {ex.Reason}");
        }
    }

    private static List<NormalizedFinding> ParseGuardDuty(ReadOnlyMemory<byte> utf8, string tenantId)
    {
        IReadOnlyList<JsonElement> records;
        try
        {
            records = GuardDutyDocument.Parse(utf8);
        }
        catch (GuardDutyFormatException ex)
        {
            throw new ImportFormatException("document", ex.Message);
        }

        var context = new GuardDutyContext(tenantId, Guid.Empty, GuardDutySource);
        var findings = new List<NormalizedFinding>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            try
            {
                findings.Add(GuardDutyNormalizer.Normalize(records[i], context));
            }
            catch (Exception ex) when (ex is GuardDutyFormatException or JsonException or FormatException or InvalidOperationException)
            {
                throw new ImportFormatException($"findings[{i}]", ex.Message);
            }
        }

        return findings;
    }

    private static List<NormalizedFinding> ParseLines(ImportKind kind, ReadOnlySpan<byte> json, string tenantId)
    {
        var findings = new List<NormalizedFinding>();
        var asff = new AsffContext(tenantId, Guid.Empty, AsffSource);
        var guardDuty = new GuardDutyContext(tenantId, Guid.Empty, GuardDutySource);
        var number = 0;
        while (!json.IsEmpty)
        {
            number++;
            var end = json.IndexOf((byte)'\n');
            var line = end < 0 ? json : json[..end];
            json = end < 0 ? [] : json[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            try
            {
                var reader = new Utf8JsonReader(line, ReaderOptions);
                using var document = JsonDocument.ParseValue(ref reader);
                if (reader.Read())
                {
                    throw new JsonException("More than one JSON value on the line.");
                }

                findings.Add(kind == ImportKind.Asff
                    ? AsffNormalizer.Normalize(document.RootElement, asff)
                    : GuardDutyNormalizer.Normalize(document.RootElement, guardDuty));
            }
            catch (AsffFormatException ex)
            {
                throw new ImportFormatException($"line {number}", ex.Field is null ? ex.Reason : $"{ex.Field}: {ex.Reason}");
            }
            catch (Exception ex) when (ex is GuardDutyFormatException or JsonException or FormatException or InvalidOperationException)
            {
                throw new ImportFormatException($"line {number}", ex.Message);
            }
        }

        return findings;
    }
}
