namespace OffloadSecurity.CloudSandbox.Aws.Sts;

/// <summary>
/// The IAM roles of the sandbox accounts, bound from the same list as the accounts themselves:
/// <c>Sandbox:Aws:Accounts:N:Roles:M:{Name,ExternalId}</c>, matched to an account by its <c>AccountId</c>.
/// </summary>
public sealed class StsSandboxOptions
{
    public const string SectionName = "Sandbox:Aws";

    public List<StsSandboxAccount> Accounts { get; set; } = [];
}

public sealed class StsSandboxAccount
{
    public string AccountId { get; set; } = "";

    public List<SandboxRole> Roles { get; set; } = [];
}

/// <summary>A role any sandbox principal may assume, when it gives the role's external id (if the role has one).</summary>
public sealed class SandboxRole
{
    public string Name { get; set; } = "";

    /// <summary>The external id the role's trust policy requires; null or empty means none is required.</summary>
    public string? ExternalId { get; set; }

    /// <summary>The longest session the role allows (AWS default: one hour).</summary>
    public int MaxSessionDurationSeconds { get; set; } = 3600;

    /// <summary>The role the demo account has when no roles are configured: what <c>offload up --demo</c> connects to.</summary>
    public static SandboxRole Demo => new() { Name = "OffloadSecurityScanner", ExternalId = "offload-sandbox-demo-external-id" };
}
