using CsCheck;
using Tessera.Collections;

namespace Tessera.Arrays.Tests;

/// <summary>Every chunked operation against the same operation on the single in-memory array, over random shapes, chunkings and dtypes.</summary>
public class DArrayPropertyTests
{
    private const int Iterations = 60;

    private static (NDArray<T> Full, DArray<T> Chunked) Make<T>(Random r, int[] shape)
        where T : unmanaged
    {
        NDArray<T> full = TestData.Values<T>(r, shape);
        return (full, DArray.FromArray(full, TestData.Chunks(r, shape)));
    }

    [Fact]
    public void Elementwise_WithBroadcastingAndUnifiedChunks_Double() => Elementwise<double>();

    [Fact]
    public void Elementwise_WithBroadcastingAndUnifiedChunks_Float() => Elementwise<float>();

    [Fact]
    public void Elementwise_WithBroadcastingAndUnifiedChunks_Int32() => Elementwise<int>();

    [Fact]
    public void Elementwise_WithBroadcastingAndUnifiedChunks_Int64() => Elementwise<long>();

    [Fact]
    public void Elementwise_WithBroadcastingAndUnifiedChunks_Byte() => Elementwise<byte>();

    private static void Elementwise<T>()
        where T : unmanaged
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 6);
            int[] other = [.. shape.Skip(r.Next(shape.Length)).Select(d => r.Next(3) == 0 ? 1 : d)];
            (NDArray<T> a, DArray<T> da) = Make<T>(r, shape);
            (NDArray<T> b, DArray<T> db) = Make<T>(r, other);
            if (r.Next(2) == 0)
            {
                (a, b, da, db) = (b, a, db, da);
            }

            TestData.Equivalent(a + b, (da + db).Compute());
            TestData.Equivalent(a * b, (da * db).Compute());
            TestData.Equivalent(a - b, (da - db).Compute());
            TestData.Equivalent(a.Maximum(b), da.Maximum(db).Compute());
            TestData.Same(a < b, (da < db).Compute());
            TestData.Same(a.Equal(b), da.Equal(db).Compute());
            TestData.Equivalent((a + b) * a, ((da + db) * da).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void Elementwise_ScalarsUnaryWhereClipAsType()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 6);
            (NDArray<double> a, DArray<double> da) = Make<double>(r, shape);
            TestData.Close(2.0 - a, (2.0 - da).Compute());
            TestData.Close(a / 4.0, (da / 4.0).Compute());
            TestData.Close(-a, (-da).Compute());
            TestData.Close(a.Abs().Sqrt(), da.Abs().Sqrt().Compute());
            TestData.Close(a.Exp().Log(), da.Exp().Log().Compute());
            TestData.Close(a.Sin() + a.Cos(), (da.Sin() + da.Cos()).Compute());
            TestData.Close(a.Clip(-1, 1), da.Clip(-1, 1).Compute());
            TestData.Close(a.Pow(2.0), da.Pow(2.0).Compute());
            TestData.Same(a.AsType<int>(), da.AsType<int>().Compute());
            TestData.Close(NDArray.Where(a > 0.0, a, -a), DArray.Where(da > 0.0, da, -da).Compute());
            TestData.Same((a > 0.0) & (a < 5.0), ((da > 0.0) & (da < 5.0)).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void Reductions_OverRandomAxes_Double() => Reductions<double>();

    [Fact]
    public void Reductions_OverRandomAxes_Int64() => Reductions<long>();

    [Fact]
    public void Reductions_OverRandomAxes_Float() => Reductions<float>();

    [Fact]
    public void Reductions_OverRandomAxes_Int32() => Reductions<int>();

    private static void Reductions<T>()
        where T : unmanaged
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 7);
            (NDArray<T> a, DArray<T> da) = Make<T>(r, shape);
            int[] axes = [.. Enumerable.Range(0, a.NDim).Where(_ => r.Next(2) == 0)];
            Axes? axis = r.Next(4) == 0 ? null : axes.Length == 0 ? r.Next(a.NDim) : axes;
            bool keep = r.Next(2) == 0;
            int split = r.Next(2, 6);
            TestData.Equivalent(a.Sum(axis, keep), da.Sum(axis, keep, split).Compute());
            TestData.Equivalent(a.Min(axis, keep), da.Min(axis, keep, split).Compute());
            TestData.Equivalent(a.Max(axis, keep), da.Max(axis, keep, split).Compute());
            TestData.Close(a.Mean(axis, keep), da.Mean(axis, keep, split).Compute());
            TestData.Close(a.Var(axis, 0, keep), da.Var(axis, 0, keep, split).Compute());
            TestData.Close(a.Std(axis, 1, keep), da.Std(axis, 1, keep, split).Compute());
            TestData.Same(a.Any(axis, keep), da.Any(axis, keep, split).Compute());
            TestData.Same(a.All(axis, keep), da.All(axis, keep, split).Compute());
            int? single = r.Next(3) == 0 ? null : r.Next(a.NDim);
            TestData.Same(a.ArgMax(single, keep), da.ArgMax(single, keep, split).Compute());
            TestData.Same(a.ArgMin(single, keep), da.ArgMin(single, keep, split).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void NanReductions_WithNaNs()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 6);
            NDArray<double> a = TestData.Doubles(r, shape, nans: true);
            DArray<double> da = DArray.FromArray(a, TestData.Chunks(r, shape));
            int axis = r.Next(a.NDim);
            TestData.Close(a.NanSum(axis), da.NanSum(axis).Compute());
            TestData.Close(a.NanMax(axis), da.NanMax(axis).Compute());
            TestData.Close(a.NanMin(), da.NanMin().Compute());
            TestData.Close(a.NanMean(axis), da.NanMean(axis).Compute());
            TestData.Close(a.NanVar(axis), da.NanVar(axis).Compute());
            TestData.Close(a.NanStd(), da.NanStd().Compute());
            TestData.Close(a.Sum(axis), da.Sum(axis).Compute());
            TestData.Close(a.Max(axis), da.Max(axis).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void TransposeSliceRechunk_MatchInMemory()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 8);
            (NDArray<double> a, DArray<double> da) = Make<double>(r, shape);
            int[] perm = [.. Enumerable.Range(0, a.NDim).OrderBy(_ => r.Next())];
            TestData.Same(a.Transpose(perm), da.Transpose(perm).Compute());
            TestData.Same(a.T, da.T.Compute());

            Ix[] ix = TestData.BasicIndex(r, shape);
            DArray<double> sliced = da[ix];
            NDArray<double> expected = a.Slice(ix);
            TestData.Same(expected, sliced.Compute());
            Assert.Equal(expected.Shape.Select(d => (long)d), sliced.Shape);

            int[][] target = TestData.Chunks(r, shape);
            DArray<double> re = da.Rechunk(target);
            Assert.Equal(target.Select(c => c.ToList()), re.Chunks.Select(c => c.ToList()));
            TestData.Same(a, re.Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void FancyIndexing_TakeAndMask()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 8);
            (NDArray<double> a, DArray<double> da) = Make<double>(r, shape);
            int axis = r.Next(a.NDim);
            long[] take = [.. Enumerable.Range(0, r.Next(1, 10)).Select(_ => (long)r.Next(-shape[axis], shape[axis]))];
            var index = Enumerable.Repeat(Ix.All, a.NDim).ToArray();
            index[axis] = Ix.Take(take);
            TestData.Same(a.Slice(index), da[index].Compute());
            index[axis] = Ix.Where(Enumerable.Range(0, shape[axis]).Select(_ => r.Next(2) == 0));
            TestData.Same(a.Slice(index), da[index].Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void ConcatenateStackReshape_MatchInMemory()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 6);
            (NDArray<long> a, DArray<long> da) = Make<long>(r, shape);
            int axis = r.Next(a.NDim);
            int[] otherShape = (int[])shape.Clone();
            otherShape[axis] = r.Next(1, 5);
            (NDArray<long> b, DArray<long> db) = Make<long>(r, otherShape);
            TestData.Same(NDArray.Concatenate([a, b], axis), DArray.Concatenate([da, db], axis).Compute());
            (NDArray<long> c, DArray<long> dc) = Make<long>(r, shape);
            int stackAxis = r.Next(a.NDim + 1);
            TestData.Same(NDArray.Stack([a, c], stackAxis), DArray.Stack([da, dc], stackAxis).Compute());
            TestData.Same(a.Ravel(), da.Ravel().Compute());
            int total = shape.Aggregate(1, (p, d) => p * d);
            int[] divisors = [.. Enumerable.Range(1, total).Where(d => total % d == 0)];
            int first = divisors[r.Next(divisors.Length)];
            TestData.Same(a.Reshape(first, -1), da.Reshape(first, -1).Compute());
            TestData.Same(a.Reshape(-1, first), da.Reshape(-1, first).Compute());
            TestData.Same(a.ExpandDims(0).Squeeze(0), da.ExpandDims(0).Squeeze(0).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void CumSumCumProd_MatchInMemory()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 6);
            (NDArray<long> a, DArray<long> da) = Make<long>(r, shape);
            int axis = r.Next(a.NDim);
            TestData.Same(a.CumSum(axis), da.CumSum(axis).Compute());
            TestData.Same(a.CumSum(), da.CumSum().Compute());
            NDArray<double> d = TestData.Doubles(r, shape) / 8.0;
            DArray<double> dd = DArray.FromArray(d, TestData.Chunks(r, shape));
            TestData.Close(d.CumProd(axis), dd.CumProd(axis).Compute());
        }, iter: Iterations);
        Assert.Equal([1L, 3, 6, 10], NDArray<long>.FromArray([1, 2, 3, 4], 4).CumSum().ToArray());
        Assert.Equal([1.0, 2, 6, 24], DArray.Arange<double>(1, 5, chunks: 1).CumProd().Compute().ToArray());
    }

    [Fact]
    public void HistogramBincountUnique_MatchLoops()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 7);
            (NDArray<double> a, DArray<double> da) = Make<double>(r, shape);
            double[] values = a.ToArray();
            (DArray<long> counts, NDArray<double> edges) = da.Histogram(5, -5, 5);
            long[] expected = new long[5];
            foreach (double v in values.Where(v => v >= -5 && v <= 5))
            {
                expected[v == 5 ? 4 : (int)((v + 5) / 2)]++;
            }

            Assert.Equal(expected, counts.Compute().ToArray());
            Assert.Equal([-5.0, -3, -1, 1, 3, 5], edges.ToArray());
            Assert.Equal(values.Distinct().Order().ToArray(), da.Unique().Compute().ToArray());
            NDArray<long> ints = a.Abs().AsType<long>().Ravel();
            DArray<long> di = DArray.FromArray(ints, TestData.Chunks(r, [.. ints.Shape]));
            long[] iv = ints.ToArray();
            long[] bc = new long[Math.Max(iv.Max() + 1, 12)];
            foreach (long v in iv)
            {
                bc[v]++;
            }

            DArray<long> lazy = di.Bincount(minLength: 12);
            Assert.True(lazy.HasUnknownChunks);
            Assert.Equal(bc, lazy.Compute().ToArray());
            Assert.Equal([(long)bc.Length], lazy.ComputeChunkSizes().Shape);
        }, iter: Iterations);
    }

    [Fact]
    public void TensorDot_MatchesNaiveSums()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int i = r.Next(1, 5), j = r.Next(1, 5), k = r.Next(1, 5), l = r.Next(1, 5);
            (NDArray<double> a, DArray<double> da) = Make<double>(r, [i, j, k]);
            (NDArray<double> b, DArray<double> db) = Make<double>(r, [k, l, j]);
            NDArray<double> expected = NDArray<double>.Zeros(i, l);
            for (int p = 0; p < i; p++)
            {
                for (int q = 0; q < l; q++)
                {
                    double s = 0;
                    for (int x = 0; x < j; x++)
                    {
                        for (int y = 0; y < k; y++)
                        {
                            s += a[p, x, y] * b[y, q, x];
                        }
                    }

                    expected[p, q] = s;
                }
            }

            TestData.Close(expected, NDArray.TensorDot(a, b, [1, 2], [2, 0]));
            TestData.Close(expected, DArray.TensorDot(da, db, [1, 2], [2, 0]).Compute());
            TestData.Close(NDArray.TensorDot(a, b, [2], [0]), DArray.TensorDot(da, db, [2], [0]).Compute());
        }, iter: Iterations);
        Assert.Contains("shape mismatch", Assert.Throws<ArgumentException>(() => DArray.TensorDot(DArray.Ones<double>([2, 3], 1), DArray.Ones<double>([2, 3], 1), [1], [1 - 1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatMul_MatchesInMemory()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int m = r.Next(1, 9), k = r.Next(1, 9), n = r.Next(1, 9);
            (NDArray<double> a, DArray<double> da) = Make<double>(r, [m, k]);
            (NDArray<double> b, DArray<double> db) = Make<double>(r, [k, n]);
            TestData.Close(NDArray.MatMul(a, b), DArray.MatMul(da, db).Compute());
            TestData.Close(NDArray.MatMul(a, a.T), DArray.MatMul(da, da.T).Compute());
            (NDArray<long> ai, DArray<long> dai) = Make<long>(r, [m, k]);
            TestData.Same(NDArray.MatMul(ai, ai.T), DArray.Dot(dai, dai.T).Compute());
        }, iter: Iterations);
    }

    [Fact]
    public void MapBlocks_AppliesPerBlock()
    {
        var r = new Random(2);
        (NDArray<double> a, DArray<double> da) = Make<double>(r, [7, 5]);
        TestData.Close(a * 2.0, da.MapBlocks(static b => b * 2.0).Compute());
        DArray<double> sums = da.MapBlocks(static b => b.Sum(axis: 1, keepDims: true), chunks: [.. da.ChunksArray[..1], [.. da.ChunksArray[1].Select(_ => 1)]]);
        Assert.Equal(a.Sum(axis: 1).ToArray(), sums.Compute().Sum(axis: 1).ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);
    }

    [Fact]
    public void Creation_MatchesInMemory()
    {
        TestData.Same(NDArray.Arange<double>(0, 17, 3), DArray.Arange<double>(0, 17, 3, chunks: 2).Compute());
        TestData.Same(NDArray.Arange<long>(5, -5, -2), DArray.Arange<long>(5, -5, -2, chunks: 3).Compute());
        TestData.Close(NDArray.Linspace(0, 1, 11), DArray.Linspace(0, 1, 11, chunks: 4).Compute());
        TestData.Same(NDArray.Eye<int>(5, 7, 1), DArray.Eye<int>(5, chunks: 2, m: 7, k: 1).Compute());
        TestData.Same(NDArray<float>.Full(2.5f, 4, 3), DArray.Full(2.5f, [4, 3], chunks: 2).Compute());
        TestData.Same(NDArray<long>.Ones(4, 3), DArray.Ones<long>([4, 3], chunks: 2).Compute());
        Assert.Equal(100.0, DArray.Ones<double>([100], chunks: 7).Sum().Compute().ToScalar());
        TestData.Same(NDArray<long>.FromArray(Enumerable.Range(0, 12).Select(i => (long)(i / 4 * 10) + (i % 4)).ToArray(), 3, 4), DArray.FromFunction<long>(i => (i[0] * 10) + i[1], [3, 4], chunks: 2).Compute());
    }

    [Fact]
    public void Random_IsReproduciblePerSeedAndChunking()
    {
        DArray<double> a = DArray.Random.Uniform([30, 20], chunks: 7, seed: 42);
        TestData.Same(a.Compute(), DArray.Random.Uniform([30, 20], chunks: 7, seed: 42).Compute());
        Assert.Equal(a.Name, DArray.Random.Uniform([30, 20], chunks: 7, seed: 42).Name);
        Assert.NotEqual(a.Name, DArray.Random.Uniform([30, 20], chunks: 7, seed: 43).Name);
        Assert.False(a.Compute().ValueEquals(DArray.Random.Uniform([30, 20], chunks: 7, seed: 43).Compute()));
        NDArray<double> u = DArray.Random.Uniform([100_000], chunks: 10_000, seed: 1, low: 2, high: 4).Compute();
        Assert.InRange(u.Min().ToScalar(), 2, 2.01);
        Assert.InRange(u.Max().ToScalar(), 3.99, 4);
        Assert.InRange(u.Mean().ToScalar(), 2.98, 3.02);
        NDArray<double> g = DArray.Random.Normal([100_000], chunks: 30_000, seed: 1, loc: 1, scale: 2).Compute();
        Assert.InRange(g.Mean().ToScalar(), 0.97, 1.03);
        Assert.InRange(g.Std().ToScalar(), 1.97, 2.03);
        NDArray<long> k = DArray.Random.Integers(-3, 4, [50_000], chunks: 5_000, seed: 9).Compute();
        Assert.Equal(-3, k.Min().ToScalar());
        Assert.Equal(3, k.Max().ToScalar());
    }

    [Fact]
    public void BlockwiseFusion_MakesOneTaskPerOutputBlock()
    {
        DArray<double> x = DArray.Random.Uniform([40, 40], chunks: 10, seed: 3);
        DArray<double> y = ((x * 2.0) + 1.0).Sqrt().Sum(axis: 0);
        (Tessera.Graphs.TaskGraph graph, IReadOnlyList<Tessera.Graphs.Key> _) = Tessera.Collections.CollectionExtensions.Prepare(y);
        Assert.True(graph.Count <= 16 + 12, $"{graph.Count} tasks after fusion");
        NDArray<double> expected;
        using (TesseraConfig.Set(("optimization.blockwise.active", false)))
        {
            (Tessera.Graphs.TaskGraph unfused, IReadOnlyList<Tessera.Graphs.Key> _) = Tessera.Collections.CollectionExtensions.Prepare(y);
            Assert.True(unfused.Count > graph.Count);
            expected = y.Compute();
        }

        TestData.Close(expected, y.Compute());
    }

    [Fact]
    public void PersistAndToDelayed_Work()
    {
        DArray<double> x = DArray.Random.Uniform([20, 20], chunks: 5, seed: 3);
        DArray<double> p = x.Persist();
        Assert.Equal(16, p.Graph.TaskCount);
        TestData.Same(x.Compute(), p.Compute());
        Delayed<NDArray<double>>[] blocks = x.ToDelayed<NDArray<double>>();
        Assert.Equal(16, blocks.Length);
        TestData.Same(x.Compute().Slice(Ix.S(0, 5), Ix.S(0, 5)), blocks[0].Compute());
    }
}
