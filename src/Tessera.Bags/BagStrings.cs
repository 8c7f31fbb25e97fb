using Tessera.Bags.Internal;
using Tessera.Graphs;

namespace Tessera.Bags;

/// <summary>The string helpers of a bag of strings (Dask's <c>bag.str</c>); get them with <c>bag.Str</c>.</summary>
public readonly struct BagStrings : IEquatable<BagStrings>
{
    private readonly Bag<string> _bag;

    internal BagStrings(Bag<string> bag) => _bag = bag;

    /// <summary>
    /// Splits each string (Python's <c>str.split</c>): with no separator on runs of white space,
    /// dropping empty words (<c>String.Split(null, RemoveEmptyEntries)</c>); with a separator at each
    /// occurrence, keeping empty parts.
    /// </summary>
    /// <param name="separator">The separator, or null for white space.</param>
    /// <returns>The lazy bag of word arrays (flatten it with <c>Flatten()</c>).</returns>
    public Bag<string[]> Split(string? separator = null)
    {
        if (separator is { Length: 0 })
        {
            throw new ArgumentException("Str.Split: the separator is empty; pass null to split on white space.", nameof(separator));
        }

        Node s = Node.Literal(separator);
        TextPipeline? text = separator is null && _bag.Text is { Stage: TextStage.Lines } t ? t.Then(TextStage.SplitOnWhitespace) : null;
        return _bag.Wrap<string[]>(_bag.NewName("str-split", separator), (p, _) => Node.Call(StringKernels.SplitFn, s, p), text);
    }

    /// <summary>Removes leading and trailing white space, or the given characters (Python's <c>strip</c>).</summary>
    /// <param name="chars">The characters to remove, or null for white space.</param>
    /// <returns>The lazy bag of stripped strings.</returns>
    public Bag<string> Strip(string? chars = null) => Transform(StringKernels.Strip, "str-strip", chars, null);

    /// <summary>Removes leading white space, or the given characters (Python's <c>lstrip</c>).</summary>
    /// <param name="chars">The characters to remove, or null for white space.</param>
    /// <returns>The lazy bag of stripped strings.</returns>
    public Bag<string> LStrip(string? chars = null) => Transform(StringKernels.LStrip, "str-lstrip", chars, null);

    /// <summary>Removes trailing white space, or the given characters (Python's <c>rstrip</c>).</summary>
    /// <param name="chars">The characters to remove, or null for white space.</param>
    /// <returns>The lazy bag of stripped strings.</returns>
    public Bag<string> RStrip(string? chars = null) => Transform(StringKernels.RStrip, "str-rstrip", chars, null);

    /// <summary>Converts to lower case (invariant culture).</summary>
    /// <returns>The lazy bag of lower-case strings.</returns>
    public Bag<string> Lower() => Transform(StringKernels.Lower, "str-lower", null, null);

    /// <summary>Converts to upper case (invariant culture).</summary>
    /// <returns>The lazy bag of upper-case strings.</returns>
    public Bag<string> Upper() => Transform(StringKernels.Upper, "str-upper", null, null);

    /// <summary>Replaces every occurrence of a substring (ordinal).</summary>
    /// <param name="oldValue">The substring to replace (not empty).</param>
    /// <param name="newValue">The replacement.</param>
    /// <returns>The lazy bag of strings.</returns>
    public Bag<string> Replace(string oldValue, string newValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(oldValue);
        ArgumentNullException.ThrowIfNull(newValue);
        return Transform(StringKernels.Replace, "str-replace", oldValue, newValue);
    }

    /// <summary>
    /// Keeps the strings that match a glob pattern as a whole (Dask's <c>str.match</c>, which is
    /// <c>fnmatch</c>): <c>*</c>, <c>?</c> and character classes such as <c>[a-z]</c>; case-sensitive.
    /// </summary>
    /// <param name="pattern">The pattern.</param>
    /// <returns>The lazy bag of matching strings.</returns>
    public Bag<string> Match(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Node p = Node.Literal(pattern);
        return _bag.Wrap<string>(_bag.NewName("str-match", pattern), (part, _) => Node.Call(StringKernels.MatchFn, p, part));
    }

    /// <inheritdoc/>
    public bool Equals(BagStrings other) => ReferenceEquals(_bag, other._bag);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BagStrings other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bag?.GetHashCode() ?? 0;

    /// <summary>Compares two accessors.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether both belong to the same bag.</returns>
    public static bool operator ==(BagStrings left, BagStrings right) => left.Equals(right);

    /// <summary>Compares two accessors.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they belong to different bags.</returns>
    public static bool operator !=(BagStrings left, BagStrings right) => !left.Equals(right);

    private Bag<string> Transform(int operation, string name, string? a, string? b)
    {
        Node op = Node.Literal(operation);
        Node na = Node.Literal(a);
        Node nb = Node.Literal(b);
        return _bag.Wrap<string>(_bag.NewName(name, a, b), (p, _) => Node.Call(StringKernels.TransformFn, op, na, nb, p));
    }
}

/// <summary>The <c>Str</c> accessor of bags of strings.</summary>
public static class BagStringExtensions
{
    extension(Bag<string> bag)
    {
        /// <summary>Gets the string helpers (Dask's <c>bag.str</c>): <c>bag.Str.Split()</c>, <c>bag.Str.Lower()</c>, ….</summary>
        public BagStrings Str => new(bag ?? throw new ArgumentNullException(nameof(bag)));
    }
}
