using CsCheck;
using Tessera.Graphs;

namespace Tessera.Tests.Graphs;

public sealed class KeyTests
{
    [Fact]
    public void ToString_PrintsLikeDask()
    {
        Assert.Equal("x", new Key("x").ToString());
        Assert.Equal("('x', 3)", new Key("x", 3).ToString());
        Assert.Equal("('sum-agg-9f3a', 0, 2)", new Key("sum-agg-9f3a", 0, 2).ToString());
        Assert.Equal("('x', 1, 2, 3)", new Key("x", [1, 2, 3]).ToString());
    }

    [Fact]
    public void Equality_DependsOnNameAndEveryIndexComponent()
    {
        Gen.Select(Gen.String[1, 5], Gen.Int.Array[0, 5], Gen.Int.Array[0, 5]).Sample((name, a, b) =>
        {
            var ka = new Key(name, a);
            var kb = new Key(name, b);
            bool same = a.AsSpan().SequenceEqual(b);
            Assert.Equal(same, ka == kb);
            Assert.Equal(same, ka.Equals((object)kb));
            if (same)
            {
                Assert.Equal(ka.GetHashCode(), kb.GetHashCode());
                Assert.Equal(0, ka.CompareTo(kb));
            }

            Assert.Equal(a, ka.GetIndex());
            Assert.Equal(a.Length, ka.Rank);
        });
    }

    [Fact]
    public void InlineAndSpanConstructors_Agree()
    {
        Assert.Equal(new Key("x", 4), new Key("x", [4]));
        Assert.Equal(new Key("x", 4, 5), new Key("x", [4, 5]));
        Assert.Equal(new Key("x"), new Key("x", ReadOnlySpan<int>.Empty));
        Assert.NotEqual(new Key("x", 0), new Key("x"));
        Assert.NotEqual(new Key("x", 0, 0), new Key("x", 0));
    }

    [Fact]
    public void CompareTo_OrdersByNameThenIndex()
    {
        Key[] sorted = [new Key("a"), new Key("a", 0), new Key("a", 0, 1), new Key("a", 1), new Key("b", 0)];
        Key[] shuffled = [sorted[3], sorted[0], sorted[4], sorted[2], sorted[1]];
        Array.Sort(shuffled);
        Assert.Equal(sorted, shuffled);
    }

    [Fact]
    public void Indexer_OutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Key("x", 1)[1]);

    [Fact]
    public void Constructor_EmptyName_Throws() =>
        Assert.Throws<ArgumentException>(() => new Key(string.Empty));

    [Theory]
    [InlineData("x", "x")]
    [InlineData("inc-1f3ac1d2e4b5a6978899aabbccddeeff", "inc")]
    [InlineData("sum-aggregate-1a2b3c4d", "sum-aggregate")]
    [InlineData("x-1", "x")]
    [InlineData("foo-bar-deadbeef", "foo-bar")]
    [InlineData("second", "second")]
    public void Prefix_SplitsOffTokensLikeDaskKeySplit(string name, string prefix) =>
        Assert.Equal(prefix, new Key(name, 0).Prefix);

    [Fact]
    public void WithName_KeepsTheIndex() =>
        Assert.Equal(new Key("y", [1, 2, 3]), new Key("x", [1, 2, 3]).WithName("y"));
}
