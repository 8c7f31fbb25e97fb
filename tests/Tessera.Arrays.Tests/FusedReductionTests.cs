using CsCheck;
using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays.Tests;

/// <summary>Reductions of an elementwise result computed tile by tile, against the materialized result.</summary>
public class FusedReductionTests
{
    private static readonly BinaryOp[] Ops = [BinaryOp.Add, BinaryOp.Subtract, BinaryOp.Multiply, BinaryOp.Maximum];

    private static readonly ReduceOp[] ReduceOps = [ReduceOp.Sum, ReduceOp.Min, ReduceOp.Max, ReduceOp.NanSum];

    private static int[] AxesWithZero(Random r, int ndim) => [0, .. Enumerable.Range(1, ndim - 1).Where(_ => r.Next(2) == 0)];

    [Fact]
    public void Kernel_MatchesTheMaterializedReduction_Double()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 9);
            shape[0] = r.Next(2, 12);
            NDArray<double> a = TestData.Doubles(r, shape, nans: r.Next(4) == 0);
            NDArray<double> b = TestData.Doubles(r, shape);
            if (shape.Length == 2 && r.Next(2) == 0)
            {
                // A transposed view, as x.T's blocks are.
                b = TestData.Doubles(r, [shape[1], shape[0]]).T;
            }

            BinaryOp op = Ops[r.Next(Ops.Length)];
            ReduceOp reduce = ReduceOps[r.Next(ReduceOps.Length)];
            int[] axes = AxesWithZero(r, shape.Length);
            int tileBytes = 8 * r.Next(1, 40);
            NDArray<double> full = ArrayKernels.Binary(op, a, b);

            NDArray<double> fused = FusedReductions.OfBinary(op, a, b, axes, t => Kernels.Reductions.Reduce(t, reduce, axes, keepdims: true), (total, p) => ElementOps<double>.Instance.Accumulate(reduce, total.AsSpan(), p.Contiguous().AsSpan()), tileBytes);
            TestData.Close(Kernels.Reductions.Reduce(full, reduce, axes, keepdims: true), fused);

            bool skip = r.Next(2) == 0;
            NDArray<double> mean = FusedReductions.OfBinary(op, a, b, axes, t => Kernels.Reductions.MeanPartial(t, axes, skip), (total, p) => ElementOps<double>.Instance.Accumulate(ReduceOp.Sum, total.AsSpan(), p.Contiguous().AsSpan()), tileBytes);
            TestData.Close(Kernels.Reductions.MeanPartial(full, axes, skip), mean);

            NDArray<double>? linear = FusedReductions.LinearSum(op, a, b, axes);
            NDArray<double>? linearMean = FusedReductions.LinearMean(op, a, b, axes);
            Assert.Equal(op is BinaryOp.Add or BinaryOp.Subtract, linear is not null && linearMean is not null);
            if (linear is not null && linearMean is not null)
            {
                TestData.Close(Kernels.Reductions.Reduce(full, ReduceOp.Sum, axes, keepdims: true), linear);
                TestData.Close(Kernels.Reductions.MeanPartial(full, axes, skipNaN: false), linearMean);
            }
        }, iter: 200);
    }

    [Fact]
    public void Kernel_MatchesTheMaterializedReduction_Int32()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 9);
            shape[0] = r.Next(2, 12);
            NDArray<int> a = TestData.Values<int>(r, shape), b = TestData.Values<int>(r, shape);
            BinaryOp op = Ops[r.Next(Ops.Length)];
            ReduceOp reduce = ReduceOps[r.Next(3)];
            int[] axes = AxesWithZero(r, shape.Length);
            NDArray<int> fused = FusedReductions.OfBinary(op, a, b, axes, t => Kernels.Reductions.Reduce(t, reduce, axes, keepdims: true), (total, p) => ElementOps<int>.Instance.Accumulate(reduce, total.AsSpan(), p.Contiguous().AsSpan()), 4 * r.Next(1, 30));
            TestData.Same(Kernels.Reductions.Reduce(ArrayKernels.Binary(op, a, b), reduce, axes, keepdims: true), fused);
            if (FusedReductions.LinearSum(op, a, b, axes) is { } linear)
            {
                TestData.Same(Kernels.Reductions.Reduce(ArrayKernels.Binary(op, a, b), ReduceOp.Sum, axes, keepdims: true), linear);
            }
        }, iter: 200);
    }

    private static int FusedTasks(DArray<double> x)
    {
        (TaskGraph graph, IReadOnlyList<Key> _) = Tessera.Collections.CollectionExtensions.Prepare(x);
        return graph.Count(kv => kv.Value is CallNode c && (c.Function == BlockFunctions<double>.MeanOfBinary || c.Function == BlockFunctions<double>.ReduceOfBinary));
    }

    [Fact]
    public void XPlusXT_MeanAndSum_AreFusedAndMatchInMemory()
    {
        // 600² doubles in 300² blocks (720 KB): large enough to tile.
        NDArray<double> data = TestData.Doubles(new Random(7), [600, 600]);
        DArray<double> x = DArray.FromArray(data, 300);
        NDArray<double> sum = data + data.T;

        DArray<double> mean = (x + x.T).Mean(axis: 0);
        TestData.Close(sum.Mean(axis: 0), mean.Compute());
        TestData.Close(sum.Sum(), (x + x.T).Sum().Compute());
        TestData.Close((data * data).Max(axis: 0), (x * x).Max(axis: 0).Compute());

        Assert.Equal(4, FusedTasks(mean));

        using (TesseraConfig.Set(("array.fuse-reductions", false)))
        {
            DArray<double> plain = (x + x.T).Mean(axis: 0);
            Assert.Equal(0, FusedTasks(plain));
            TestData.Close(sum.Mean(axis: 0), plain.Compute());
        }

        // Axis 1 alone: not tiled (the block is materialized), unless the float sums may combine.
        TestData.Close(sum.Sum(axis: 1), (x + x.T).Sum(axis: 1).Compute());
        TestData.Close(sum.Max(axis: 1), (x + x.T).Max(axis: 1).Compute());
        Assert.Equal(0, FusedTasks((x + x.T).Sum(axis: 1)));
        using (TesseraConfig.Set(("array.reassociate-sums", true)))
        {
            DArray<double> combined = (x + x.T).Sum(axis: 1);
            Assert.Equal(4, FusedTasks(combined));
            TestData.Close(sum.Sum(axis: 1), combined.Compute());
        }
    }

    [Fact]
    public void SumOfFloatOperands_ByDefault_IsNotTheOperandsSumsCombined()
    {
        // Elementwise the pairs cancel; sum(a) + sum(b) would be inf + -inf = NaN.
        DArray<double> a = DArray.FromArray([1e308, 1e308, 1e308, 1e308], [2, 2], chunks: 2);
        DArray<double> b = -a;
        Assert.Equal(0.0, (a + b).Sum().Compute().ToScalar());
        Assert.Equal(0.0, (a + b).Mean(axis: 0).Sum().Compute().ToScalar());
        using (TesseraConfig.Set(("array.reassociate-sums", true)))
        {
            Assert.True(double.IsNaN((a + b).Sum().Compute().ToScalar()));
        }
    }

    [Fact]
    public void SumOfIntegerOperands_IsTheOperandsSumsCombined_AndExact()
    {
        DArray<int> a = DArray.FromArray(Enumerable.Range(0, 64).Select(i => int.MaxValue - i).ToArray(), [8, 8], chunks: 4);
        DArray<int> b = DArray.FromArray(Enumerable.Range(0, 64).ToArray(), [8, 8], chunks: 4);
        int expected = 0;
        foreach (int i in Enumerable.Range(0, 64))
        {
            expected = unchecked(expected + (int.MaxValue - i) - i);
        }

        Assert.Equal(expected, (a - b).Sum().Compute().ToScalar());
    }

    private static readonly BinaryOp[] ExactOps = [BinaryOp.Add, BinaryOp.Subtract, BinaryOp.Multiply, BinaryOp.Divide, BinaryOp.Maximum, BinaryOp.Minimum];

    private static readonly ReduceOp[] RowOps = [ReduceOp.Sum, ReduceOp.NanSum, ReduceOp.Product, ReduceOp.Min, ReduceOp.Max, ReduceOp.NanMin, ReduceOp.NanMax];

    /// <summary>Doubles of mixed magnitudes and full precision, so that any other order of the additions shows in the low bits.</summary>
    private static NDArray<double> Wide(Random r, int[] shape, bool nans)
    {
        var data = new double[shape.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = nans && r.Next(7) == 0 ? double.NaN : (r.NextDouble() - 0.3) * Math.Pow(10, r.Next(-3, 4));
        }

        return NDArray<double>.FromArray(data, shape);
    }

    /// <summary>An operand of <paramref name="shape"/> laid out as a contiguous block, a transposed block, or a reversed or strided slice.</summary>
    private static NDArray<double> Operand(Random r, int[] shape, bool nans)
    {
        switch (r.Next(4))
        {
            case 0 when shape.Length == 2:
                return Wide(r, [shape[1], shape[0]], nans).T;
            case 1:
                return Wide(r, shape, nans).Slice([.. shape.Select(_ => Ix.S(null, null, -1))]);
            case 2:
                return Wide(r, [.. shape.Select(d => 2 * d)], nans).Slice([.. shape.Select(_ => Ix.S(null, null, 2))]);
            default:
                return Wide(r, shape, nans);
        }
    }

    private static void SameBits(NDArray<double> expected, NDArray<double> actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] e = expected.ToArray(), a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(e[i]) == BitConverter.DoubleToInt64Bits(a[i]), $"element {i}: expected {e[i]:R}, got {a[i]:R}");
        }
    }

    [Fact]
    public void LeadingAxes_IsBitForBitTheMaterializedReduction_Double()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);

            // Matrices wide and tall enough for several tiles each way, and small blocks of up to four axes.
            int[] shape = r.Next(3) == 0 ? [r.Next(1, 70), r.Next(1, 700)] : TestData.Shape(r, 2, 4, 9);
            bool nans = r.Next(4) == 0;
            NDArray<double> a = Operand(r, shape, nans), b = Operand(r, shape, nans);
            BinaryOp op = ExactOps[r.Next(ExactOps.Length)];
            ReduceOp reduce = RowOps[r.Next(RowOps.Length)];
            int[] axes = [.. Enumerable.Range(0, r.Next(1, shape.Length))];
            NDArray<double> full = ArrayKernels.Binary(op, a, b);

            NDArray<double>? fused = FusedReductions.LeadingAxes(op, a, b, reduce, axes);
            Assert.NotNull(fused);
            SameBits(Kernels.Reductions.Reduce(full, reduce, axes, keepdims: true), fused);

            NDArray<double>? mean = FusedReductions.LeadingAxesMean(op, a, b, axes);
            Assert.NotNull(mean);
            SameBits(Kernels.Reductions.MeanPartial(full, axes, skipNaN: false), mean);
        }, iter: 300);
    }

    [Fact]
    public void LeadingAxes_OfABlockAndATransposedBlock_IsBitForBitTheMaterializedSum()
    {
        // The register-tiled kernel (TransposedSums): whole 8-row blocks, strip and quad edges, NaNs and infinities.
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int rows = r.Next(1, 40), cols = r.Next(1, 200);
            bool nans = r.Next(3) == 0;
            NDArray<double> a = Wide(r, [rows, cols], nans), b = Wide(r, [cols, rows], nans).T;
            if (r.Next(4) == 0)
            {
                a[r.Next(rows), r.Next(cols)] = double.PositiveInfinity;
            }

            BinaryOp op = ExactOps[r.Next(3)];
            NDArray<double> full = ArrayKernels.Binary(op, a, b);
            SameBits(Kernels.Reductions.Reduce(full, ReduceOp.Sum, [0], keepdims: true), FusedReductions.LeadingAxes(op, a, b, ReduceOp.Sum, [0])!);
            SameBits(Kernels.Reductions.MeanPartial(full, [0], skipNaN: false), FusedReductions.LeadingAxesMean(op, a, b, [0])!);
        }, iter: 300);
    }

    [Fact]
    public void LeadingAxes_IsTheMaterializedReduction_Int64AndByte()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = r.Next(2) == 0 ? [r.Next(1, 40), r.Next(1, 600)] : TestData.Shape(r, 2, 3, 9);
            BinaryOp op = ExactOps[r.Next(3)];
            ReduceOp reduce = RowOps[r.Next(RowOps.Length)] switch { ReduceOp.NanSum => ReduceOp.Sum, ReduceOp.NanMin => ReduceOp.Min, ReduceOp.NanMax => ReduceOp.Max, var o => o };
            int[] axes = [.. Enumerable.Range(0, r.Next(1, shape.Length))];
            NDArray<long> a = TestData.Values<long>(r, shape) * 1_000_003L, b = shape.Length == 2 ? TestData.Values<long>(r, [shape[1], shape[0]]).T : TestData.Values<long>(r, shape);
            TestData.Same(Kernels.Reductions.Reduce(ArrayKernels.Binary(op, a, b), reduce, axes, keepdims: true), FusedReductions.LeadingAxes(op, a, b, reduce, axes)!);

            // Bytes wrap: the fused sums must wrap alike.
            NDArray<byte> c = TestData.Values<byte>(r, shape), d = TestData.Values<byte>(r, shape);
            TestData.Same(Kernels.Reductions.Reduce(ArrayKernels.Binary(op, c, d), reduce, axes, keepdims: true), FusedReductions.LeadingAxes(op, c, d, reduce, axes)!);
        }, iter: 200);
    }

    [Fact]
    public void LeadingAxes_DeclinesWhatItCannotDoExactly()
    {
        NDArray<double> a = Wide(new Random(1), [6, 5], nans: false), b = Wide(new Random(2), [6, 5], nans: false);
        Assert.Null(FusedReductions.LeadingAxes(BinaryOp.Power, a, b, ReduceOp.Sum, [0]));
        Assert.Null(FusedReductions.LeadingAxes(BinaryOp.Add, a, b, ReduceOp.Sum, [1]));
        Assert.Null(FusedReductions.LeadingAxes(BinaryOp.Add, a, b, ReduceOp.Sum, [0, 1]));
        Assert.Null(FusedReductions.LeadingAxes(BinaryOp.Add, a, b, ReduceOp.Any, [0]));
        Assert.Null(FusedReductions.LeadingAxes(BinaryOp.Add, a, b.Slice(Ix.S(0, 5)), ReduceOp.Sum, [0]));
        Assert.Null(FusedReductions.LeadingAxesMean(BinaryOp.Add, a.AsType<float>(), b.AsType<float>(), [0]));

        // Leading axes that share no one stride (a transposed 3-d block's leading pair) are still reduced exactly.
        NDArray<double> c = Wide(new Random(3), [4, 3, 2], nans: false).Transpose(1, 0, 2);
        foreach (int[] axes in new[] { new[] { 0 }, [0, 1] })
        {
            SameBits(Kernels.Reductions.Reduce(ArrayKernels.Binary(BinaryOp.Add, c, c.Copy()), ReduceOp.Sum, axes, keepdims: true), FusedReductions.LeadingAxes(BinaryOp.Add, c, c.Copy(), ReduceOp.Sum, axes)!);
        }
    }

    [Fact]
    public void XPlusXT_Mean_IsBitForBitTheUnfusedResult()
    {
        var r = new Random(11);
        DArray<double> x = DArray.FromArray(Wide(r, [900, 900], nans: false), 300);
        DArray<double> mean = (x + x.T).Mean(axis: 0), sum = (x - x.T).Sum(axis: 0);
        Assert.Equal(9, FusedTasks(mean));
        NDArray<double> fusedMean = mean.Compute(), fusedSum = sum.Compute();
        using (TesseraConfig.Set(("array.fuse-reductions", false)))
        {
            SameBits((x + x.T).Mean(axis: 0).Compute(), fusedMean);
            SameBits((x - x.T).Sum(axis: 0).Compute(), fusedSum);
        }
    }
}
