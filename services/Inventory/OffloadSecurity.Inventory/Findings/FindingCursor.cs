using System.Buffers.Text;
using System.Text;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Keyset cursor over (severity desc, fingerprint asc): stable while findings are added or change status.
/// Opaque to clients (base64url).
/// </summary>
public static class FindingCursor
{
    public readonly record struct Position(int SeverityId, string Fingerprint);

    public static string Encode(int severityId, string fingerprint) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{severityId}:{fingerprint}"));

    public static bool TryDecode(string? cursor, out Position position)
    {
        position = default;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        var colon = text.IndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(0, colon), out var severity) || colon == text.Length - 1)
        {
            throw new FormatException("The cursor is not one this API issued.");
        }

        position = new Position(severity, text[(colon + 1)..]);
        return true;
    }

    public static bool IsValid(string? cursor)
    {
        try
        {
            TryDecode(cursor, out _);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
