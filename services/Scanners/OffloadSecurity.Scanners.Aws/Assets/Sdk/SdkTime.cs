namespace OffloadSecurity.Scanners.Aws.Assets.Sdk;

/// <summary>SDK timestamps as UTC offsets: the SDK hands some out as local time, some as UTC, some unspecified (UTC on the wire).</summary>
public static class SdkTime
{
    public static DateTimeOffset? Utc(DateTime? time) => time switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero),
        { } other => new DateTimeOffset(DateTime.SpecifyKind(other, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
