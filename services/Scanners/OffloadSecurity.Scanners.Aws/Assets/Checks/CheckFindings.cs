using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Scanners.Core.Normalization;

namespace OffloadSecurity.Scanners.Aws.Assets.Checks;

/// <summary>Who a scan's check findings belong to: tenant, our account id, and the source that reports them.</summary>
public sealed record CheckContext(string TenantId, Guid AccountId, string Source);

/// <summary>
/// A failed check on one resource as a <see cref="NormalizedFinding"/> of class Compliance. Its native id is
/// <c>{check id}/{resource ARN}</c>, so its fingerprint is stable across scans and one resource has at most one finding
/// per check. Nothing in it changes from scan to scan unless the resource does (no timestamps), so a re-scan of an
/// unchanged resource is not an update; a check that passes reports nothing, and the inventory resolves the finding
/// when a complete scan of the source no longer reports it.
/// </summary>
public static class CheckFindings
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="evidence">What made the check fail (serialized as the finding's raw JSON).</param>
    public static NormalizedFinding Failed(
        PostureCheck check, CheckContext context, ResourceRef resource, string? cloudAccountId, string description,
        IReadOnlyList<ComplianceRef> compliance, object evidence)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        var nativeId = NativeId(check, resource.Id);
        return new NormalizedFinding
        {
            Fingerprint = Fingerprint.ForFinding(context.TenantId, context.AccountId, context.Source, nativeId),
            Class = FindingClass.Compliance,
            Severity = check.Severity,
            SeverityId = (int)check.Severity,
            State = ObservedState.Open,
            Title = check.Title,
            Description = $"{description} (check {check.Id})",
            Remediation = check.Remediation,
            RemediationUrl = check.RemediationUrl,
            Provider = CloudProvider.Aws,
            CloudAccountId = cloudAccountId,
            Region = resource.Region,
            Source = context.Source,
            NativeId = nativeId,
            ProductName = AwsChecks.ProductName,
            Resource = resource,
            Compliance = compliance,
            RawJson = JsonSerializer.Serialize(new { checkId = check.Id, resourceId = resource.Id, evidence }, Json),
        };
    }

    public static string NativeId(PostureCheck check, string resourceId) => $"{check.Id}/{resourceId}";
}
