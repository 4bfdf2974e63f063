using System.Buffers.Text;
using System.Text;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Keyset cursor over (sort key, fingerprint): the next page starts strictly after the last row shown, so findings
/// added meanwhile never shift a page (no row is skipped or repeated). Opaque to clients (base64url), and bound to
/// the sort order it was issued for.
/// </summary>
public static class FindingCursor
{
    public readonly record struct Position(FindingSort Sort, string Key, string Fingerprint);

    public static string Encode(FindingSort sort, string key, string fingerprint) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{(int)sort}|{key}|{fingerprint}"));

    public static bool TryDecode(string? cursor, out Position position)
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
            throw new FormatException("The cursor is not one this API issued.");
        }

        var parts = text.Split('|', 3);
        if (parts.Length != 3 || !int.TryParse(parts[0], out var sort) || !Enum.IsDefined((FindingSort)sort)
            || parts[1].Length == 0 || parts[2].Length == 0)
        {
            throw new FormatException("The cursor is not one this API issued.");
        }

        position = new Position((FindingSort)sort, parts[1], parts[2]);
        return true;
    }

    /// <summary>Null when the cursor is absent or fits <paramref name="sort"/>; else why not.</summary>
    public static string? Validate(string? cursor, FindingSort sort)
    {
        try
        {
            return TryDecode(cursor, out var position) && position.Sort != sort
                ? "This cursor belongs to another sort order; start again without it."
                : null;
        }
        catch (FormatException)
        {
            return "Not a cursor this API issued; start again without it.";
        }
    }
}
