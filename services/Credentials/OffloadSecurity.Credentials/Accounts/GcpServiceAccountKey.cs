using System.Text.Json;
using System.Text.RegularExpressions;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// The fields of a Google Cloud service-account JSON key file that the platform uses. <see cref="PrivateKey"/> is the
/// secret; the rest is shown on the account.
/// </summary>
public sealed partial record GcpServiceAccountKey(string ProjectId, string PrivateKeyId, string PrivateKey, string ClientEmail, string? TokenUri)
{
    /// <summary>A real key file is about 2.3 KB.</summary>
    public const int MaxJsonLength = 16 * 1024;

    public const string PemHeader = "-----BEGIN PRIVATE KEY-----";
    public const string PemFooter = "-----END PRIVATE KEY-----";

    /// <summary>Hosts a key's <c>token_uri</c> may name: the service will post signed assertions there.</summary>
    private static readonly string[] TokenHosts = ["oauth2.googleapis.com", "accounts.google.com"];

    public override string ToString() => $"GcpServiceAccountKey {{ ClientEmail = {ClientEmail}, PrivateKeyId = {PrivateKeyId}, key redacted }}";

    /// <summary>
    /// Reads <paramref name="json"/>; each problem goes to <paramref name="problem"/> in words that name the key file's
    /// property and never repeat a value. Null when the key is unusable.
    /// </summary>
    public static GcpServiceAccountKey? Read(string? json, Action<string> problem)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            problem("Required: the whole JSON key file of the service account, as one string.");
            return null;
        }

        if (json.Length > MaxJsonLength)
        {
            problem($"Too long for a service-account key file (at most {MaxJsonLength} characters).");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            problem("Not valid JSON: give the whole key file as downloaded from Google Cloud (IAM > Service accounts > Keys).");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem("Not a key file: the JSON must be an object.");
                return null;
            }

            if (Text(root, "type") != "service_account")
            {
                problem("\"type\" must be \"service_account\": this is not a service-account key file (user and workload-identity credentials are not accepted).");
                return null;
            }

            var valid = true;
            void Problem(string message)
            {
                problem(message);
                valid = false;
            }

            var projectId = Text(root, "project_id");
            if (projectId is null || !IsProjectId(projectId))
            {
                Problem("\"project_id\" is missing or not a valid GCP project id.");
            }

            var privateKeyId = Text(root, "private_key_id");
            if (privateKeyId is null || !KeyId().IsMatch(privateKeyId))
            {
                Problem("\"private_key_id\" is missing or not a key id (hexadecimal).");
            }

            var privateKey = Text(root, "private_key");
            if (privateKey is null || !privateKey.TrimStart().StartsWith(PemHeader, StringComparison.Ordinal) || !privateKey.Contains(PemFooter, StringComparison.Ordinal))
            {
                Problem($"\"private_key\" is missing or not a PEM private key ({PemHeader} ... {PemFooter}).");
            }

            var clientEmail = Text(root, "client_email");
            if (clientEmail is null || clientEmail.Length > 254 || !Email().IsMatch(clientEmail))
            {
                Problem("\"client_email\" is missing or not a service-account e-mail address.");
            }

            var tokenUri = Text(root, "token_uri");
            if (root.TryGetProperty("token_uri", out _) && !IsGoogleTokenUri(tokenUri))
            {
                Problem("\"token_uri\" must be Google's token endpoint (https://oauth2.googleapis.com/token).");
            }

            return valid ? new GcpServiceAccountKey(projectId!, privateKeyId!, privateKey!, clientEmail!, tokenUri) : null;
        }
    }

    /// <summary>GCP project id rules: 6 to 30 of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen; legacy ids may carry a domain prefix (<c>example.com:my-project</c>).</summary>
    public static bool IsProjectId(string? projectId) => projectId is not null && ProjectIdPattern().IsMatch(projectId);

    private static bool IsGoogleTokenUri(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
        && parsed.Scheme == Uri.UriSchemeHttps
        && parsed.IsDefaultPort
        && parsed.UserInfo.Length == 0
        && TokenHosts.Contains(parsed.IdnHost, StringComparer.OrdinalIgnoreCase);

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^([a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectIdPattern();

    [GeneratedRegex("^[0-9a-fA-F]{16,64}$")]
    private static partial Regex KeyId();

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$")]
    private static partial Regex Email();
}
