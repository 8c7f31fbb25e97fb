using System.Collections.Immutable;
using CsCheck;
using Tessera.Graphs;

namespace Tessera.Tests.Graphs;

public sealed class TokenizerTests
{
    private sealed record Point(double X, double Y, string Label);

    private readonly record struct Size(int Width, int Height);

    private sealed class Opaque
    {
        public int Value { get; set; }
    }

    private enum Color
    {
        Red,
        Green,
    }

    private static long Inc(long x) => x + 1;

    private static long Dec(long x) => x - 1;

    [Fact]
    public void Tokenize_EqualContentInDifferentInstances_GivesEqualTokens()
    {
        object?[] values =
        [
            null, 1, 1L, 1.5, "text", true, 'c', 2.5f, 3.25m, (byte)7, Color.Green,
            new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc), TimeSpan.FromSeconds(3), Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            new Key("x", 1, 2), typeof(string),
        ];
        foreach (object? v in values)
        {
            Assert.Equal(Tokenizer.Tokenize(v), Tokenizer.Tokenize(v));
            Assert.True(Tokenizer.TryTokenize(out _, v), $"{v} should tokenize deterministically");
        }

        Assert.Equal(Tokenizer.Tokenize(new[] { 1, 2, 3 }), Tokenizer.Tokenize(new[] { 1, 2, 3 }));
        Assert.Equal(Tokenizer.Tokenize(new List<string> { "a", "b" }), Tokenizer.Tokenize(new List<string> { "a", "b" }));
        Assert.Equal(Tokenizer.Tokenize(new Point(1, 2, "p")), Tokenizer.Tokenize(new Point(1, 2, "p")));
        Assert.Equal(Tokenizer.Tokenize(new Size(1, 2)), Tokenizer.Tokenize(new Size(1, 2)));
        Assert.Equal(Tokenizer.Tokenize((1, "a")), Tokenizer.Tokenize((1, "a")));
        Assert.Equal(Tokenizer.Tokenize(new double[,] { { 1, 2 }, { 3, 4 } }), Tokenizer.Tokenize(new double[,] { { 1, 2 }, { 3, 4 } }));
        Assert.Equal(Tokenizer.Tokenize(ImmutableArray.Create(1, 2)), Tokenizer.Tokenize(ImmutableArray.Create(1, 2)));
    }

    [Fact]
    public void Tokenize_DifferentContent_GivesDifferentTokens()
    {
        string[] tokens =
        [
            Tokenizer.Tokenize(1), Tokenizer.Tokenize(1L), Tokenizer.Tokenize(1.0), Tokenizer.Tokenize("1"),
            Tokenizer.Tokenize(new[] { 1, 2 }), Tokenizer.Tokenize(new[] { 2, 1 }), Tokenizer.Tokenize(new long[] { 1, 2 }),
            Tokenizer.Tokenize(new Point(1, 2, "p")), Tokenizer.Tokenize(new Point(1, 2, "q")),
            Tokenizer.Tokenize("ab", "c"), Tokenizer.Tokenize("a", "bc"), Tokenizer.Tokenize(Color.Red), Tokenizer.Tokenize(Color.Green),
            Tokenizer.Tokenize(new double[,] { { 1, 2 }, { 3, 4 } }), Tokenizer.Tokenize(new double[] { 1, 2, 3, 4 }),
        ];
        Assert.Equal(tokens.Length, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.Matches("^[0-9a-f]{32}$", t));
    }

    [Fact]
    public void Tokenize_Strings_CollideOnlyWhenEqual()
    {
        Gen.Select(Gen.String, Gen.String).Sample((a, b) =>
            Assert.Equal(a == b, Tokenizer.Tokenize(a) == Tokenizer.Tokenize(b)));
    }

    [Fact]
    public void Tokenize_DictionariesAndSets_IgnoreInsertionOrder()
    {
        Gen.Int[0, 1000].Array[0, 30].Sample(items =>
        {
            int[] distinct = [.. items.Distinct()];
            var forward = new Dictionary<int, string>();
            var backward = new Dictionary<int, string>();
            foreach (int i in distinct)
            {
                forward[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            foreach (int i in distinct.Reverse())
            {
                backward[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.Equal(Tokenizer.Tokenize(forward), Tokenizer.Tokenize(backward));
            Assert.Equal(Tokenizer.Tokenize(new HashSet<string>(distinct.Select(i => "s" + i))), Tokenizer.Tokenize(new HashSet<string>(distinct.Reverse().Select(i => "s" + i))));
        });
    }

    [Fact]
    public void Tokenize_Functions_ByMethodIdentityAndCapturedValues()
    {
        Func<long, long> inc = Inc;
        Assert.Equal(Tokenizer.Tokenize(inc), Tokenizer.Tokenize((Func<long, long>)Inc));
        Assert.NotEqual(Tokenizer.Tokenize(inc), Tokenizer.Tokenize((Func<long, long>)Dec));
        Assert.Equal(Tokenizer.Tokenize(MakeAdder(3)), Tokenizer.Tokenize(MakeAdder(3)));
        Assert.NotEqual(Tokenizer.Tokenize(MakeAdder(3)), Tokenizer.Tokenize(MakeAdder(4)));
        Assert.True(Tokenizer.TryTokenize(out _, MakeAdder(3)));
    }

    [Fact]
    public void Tokenize_OpaqueObject_FallsBackToAUniqueToken()
    {
        var o = new Opaque { Value = 1 };
        Assert.False(Tokenizer.TryTokenize(out string first, o));
        Assert.False(Tokenizer.TryTokenize(out string second, o));
        Assert.NotEqual(first, second);
        Assert.Matches("^[0-9a-f]{32}$", first);
    }

    [Fact]
    public void Tokenize_CapturingAnOpaqueObject_FallsBackToAUniqueToken()
    {
        var o = new Opaque { Value = 1 };
        Func<long, long> f = x => x + o.Value;
        Assert.False(Tokenizer.TryTokenize(out _, f));
    }

    [Fact]
    public void Tokenize_CustomTokenizable_UsesItsState()
    {
        Assert.Equal(Tokenizer.Tokenize(new Custom("a", 99)), Tokenizer.Tokenize(new Custom("a", 1)));
        Assert.NotEqual(Tokenizer.Tokenize(new Custom("a", 1)), Tokenizer.Tokenize(new Custom("b", 1)));
    }

    [Fact]
    public void Tokenize_SelfReferencingList_DoesNotRecurseForever()
    {
        var list = new List<object>();
        list.Add(list);
        Assert.False(Tokenizer.TryTokenize(out _, list));
    }

    private static Func<long, long> MakeAdder(long n) => x => x + n;

    private sealed class Custom(string id, int ignored) : ITokenizable
    {
        public int Ignored => ignored;

        public void WriteToken(TokenWriter writer) => writer.AppendString(id);
    }
}
