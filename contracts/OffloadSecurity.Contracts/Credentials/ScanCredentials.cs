namespace OffloadSecurity.Contracts.Credentials;

/// <summary>
/// A scanner's request to the credential broker (HTTP, authenticated with a service token for the tenant).
/// Not a bus message: credentials never travel on the bus.
/// </summary>
public sealed record IssueScanCredentials
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
}

/// <summary>Short-lived credentials for one scan of an AWS account, from the broker.</summary>
public sealed record AwsScanCredentials
{
    public required string AccessKeyId { get; init; }
    public required string SecretAccessKey { get; init; }
    public string? SessionToken { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? DefaultRegion { get; init; }

    public override string ToString() => $"AwsScanCredentials {{ AccessKeyId = {AccessKeyId}, ExpiresAt = {ExpiresAt}, secrets redacted }}";
}
