namespace Tessera.Bags.Internal;

/// <summary>
/// Expands file patterns: <c>*</c> (any characters but a separator), <c>?</c> (one character),
/// <c>[abc]</c>/<c>[a-z]</c>/<c>[!a]</c> (a character class) within a path segment, and <c>**</c> (any
/// number of directories). Results are absolute paths in ordinal order.
/// </summary>
internal static class PathExpansion
{
    public static bool HasWildcards(string path) => path.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>Expands each pattern (or checks each plain path exists); throws when one matches nothing.</summary>
    public static string[] Expand(IEnumerable<string> patterns, string operation)
    {
        var result = new List<string>();
        foreach (string pattern in patterns)
        {
            ArgumentException.ThrowIfNullOrEmpty(pattern, nameof(patterns));
            if (!HasWildcards(pattern))
            {
                string full = Path.GetFullPath(pattern);
                if (!File.Exists(full))
                {
                    throw new FileNotFoundException($"{operation}: file '{pattern}' does not exist (full path '{full}').", full);
                }

                result.Add(full);
                continue;
            }

            List<string> matched = Glob(pattern);
            if (matched.Count == 0)
            {
                throw new FileNotFoundException($"{operation}: no files match '{pattern}' (full path '{Path.GetFullPath(pattern)}').", pattern);
            }

            result.AddRange(matched);
        }

        if (result.Count == 0)
        {
            throw new ArgumentException($"{operation}: no paths were given.", nameof(patterns));
        }

        return [.. result];
    }

    private static List<string> Glob(string pattern)
    {
        string full = Path.GetFullPath(pattern);
        string root = Path.GetPathRoot(full) ?? "/";
        string[] segments = full[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { root };
        for (int s = 0; s < segments.Length; s++)
        {
            string segment = segments[s];
            bool last = s == segments.Length - 1;
            var next = new List<string>();
            foreach (string dir in current)
            {
                if (segment == "**")
                {
                    // Zero or more directories: this one and every directory below it.
                    next.Add(dir);
                    if (Directory.Exists(dir))
                    {
                        next.AddRange(Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories));
                    }

                    continue;
                }

                if (!HasWildcards(segment))
                {
                    string candidate = Path.Combine(dir, segment);
                    if (last ? File.Exists(candidate) : Directory.Exists(candidate))
                    {
                        next.Add(candidate);
                    }

                    continue;
                }

                if (!Directory.Exists(dir))
                {
                    continue;
                }

                IEnumerable<string> entries = last ? Directory.EnumerateFiles(dir) : Directory.EnumerateDirectories(dir);
                foreach (string entry in entries)
                {
                    if (Matches(Path.GetFileName(entry.AsSpan()), segment))
                    {
                        next.Add(entry);
                    }
                }
            }

            current = [.. next.Distinct(StringComparer.Ordinal)];
        }

        if (segments.Length > 0 && segments[^1] == "**")
        {
            // A pattern ending in ** means every file below.
            current = [.. current.SelectMany(static d => Directory.EnumerateFiles(d)).Distinct(StringComparer.Ordinal)];
        }

        current.Sort(StringComparer.Ordinal);
        return current;
    }

    /// <summary>Matches one path segment against a pattern with <c>*</c>, <c>?</c> and character classes.</summary>
    public static bool Matches(ReadOnlySpan<char> name, ReadOnlySpan<char> pattern)
    {
        int n = 0;
        int p = 0;
        int starP = -1;
        int starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starN = n;
                continue;
            }

            if (p < pattern.Length && MatchOne(name[n], pattern, ref p))
            {
                n++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP + 1;
            n = ++starN;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    // Matches one character at pattern[p] (a literal, '?', or a class), advancing p past it on success.
    private static bool MatchOne(char c, ReadOnlySpan<char> pattern, ref int p)
    {
        char pc = pattern[p];
        if (pc == '?')
        {
            p++;
            return true;
        }

        if (pc == '[' && TryClassEnd(pattern, p, out int start, out int end, out bool negate))
        {
            bool hit = false;
            for (int i = start; i < end; i++)
            {
                if (i + 2 < end && pattern[i + 1] == '-')
                {
                    hit |= c >= pattern[i] && c <= pattern[i + 2];
                    i += 2;
                }
                else
                {
                    hit |= c == pattern[i];
                }
            }

            if (hit == negate)
            {
                return false;
            }

            p = end + 1;
            return true;
        }

        if (pc == c)
        {
            p++;
            return true;
        }

        return false;
    }

    // Finds a character class [..] at pattern[open]: its members are pattern[start..end), ']' at end.
    private static bool TryClassEnd(ReadOnlySpan<char> pattern, int open, out int start, out int end, out bool negate)
    {
        start = open + 1;
        negate = start < pattern.Length && pattern[start] is '!' or '^';
        if (negate)
        {
            start++;
        }

        // A ']' first in the class is a member, not the end.
        int close = start + 1 <= pattern.Length ? pattern[Math.Min(start + 1, pattern.Length)..].IndexOf(']') : -1;
        end = close < 0 ? -1 : start + 1 + close;
        return close >= 0 && start < pattern.Length;
    }
}
