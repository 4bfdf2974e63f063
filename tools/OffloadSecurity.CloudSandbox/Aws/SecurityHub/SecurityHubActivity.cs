using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>A change to a generated finding: updated at <see cref="At"/>, and now in <see cref="RecordState"/> when given.</summary>
internal sealed record FindingUpdate(DateTimeOffset At, string? RecordState = null);

/// <summary>
/// Findings that changed since they were generated, as when a provider re-evaluates or resolves a finding in AWS:
/// "finding n of (account, region) was updated at T", optionally "and is now ARCHIVED" or "and is ACTIVE again".
/// GetFindings writes and filters findings with these changes applied (see <see cref="FindingGenerator.Write"/>).
/// Only the changes are kept, one per finding (the latest time wins; a plain update keeps an earlier recorded state), so memory grows with what tests record, not with
/// the number of findings. Findings below an account's <see cref="SandboxAwsAccount.SecurityHubRecentlyUpdated"/>
/// count read as updated at <see cref="StartedAt"/> until a recorded change says otherwise.
/// </summary>
internal sealed class SecurityHubActivity
{
    public const string Active = "ACTIVE";
    public const string Archived = "ARCHIVED";

    private readonly ConcurrentDictionary<(string AccountId, string Region, int Index), FindingUpdate> _updates = new();
    private readonly Lazy<Dictionary<string, int>> _recentlyUpdated;
    private readonly TimeProvider _time;

    public SecurityHubActivity(TimeProvider time, IOptions<SandboxOptions> options)
    {
        _time = time;
        StartedAt = FindingGenerator.TruncateToMilliseconds(time.GetUtcNow());

        // Read on first use: reading the options validates them, which belongs to the host's start, not to this constructor.
        _recentlyUpdated = new(() => options.Value.Aws.Accounts
            .Where(a => a.SecurityHubRecentlyUpdated > 0)
            .GroupBy(a => a.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(a => a.SecurityHubRecentlyUpdated), StringComparer.Ordinal));
    }

    /// <summary>When the sandbox started (to the millisecond): the <c>UpdatedAt</c> of "recently updated" findings.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Finding <paramref name="index"/> was updated at <paramref name="at"/> (default: now); its record state is unchanged.</summary>
    public void Update(string accountId, string region, int index, DateTimeOffset? at = null) =>
        Record(accountId, region, index, at, recordState: null);

    /// <summary>Finding <paramref name="index"/> was resolved at <paramref name="at"/> (default: now): it is ARCHIVED from then on.</summary>
    public void Archive(string accountId, string region, int index, DateTimeOffset? at = null) =>
        Record(accountId, region, index, at, Archived);

    /// <summary>Finding <paramref name="index"/> came back at <paramref name="at"/> (default: now): it is ACTIVE from then on.</summary>
    public void Reactivate(string accountId, string region, int index, DateTimeOffset? at = null) =>
        Record(accountId, region, index, at, Active);

    /// <summary>Forgets every recorded change (the "recently updated" findings stay).</summary>
    public void Clear() => _updates.Clear();

    /// <summary>The change to apply to finding <paramref name="index"/>, or null when it reads as generated.</summary>
    public FindingUpdate? Find(string accountId, string region, int index)
    {
        if (_updates.TryGetValue((accountId, region, index), out var update))
        {
            return update;
        }

        return _recentlyUpdated.Value.TryGetValue(accountId, out var recent) && index < recent ? new FindingUpdate(StartedAt) : null;
    }

    /// <summary>The record state finding <paramref name="index"/> reads with, changes applied.</summary>
    public string RecordState(string accountId, string region, int index) =>
        Find(accountId, region, index)?.RecordState ?? FindingGenerator.RecordState(accountId, region, index);

    /// <summary>The <c>UpdatedAt</c> finding <paramref name="index"/> reads with, changes applied (to the millisecond).</summary>
    public DateTimeOffset UpdatedAt(string accountId, string region, int index) =>
        Find(accountId, region, index) is { } update
            ? FindingGenerator.TruncateToMilliseconds(update.At)
            : FindingGenerator.UpdatedAt(accountId, region, index);

    private void Record(string accountId, string region, int index, DateTimeOffset? at, string? recordState)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var update = new FindingUpdate(FindingGenerator.TruncateToMilliseconds(at ?? _time.GetUtcNow()), recordState);

        // An update that leaves the record state alone keeps a state recorded before it.
        _updates.AddOrUpdate((accountId, region, index), update,
            (_, previous) => recordState is null ? update with { RecordState = previous.RecordState } : update);
    }
}
