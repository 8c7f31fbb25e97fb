using System.Runtime.InteropServices;
using CsCheck;
using Tessera.Arrays.Kernels;

namespace Tessera.Arrays.Tests;

/// <summary>The pairwise sums, the NaN scan, the symmetric x @ x.T, huge-page advice and copies of broadcast views.</summary>
public class KernelTests
{
    // A near-exact oracle: each double becomes a decimal of 15 significant digits (an error of about
    // 1e-15 relative, random in sign, so about sqrt(n) of them in all) and the decimal sum is exact:
    // far inside the pairwise bound below, which grows with n.
    private static decimal ExactSum(IEnumerable<double> xs) => xs.Aggregate(0m, (s, v) => s + (decimal)v);

    // The pairwise bound: at most 16 sequential additions per partial, a tree of accumulators and
    // lanes (a few levels), then log2(n) levels of block pairs; each adds at most eps * sum|x|.
    private static double Bound(int n, double absSum, double eps) => (Summation.BlockVectors + 8 + Math.Log2(Math.Max(n, 2))) * eps * absSum;

    [Fact]
    public void NaNsAny_FindsANaNAnywhere_AsALoopDoes()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(0, 100);
            double[] x = [.. Enumerable.Range(0, n).Select(_ => r.Next(5) switch { 0 => double.PositiveInfinity, 1 => double.NegativeInfinity, _ => r.NextDouble() })];
            if (n > 0 && r.Next(2) == 0)
            {
                x[r.Next(n)] = double.NaN;
            }

