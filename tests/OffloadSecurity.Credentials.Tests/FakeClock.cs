namespace OffloadSecurity.Credentials.Tests;

/// <summary>A clock the test moves by hand. Timers still run on real time.</summary>
public sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }
}
