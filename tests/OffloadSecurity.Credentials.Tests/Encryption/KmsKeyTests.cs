using System.Net;
using System.Net.Http.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Encryption;

namespace OffloadSecurity.Credentials.Tests.Encryption;

/// <summary>
/// The key-encryption key kept wrapped by AWS KMS: the operator makes a data key with the encryption context the
/// service expects, gives the service only its ciphertext, and the service has KMS (the sandbox's) unwrap it at start.
/// </summary>
public sealed class KmsKeyTests : IAsyncLifetime
{
    private readonly AwsSandbox _sandbox = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _sandbox.Start();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Unwraps_the_kms_wrapped_key_at_start_and_uses_it_as_the_current_key()
    {
        var (wrapped, plaintext) = await GenerateDataKeyAsync(KmsKeyOptions.EncryptionContext);

        var keys = KeyRing.FromConfiguration(Configuration(wrapped));

        keys.Current.Key.ShouldBe(plaintext);
        keys.Current.Id.ShouldStartWith("kms-");
    }

    [Fact]
    public async Task The_service_runs_on_a_kms_wrapped_key_and_stores_secrets_under_it()
    {
        var (wrapped, _) = await GenerateDataKeyAsync(KmsKeyOptions.EncryptionContext);
        await using var credentials = new CredentialsHost { Sandbox = _sandbox, EncryptionKey = "", ExtraSettings = KmsSettings(wrapped) };
        await credentials.InitializeAsync();

        using var client = credentials.Client("tenant-kms");
        var response = await client.PostAsJsonAsync("/api/accounts", new
        {
            provider = "aws",
            displayName = "Under KMS",
            aws = new { accessKeyId = AwsSandbox.AccessKeyId, secretAccessKey = _sandbox.SecretAccessKey },
        }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await response.Content.ReadFromJsonAsync<Created>(Ct))!.Id;

        var stored = await credentials.Host.Services.GetRequiredService<IAccountStore>().FindAsync("tenant-kms", id, Ct);
        EnvelopeEncryption.KeyIdOf(stored!.Secret!).ShouldStartWith("kms-");
    }

    [Fact]
    public async Task Refuses_to_start_on_a_key_wrapped_under_another_encryption_context()
    {
        var (wrapped, _) = await GenerateDataKeyAsync(new Dictionary<string, string> { ["purpose"] = "something-else" });

        var refused = Should.Throw<InvalidOperationException>(() => KeyRing.FromConfiguration(Configuration(wrapped)));

        refused.Message.ShouldContain("refused to decrypt");
        refused.Message.ShouldContain("InvalidCiphertextException");
    }

    [Fact]
    public async Task Refuses_a_local_key_and_a_kms_key_at_once()
    {
        var (wrapped, _) = await GenerateDataKeyAsync(KmsKeyOptions.EncryptionContext);
        var settings = new Dictionary<string, string?>(KmsSettings(wrapped)) { ["ENCRYPTION_KEY"] = Convert.ToBase64String(new byte[32]) };

        Should.Throw<InvalidOperationException>(() => KeyRing.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()))
            .Message.ShouldContain("Keep one");
    }

    [Fact]
    public void Says_so_when_kms_cannot_be_reached()
    {
        var settings = new Dictionary<string, string?>(KmsSettings(Convert.ToBase64String(new byte[64])))
        {
            ["Encryption:Kms:ServiceUrl"] = "http://127.0.0.1:9/",
        };

        Should.Throw<InvalidOperationException>(() => KeyRing.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()))
            .Message.ShouldContain("could not be reached");
    }

    private IConfiguration Configuration(string wrapped) => new ConfigurationBuilder().AddInMemoryCollection(KmsSettings(wrapped)).Build();

    private Dictionary<string, string?> KmsSettings(string wrapped) => new()
    {
        ["Encryption:Kms:WrappedKey"] = wrapped,
        ["Encryption:Kms:KeyId"] = "alias/offload",
        ["Encryption:Kms:ServiceUrl"] = _sandbox.Address.ToString(),
        ["Aws:Platform:AccessKeyId"] = AwsSandbox.PlatformAccessKeyId,
        ["Aws:Platform:SecretAccessKey"] = AwsSandbox.PlatformSecretAccessKey,
    };

    /// <summary>What an operator runs once: <c>aws kms generate-data-key --key-spec AES_256 --encryption-context ...</c>.</summary>
    private async Task<(string Wrapped, byte[] Plaintext)> GenerateDataKeyAsync(IReadOnlyDictionary<string, string> context)
    {
        using var kms = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(AwsSandbox.PlatformAccessKeyId, AwsSandbox.PlatformSecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = _sandbox.Address.ToString(), AuthenticationRegion = "us-east-1" });
        var response = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = "alias/offload",
            KeySpec = DataKeySpec.AES_256,
            EncryptionContext = new Dictionary<string, string>(context),
        }, Ct);
        return (Convert.ToBase64String(response.CiphertextBlob.ToArray()), response.Plaintext.ToArray());
    }

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private sealed record Created(Guid Id);
}
