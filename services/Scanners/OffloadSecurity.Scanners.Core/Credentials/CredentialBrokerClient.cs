using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Scanners.Core.Credentials;

/// <summary>Configuration section <c>CredentialBroker</c>: where the credentials service listens.</summary>
public sealed class CredentialBrokerOptions
{
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:5101");
}

/// <summary>The credentials service refused or could not give credentials for a scan.</summary>
public sealed class CredentialBrokerException(string message) : Exception(message);

/// <summary>
/// Asks the credentials service for a scan's short-lived credentials, with a service token scoped to the
/// scan's tenant. Long-lived secrets stay in the credentials service.
/// </summary>
public sealed class CredentialBrokerClient(HttpClient http, LocalTokenIssuer tokens)
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    public async Task<AwsScanCredentials> GetAwsAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "internal/credentials/aws")
        {
            Content = JsonContent.Create(new IssueScanCredentials { TenantId = tenantId, AccountId = accountId }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Bearer", tokens.Issue("scanner", tenantId, [Roles.Service], TokenLifetime));
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => await response.Content.ReadFromJsonAsync<AwsScanCredentials>(ct)
                ?? throw new CredentialBrokerException("The credential broker answered with an empty body."),
            HttpStatusCode.NotFound => throw new CredentialBrokerException("The account no longer exists."),
            HttpStatusCode.Conflict => throw new CredentialBrokerException(await response.Content.ReadAsStringAsync(ct)),
            _ => throw new CredentialBrokerException($"The credential broker answered {(int)response.StatusCode}."),
        };
    }
}
