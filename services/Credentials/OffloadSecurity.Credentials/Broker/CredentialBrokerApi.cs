using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Broker;

/// <summary>
/// Internal endpoint the scanners call for a scan's credentials. Service tokens only, scoped to the tenant
/// they were issued for; never routed by the gateway.
/// </summary>
public static class CredentialBrokerApi
{
    public static IEndpointRouteBuilder MapCredentialBrokerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/credentials/aws", IssueAws).RequireAuthorization(Policies.Service).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<AwsScanCredentials>, NotFound, ForbidHttpResult, Conflict<string>>> IssueAws(
        IssueScanCredentials request, HttpContext http, IAccountStore store, EnvelopeEncryption encryption, CancellationToken ct)
    {
        if (http.User.FindFirst(OffloadClaims.Tenant)?.Value != request.TenantId)
        {
            return TypedResults.Forbid();
        }

        if (await store.FindAsync(request.TenantId, request.AccountId, ct) is not { Provider: CloudProvider.Aws } account)
        {
            return TypedResults.NotFound();
        }

        if (account.Secret is null)
        {
            return TypedResults.Conflict("The account is disconnected.");
        }

        var settings = JsonSerializer.Deserialize<AwsSettings>(account.SettingsJson)!;
        var secret = JsonSerializer.Deserialize<AwsSecret>(encryption.Decrypt(account.Secret, account.TenantId, account.Id))!;
        if (settings.AuthType != AwsAuthType.AccessKeys)
        {
            return TypedResults.Conflict("Role accounts are brokered through STS AssumeRole, which is not available yet.");
        }

        // TODO(issue 3): exchange long-lived keys for an STS session (GetSessionToken / AssumeRole with a
        // read-only session policy) so that long-lived secrets never leave this service.
        return TypedResults.Ok(new AwsScanCredentials
        {
            AccessKeyId = settings.AccessKeyId!,
            SecretAccessKey = secret.SecretAccessKey!,
            SessionToken = secret.SessionToken,
            DefaultRegion = settings.DefaultRegion,
        });
    }
}
