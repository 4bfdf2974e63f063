using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OffloadSecurity.CloudSandbox.Aws.SecurityHub;

/// <summary>
/// An opaque NextToken: base64url of "position.check", where the check is a hash of the position with the
/// account, region and filter it was issued for, so a garbled or foreign token is rejected.
/// </summary>
internal static class FindingsPageToken
{
    public static string Create(string accountId, string region, string filterKey, int position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            position.ToString(CultureInfo.InvariantCulture) + "." + Check(accountId, region, filterKey, position)));

    public static bool TryRead(string token, string accountId, string region, string filterKey, int total, out int position)
    {
        position = 0;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 &&
            int.TryParse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out position) &&
            position <= total &&
            text[(dot + 1)..] == Check(accountId, region, filterKey, position);
    }

    private static string Check(string accountId, string region, string filterKey, int position) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{accountId}|{region}|{filterKey}|{position}")))[..16];
}
