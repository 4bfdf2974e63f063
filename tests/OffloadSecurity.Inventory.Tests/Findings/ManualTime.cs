namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>A clock tests move by hand (risk acceptances expire, trends span days).</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
