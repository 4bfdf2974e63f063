using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary>One <c>offload up --demo</c> shared by a test class: the demo account is connected and Synced when it is ready.</summary>
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
