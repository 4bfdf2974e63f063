using Testcontainers.MongoDb;

namespace OffloadSecurity.Testing;

/// <summary>
/// Gives tests a real MongoDB where one is reachable: <c>OFFLOAD_TEST_MONGODB_URI</c>, else Testcontainers when a
/// Docker engine answers. No MongoDB server can be installed on the build machines, so otherwise the tests
/// that need one are skipped, saying why.
/// </summary>
public sealed class MongoDbServer : IAsyncDisposable
{
    private MongoDbContainer? _container;

    public string? ConnectionString { get; private init; }
    public string? UnavailableReason { get; private init; }

    /// <summary>The connection string, or skips the calling test with the reason none is reachable.</summary>
    public string RequireConnectionString()
    {
        if (ConnectionString is null)
        {
            Assert.Skip("No MongoDB for this test: " + UnavailableReason);
        }

        return ConnectionString;
    }

    /// <summary>A database name no other test run uses.</summary>
    public static string NewDatabaseName() => "offload-test-" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<MongoDbServer> FindAsync()
    {
        var explicitUri = Environment.GetEnvironmentVariable("OFFLOAD_TEST_MONGODB_URI");
        if (!string.IsNullOrWhiteSpace(explicitUri))
        {
            return new MongoDbServer { ConnectionString = explicitUri };
        }

        if (DockerEngine.Answers())
        {
            var container = new MongoDbBuilder("mongo:7").Build();
            await container.StartAsync();
            return new MongoDbServer { ConnectionString = container.GetConnectionString(), _container = container };
        }

        return new MongoDbServer
        {
            UnavailableReason = "OFFLOAD_TEST_MONGODB_URI is not set and no Docker engine answers " +
                "(no MongoDB server can be installed on this machine).",
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
