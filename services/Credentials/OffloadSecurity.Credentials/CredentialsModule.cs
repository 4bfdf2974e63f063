using Microsoft.Extensions.DependencyInjection.Extensions;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Broker;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Messaging;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.Credentials;

public static class CredentialsModule
{
    /// <summary>The credentials service: accounts, their encrypted secrets, their sync status, the credential broker.</summary>
    public static IHostApplicationBuilder AddCredentials(this IHostApplicationBuilder builder)
    {
        var keys = KeyRing.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton<EnvelopeEncryption>();
        builder.Services.TryAddSingleton(TimeProvider.System);

        var store = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        builder.Services.AddSingleton<IAccountStore>(new SqliteAccountStore(new SqliteDatabase(store.SqlitePath("credentials.db"))));
        builder.Services.AddStoreLifecycle<IAccountStore>("credentials-store");

        builder.AddBusConsumers(bus => bus.AddConsumer<ScanStatusConsumer>());
        return builder;
    }

    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app) =>
        app.MapAccountsApi().MapCredentialBrokerApi();
}

/// <summary>Names this service's assembly, so tests can host its real Program with WebApplicationFactory.</summary>
public sealed class CredentialsEntryPoint
{
    private CredentialsEntryPoint()
    {
    }
}
