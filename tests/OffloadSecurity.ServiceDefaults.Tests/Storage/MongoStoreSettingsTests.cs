using Microsoft.Extensions.Configuration;
using OffloadSecurity.ServiceDefaults.Storage;

namespace OffloadSecurity.ServiceDefaults.Tests.Storage;

/// <summary>How a service finds its MongoDB store, and how unusable settings are refused.</summary>
public sealed class MongoStoreSettingsTests
{
    [Fact]
    public void The_database_defaults_to_offload()
    {
        var (url, database) = MongoStoreSettings.FromConfiguration(Configuration(new() { ["Store:MongoDb:ConnectionString"] = "mongodb://db:27017" }));

        database.ShouldBe("offload");
        url.Server.Host.ShouldBe("db");
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_repeating_it()
    {
        var error = Should.Throw<InvalidOperationException>(() => MongoStoreSettings.FromConfiguration(
            Configuration(new() { ["Store:MongoDb:ConnectionString"] = "mongodb://user:hunter2@host:notaport" })));

        error.Message.ShouldContain("Store:MongoDb:ConnectionString is not a MongoDB connection string");
        error.Message.ShouldNotContain("hunter2");
        error.InnerException.ShouldBeNull();
    }

    [Theory]
    [InlineData("bad.name")]
    [InlineData("bad/name")]
    [InlineData("bad name")]
    public void A_database_name_mongodb_cannot_hold_is_refused(string name)
    {
        Should.Throw<InvalidOperationException>(() => MongoStoreSettings.FromConfiguration(Configuration(new()
        {
            ["Store:MongoDb:ConnectionString"] = "mongodb://db:27017",
            ["Store:MongoDb:Database"] = name,
        }))).Message.ShouldContain("Store:MongoDb:Database");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
