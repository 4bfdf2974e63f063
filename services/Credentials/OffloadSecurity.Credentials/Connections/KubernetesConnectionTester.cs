using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Connections;

/// <summary>
/// Kubernetes: checks what needs no call to the cluster (the API server's URL passes the <see cref="OutboundUrlGuard"/>
/// with a DNS lookup of its host; a client certificate and its key belong together) and names the identity as
/// <c>user @ server</c>: a service-account token's subject, a client certificate's common name, or the kubeconfig's
/// user name. The provider round trip is not made yet: <c>GET /version</c> with the credentials arrives with the
/// Kubernetes scanner.
/// </summary>
public sealed class KubernetesConnectionTester(OutboundUrlGuard guard) : IConnectionTester
{
    public CloudProvider Provider => CloudProvider.Kubernetes;

    public async Task<ConnectionTestResult> TestAsync(ConnectAccountRequest request, CancellationToken ct)
    {
        (string Field, string Message)? problem = null;
        if (KubernetesTarget.Read(request.Kubernetes!, (field, message) => problem ??= (field, message)) is not { } target)
        {
            return ConnectionTestResult.Failed(problem?.Field ?? "kubernetes", problem?.Message ?? "Not a usable connection.", "InvalidConnection");
        }

        if (await guard.CheckAsync(target.ServerUrl, ct) is { Allowed: false } verdict)
        {
            return ConnectionTestResult.Failed(target.ServerField, verdict.Refusal!, "ServerRefused");
        }

        string? certificateName = null;
        if (target.ClientCertificateData is not null)
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPem(
                    KubernetesTarget.Decode(target.ClientCertificateData) ?? "", KubernetesTarget.Decode(target.ClientKeyData ?? "") ?? "");
                certificateName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // Client certificates only come in a kubeconfig.
                return ConnectionTestResult.Failed(KubernetesTarget.KubeconfigField,
                    "client-key-data does not load with client-certificate-data: the key must be the certificate's own.", "InvalidClientCertificate");
            }
        }

        var user = TokenSubject(target.Token) ?? NonEmpty(certificateName) ?? target.UserName ?? "token";
        return ConnectionTestResult.Ok($"{user} @ {target.ServerUrl}");
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>
    /// The subject of a JWT bearer token (<c>system:serviceaccount:NAMESPACE:NAME</c>), read without verifying it; null
    /// for an opaque token. The subject names the identity and is not itself a secret.
    /// </summary>
    private static string? TokenSubject(string? token)
    {
        if (token?.Split('.') is not [_, var payload, _])
        {
            return null;
        }

        try
        {
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
            return claims.RootElement.ValueKind == JsonValueKind.Object
                && claims.RootElement.TryGetProperty("sub", out var subject)
                && subject.ValueKind == JsonValueKind.String
                && subject.GetString() is { Length: > 0 and <= 256 } name
                ? name
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
