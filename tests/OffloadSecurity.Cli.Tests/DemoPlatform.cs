using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary>One <c>offload up --demo</c> shared by a test collection: the demo account is connected and Synced when it is ready.</summary>
public sealed class DemoPlatform : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public RunningPlatform Platform { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Platform = await RunningPlatform.StartAsync(_data.Path, demo: true);

    public async ValueTask DisposeAsync()
    {
        await Platform.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// The test classes that share one demo platform (each start costs seconds). They run one after another, so a test
/// that changes the tenant's accounts or findings does not race another test's counts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DemoPlatformCollection : ICollectionFixture<DemoPlatform>
{
    public const string Name = "demo platform";
}
