using System.Buffers.Text;
using System.Text;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// Keyset cursor of the asset, image and workload lists. Every list is ordered by (natural id, key), both immutable
/// for a record, so the next page starts strictly after the last row shown: records added or re-scanned meanwhile
/// never make a row repeat or go missing. Opaque to clients (base64url), and bound to the list it was issued for.
/// </summary>
public static class AssetCursor
{
    public const string Assets = "a";
    public const string Images = "i";
    public const string Workloads = "w";

    private const string Invalid = "Not a cursor this API issued; start again without it.";

    public readonly record struct Position(string SortKey, string Id);

    public static string Encode(string list, string sortKey, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{list}|{id}|{sortKey}"));

    /// <summary>False when there is no cursor; throws <see cref="FormatException"/> when it is not one of <paramref name="list"/>.</summary>
    public static bool TryDecode(string list, string? cursor, out Position position)
    {
        position = default;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw new FormatException(Invalid);
        }

        var parts = text.Split('|', 3);
        if (parts.Length != 3 || parts[0] != list || !AssetKeys.IsKey(parts[1]) || parts[2].Length == 0)
        {
            throw new FormatException(Invalid);
        }

        position = new Position(parts[2], parts[1]);
        return true;
    }

    /// <summary>Null when the cursor is absent or one of <paramref name="list"/>; else why not.</summary>
    public static string? Validate(string list, string? cursor)
    {
        try
        {
            TryDecode(list, cursor, out _);
            return null;
        }
        catch (FormatException)
        {
            return Invalid;
        }
    }
}
