using OffloadSecurity.CloudSandbox;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests;

/// <summary>
/// The real cloud sandbox on loopback with a tenant's AWS account (access keys and an assumable role) and the
/// platform's own account. The tenant's secret and external id are fresh per sandbox: planted values to search for.
/// </summary>
public sealed class AwsSandbox : IAsyncDisposable
{
    public const string AccountId = "111122223333";
    public const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    public const string RoleArn = "arn:aws:iam::111122223333:role/OffloadScanner";
    public const string PlatformAccessKeyId = "AKIAPLATFORM00000001";
    public const string PlatformSecretAccessKey = "platform/secret/platform/secret/platfo01";

    private ServiceHost<CloudSandboxMarker>? _host;

    /// <summary>The tenant's secret access key: 40 characters nobody else uses.</summary>
    public string SecretAccessKey { get; } = "PLANTED" + Guid.NewGuid().ToString("N") + "X";

    /// <summary>The external id the tenant's role requires: also unique, also never to be echoed.</summary>
    public string ExternalId { get; } = "EXTPLANTED-" + Guid.NewGuid().ToString("N");

    public Uri Address { get; private set; } = null!;

    public IEnumerable<string> Logs => _host?.Logs ?? Enumerable.Empty<string>();

    public AwsSandbox Start()
    {
        _host = new ServiceHost<CloudSandboxMarker>(new Dictionary<string, string?>
        {
            ["Sandbox:Aws:Accounts:0:AccountId"] = AccountId,
            ["Sandbox:Aws:Accounts:0:AccessKeyId"] = AccessKeyId,
            ["Sandbox:Aws:Accounts:0:SecretAccessKey"] = SecretAccessKey,
            ["Sandbox:Aws:Accounts:0:SecurityHubFindings"] = "5",
            ["Sandbox:Aws:Accounts:0:Roles:0:Name"] = "OffloadScanner",
            ["Sandbox:Aws:Accounts:0:Roles:0:ExternalId"] = ExternalId,
            ["Sandbox:Aws:Accounts:1:AccountId"] = "444455556666",
            ["Sandbox:Aws:Accounts:1:AccessKeyId"] = PlatformAccessKeyId,
            ["Sandbox:Aws:Accounts:1:SecretAccessKey"] = PlatformSecretAccessKey,
        });
        Address = _host.Start();
        return this;
    }

    /// <summary>Settings that point a credentials service at this sandbox, with the platform principal.</summary>
    public IReadOnlyDictionary<string, string?> CredentialsSettings => new Dictionary<string, string?>
    {
        ["Aws:Endpoints:ServiceUrl"] = Address.ToString(),
        ["Aws:Platform:AccessKeyId"] = PlatformAccessKeyId,
        ["Aws:Platform:SecretAccessKey"] = PlatformSecretAccessKey,
    };

    public object KeysBody(string? secret = null, string accessKeyId = AccessKeyId, string displayName = "prod") => new
    {
        provider = "Aws",
        displayName,
        regions = new[] { "eu-west-1" },
        aws = new { accessKeyId, secretAccessKey = secret ?? SecretAccessKey },
    };

    public object RoleBody(string? externalId = null, string roleArn = RoleArn) => new
    {
        provider = "Aws",
        displayName = "prod-role",
        regions = new[] { "us-east-1" },
        aws = new { roleArn, externalId = externalId ?? ExternalId },
    };

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
