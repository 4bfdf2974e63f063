using System.Security.Cryptography;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>
/// GCP: checks what needs no call to Google (the key file's private key loads as an RSA key of at least 2048 bits) and
/// names the service account by its e-mail. The provider round trip is not made yet: exchanging a signed assertion for
/// an access token at Google's token endpoint, then a read of the project, arrive with the GCP scanner.
/// </summary>
public sealed class GcpConnectionTester : IConnectionTester
{
    public const int MinKeyBits = 2048;

    private const string Field = "gcp.serviceAccountKeyJson";

    public CloudProvider Provider => CloudProvider.Gcp;

    public Task<ConnectionTestResult> TestAsync(ConnectAccountRequest request, CancellationToken ct)
    {
        string? problem = null;
        var key = GcpServiceAccountKey.Read(request.Gcp!.ServiceAccountKeyJson, message => problem ??= message);
        return Task.FromResult(key is null
            ? ConnectionTestResult.Failed(Field, problem ?? "Not a service-account key file.", "InvalidKeyFile")
            : LoadKey(key));
    }

    private static ConnectionTestResult LoadKey(GcpServiceAccountKey key)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(key.PrivateKey);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return ConnectionTestResult.Failed(Field, "\"private_key\" does not load as an RSA private key: download a new key for the service account.", "InvalidPrivateKey");
        }

        return rsa.KeySize < MinKeyBits
            ? ConnectionTestResult.Failed(Field, $"\"private_key\" is an RSA key of {rsa.KeySize} bits; Google issues keys of {MinKeyBits} bits or more.", "InvalidPrivateKey")
            : ConnectionTestResult.Ok(key.ClientEmail);
    }
}
