using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Aws;
using OffloadSecurity.Credentials.Connections;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Broker;

/// <summary>
/// Internal endpoint the scanners call for a scan's credentials. Service tokens only, scoped to the tenant
/// they were issued for; never routed by the gateway. Answers with short-lived STS credentials only.
/// </summary>
public static class CredentialBrokerApi
{
    public static IEndpointRouteBuilder MapCredentialBrokerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/credentials/aws", IssueAws).RequireAuthorization(Policies.Service).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<AwsScanCredentials>, NotFound, ForbidHttpResult, Conflict<string>>> IssueAws(
        IssueScanCredentials request, HttpContext http, IAccountStore store, EnvelopeEncryption encryption, AwsCredentialBroker broker,
        ILoggerFactory loggers, CancellationToken ct)
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
        try
        {
            return TypedResults.Ok(await broker.IssueAsync(account, settings, secret, ct));
        }
        catch (AwsStsException e)
        {
            loggers.CreateLogger(typeof(CredentialBrokerApi)).LogWarning(
                "STS refused short-lived credentials for account {AccountId}: {Code}", account.Id, e.Code);
            return TypedResults.Conflict(SecretScrubber.Scrub(
                $"AWS STS refused short-lived credentials: {e.Code}: {e.Message}", secret.SecretAccessKey, secret.SessionToken, secret.ExternalId));
        }
    }
}
