namespace OffloadSecurity.Scanners.Aws.SecurityHub;

/// <summary>
/// An ASFF document or finding that cannot be read: malformed JSON, a wrong envelope, or a finding without a
/// required field. Says which record (0-based index in the document) and line, and which field, when known.
/// </summary>
public sealed class AsffFormatException : FormatException
{
    public AsffFormatException(string message)
        : this(message, field: null)
    {
    }

    public AsffFormatException(string message, Exception innerException)
        : this(message, field: null, innerException: innerException)
    {
    }

    public AsffFormatException(
        string message, string? field, int? recordIndex = null, long? line = null, Exception? innerException = null)
        : base(Describe(message, recordIndex, line), innerException)
    {
        Reason = message;
        Field = field;
        RecordIndex = recordIndex;
        Line = line;
    }

    /// <summary>What is wrong, without the record and line prefix.</summary>
    public string Reason { get; }

    /// <summary>The ASFF field at fault, e.g. <c>Id</c> or <c>Title</c>.</summary>
    public string? Field { get; }

    /// <summary>0-based position of the bad record in its document.</summary>
    public int? RecordIndex { get; }

    /// <summary>1-based line in the document: of the syntax error, else of the record's start.</summary>
    public long? Line { get; }

    /// <summary>This error placed at a record of a document (for errors found while normalizing one finding).</summary>
    public AsffFormatException AtRecord(int recordIndex, long line) =>
        new(Reason, Field, recordIndex, line, InnerException);

    private static string Describe(string message, int? recordIndex, long? line) => (recordIndex, line) switch
    {
        (int index, long at) => $"ASFF record {index} (line {at}): {message}",
        (int index, null) => $"ASFF record {index}: {message}",
        (null, long at) => $"ASFF document (line {at}): {message}",
        _ => $"ASFF: {message}",
    };
}
