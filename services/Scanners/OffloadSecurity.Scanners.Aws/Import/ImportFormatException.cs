namespace OffloadSecurity.Scanners.Aws.Import;

/// <summary>A file to import that cannot be read: names the first bad record (<c>findings[17]</c> or <c>line 18</c>) and why.</summary>
public sealed class ImportFormatException(string record, string reason)
    : FormatException($"{record}: {reason}")
{
    /// <summary>Where the bad record is: <c>findings[17]</c> (with its line when known), <c>line 18</c>, or <c>document</c>.</summary>
    public string Record { get; } = record;

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = reason;
}
