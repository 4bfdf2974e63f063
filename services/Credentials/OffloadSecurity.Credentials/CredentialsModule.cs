using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Aws;
using OffloadSecurity.Credentials.Broker;
using OffloadSecurity.Credentials.Connections;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.Credentials.Scheduling;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.ServiceDefaults.Messaging;

namespace OffloadSecurity.Credentials;

public static class CredentialsModule
{
    /// <summary>The command that re-wraps every secret under the current key: <c>dotnet run -- rotate-keys</c>.</summary>
    public const string RotateKeysCommand = "rotate-keys";

    /// <summary>The credentials service: accounts, their encrypted secrets, connection tests, sync status and schedule, the credential broker.</summary>
    public static IHostApplicationBuilder AddCredentials(this IHostApplicationBuilder builder)
    {
        var keys = KeyRing.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton<EnvelopeEncryption>();
        builder.Services.AddSingleton<KeyRotation>();
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Unreadable bodies are the caller's fault in every environment: a 400 (413 when too large), never a 500.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

        builder.AddAccountStore();

        builder.Services.Configure<AwsOptions>(builder.Configuration.GetSection(AwsOptions.Section));
        builder.Services.Configure<CredentialBrokerOptions>(builder.Configuration.GetSection(CredentialBrokerOptions.Section));
        builder.Services.Configure<SchedulerOptions>(builder.Configuration.GetSection(SchedulerOptions.Section));
        builder.Services.AddSingleton<AwsSts>();
        builder.AddConnectionTesters();
        builder.Services.AddSingleton<AwsCredentialBroker>();
        builder.Services.AddHostedService<SyncScheduler>();

        builder.AddBusConsumers(bus => bus.AddConsumer<ScanStatusConsumer>());
        return builder;
    }

    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        app.MapAccountsApi().MapCredentialBrokerApi();
        app.MapPost("/internal/admin/rotate-keys", RotateKeys).RequireAuthorization(Policies.Service).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Runs a maintenance command instead of serving, when <paramref name="args"/> names one. Returns null when there is none.
    /// </summary>
    public static async Task<int?> RunCommandAsync(this WebApplication app, string[] args)
    {
        if (args is not [RotateKeysCommand, ..])
        {
            return null;
        }

        await app.Services.GetRequiredService<IAccountStore>().InitializeAsync(CancellationToken.None);
        var result = await app.Services.GetRequiredService<KeyRotation>().RewrapAllAsync(CancellationToken.None);
        Console.WriteLine($"Re-wrapped {result.Rewrapped} secret(s) under key {result.KeyId}.");
        return 0;
    }

    private static async Task<Ok<KeyRotationResult>> RotateKeys(KeyRotation rotation, CancellationToken ct) =>
        TypedResults.Ok(await rotation.RewrapAllAsync(ct));
}

/// <summary>Names this service's assembly, so tests can host its real Program with WebApplicationFactory.</summary>
public sealed class CredentialsEntryPoint
{
    private CredentialsEntryPoint()
    {
    }
}
