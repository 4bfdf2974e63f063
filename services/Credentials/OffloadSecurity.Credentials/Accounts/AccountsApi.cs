using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Connections;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Credentials.Accounts;

public static class AccountsApi
{
    /// <summary>Largest request body the accounts endpoints read (a kubeconfig or a GCP key fits many times over).</summary>
    public const long MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts").WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        accounts.MapPost("/", Connect).RequireAuthorization(Policies.ManageAccounts);
        accounts.MapGet("/", List).RequireAuthorization(Policies.Reader);
        accounts.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Reader);
        accounts.MapPatch("/{id:guid}", Update).RequireAuthorization(Policies.ManageAccounts);
        accounts.MapPost("/{id:guid}/sync", SyncNow).RequireAuthorization(Policies.ManageAccounts);
        accounts.MapPost("/{id:guid}/sync/cancel", CancelSync).RequireAuthorization(Policies.ManageAccounts);
        accounts.MapPost("/{id:guid}/disconnect", Disconnect).RequireAuthorization(Policies.ManageAccounts);
        accounts.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.ManageAccounts);
        return app;
    }

    private static async Task<Results<Created<AccountView>, ValidationProblem, ProblemHttpResult>> Connect(
        ConnectAccountRequest request, HttpContext http, IAccountStore store, EnvelopeEncryption encryption,
        IEnumerable<IConnectionTester> testers, OutboundUrlGuard guard, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var errors = await AccountValidation.ValidateAsync(request, guard, clock.GetUtcNow(), ct);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Nothing is stored until the provider has accepted the credentials.
        var provider = request.Provider!.Value;
        if (testers.FirstOrDefault(t => t.Provider == provider) is not { } tester)
        {
            return TypedResults.Problem(ConnectionProblem("provider", $"No connection test exists for {provider} accounts yet.", null));
        }

        var test = await tester.TestAsync(request, ct);
        if (!test.Succeeded)
        {
            return TypedResults.Problem(ConnectionProblem(test.Field ?? "provider", test.Reason ?? "The connection test failed.", test.ProviderCode));
        }

        var tenantId = http.User.GetTenantId();
        var accountId = Guid.CreateVersion7();
        var (settings, secret) = StoredConnection.From(request);
        var now = clock.GetUtcNow();
        var interval = request.SyncIntervalMinutes ?? Account.DefaultSyncIntervalMinutes;
        var account = new Account
        {
            Id = accountId,
            TenantId = tenantId,
            Provider = provider,
            DisplayName = request.DisplayName!.Trim(),
            Regions = request.Regions ?? [],
            SettingsJson = settings,
            Secret = encryption.Encrypt(secret, tenantId, accountId),
            CreatedAt = now,
            SyncIntervalMinutes = interval,
            NextSyncAt = now.AddMinutes(interval),
            ConnectedAs = test.Identity,
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
        return TypedResults.Created($"/api/accounts/{accountId}", AccountView.From(account, now));
    }

    /// <summary>422: the request was well formed, but the provider refused the credentials. Names the field it points at.</summary>
    private static HttpValidationProblemDetails ConnectionProblem(string field, string reason, string? providerCode)
    {
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [reason] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The connection test failed.",
            Detail = reason,
        };
        if (providerCode is not null)
        {
            problem.Extensions["providerCode"] = providerCode;
        }

        return problem;
    }

    private static async Task<Ok<AccountView[]>> List(HttpContext http, IAccountStore store, TimeProvider clock, CancellationToken ct)
    {
        var accounts = await store.ListAsync(http.User.GetTenantId(), ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(accounts.Select(a => AccountView.From(a, now)).ToArray());
    }

    private static async Task<Results<Ok<AccountView>, NotFound>> Get(
        Guid id, HttpContext http, IAccountStore store, TimeProvider clock, CancellationToken ct) =>
        await store.FindAsync(http.User.GetTenantId(), id, ct) is { } account
            ? TypedResults.Ok(AccountView.From(account, clock.GetUtcNow()))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<AccountView>, ValidationProblem, NotFound>> Update(
        Guid id, UpdateAccountRequest request, HttpContext http, IAccountStore store, IPublishEndpoint publish, TimeProvider clock,
        CancellationToken ct)
    {
        var tenantId = http.User.GetTenantId();
        if (await store.FindAsync(tenantId, id, ct) is not { } existing)
        {
            return TypedResults.NotFound();
        }

        var errors = AccountValidation.ValidateUpdate(request, existing.Provider);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        var changes = new AccountChanges(request.DisplayName?.Trim(), request.Regions, request.SyncIntervalMinutes);
        if (await store.UpdateAsync(tenantId, id, changes, now, ct) is not { } updated)
        {
            return TypedResults.NotFound();
        }

        await publish.Publish(new AccountUpdated
        {
            TenantId = tenantId,
            AccountId = id,
            DisplayName = updated.DisplayName,
            Regions = updated.Regions,
            UpdatedAt = now,
        }, ct);
        return TypedResults.Ok(AccountView.From(updated, now));
    }

    private static async Task<Results<Accepted<ScanRequested>, NotFound, ProblemHttpResult>> SyncNow(
        Guid id, HttpContext http, IAccountStore store, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var tenantId = http.User.GetTenantId();
        if (await store.FindAsync(tenantId, id, ct) is not { } account)
        {
            return TypedResults.NotFound();
        }

        if (account.Status == SyncStatus.Disconnected)
        {
            return TypedResults.Problem(
                detail: "The account is disconnected: connect it again to sync.", statusCode: StatusCodes.Status409Conflict, title: "Disconnected");
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

    /// <summary>
    /// Asks the scanners to stop the account's running or queued scan. Accepted whatever the account's state (a scan
    /// may be queued before the account shows Syncing); the account turns Cancelled when the scanner has stopped.
    /// </summary>
    private static async Task<Results<Accepted<CancelScan>, NotFound>> CancelSync(
        Guid id, HttpContext http, IAccountStore store, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var tenantId = http.User.GetTenantId();
        if (await store.FindAsync(tenantId, id, ct) is null)
        {
            return TypedResults.NotFound();
        }

        var cancel = new CancelScan
        {
            TenantId = tenantId,
            AccountId = id,
            RequestedBy = http.User.Identity?.Name ?? "unknown",
            RequestedAt = clock.GetUtcNow(),
        };
        await publish.Publish(cancel, ct);
        return TypedResults.Accepted($"/api/accounts/{id}", cancel);
    }

    /// <summary>Removes the credentials, keeps the account and its history. Idempotent: a second call changes and announces nothing.</summary>
    private static async Task<Results<Ok<AccountView>, NotFound>> Disconnect(
        Guid id, HttpContext http, IAccountStore store, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var tenantId = http.User.GetTenantId();
        if (await store.FindAsync(tenantId, id, ct) is not { } before)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        if (await store.DisconnectAsync(tenantId, id, now, ct) is not { } after)
        {
            return TypedResults.NotFound();
        }

        if (before.Status != SyncStatus.Disconnected || before.Secret is not null)
        {
            await publish.Publish(new AccountDisconnected { TenantId = tenantId, AccountId = id, DisconnectedAt = now }, ct);
        }

        return TypedResults.Ok(AccountView.From(after, now));
    }

    private static async Task<Results<NoContent, NotFound>> Delete(
        Guid id, HttpContext http, IAccountStore store, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var tenantId = http.User.GetTenantId();
        if (!await store.DeleteAsync(tenantId, id, ct))
        {
            return TypedResults.NotFound();
        }

        await publish.Publish(new AccountDeleted { TenantId = tenantId, AccountId = id, DeletedAt = clock.GetUtcNow() }, ct);
        return TypedResults.NoContent();
    }
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<AwsAuthType>))]
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
