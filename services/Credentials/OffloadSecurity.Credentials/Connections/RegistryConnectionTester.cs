using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>
/// Container registries: checks what needs no call to the registry (its URL passes the <see cref="OutboundUrlGuard"/>
/// with a DNS lookup of its host) and names the identity as <c>user @ registry</c> (<c>anonymous @ docker.io</c>).
/// The provider round trip is not made yet: the registry's token login with the user name and access token arrives
/// with the registry scanner.
/// </summary>
public sealed class RegistryConnectionTester(OutboundUrlGuard guard) : IConnectionTester
{
    public CloudProvider Provider => CloudProvider.Registry;

    public async Task<ConnectionTestResult> TestAsync(ConnectAccountRequest request, CancellationToken ct)
    {
        var registry = request.Registry!;
        var verdict = await guard.CheckAsync(RegistryTarget.UrlOf(registry.Registry), ct);
        if (!verdict.Allowed)
        {
            return ConnectionTestResult.Failed(RegistryTarget.Field, verdict.Refusal!, "RegistryRefused");
        }

        var target = RegistryTarget.From(verdict.Url!);
        return ConnectionTestResult.Ok($"{(registry.Anonymous ? "anonymous" : registry.Username)} @ {target.Registry}");
    }
}
