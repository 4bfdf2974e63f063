namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>
/// AWS access keys, optionally with the session token of temporary (STS) credentials.
/// <see cref="ToString"/> never prints the secret or the token. As a credential source it is fixed: it never renews.
/// </summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null) : IAwsCredentialSource
{
    string IAwsCredentialSource.RateKey => AccessKeyId;

    ValueTask<AwsCredentials> IAwsCredentialSource.GetAsync(CancellationToken ct) => ValueTask.FromResult(this);

    ValueTask<AwsCredentials?> IAwsCredentialSource.RefreshAsync(AwsCredentials rejected, CancellationToken ct) =>
        ValueTask.FromResult<AwsCredentials?>(null);

    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}
