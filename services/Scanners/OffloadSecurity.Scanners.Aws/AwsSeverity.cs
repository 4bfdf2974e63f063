using System.Collections.Frozen;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Scanners.Aws;

/// <summary>
/// AWS severities to the normalized <see cref="Severity"/>: Security Hub (ASFF), GuardDuty, ECR and Inspector.
/// </summary>
public static class AwsSeverity
{
    /// <summary>ASFF <c>Severity.Label</c> values.</summary>
    private static readonly FrozenDictionary<string, Severity> AsffLabels = new Dictionary<string, Severity>
    {
        ["INFORMATIONAL"] = Severity.Informational,
        ["LOW"] = Severity.Low,
        ["MEDIUM"] = Severity.Medium,
        ["HIGH"] = Severity.High,
        ["CRITICAL"] = Severity.Critical,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>ECR basic/enhanced scanning and Inspector2 severities.</summary>
    private static readonly FrozenDictionary<string, Severity> EcrLabels = new Dictionary<string, Severity>
    {
        ["INFORMATIONAL"] = Severity.Informational,
        ["LOW"] = Severity.Low,
        ["MEDIUM"] = Severity.Medium,
        ["HIGH"] = Severity.High,
        ["CRITICAL"] = Severity.Critical,
        ["UNDEFINED"] = Severity.Informational,
        ["UNTRIAGED"] = Severity.Informational,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// ASFF <c>Severity.Normalized</c> (0..100) lower bounds, highest first, as Security Hub derives the label:
    /// 0 INFORMATIONAL, 1–39 LOW, 40–69 MEDIUM, 70–89 HIGH, 90–100 CRITICAL.
    /// </summary>
    private static readonly (double From, Severity Severity)[] NormalizedBands =
    [
        (90, Severity.Critical),
        (70, Severity.High),
        (40, Severity.Medium),
        (1, Severity.Low),
    ];

    /// <summary>
    /// GuardDuty numeric severity lower bounds, highest first (GuardDuty user guide, "Severity levels of
    /// GuardDuty findings"): Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0. Values between
    /// bands (e.g. 3.95) fall to the lower band; anything above 0 but under 1.0 is Low.
    /// </summary>
    private static readonly (double From, Severity Severity)[] GuardDutyBands =
    [
        (9.0, Severity.Critical),
        (7.0, Severity.High),
        (4.0, Severity.Medium),
    ];

    /// <summary>ASFF <c>Severity.Label</c>; null when missing or not one of the five labels.</summary>
    public static Severity? FromAsffLabel(string? label) =>
        label is not null && AsffLabels.TryGetValue(label.Trim(), out var severity) ? severity : null;

    /// <summary>ASFF <c>Severity.Normalized</c>, 0..100 (values outside are clamped).</summary>
    public static Severity FromAsffNormalized(double normalized)
    {
        foreach (var (from, severity) in NormalizedBands)
        {
            if (normalized >= from)
            {
                return severity;
            }
        }

        return Severity.Informational;
    }

    /// <summary>GuardDuty's numeric <c>severity</c>. 0 (reserved by GuardDuty) and below is Informational.</summary>
    public static Severity FromGuardDuty(double severity)
    {
        if (severity <= 0)
        {
            return Severity.Informational;
        }

        foreach (var (from, band) in GuardDutyBands)
        {
            if (severity >= from)
            {
                return band;
            }
        }

        return Severity.Low;
    }

    /// <summary>
    /// ECR image scan / Inspector2 severity. UNDEFINED, UNTRIAGED, missing or unknown values are Informational.
    /// </summary>
    public static Severity FromEcr(string? severity) =>
        severity is not null && EcrLabels.TryGetValue(severity.Trim(), out var mapped) ? mapped : Severity.Informational;
}
