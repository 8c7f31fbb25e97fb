using Tessera.Graphs;

namespace Tessera.Bags.Internal;

/// <summary>The string helpers of <see cref="BagStrings"/>.</summary>
internal static class StringKernels
{
    public const int Strip = 0;
    public const int LStrip = 1;
    public const int RStrip = 2;
    public const int Lower = 3;
    public const int Upper = 4;
    public const int Replace = 5;

    public static readonly TaskFunction TransformFn = TaskFunction.Create<int, string?, string?, IEnumerable<string>, IEnumerable<string>>(Transform, "str");
    public static readonly TaskFunction SplitFn = TaskFunction.Create<string?, IEnumerable<string>, IEnumerable<string[]>>(Split, "str-split");
    public static readonly TaskFunction MatchFn = TaskFunction.Create<string, IEnumerable<string>, IEnumerable<string>>(Match, "str-match");

    public static IEnumerable<string> Transform(int operation, string? a, string? b, IEnumerable<string> items)
    {
        char[]? chars = a?.ToCharArray();
        foreach (string s in items)
        {
            yield return operation switch
            {
                Strip => chars is null ? s.Trim() : s.Trim(chars),
                LStrip => chars is null ? s.TrimStart() : s.TrimStart(chars),
                RStrip => chars is null ? s.TrimEnd() : s.TrimEnd(chars),
                Lower => s.ToLowerInvariant(),
                Upper => s.ToUpperInvariant(),
                Replace => s.Replace(a!, b, StringComparison.Ordinal),
                _ => throw new ArgumentOutOfRangeException(nameof(operation)),
            };
        }
    }

    public static IEnumerable<string[]> Split(string? separator, IEnumerable<string> items)
    {
        foreach (string s in items)
        {
            yield return separator is null
                ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                : s.Split(separator, StringSplitOptions.None);
        }
    }

    public static IEnumerable<string> Match(string pattern, IEnumerable<string> items)
    {
        foreach (string s in items)
        {
            if (PathExpansion.Matches(s, pattern))
            {
                yield return s;
            }
        }
    }
}
