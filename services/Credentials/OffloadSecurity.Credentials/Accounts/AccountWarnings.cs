using System.Globalization;
using System.Text.Json;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>
/// Rotation hygiene shown on the account: a GCP service-account key getting old, an Azure client secret about to
/// expire or expired. Computed when the account is shown, against the clock the caller passes.
/// </summary>
public static class AccountWarnings
{
    /// <summary>A GCP key older than this many days gets a warning.</summary>
    public const int GcpKeyWarnAfterDays = 60;

    /// <summary>The age by which a GCP key should have been replaced.</summary>
    public const int GcpKeyRotateByDays = 90;

    /// <summary>An Azure client secret expiring within this many days gets a warning.</summary>
    public const int AzureSecretWarnDays = 30;

    public static IReadOnlyList<string> For(Account account, DateTimeOffset now)
    {
        if (account.Secret is null)
        {
            return [];
        }

        var warning = account.Provider switch
        {
            CloudProvider.Gcp => GcpKey(JsonSerializer.Deserialize<GcpSettings>(account.SettingsJson)!, account.CreatedAt, now),
            CloudProvider.Azure => AzureSecret(JsonSerializer.Deserialize<AzureSettings>(account.SettingsJson)!, now),
            _ => null,
        };
        return warning is null ? [] : [warning];
    }

    private static string? GcpKey(GcpSettings gcp, DateTimeOffset connectedAt, DateTimeOffset now)
    {
        // Without the key's creation time, the day it was connected is a lower bound of its age.
        var since = gcp.KeyCreatedAt ?? connectedAt;
        var age = (int)Math.Floor((now - since).TotalDays);
        if (age <= GcpKeyWarnAfterDays)
        {
            return null;
        }

        var old = gcp.KeyCreatedAt is null
            ? $"The service-account key {gcp.PrivateKeyId} has been connected for {age} days (since {Day(since)}) and is at least that old"
            : $"The service-account key {gcp.PrivateKeyId} is {age} days old (created {Day(since)})";
        return age >= GcpKeyRotateByDays
            ? $"{old}: it is past the {GcpKeyRotateByDays}-day rotation limit; create a new key and replace this one now."
            : $"{old}: rotate by {GcpKeyRotateByDays} days (by {Day(since.AddDays(GcpKeyRotateByDays))}).";
    }

    private static string? AzureSecret(AzureSettings azure, DateTimeOffset now)
    {
        if (azure.ClientSecretExpiresAt is not { } expires)
        {
            return null;
        }

        if (expires <= now)
        {
            return $"The client secret expired on {Day(expires)}: create a new secret and replace this one; syncs fail until then.";
        }

        var days = (int)Math.Ceiling((expires - now).TotalDays);
        return days <= AzureSecretWarnDays
            ? $"The client secret expires on {Day(expires)} (in {days} day{(days == 1 ? "" : "s")}): rotate it before then."
            : null;
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
