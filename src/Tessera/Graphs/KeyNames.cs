namespace Tessera.Graphs;

/// <summary>Helpers for the names that keys carry.</summary>
public static class KeyNames
{
    private static readonly System.Buffers.SearchValues<char> s_hexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Splits a key name into its human-readable prefix, as Dask's <c>key_split</c> does: the words
    /// before the first word that is not purely alphabetic, or that looks like a hexadecimal token.
    /// </summary>
    /// <param name="name">A key name such as <c>"inc-9f3ac1d2…"</c> or <c>"sum-aggregate-1a2b"</c>.</param>
    /// <returns>The prefix, such as <c>"inc"</c> or <c>"sum-aggregate"</c>.</returns>
    public static string Split(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int firstDash = name.IndexOf('-', StringComparison.Ordinal);
        if (firstDash < 0)
        {
            return name;
        }

        int end = firstDash;
        int start = firstDash + 1;
        while (start <= name.Length)
        {
            int next = name.IndexOf('-', start);
            if (next < 0)
            {
                next = name.Length;
            }

            ReadOnlySpan<char> word = name.AsSpan(start, next - start);
            if (word.Length == 0 || !IsAlphabetic(word) || LooksLikeToken(word))
            {
                break;
            }

            end = next;
            start = next + 1;
        }

        return end == name.Length ? name : name[..end];
    }

    private static bool IsAlphabetic(ReadOnlySpan<char> word)
    {
        foreach (char c in word)
        {
            if (!char.IsAsciiLetter(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // An alphabetic word can still be a token, e.g. "deadbeef"; Dask treats 8-letter hex words so.
    private static bool LooksLikeToken(ReadOnlySpan<char> word) =>
        word.Length >= 8 && !word.ContainsAnyExcept(s_hexDigits);
}
