namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>Who ECR image scan findings belong to, where they came from, and the region of the registry.</summary>
/// <param name="Source">The normalized <c>source</c>, part of the fingerprint: <see cref="EcrSource"/> for the scanner.</param>
/// <param name="Region">The registry's region (ECR responses do not carry it); null for files of unknown origin.</param>
public sealed record EcrContext(string TenantId, Guid AccountId, string? Region, string Source = EcrContext.EcrSource)
{
    public const string EcrSource = "aws.ecr";
}
