using Tessera.Bags.Internal;

namespace Tessera.Bags.Tests.Internal;

public sealed class StableHashTests
{
    [Fact]
    public void Of_String_IsTheSameInEveryProcess()
    {
        // Fixed values: a per-process seed (as string.GetHashCode has) would break GroupBy across workers.
        Assert.Equal(StableHash.Of("even"), StableHash.Of(new string("even".ToCharArray())));
        Assert.Equal(0x83D3ED0Cu, StableHash.Of("even"));
        Assert.Equal(0xD4727622u, StableHash.Of(42));
    }

    [Fact]
    public void Of_EqualValues_HashAlike()
    {
        Assert.Equal(StableHash.Of(0.0), StableHash.Of(-0.0));
        Assert.Equal(StableHash.Of(double.NaN), StableHash.Of(-double.NaN));
        Assert.Equal(StableHash.Of(1.0m), StableHash.Of(1.00m));
        Assert.Equal(StableHash.Of((1, "a")), StableHash.Of((1, "a")));
        Assert.NotEqual(StableHash.Of((1, "a")), StableHash.Of((1, "b")));
        Assert.Equal(StableHash.Of(new Point(1, 2)), StableHash.Of(new Point(1, 2)));
        Assert.Equal(StableHash.Of(DayOfWeek.Monday), StableHash.Of(DayOfWeek.Monday));
    }

    [Fact]
    public void Of_ClassWithoutContent_IsRefusedNamingGroupBy()
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => StableHash.Of(new Opaque()));
        Assert.Contains("GroupBy", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Opaque), e.Message, StringComparison.Ordinal);
    }

    private sealed record Point(int X, int Y);

    private sealed class Opaque;
}
