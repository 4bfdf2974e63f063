namespace OffloadSecurity.Credentials.Aws;

/// <summary>Configuration section <c>Aws</c>: where STS answers, and the platform's own principal that assumes tenants' roles.</summary>
public sealed class AwsOptions
{
    public const string Section = "Aws";

    public AwsEndpointSettings Endpoints { get; set; } = new();

    public AwsPlatformPrincipal Platform { get; set; } = new();
}

public sealed class AwsEndpointSettings
{
    /// <summary>One URL for every AWS API (the cloud sandbox, or a VPC endpoint); null means AWS's regional endpoints.</summary>
    public string? ServiceUrl { get; set; }
}

/// <summary>
/// The access keys of the platform's own AWS principal (<c>Aws:Platform:AccessKeyId/SecretAccessKey</c>), which
/// tenants name in their role's trust policy. Never logged, never returned.
/// </summary>
public sealed class AwsPlatformPrincipal
{
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public string? SessionToken { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccessKeyId) && !string.IsNullOrWhiteSpace(SecretAccessKey);

    public override string ToString() => $"AwsPlatformPrincipal {{ AccessKeyId = {AccessKeyId}, secrets redacted }}";
}
