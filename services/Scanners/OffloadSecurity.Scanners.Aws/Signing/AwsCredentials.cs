namespace OffloadSecurity.Scanners.Aws.Signing;

/// <summary>
/// AWS access keys, optionally with the session token of temporary (STS) credentials.
/// <see cref="ToString"/> never prints the secret or the token.
/// </summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}
