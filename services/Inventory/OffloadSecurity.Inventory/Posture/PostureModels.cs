using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Posture;

/// <summary>One cell of the summary cube: how many findings have this provider, account, severity and status.</summary>
/// <param name="Status">The effective status: New, Active, Reopened, Resolved, Acknowledged, Suppressed or RiskAccepted.</param>
public sealed record PostureCount(CloudProvider Provider, Guid AccountId, Severity Severity, string Status, long Count);

/// <summary><c>GET /api/posture/summary</c>.</summary>
public sealed record PostureSummary
{
    /// <summary>0..100, see <see cref="PostureScore"/> for the formula.</summary>
    public required double Score { get; init; }
    public required long Total { get; init; }
    /// <summary>Findings to act on: not resolved, not suppressed, not risk-accepted.</summary>
    public required long Open { get; init; }
    public required IReadOnlyDictionary<string, long> OpenBySeverity { get; init; }
    public required IReadOnlyDictionary<string, long> ByStatus { get; init; }
    public required IReadOnlyList<PostureCount> Counts { get; init; }
}

/// <summary>One day of <c>GET /api/posture/trend</c> (UTC days).</summary>
/// <param name="Open">Findings not resolved at the end of the day (life cycle; analyst states do not change it).</param>
/// <param name="Opened">Findings created open or reopened that day.</param>
/// <param name="Resolved">Findings resolved that day.</param>
public sealed record PostureTrendDay(DateOnly Date, long Open, IReadOnlyDictionary<string, long> OpenBySeverity, long Opened, long Resolved);

public sealed record PostureTrend(IReadOnlyList<PostureTrendDay> Days);

/// <summary>
/// The posture score, 0..100: the severity-weighted share of a tenant's tracked findings that need no action.
/// <code>
///   weight(severity) = Informational 0, Low 1, Medium 3, High 7, Critical 15
///   handled = Σ weight over findings that are Resolved (incl. passed checks) or RiskAccepted
///   open    = Σ weight over findings that are New, Active, Reopened or Acknowledged
///   score   = 100 × handled / (handled + open), rounded to one decimal; 100 when both are 0
/// </code>
/// Suppressed findings (false positives) count on neither side. Like a pass rate of controls, it does not depend on
/// how many resources a tenant has, and one open critical weighs as much as fifteen open low findings.
/// </summary>
public static class PostureScore
{
    public static int Weight(Severity severity) => severity switch
    {
        Severity.Low => 1,
        Severity.Medium => 3,
        Severity.High => 7,
        Severity.Critical => 15,
        _ => 0,
    };

    public static bool IsOpen(string status) =>
        status is "New" or "Active" or "Reopened" or "Acknowledged";

    public static bool IsHandled(string status) => status is "Resolved" or "RiskAccepted";

    public static double Compute(IEnumerable<PostureCount> counts)
    {
        long handled = 0, open = 0;
        foreach (var c in counts)
        {
            var weighted = Weight(c.Severity) * c.Count;
            if (IsOpen(c.Status))
            {
                open += weighted;
            }
            else if (IsHandled(c.Status))
            {
                handled += weighted;
            }
        }

        return handled + open == 0 ? 100 : Math.Round(100.0 * handled / (handled + open), 1);
    }
}
