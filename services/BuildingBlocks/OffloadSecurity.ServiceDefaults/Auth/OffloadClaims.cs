using System.Security.Claims;

namespace OffloadSecurity.ServiceDefaults.Auth;

/// <summary>Claim names and roles of Offload Security tokens.</summary>
public static class OffloadClaims
{
    /// <summary>The tenant a caller acts for. It only ever comes from a validated token.</summary>
    public const string Tenant = "tenant";
    public const string Role = "role";

    public static string GetTenantId(this ClaimsPrincipal user) =>
        user.FindFirst(Tenant)?.Value is { Length: > 0 } tenant
            ? tenant
            : throw new InvalidOperationException("The caller's token carries no tenant; the authorization policy should have refused it.");
}

public static class Roles
{
    public const string TenantAdmin = "tenant-admin";
    public const string Analyst = "analyst";
    public const string Auditor = "auditor";

    /// <summary>Platform services (scanners asking the credential broker), never a person.</summary>
    public const string Service = "service";
}

/// <summary>Authorization policy names every endpoint and gateway route refers to.</summary>
public static class Policies
{
    /// <summary>Any authenticated caller with a tenant (read only).</summary>
    public const string Reader = "reader";
    /// <summary>tenant-admin: connect and manage accounts.</summary>
    public const string ManageAccounts = "manage-accounts";
    /// <summary>tenant-admin or analyst: workflow actions on findings.</summary>
    public const string Triage = "triage";
    /// <summary>Platform services only.</summary>
    public const string Service = "service";
}
