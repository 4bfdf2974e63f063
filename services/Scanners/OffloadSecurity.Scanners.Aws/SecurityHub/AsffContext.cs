namespace OffloadSecurity.Scanners.Aws.SecurityHub;

/// <summary>Who the ASFF findings belong to, and where they came from.</summary>
/// <param name="TenantId">Our tenant.</param>
/// <param name="AccountId">Our id of the connected cloud account (not the AWS account number).</param>
/// <param name="Source">
/// The normalized <c>source</c>: <see cref="SecurityHubSource"/> for the scanner, e.g. <see cref="ImportSource"/>
/// for files imported by hand. Part of the fingerprint.
/// </param>
public sealed record AsffContext(string TenantId, Guid AccountId, string Source = AsffContext.SecurityHubSource)
{
    public const string SecurityHubSource = "aws.securityhub";
    public const string ImportSource = "aws.securityhub.import";
}
