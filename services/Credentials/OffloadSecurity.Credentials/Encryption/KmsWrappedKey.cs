using System.Security.Cryptography;
using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using OffloadSecurity.Credentials.Aws;

namespace OffloadSecurity.Credentials.Encryption;

/// <summary>
/// Configuration section <c>Encryption:Kms</c>: the key-encryption key kept wrapped by AWS KMS instead of in plain
/// configuration. <see cref="WrappedKey"/> is the base64 <c>CiphertextBlob</c> of a 256-bit data key made with
/// <c>aws kms generate-data-key --key-id &lt;key&gt; --key-spec AES_256 --encryption-context purpose=offload-credentials</c>;
/// the service asks KMS to decrypt it once at start-up and keeps the plaintext key only in memory.
/// </summary>
public sealed class KmsKeyOptions
{
    public const string Section = "Encryption:Kms";

    /// <summary>The encryption context the wrapped key was made with; KMS refuses to decrypt it under any other.</summary>
    public static readonly IReadOnlyDictionary<string, string> EncryptionContext = new Dictionary<string, string> { ["purpose"] = "offload-credentials" };

    public string? WrappedKey { get; set; }

    /// <summary>The KMS key (id, ARN or alias) that must have wrapped the key; KMS checks it on decrypt.</summary>
    public string? KeyId { get; set; }

    public string Region { get; set; } = AwsSts.DefaultRegion;

    /// <summary>Where KMS answers (the cloud sandbox, a VPC endpoint); unset means the region's public endpoint.</summary>
    public string? ServiceUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(WrappedKey);
}

/// <summary>Unwraps the KMS-protected key-encryption key with the platform's own AWS principal (or the SDK's default credentials).</summary>
public static class KmsWrappedKey
{
    public static async Task<KeyEncryptionKey> UnwrapAsync(KmsKeyOptions options, AwsPlatformPrincipal platform, CancellationToken ct)
    {
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(options.WrappedKey!.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("Encryption:Kms:WrappedKey is not base64: give the CiphertextBlob that `aws kms generate-data-key` printed.");
        }

        var config = new AmazonKeyManagementServiceConfig { MaxErrorRetry = 3, Timeout = TimeSpan.FromSeconds(20) };
        if (options.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        using var kms = platform.IsConfigured
            ? new AmazonKeyManagementServiceClient(Credentials(platform), config)
            : new AmazonKeyManagementServiceClient(config);
        DecryptResponse response;
        try
        {
            response = await kms.DecryptAsync(new DecryptRequest
            {
                CiphertextBlob = new MemoryStream(blob),
                KeyId = options.KeyId,
                EncryptionContext = new Dictionary<string, string>(KmsKeyOptions.EncryptionContext),
            }, ct);
        }
        catch (AmazonServiceException e)
        {
            throw new InvalidOperationException(
                $"AWS KMS refused to decrypt Encryption:Kms:WrappedKey ({e.ErrorCode ?? "HTTP " + (int)e.StatusCode}: {e.Message}). " +
                "Check that the platform principal may call kms:Decrypt on the key and that the key was made with the encryption context purpose=offload-credentials.", e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException("AWS KMS could not be reached to unwrap the encryption key: " + e.GetType().Name + ".", e);
        }

        var key = response.Plaintext.ToArray();
        if (key.Length != 32)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new InvalidOperationException($"The KMS-wrapped key is {key.Length} bytes, not 32: make it with --key-spec AES_256.");
        }

        // The id names the key without revealing it, as for keys from configuration.
        return new KeyEncryptionKey("kms-" + Convert.ToHexStringLower(SHA256.HashData(key))[..12], key);
    }

    private static AWSCredentials Credentials(AwsPlatformPrincipal platform) => platform.SessionToken is { Length: > 0 } token
        ? new SessionAWSCredentials(platform.AccessKeyId, platform.SecretAccessKey, token)
        : new BasicAWSCredentials(platform.AccessKeyId, platform.SecretAccessKey);
}
