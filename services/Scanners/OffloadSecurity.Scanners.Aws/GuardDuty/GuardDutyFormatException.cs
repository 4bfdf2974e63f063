namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>A GuardDuty document or finding that cannot be read: malformed JSON, an unknown envelope, no finding id.</summary>
public sealed class GuardDutyFormatException : FormatException
{
    public GuardDutyFormatException(string message)
        : base("GuardDuty: " + message)
    {
    }

    public GuardDutyFormatException(string message, Exception innerException)
        : base("GuardDuty: " + message, innerException)
    {
    }
}
