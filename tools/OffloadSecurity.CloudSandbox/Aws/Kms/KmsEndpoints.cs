using System.Text.Json;

namespace OffloadSecurity.CloudSandbox.Aws.Kms;

/// <summary>
/// KMS's symmetric operations (awsJson1.1: <c>POST /</c> with <c>X-Amz-Target: TrentService.&lt;Operation&gt;</c>):
/// Encrypt, Decrypt and GenerateDataKey with an encryption context, against the account's one key.
/// </summary>
internal static class KmsEndpoints
{
    public const string ServiceName = "kms";
    private const string TargetPrefix = "TrentService.";
    private const int MaxPlaintextBytes = 4096;

    /// <summary>KMS shares <c>POST /</c> with STS; its requests are told apart by their target header.</summary>
    public static WebApplication MapKms(this WebApplication app) => app.MapJsonTarget(ServiceName, TargetPrefix, DispatchAsync);

    private static async Task<IResult> DispatchAsync(HttpContext context, AwsCaller caller, string operation)
    {
        var (request, unreadable) = await AwsJsonTarget.ReadBodyAsync(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var kms = context.RequestServices.GetRequiredService<SandboxKms>();
        try
        {
            return operation switch
            {
                "Encrypt" => Encrypt(request, caller, kms),
                "Decrypt" => Decrypt(request, caller, kms),
                "GenerateDataKey" => GenerateDataKey(request, caller, kms),
                _ => Error("UnknownOperationException", $"Operation {operation} is not emulated by the sandbox."),
            };
        }
        catch (FormatException)
        {
            return Error("ValidationException", "A blob field is not valid base64.");
        }
    }

    private static IResult Encrypt(JsonElement request, AwsCaller caller, SandboxKms kms)
    {
        if (KeyProblem(request, caller, required: true) is { } problem)
        {
            return problem;
        }

        var plaintext = Blob(request, "Plaintext");
        if (plaintext is not { Length: > 0 and <= MaxPlaintextBytes })
        {
            return Error("ValidationException", $"Plaintext must be 1 to {MaxPlaintextBytes} bytes.");
        }

        return Json(new Dictionary<string, object>
        {
            ["CiphertextBlob"] = kms.Encrypt(caller.Account, caller.Region, plaintext, Context(request)),
            ["KeyId"] = SandboxKms.KeyArn(caller.Account, caller.Region),
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        });
    }

    private static IResult Decrypt(JsonElement request, AwsCaller caller, SandboxKms kms)
    {
        if (request.TryGetProperty("KeyId", out var keyId) && !SandboxKms.Names(keyId.GetString() ?? "", caller.Account, caller.Region))
        {
            return Error("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
        }

        var blob = Blob(request, "CiphertextBlob");
        if (blob is null || kms.Decrypt(caller.Account, caller.Region, blob, Context(request)) is not { } plaintext)
        {
            return Error("InvalidCiphertextException", "");
        }

        return Json(new Dictionary<string, object>
        {
            ["Plaintext"] = plaintext,
            ["KeyId"] = SandboxKms.KeyArn(caller.Account, caller.Region),
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        });
    }

    private static IResult GenerateDataKey(JsonElement request, AwsCaller caller, SandboxKms kms)
    {
        if (KeyProblem(request, caller, required: true) is { } problem)
        {
            return problem;
        }

        var bytes = request.TryGetProperty("KeySpec", out var spec) ? spec.GetString() switch
        {
            "AES_256" => 32,
            "AES_128" => 16,
            _ => -1,
        } : request.TryGetProperty("NumberOfBytes", out var number) && number.TryGetInt32(out var n) ? n : -1;
        if (bytes is < 1 or > 1024)
        {
            return Error("ValidationException", "Give KeySpec AES_256 or AES_128, or NumberOfBytes from 1 to 1024.");
        }

        var plaintext = System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes);
        return Json(new Dictionary<string, object>
        {
            ["CiphertextBlob"] = kms.Encrypt(caller.Account, caller.Region, plaintext, Context(request)),
            ["Plaintext"] = plaintext,
            ["KeyId"] = SandboxKms.KeyArn(caller.Account, caller.Region),
        });
    }

    private static IResult? KeyProblem(JsonElement request, AwsCaller caller, bool required)
    {
        if (!request.TryGetProperty("KeyId", out var keyId) || keyId.GetString() is not { Length: > 0 } id)
        {
            return required ? Error("ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null") : null;
        }

        return SandboxKms.Names(id, caller.Account, caller.Region)
            ? null
            : Error("NotFoundException", $"Key '{id}' does not exist");
    }

    private static byte[]? Blob(JsonElement request, string name) =>
        request.TryGetProperty(name, out var value) && value.GetString() is { } base64 ? Convert.FromBase64String(base64) : null;

    private static Dictionary<string, string> Context(JsonElement request) =>
        request.TryGetProperty("EncryptionContext", out var context) && context.ValueKind == JsonValueKind.Object
            ? context.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];

    private static IResult Error(string code, string message) => AwsJsonTarget.Error(code, message);

    /// <summary>An awsJson1.1 answer; byte arrays are written as base64, as the protocol's blobs are.</summary>
    private static IResult Json(Dictionary<string, object> body) => Results.Text(JsonSerializer.Serialize(body), "application/x-amz-json-1.1");
}
