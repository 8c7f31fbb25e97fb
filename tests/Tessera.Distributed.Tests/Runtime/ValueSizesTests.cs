using System.Runtime.CompilerServices;
using Tessera.Arrays;
using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

public sealed class ValueSizesTests
{
    private sealed record Pair(double[] Left, double[] Right);

    private sealed class Link
    {
        public long[]? Payload { get; set; }

        public Link? Next { get; set; }
    }

    [Fact]
    public void PrimitiveArraysAndStrings_AreSizedExactly_PlusAHeader()
    {
        Assert.Equal(0, ValueSizes.Estimate(null));
        Assert.Equal(32 + 8_000, ValueSizes.Estimate(new double[1_000]));
        Assert.Equal(32 + 1_000, ValueSizes.Estimate(new byte[1_000]));
        Assert.Equal(24 + 20, ValueSizes.Estimate("0123456789"));
    }

    [Fact]
    public void ArraysOfEveryPrimitive_AreSizedByTheRuntimesElementSize()
    {
        // Marshal.SizeOf gives unmanaged sizes (char 1, bool 4), which mis-sized char[] and bool[].
        AssertElementSize<bool>();
        AssertElementSize<char>();
        AssertElementSize<byte>();
        AssertElementSize<sbyte>();
        AssertElementSize<short>();
        AssertElementSize<ushort>();
        AssertElementSize<int>();
        AssertElementSize<uint>();
        AssertElementSize<long>();
        AssertElementSize<ulong>();
        AssertElementSize<float>();
        AssertElementSize<double>();
        AssertElementSize<nint>();
        AssertElementSize<nuint>();
        AssertElementSize<DayOfWeek>();
        AssertElementSize<ConsoleKey>();
    }

    [Fact]
    public void ArraysOfStructsOfCharsAndBools_CountTheirFieldsRuntimeSizes()
    {
        Assert.Equal(32 + ((long)(Unsafe.SizeOf<char>() + Unsafe.SizeOf<bool>()) * 1_000), ValueSizes.Estimate(new (char, bool)[1_000]));
    }

    [Fact]
    public void AnNDArray_IsSizedByItsBuffer()
    {
        // Before, every object that was not an array or a string counted 32 bytes: a worker holding
        // blocks of 8 MB thought it held nothing and never spilled them for its target.
        NDArray<double> block = NDArray.Arange<double>(0, 1_000_000).Reshape(1000, 1000);
        long size = ValueSizes.Estimate(block);
        Assert.InRange(size, block.NBytes, block.NBytes + 1_024);
    }

    [Fact]
    public void AView_IsSizedByItsOwnElements_AndABroadcastAxisCountsOnce()
    {
        NDArray<double> block = NDArray.Arange<double>(0, 1_000_000).Reshape(1000, 1000);
        NDArray<double> rows = block.Slice(Ix.S(0, 10));
        Assert.InRange(ValueSizes.Estimate(rows), rows.NBytes, rows.NBytes + 1_024);
        NDArray<double> ones = NDArray<double>.Full(1.0, 1, 1000).BroadcastTo(1000, 1000);
        Assert.InRange(ValueSizes.Estimate(ones), 8_000, 8_000 + 1_024);
    }

    [Fact]
    public void ObjectsAreWalkedThroughTheirFields_CountingASharedArrayOnce()
    {
        double[] shared = new double[10_000];
        long one = ValueSizes.Estimate(new Pair(shared, new double[5_000]));
        long same = ValueSizes.Estimate(new Pair(shared, shared));
        Assert.InRange(one, 8L * 15_000, (8L * 15_000) + 256);
        Assert.InRange(same, 8L * 10_000, (8L * 10_000) + 256);
        Assert.InRange(ValueSizes.Estimate(new[] { shared, shared, new double[100] }), 8L * 10_100, (8L * 10_100) + 256);
    }

    [Fact]
    public void ArraysOfStructs_AreSizedByTheirFields_AndWalkedOnlyWhenTheyHoldReferences()
    {
        Assert.Equal(32 + (16L * 1_000), ValueSizes.Estimate(new (long, double)[1_000]));
        Assert.Equal(32 + (4L * 1_000), ValueSizes.Estimate(new DayOfWeek[1_000]));
        KeyValuePair<string, double[]>[] pairs = [.. Enumerable.Range(0, 10).Select(i => KeyValuePair.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new double[1_000]))];
        Assert.InRange(ValueSizes.Estimate(pairs), 10 * 8_000L, (10 * 8_000L) + 2_048);
    }

    [Fact]
    public void ACycle_EndsTheWalk()
    {
        var a = new Link { Payload = new long[1_000] };
        var b = new Link { Payload = new long[2_000], Next = a };
        a.Next = b;
        Assert.InRange(ValueSizes.Estimate(a), 8L * 3_000, (8L * 3_000) + 256);
    }

    [Fact]
    public void VeryManyObjects_AreWalkedOnlyUpToTheBound()
    {
        List<Link> links = [.. Enumerable.Range(0, 5 * ValueSizes.MaxObjects).Select(_ => new Link())];
        long size = ValueSizes.Estimate(links);
        Assert.InRange(size, ValueSizes.MaxObjects * 24L, ValueSizes.MaxObjects * 128L);
    }

    private static void AssertElementSize<T>()
        where T : unmanaged
    {
        const int Count = 1_001;
        long expected = 32 + ((long)Count * Unsafe.SizeOf<T>());
        Assert.Equal(expected, ValueSizes.Estimate(new T[Count]));
        // Inside another object the array is walked, not sized at the top: the same bytes.
        Assert.InRange(ValueSizes.Estimate(new object[] { new T[Count] }), expected, expected + 64);
    }
}
