using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Accounts;

public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts");
        accounts.MapPost("/", Connect).RequireAuthorization(Policies.ManageAccounts);
        accounts.MapGet("/", List).RequireAuthorization(Policies.Reader);
        accounts.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Reader);
        accounts.MapPost("/{id:guid}/sync", SyncNow).RequireAuthorization(Policies.ManageAccounts);
        return app;
    }

    private static async Task<Results<Created<AccountView>, ValidationProblem>> Connect(
        ConnectAccountRequest request, HttpContext http, IAccountStore store, EnvelopeEncryption encryption,
        IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var errors = AccountValidation.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenantId = http.User.GetTenantId();
        var accountId = Guid.CreateVersion7();
        var aws = request.Aws!;
        var settings = JsonSerializer.Serialize(new AwsSettings(
            aws.RoleArn is null ? AwsAuthType.AccessKeys : AwsAuthType.Role, aws.AccessKeyId, aws.RoleArn, aws.DefaultRegion ?? "us-east-1"));
        var secret = JsonSerializer.Serialize(new AwsSecret(aws.SecretAccessKey, aws.SessionToken, aws.ExternalId));
        var account = new Account
        {
            Id = accountId,
            TenantId = tenantId,
            Provider = request.Provider!.Value,
            DisplayName = request.DisplayName!.Trim(),
            Regions = request.Regions ?? [],
            SettingsJson = settings,
            Secret = encryption.Encrypt(secret, tenantId, accountId),
            CreatedAt = clock.GetUtcNow(),
        };

        await store.AddAsync(account, ct);
        await publish.Publish(new AccountConnected
        {
            TenantId = tenantId,
            AccountId = accountId,
            Provider = account.Provider,
            DisplayName = account.DisplayName,
            Regions = account.Regions,
            ConnectedAt = account.CreatedAt,
        }, ct);
        return TypedResults.Created($"/api/accounts/{accountId}", AccountView.From(account));
    }

    private static async Task<Ok<AccountView[]>> List(HttpContext http, IAccountStore store, CancellationToken ct)
    {
        var accounts = await store.ListAsync(http.User.GetTenantId(), ct);
        return TypedResults.Ok(accounts.Select(AccountView.From).ToArray());
    }

    private static async Task<Results<Ok<AccountView>, NotFound>> Get(Guid id, HttpContext http, IAccountStore store, CancellationToken ct) =>
        await store.FindAsync(http.User.GetTenantId(), id, ct) is { } account
            ? TypedResults.Ok(AccountView.From(account))
            : TypedResults.NotFound();

    private static async Task<Results<Accepted<ScanRequested>, NotFound, Conflict<string>>> SyncNow(
        Guid id, HttpContext http, IAccountStore store, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var tenantId = http.User.GetTenantId();
        if (await store.FindAsync(tenantId, id, ct) is not { } account)
        {
            return TypedResults.NotFound();
        }

        if (account.Status == SyncStatus.Disconnected)
        {
            return TypedResults.Conflict("The account is disconnected: connect it again to sync.");
        }

        var request = new ScanRequested
        {
            TenantId = tenantId,
            AccountId = id,
            ScanId = Guid.CreateVersion7(),
            Provider = account.Provider,
            Trigger = ScanTrigger.Manual,
            Regions = account.Regions,
            RequestedAt = clock.GetUtcNow(),
        };
        await publish.Publish(request, ct);
        return TypedResults.Accepted($"/api/accounts/{id}", request);
    }
}

public enum AwsAuthType
{
    AccessKeys,
    Role,
}

/// <summary>Non-secret AWS settings, stored in clear.</summary>
public sealed record AwsSettings(AwsAuthType AuthType, string? AccessKeyId, string? RoleArn, string DefaultRegion);

/// <summary>The secret part of an AWS connection: only ever stored encrypted.</summary>
public sealed record AwsSecret(string? SecretAccessKey, string? SessionToken, string? ExternalId)
{
    public override string ToString() => "AwsSecret { redacted }";
}
