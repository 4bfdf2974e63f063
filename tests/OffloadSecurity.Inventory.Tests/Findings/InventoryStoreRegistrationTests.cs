using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>Which store the inventory runs on, chosen by configuration. No server needed: nothing here connects.</summary>
public sealed class InventoryStoreRegistrationTests
{
    [Fact]
    public async Task Sqlite_is_the_default_store()
    {
        using var data = new TempDirectory();
        await using var services = Services(new() { ["Store:DataDirectory"] = data.Path });

        services.GetRequiredService<IInventoryStore>().ShouldBeOfType<SqliteInventoryStore>();
    }

    [Fact]
    public async Task MongoDb_is_chosen_with_its_connection_string_and_database()
    {
        await using var services = Services(new()
        {
            ["Store:Provider"] = "MongoDb",
            ["Store:MongoDb:ConnectionString"] = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100",
            ["Store:MongoDb:Database"] = "inventory-eu",
        });

        services.GetRequiredService<IInventoryStore>().ShouldBeOfType<MongoInventoryStore>();
    }

    [Fact]
    public void MongoDb_without_a_connection_string_fails_at_start_up_saying_what_to_set()
    {
        var error = Should.Throw<InvalidOperationException>(() => Builder(new() { ["Store:Provider"] = "MongoDb" }).AddInventory());

        error.Message.ShouldContain("Store:MongoDb:ConnectionString is not set");
        error.Message.ShouldContain("Store:Provider=Sqlite");
    }

    [Fact]
    public async Task The_real_service_does_not_start_on_MongoDb_without_a_connection_string()
    {
        await using var host = new ServiceHost<InventoryEntryPoint>(new Dictionary<string, string?>(TestAuth.Settings) { ["Store:Provider"] = "MongoDb" });

        var error = Should.Throw<Exception>(() => host.Start());

        Messages(error).ShouldContain(m => m.Contains("Store:MongoDb:ConnectionString is not set"));
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var builder = Builder(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddInventoryStore();
        return (ServiceProvider)builder.Build().Services;
    }

    private static IEnumerable<string> Messages(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error.Message;
        }
    }
}
