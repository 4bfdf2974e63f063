namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>Who the GuardDuty findings belong to, and where they came from.</summary>
/// <param name="TenantId">Our tenant.</param>
/// <param name="AccountId">Our id of the connected cloud account (not the AWS account number).</param>
/// <param name="Source">The normalized <c>source</c>, part of the fingerprint: <see cref="GuardDutySource"/> for the scanner.</param>
public sealed record GuardDutyContext(string TenantId, Guid AccountId, string Source = GuardDutyContext.GuardDutySource)
{
    public const string GuardDutySource = "aws.guardduty";
}
