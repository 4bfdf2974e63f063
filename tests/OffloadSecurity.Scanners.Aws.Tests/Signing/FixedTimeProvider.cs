namespace OffloadSecurity.Scanners.Aws.Tests.Signing;

public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
