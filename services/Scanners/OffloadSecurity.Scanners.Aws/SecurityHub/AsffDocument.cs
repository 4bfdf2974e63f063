using System.Text;
using System.Text.Json;

namespace OffloadSecurity.Scanners.Aws.SecurityHub;

/// <summary>One finding of an <see cref="AsffDocument"/>: its 0-based index, 1-based start line and JSON.</summary>
public readonly record struct AsffRecord(int Index, long Line, JsonElement Finding);

/// <summary>
/// A file of ASFF findings, in any envelope seen in the wild: <c>{"Findings":[...]}</c> (API casing),
/// <c>{"findings":[...]}</c>, a bare array, or one bare finding object.
/// </summary>
/// <remarks>
/// Loading checks the whole document's JSON syntax and the envelope first, so a malformed file is rejected
/// before any record is handed out (nothing half-imported); records are then parsed one at a time as
/// <see cref="Records"/> is enumerated.
/// </remarks>
public sealed class AsffDocument
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly List<RecordSpan> _spans;

    private AsffDocument(ReadOnlyMemory<byte> utf8, List<RecordSpan> spans)
    {
        _utf8 = utf8;
        _spans = spans;
    }

    /// <summary>Number of finding records.</summary>
    public int Count => _spans.Count;

    /// <summary>The findings in document order, each parsed on demand and safe to keep.</summary>
    public IEnumerable<AsffRecord> Records
    {
        get
        {
            foreach (var span in _spans)
            {
                yield return new AsffRecord(span.Index, span.Line, ParseRecord(_utf8.Span.Slice(span.Start, span.Length)));
            }
        }
    }

    /// <exception cref="AsffFormatException">The document is not valid JSON or not an ASFF envelope.</exception>
    public static AsffDocument Parse(ReadOnlyMemory<byte> utf8Json)
    {
        var bom = Encoding.UTF8.Preamble;
        if (utf8Json.Span.StartsWith(bom))
        {
            utf8Json = utf8Json[bom.Length..];
        }

        return new AsffDocument(utf8Json, IndexRecords(utf8Json.Span));
    }

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte})"/>
    public static AsffDocument Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte})"/>
    public static AsffDocument Load(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte})"/>
    public static async Task<AsffDocument> LoadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte})"/>
    public static AsffDocument LoadFile(string path) => Parse(File.ReadAllBytes(path));

    private static JsonElement ParseRecord(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>One pass over the document: validates it and finds where each finding starts and ends.</summary>
    private static List<RecordSpan> IndexRecords(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var lines = new LineCounter();
        var records = new List<RecordSpan>();
        int? current = null;
        try
        {
            if (!reader.Read())
            {
                throw new AsffFormatException("The document is empty.");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    ReadFindingsArray(ref reader, json, ref lines, records, ref current);
                    break;
                case JsonTokenType.StartObject:
                    ReadTopLevelObject(ref reader, json, ref lines, records, ref current);
                    break;
                default:
                    throw new AsffFormatException(
                        $"Expected a findings envelope, an array or a finding object, found {reader.TokenType}.",
                        field: null, line: 1);
            }

            // Anything but whitespace after the top-level value makes Read() throw.
            reader.Read();
            return records;
        }
        catch (JsonException ex)
        {
            throw new AsffFormatException(
                $"Invalid JSON: {ex.Message}", field: null, current, (ex.LineNumber ?? 0) + 1, ex);
        }
    }

    private static void ReadTopLevelObject(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref LineCounter lines, List<RecordSpan> records, ref int? current)
    {
        var start = (int)reader.TokenStartIndex;
        var isEnvelope = false;

        // Until a findings array shows up, the object may itself be the one (bare) finding.
        current = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFindings = reader.ValueTextEquals("Findings"u8) || reader.ValueTextEquals("findings"u8);
            reader.Read();
            if (isFindings && !isEnvelope && reader.TokenType == JsonTokenType.StartArray)
            {
                isEnvelope = true;
                ReadFindingsArray(ref reader, json, ref lines, records, ref current);
            }
            else
            {
                reader.Skip();
            }
        }

        if (!isEnvelope)
        {
            records.Add(new RecordSpan(0, 1, start, (int)reader.BytesConsumed - start));
        }

        current = null;
    }

    private static void ReadFindingsArray(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref LineCounter lines, List<RecordSpan> records, ref int? current)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            current = index;
            var start = (int)reader.TokenStartIndex;
            var line = lines.LineAt(json, start);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new AsffFormatException(
                    $"A finding must be a JSON object, found {reader.TokenType}.", field: null, index, line);
            }

            reader.Skip();
            records.Add(new RecordSpan(index, line, start, (int)reader.BytesConsumed - start));
            index++;
        }

        current = null;
    }

    private readonly record struct RecordSpan(int Index, long Line, int Start, int Length);

    /// <summary>1-based line of a byte offset, counting forward from the last offset asked about.</summary>
    private struct LineCounter
    {
        private int _offset;
        private long _line;

        public long LineAt(ReadOnlySpan<byte> json, int offset)
        {
            _line += json[_offset..offset].Count((byte)'\n');
            _offset = offset;
            return _line + 1;
        }
    }
}