            Assert.Equal(x.Any(double.IsNaN), NaNs.Any<double>(x));
            float[] f = [.. x.Select(v => (float)v)];
            Assert.Equal(f.Any(float.IsNaN), NaNs.Any<float>(f));
        }, iter: 400);
    }

    [Fact]
    public void Sum_IsWithinThePairwiseBoundOfTheExactSum()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(4) switch { 0 => r.Next(0, 40), 1 => r.Next(40, 3000), 2 => r.Next(3000, 70_000), _ => r.Next(70_000, 300_000) };
            double scale = Math.Pow(10, r.Next(-3, 7));
            double[] x = [.. Enumerable.Range(0, n).Select(_ => (r.NextDouble() - 0.3) * scale)];
            double exact = (double)ExactSum(x);
            double abs = x.Sum(Math.Abs);
            double got = Summation.Sum<double>(x);
            Assert.True(Math.Abs(got - exact) <= Bound(n, abs, Math.Pow(2, -52)), $"n={n}: {got} against {exact}");

            // Through the array API: the same kernel, and the block sums of a chunked array.
            Assert.Equal(got, NDArray<double>.FromArray(x, n).Sum().ToScalar());
            if (n > 0)
            {
                double chunked = DArray.FromArray(x, [n], chunks: Math.Max(1, n / 3)).Sum().Compute().ToScalar();
                Assert.True(Math.Abs(chunked - exact) <= Bound(n, abs, Math.Pow(2, -52)), $"chunked n={n}: {chunked} against {exact}");
            }
        }, iter: 40);
    }

    [Fact]
    public void Sum_OfManyFloats_StaysAccurate_WhereARunningSumDrifts()
    {
        const int N = 1 << 22;
        float[] x = new float[N];
        x.AsSpan().Fill(0.1f);
        double exact = N * (double)0.1f;
        float running = 0;
        foreach (float v in x)
        {
            running += v;
        }

        // The running sum is off by several percent; the pairwise one by a few ulps times log n.
        Assert.True(Math.Abs(running - exact) > 0.01 * exact, $"running sum {running}");
        float pairwise = Summation.Sum<float>(x);
        Assert.True(Math.Abs(pairwise - exact) <= 1e-5 * exact, $"pairwise {pairwise} against {exact}");
        Assert.Equal(pairwise, NDArray<float>.FromArray(x, N).Sum().ToScalar());
    }

    [Fact]
    public void Sum_PropagatesNaNAndInfinities_AndNanSumSkipsNaN()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(1, 5000);
            double[] x = [.. Enumerable.Range(0, n).Select(_ => r.NextDouble())];
            int nan = r.Next(n);
            x[nan] = double.NaN;
            Assert.True(double.IsNaN(Summation.Sum<double>(x)));
            double expected = (double)ExactSum(x.Where(v => !double.IsNaN(v)));
            Assert.Equal(expected, Summation.NanSum<double>(x), 1e-9);
            Assert.Equal(expected, NDArray<double>.FromArray(x, n).NanSum().ToScalar(), 1e-9);
            Assert.Equal(expected / (n - 1), DArray.FromArray(x, [n], chunks: 7).NanMean().Compute().ToScalar(), 1e-9);
            x[r.Next(n)] = double.PositiveInfinity;
            x[nan] = 1;
            Assert.Equal(double.PositiveInfinity, Summation.Sum<double>(x));
        }, iter: 30);
    }

    [Fact]
    public void NanMeanPartial_CountsTheNonNaN_AndSumsThemBitForBitAsNanSum()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(3) switch { 0 => r.Next(0, 40), 1 => r.Next(40, 3000), _ => r.Next(3000, 70_000) };
            double nanShare = r.Next(3) switch { 0 => 0, 1 => 0.01, _ => 0.5 };
            double[] x = [.. Enumerable.Range(0, n).Select(_ => r.NextDouble() < nanShare ? double.NaN : r.NextDouble() - 0.3)];
            if (n > 0 && r.Next(4) == 0)
            {
                // Infinities of both signs: the plain sum is NaN without any NaN element.
                x[r.Next(n)] = double.PositiveInfinity;
                x[r.Next(n)] = double.NegativeInfinity;
            }

            // Rows of x: per row the count (against LINQ) and the sum (bit for bit NanSum's, and near the exact sum).
            int rows = n == 0 ? 1 : r.Next(1, 4);
            int cols = n / rows;
            var a = NDArray<double>.FromArray(x[..(rows * cols)], rows, cols);
            NDArray<double> partial = Reductions.MeanPartial(a, [1], skipNaN: true);
            for (int i = 0; i < rows; i++)
            {
                double[] row = x[(i * cols)..((i + 1) * cols)];
                double[] kept = [.. row.Where(v => !double.IsNaN(v))];
                Assert.Equal(kept.Length, partial[0, i, 0]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(Summation.NanSum<double>(row)), BitConverter.DoubleToInt64Bits(partial[1, i, 0]));
                if (kept.All(double.IsFinite))
                {
                    Assert.Equal((double)ExactSum(kept), partial[1, i, 0], 1e-9);
                }
            }
        }, iter: 60);
    }

    [Fact]
    public void MinAndMax_MatchLinq_AndPropagateNaN()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(1, 3000);
            double[] x = [.. Enumerable.Range(0, n).Select(_ => (r.NextDouble() - 0.5) * 1e3)];
            Assert.Equal(x.Max(), Extremes.Max<double>(x));
            Assert.Equal(x.Min(), Extremes.Min<double>(x));
            float[] f = [.. x.Select(v => (float)v)];
            Assert.Equal(f.Max(), Extremes.Max<float>(f));
            Assert.Equal(f.Min(), NDArray<float>.FromArray(f, n).Min().ToScalar());
            Assert.Equal(x.Max(), DArray.FromArray(x, [n], chunks: Math.Max(1, n / 5)).Max().Compute().ToScalar());

            // One NaN anywhere (in the vector part or the tail) makes both NaN; NanMax skips it.
            int at = r.Next(n);
            double[] withNan = [.. x];
            withNan[at] = double.NaN;
            Assert.True(double.IsNaN(Extremes.Max<double>(withNan)), $"NaN at {at} of {n}");
            Assert.True(double.IsNaN(NDArray<double>.FromArray(withNan, n).Min().ToScalar()));
            if (n > 1)
            {
                Assert.Equal(withNan.Where(v => !double.IsNaN(v)).Max(), NDArray<double>.FromArray(withNan, n).NanMax().ToScalar());
            }
        }, iter: 60);
    }

    [Fact]
    public void SumSquaredDeviations_MatchesTheExactValue_AndVarianceMatchesTwoPasses()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int n = r.Next(1, 20_000);
            double[] x = [.. Enumerable.Range(0, n).Select(_ => 1000 + r.NextDouble())];
            double mean = (double)(ExactSum(x) / n);
            decimal exact = x.Aggregate(0m, (s, v) => s + (((decimal)v - (decimal)mean) * ((decimal)v - (decimal)mean)));
            Assert.Equal((double)exact, Summation.SumSquaredDeviations<double>(x, mean), 1e-9 * Math.Max(1, (double)exact));
            double variance = DArray.FromArray(x, [n], chunks: Math.Max(1, n / 4)).Var().Compute().ToScalar();
            Assert.Equal((double)(exact / n), variance, 1e-9);
        }, iter: 30);
    }

    [Fact]
    public void XTimesXTransposed_ComputesTheUpperBlocksOnly_AndMatchesThePlainProduct()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int m = r.Next(1, 40), k = r.Next(1, 40);
            NDArray<double> x = TestData.Values<double>(r, [m, k]);
            DArray<double> dx = DArray.FromArray(x, TestData.Chunks(r, [m, k]));
            DArray<double> sym = DArray.MatMul(dx, dx.T);
            NDArray<double> got = sym.Compute();
            TestData.Close(NDArray.MatMul(x, x.T), got);
            Assert.True(got.ValueEquals(got.T.Copy()), "x @ x.T is exactly symmetric");
            using (TesseraConfig.Set(("array.symmetric-matmul", false)))
            {
                DArray<double> plain = DArray.MatMul(dx, dx.T);
                TestData.Close(plain.Compute(), got);
                Assert.Equal(plain.Chunks, sym.Chunks);
            }

            // With t = x.T, t @ t.T is x.T @ x: t's blocks are transposed views (syrk and gemm read
            // them transposed). Other types take the same path.
            DArray<double> t = dx.T;
            DArray<double> tt = DArray.MatMul(t, t.T);
            Assert.Contains("matmul-xxt", tt.Name, StringComparison.Ordinal);
            TestData.Close(NDArray.MatMul(x.T, x), tt.Compute());
            DArray<double> tx = DArray.MatMul(dx.T, dx);
            Assert.Contains("matmul-xxt", tx.Name, StringComparison.Ordinal);
            TestData.Close(NDArray.MatMul(x.T, x), tx.Compute());
            NDArray<float> xf = x.AsType<float>();
            DArray<float> dxf = DArray.FromArray(xf, TestData.Chunks(r, [m, k]));
            double[] expected = [.. NDArray.MatMul(xf, xf.T).ToArray().Select(v => (double)v)];
            double[] actual = [.. DArray.MatMul(dxf, dxf.T).Compute().ToArray().Select(v => (double)v)];
            Assert.Equal(expected, actual, (e, a) => Math.Abs(e - a) <= 1e-4 * Math.Max(1, Math.Abs(e)));
            NDArray<long> xi = x.AsType<long>();
            TestData.Same(NDArray.MatMul(xi, xi.T), DArray.MatMul(DArray.FromArray(xi, TestData.Chunks(r, [m, k])), DArray.FromArray(xi, TestData.Chunks(r, [m, k])).T).Compute());
        }, iter: 40);
    }

    [Fact]
    public void XTimesXTransposed_BlocksBelowTheDiagonalAreViewsOfTheirMirrors()
    {
        NDArray<double> x = TestData.Values<double>(new Random(5), [9, 6]);
        DArray<double> dx = DArray.FromArray(x, new int[][] { [3, 3, 3], [4, 2] });
        DArray<double> sym = DArray.MatMul(dx, dx.T);
        Assert.Equal(9, sym.NPartitions);
        Assert.Contains("matmul-xxt", sym.Name, StringComparison.Ordinal);
        // Each block's layout: those below the diagonal are transposed views, no copies.
        NDArray<double> contiguous = sym.MapBlocks(static b => NDArray<double>.Full(b.IsCContiguous ? 1 : 0, 1, 1), chunks: [[1, 1, 1], [1, 1, 1]]).Compute();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(i <= j ? 1.0 : 0.0, contiguous[i, j]);
            }
        }

        TestData.Close(NDArray.MatMul(x, x.T), sym.Compute());

        // An array times the transpose of another is the plain product.
        DArray<double> other = DArray.FromArray(x + 1.0, new int[][] { [3, 3, 3], [4, 2] });
        Assert.DoesNotContain("matmul-xxt", DArray.MatMul(dx, other.T).Name, StringComparison.Ordinal);
        TestData.Close(NDArray.MatMul(x, (x + 1.0).T), DArray.MatMul(dx, other.T).Compute());
    }

    [Fact]
    public void LargeBlocks_AreAdvisedHugePages()
    {
        string thp = File.Exists("/sys/kernel/mm/transparent_hugepage/enabled") ? File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled") : "[never]";
        if (!HugePages.IsSupported || thp.Contains("[never]", StringComparison.Ordinal))
        {
            return;
        }

        NDArray<double> block = NDArray<double>.Ones(4 << 20); // 32 MiB
        Assert.Equal(1.0, block[(4 << 20) - 1]);
        Assert.True(ThpEligible(block.Data), "the buffer's interior is in a THP-eligible mapping");
        using (TesseraConfig.Set(("array.huge-pages", false)))
        {
            // Smaller than NumPy's 4 MiB threshold: no advice either way; the setting is read.
            Assert.Equal(1.0, NDArray<double>.Ones(1 << 10)[0]);
        }
    }

    // Reads /proc/self/smaps for the mapping that holds the middle of the buffer: its THPeligible flag.
    private static bool ThpEligible(double[] buffer)
    {
        var pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            ulong mid = (ulong)pin.AddrOfPinnedObject() + ((ulong)buffer.Length / 2 * sizeof(double));
            bool inside = false;
            foreach (string line in File.ReadLines("/proc/self/smaps"))
            {
                int dash = line.IndexOf('-', StringComparison.Ordinal);
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out ulong lo)
                    && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out ulong hi))
                {
                    inside = mid >= lo && mid < hi;
                }
                else if (inside && line.StartsWith("THPeligible:", StringComparison.Ordinal))
                {
                    return line.Trim().EndsWith('1');
                }
            }
        }
        finally
        {
            pin.Free();
        }

        return false;
    }

    [Fact]
    public void CopyOfABroadcastView_WritesTheNewBufferOnly()
    {
        const int N = 1 << 20;
        NDArray<double> view = NDArray<double>.Scalar(3.0).BroadcastTo(N);
        _ = view.Copy();
        long before = GC.GetAllocatedBytesForCurrentThread();
        NDArray<double> copy = view.Copy();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(copy.IsCContiguous);
        Assert.All(copy.ToArray(), v => Assert.Equal(3.0, v));
        Assert.True(allocated < (N * sizeof(double)) + (64 << 10), $"{allocated} bytes allocated for an {N * sizeof(double)}-byte copy");

        // Other strided views still copy right.
        NDArray<long> a = NDArray.Arange<long>(0, 60).Reshape(3, 4, 5);
        long[] expected = [.. from i in Enumerable.Range(0, 3) from j in Enumerable.Range(0, 4) from l in new[] { 1, 3 } select (long)((i * 20) + (j * 5) + l)];
        Assert.Equal(expected, a.Slice(Ix.All, Ix.All, Ix.S(1, 5, 2)).Copy().ToArray());
    }
}
