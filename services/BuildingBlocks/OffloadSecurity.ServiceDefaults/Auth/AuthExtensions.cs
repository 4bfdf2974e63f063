using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace OffloadSecurity.ServiceDefaults.Auth;

public static class AuthExtensions
{
    /// <summary>
    /// JWT bearer authentication (OIDC authority or the local issuer's key) and the platform's policies.
    /// The fallback policy requires an authenticated caller with a tenant, so an endpoint is closed unless it
    /// says otherwise. Every service validates tokens itself: the gateway is not the only check.
    /// </summary>
    public static IHostApplicationBuilder AddOffloadAuthentication(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrEmpty(options.Authority) && string.IsNullOrEmpty(options.SigningKey))
        {
            throw new InvalidOperationException(
                "No token validation is configured. Set Auth:Authority (an OIDC issuer) or Auth:SigningKey " +
                "(a base64 key of 32 bytes, e.g. `openssl rand -base64 32`, shared with the local issuer).");
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<LocalTokenIssuer>();
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.Audience = options.Audience;
                jwt.TokenValidationParameters.NameClaimType = "sub";
                jwt.TokenValidationParameters.RoleClaimType = OffloadClaims.Role;
                jwt.TokenValidationParameters.ValidAlgorithms =
                    [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];
                jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
                if (!string.IsNullOrEmpty(options.Authority))
                {
                    jwt.Authority = options.Authority;
                    jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
                }
                else
                {
                    jwt.TokenValidationParameters.ValidIssuer = options.Issuer;
                    jwt.TokenValidationParameters.IssuerSigningKey = LocalTokenIssuer.SigningKey(options);
                }
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(TenantUser().Build())
            .AddPolicy(Policies.Reader, TenantUser().RequireRole(Roles.TenantAdmin, Roles.Analyst, Roles.Auditor).Build())
            .AddPolicy(Policies.Triage, TenantUser().RequireRole(Roles.TenantAdmin, Roles.Analyst).Build())
            .AddPolicy(Policies.ManageAccounts, TenantUser().RequireRole(Roles.TenantAdmin).Build())
            .AddPolicy(Policies.Service, new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.Service).Build());
        return builder;
    }

    private static AuthorizationPolicyBuilder TenantUser() =>
        new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(OffloadClaims.Tenant);
}
