namespace OffloadSecurity.Credentials.Aws;

/// <summary>
/// The inline session policy every brokered role session carries: whatever the tenant's role allows, the scanner's
/// credentials can only call the read APIs it uses. Effective permissions are the intersection of both.
/// </summary>
public static class ReadOnlySessionPolicy
{
    public static readonly IReadOnlyList<string> Actions =
    [
        "securityhub:GetFindings",
        "guardduty:List*",
        "guardduty:Get*",
        "ecr:Describe*",
        "ec2:Describe*",
        "s3:GetBucket*",
        "s3:ListAllMyBuckets",
        "tag:GetResources",
    ];

    public static readonly string Json = System.Text.Json.JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new[] { new { Sid = "OffloadSecurityReadOnly", Effect = "Allow", Action = Actions, Resource = "*" } },
    });
}
