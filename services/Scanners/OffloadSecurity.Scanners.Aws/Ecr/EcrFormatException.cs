namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>An ECR scan document or finding that cannot be read.</summary>
public sealed class EcrFormatException : FormatException
{
    public EcrFormatException(string message)
        : base("ECR: " + message)
    {
    }

    public EcrFormatException(string message, Exception innerException)
        : base("ECR: " + message, innerException)
    {
    }
}
