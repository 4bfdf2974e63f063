using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>
/// Azure: checks what needs no call to Azure (the client secret, when its expiry is known, has not expired) and names
/// the service principal by its client id. The provider round trip is not made yet: a token from the Entra ID token
/// endpoint with the client secret, then a read of the subscription, arrive with the Azure scanner.
/// </summary>
public sealed class AzureConnectionTester(TimeProvider clock) : IConnectionTester
{
    public CloudProvider Provider => CloudProvider.Azure;

    public Task<ConnectionTestResult> TestAsync(ConnectAccountRequest request, CancellationToken ct)
    {
        var azure = request.Azure!;
        var result = azure.ClientSecretExpiresAt is { } expires && expires <= clock.GetUtcNow()
            ? ConnectionTestResult.Failed("azure.clientSecretExpiresAt", "The client secret has expired: create a new one in the app registration.", "SecretExpired")
            : ConnectionTestResult.Ok(Guid.Parse(azure.ClientId!).ToString());
        return Task.FromResult(result);
    }
}
