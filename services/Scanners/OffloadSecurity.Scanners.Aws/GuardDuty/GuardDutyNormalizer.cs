using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Core.Normalization;

namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>
/// A GuardDuty finding (GetFindings, EventBridge <c>detail</c>, S3 export; either casing) to a
/// <see cref="NormalizedFinding"/>: a detection, with GuardDuty's documented severity bands, open unless archived.
/// </summary>
public static class GuardDutyNormalizer
{
    public const string ProductName = "GuardDuty";

    /// <summary>GuardDuty's remediation guide, per resource kind (GuardDuty findings carry no remediation text).</summary>
    public const string RemediationUrl = "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_remediate.html";

    /// <exception cref="GuardDutyFormatException">Not an object, or no id to know the finding by.</exception>
    public static NormalizedFinding Normalize(JsonElement json, GuardDutyContext context) =>
        Normalize(GuardDutyFinding.Read(json), context);

    public static NormalizedFinding Normalize(GuardDutyFinding finding, GuardDutyContext context)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(context);
        var nativeId = finding.NativeId;
        var severity = finding.Severity is { } value ? AwsSeverity.FromGuardDuty(value) : Severity.Informational;

        return new NormalizedFinding
        {
            Fingerprint = Fingerprint.ForFinding(context.TenantId, context.AccountId, context.Source, nativeId),
            Class = FindingClass.Detection,
            Severity = severity,
            SeverityId = (int)severity,
            State = finding.Archived ? ObservedState.Closed : ObservedState.Open,
            Title = finding.Title ?? finding.Type ?? finding.Id,
            Description = finding.Description,
            RemediationUrl = RemediationUrl,
            Provider = CloudProvider.Aws,
            CloudAccountId = finding.AccountId,
            Region = finding.Region,
            Source = context.Source,
            NativeId = nativeId,
            ProductName = ProductName,
            Resource = GuardDutyResource.Of(finding),
            FirstObservedAt = finding.EventFirstSeen ?? finding.CreatedAt,
            UpdatedAt = finding.UpdatedAt ?? finding.EventLastSeen ?? finding.CreatedAt,
            IsSample = finding.IsSample,
            RawJson = finding.Json.GetRawText(),
        };
    }
}
