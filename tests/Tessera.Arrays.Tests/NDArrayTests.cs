using CsCheck;

namespace Tessera.Arrays.Tests;

public class NDArrayTests
{
    [Fact]
    public void Compact_KeepsAWholeBlock_AndCopiesOnlyAViewsOwnElements()
    {
        NDArray<double> block = NDArray.Arange<double>(0, 24).Reshape(4, 6);
        Assert.Same(block, block.Compact());
        Assert.Equal(24 * 8, block.SizeInBytes);

        NDArray<double> view = block.Slice(Ix.S(1, 3), Ix.S(0, 6, 2)).T;
        var compact = (NDArray<double>)view.Compact();
        Assert.Equal(view.Shape, compact.Shape);
        Assert.Equal(view.ToArray(), compact.ToArray());
        Assert.Equal(6 * 8, view.SizeInBytes);
        Assert.Same(compact, compact.Compact());

        NDArray<double> broadcast = block.Slice(Ix.S(0, 1), Ix.S(0, 3)).BroadcastTo(5, 4, 3);
        var packed = (NDArray<double>)broadcast.Compact();
        Assert.Equal(broadcast.ToArray(), packed.ToArray());
        Assert.Equal(3 * 8, packed.SizeInBytes);
        Assert.Same(packed, packed.Compact());
    }

    [Fact]
    public void Binary_BroadcastsLikeNaiveLoops()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 4, 5);
            int[] other = [.. shape.Skip(r.Next(shape.Length)).Select(d => r.Next(3) == 0 ? 1 : d)];
            NDArray<double> a = TestData.Doubles(r, shape), b = TestData.Doubles(r, other);
            if (r.Next(2) == 0)
            {
                (a, b) = (b, a);
            }

            TestData.Close(Naive.Binary(a, b, (x, y) => x + y), a + b);
            TestData.Close(Naive.Binary(a, b, (x, y) => x * y), a * b);
            TestData.Close(Naive.Binary(a, b, (x, y) => x - y), a - b);
            TestData.Close(Naive.Binary(a, b, Math.Max), a.Maximum(b));
            TestData.Close(Naive.Binary(a, b, (x, y) => x < y ? 1 : 0), (a < b).AsType<double>());
        }, iter: 150);
    }

    [Fact]
    public void Binary_OnTransposedAndSlicedViews()
    {
        var r = new Random(3);
        NDArray<double> a = TestData.Doubles(r, [6, 7]);
        NDArray<double> b = TestData.Doubles(r, [7, 6]);
        NDArray<double> viewSum = a + b.T;
        TestData.Close(Naive.Binary(a, b.T.Copy(), (x, y) => x + y), viewSum);
        NDArray<double> s = a.Slice(Ix.S(null, null, -2), Ix.S(1, 6, 2));
        TestData.Close(s.Copy() * 2.0, s * 2.0);
    }

    [Fact]
    public void Binary_LargeTransposedOperands_UseTiles()
    {
        var r = new Random(4);
        NDArray<double> a = TestData.Doubles(r, [130, 70]);
        NDArray<double> b = TestData.Doubles(r, [70, 130]);
        NDArray<double> bt = b.T.Copy();
        TestData.Close(Naive.Binary(a, bt, (x, y) => x - y), a - b.T);
        TestData.Close(Naive.Binary(bt, a, (x, y) => x - y), b.T - a);
        TestData.Close(Naive.Binary(bt, bt, (x, y) => x * y), b.T * b.T);
        NDArray<float> f = TestData.Values<float>(r, [90, 90]);
        Assert.Equal((f + f.T.Copy()).ToArray(), (f + f.T).ToArray());
    }

    [Fact]
    public void Reductions_MatchNaiveLoops()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 5);
            NDArray<double> a = TestData.Doubles(r, shape);
            if (r.Next(3) == 0)
            {
                a = a.T;
            }

            int[] axes = [.. Enumerable.Range(0, a.NDim).Where(_ => r.Next(2) == 0)];
            if (axes.Length == 0)
            {
                axes = [.. Enumerable.Range(0, a.NDim)];
            }

            bool keep = r.Next(2) == 0;
            TestData.Close(Naive.Reduce(a, axes, keep, v => v.Sum()), a.Sum(axes, keep));
            TestData.Close(Naive.Reduce(a, axes, keep, v => v.Min()), a.Min(axes, keep));
            TestData.Close(Naive.Reduce(a, axes, keep, v => v.Max()), a.Max(axes, keep));
            TestData.Close(Naive.Reduce(a, axes, keep, v => v.Aggregate(1.0, (p, x) => p * x)), a.Prod(axes, keep));
            TestData.Close(Naive.Reduce(a, axes, keep, v => v.Average()), a.Mean(axes, keep));
            TestData.Close(Naive.Reduce(a, axes, keep, v => Naive.Var(v, 0)), a.Var(axes, 0, keep));
            TestData.Close(Naive.Reduce(a, axes, keep, v => Math.Sqrt(Naive.Var(v, 1))), a.Std(axes, 1, keep));
        }, iter: 150);
    }

    [Fact]
    public void NanReductions_SkipNaN()
    {
        NDArray<double> a = NDArray<double>.FromArray([1, double.NaN, 3, double.NaN, double.NaN, 2], 2, 3);
        Assert.Equal([4.0, 2.0], a.NanSum(axis: 1).ToArray());
        Assert.Equal([2.0, 2.0], a.NanMean(axis: 1).ToArray());
        Assert.Equal([3.0, 2.0], a.NanMax(axis: 1).ToArray());
        Assert.Equal([1.0, 2.0], a.NanMin(axis: 1).ToArray());
        Assert.Equal([2L, 2L], a.NanArgMax(axis: 1).ToArray());
        Assert.True(double.IsNaN(a.Sum().ToScalar()));
        Assert.True(double.IsNaN(a.Max(axis: 1).ToArray()[0]));
        Assert.Equal(1.0, a.NanVar(axis: 1).ToArray()[0]);
    }

    [Fact]
    public void ArgMinArgMax_MatchNaiveLoops()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            NDArray<double> a = TestData.Doubles(r, TestData.Shape(r, 1, 3, 5));
            double[] flat = a.ToArray();
            Assert.Equal(Array.IndexOf(flat, flat.Max()), a.ArgMax().ToScalar());
            Assert.Equal(Array.IndexOf(flat, flat.Min()), a.ArgMin().ToScalar());
            int axis = r.Next(a.NDim);
            NDArray<long> am = a.ArgMax(axis);
            NDArray<double> max = a.Max(axis);
            foreach (int[] o in Naive.Indices([.. am.Shape]).DefaultIfEmpty([]))
            {
                int[] idx = [.. o[..axis], (int)am[o], .. o[axis..]];
                Assert.Equal(max[o], a[idx]);
            }
        }, iter: 100);
    }

    [Fact]
    public void Slice_MatchesNaiveGather()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 8);
            NDArray<double> a = TestData.Doubles(r, shape);
            var index = new Ix[shape.Length];
            for (int i = 0; i < shape.Length; i++)
            {
                int step = r.Next(1, 4) * (r.Next(2) == 0 ? 1 : -1);
                index[i] = r.Next(4) == 0 ? Ix.At(r.Next(-shape[i], shape[i])) : Ix.S(r.Next(3) == 0 ? null : r.Next(-10, 10), r.Next(3) == 0 ? null : r.Next(-10, 10), step);
            }

            NDArray<double> s = a.Slice(index);
            var axesValues = index.Select((ix, i) => ix.Kind == IxKind.Index
                ? [ix.Start!.Value < 0 ? ix.Start.Value + shape[i] : ix.Start.Value]
                : Enumerable.Range(0, (int)ix.Resolve(shape[i]).Count).Select(k => (int)(ix.Resolve(shape[i]).Start + (k * ix.Resolve(shape[i]).Step))).ToArray()).ToArray();
            int[] outShape = [.. axesValues.Where((_, i) => index[i].Kind != IxKind.Index).Select(v => v.Length)];
            Assert.Equal(outShape, s.Shape.ToArray());
            foreach (int[] o in Naive.Indices(outShape).DefaultIfEmpty([]))
            {
                if (outShape.Any(d => d == 0))
                {
                    break;
                }

                int k = 0;
                int[] src = [.. index.Select((ix, i) => ix.Kind == IxKind.Index ? axesValues[i][0] : axesValues[i][o[k++]])];
                Assert.Equal(a[src], s[o]);
            }
        }, iter: 200);
    }

    [Fact]
    public void Views_ShareTheBuffer()
    {
        NDArray<double> a = NDArray.Arange<double>(0, 12).Reshape(3, 4);
        NDArray<double> t = a.T;
        t[1, 2] = 100;
        Assert.Equal(100, a[2, 1]);
        NDArray<double> row = a.Slice(1);
        row[0] = -1;
        Assert.Equal(-1, a[1, 0]);
        Assert.Equal([4, 3], t.Shape.ToArray());
        Assert.False(t.IsCContiguous);
        Assert.Equal(new double[] { 0, -1, 8 }, a.Slice(Ix.All, 0).ToArray());
        Assert.Equal([1, 3, 1, 4], a.Slice(Ix.NewAxis, Ix.Ellipsis, Ix.NewAxis, Ix.All).Shape.ToArray());
    }

    [Fact]
    public void Fancy_TakeAndMask()
    {
        NDArray<int> a = NDArray.Arange<int>(0, 10);
        Assert.Equal([5, 1, 9, 1], a.Slice(Ix.Take(5, 1, -1, 1)).ToArray());
        Assert.Equal([0, 2, 4, 6, 8], a.Slice(Ix.Where(a.ToArray().Select(v => v % 2 == 0))).ToArray());
    }

    [Fact]
    public void ShapeOps_ReshapeConcatenateStackSqueeze()
    {
        NDArray<long> a = NDArray.Arange<long>(0, 24).Reshape(2, 3, 4);
        Assert.Equal(NDArray.Arange<long>(0, 24).ToArray(), a.Transpose(1, 0, 2).Copy().Transpose(1, 0, 2).Ravel().ToArray());
        Assert.Equal([6, 4], a.Reshape(-1, 4).Shape.ToArray());
        NDArray<long> c = NDArray.Concatenate([a, a], axis: 1);
        Assert.Equal([2, 6, 4], c.Shape.ToArray());
        Assert.Equal(a[1, 2, 3], c[1, 5, 3]);
        NDArray<long> s = NDArray.Stack([a, a + 1L], axis: -1);
        Assert.Equal([2, 3, 4, 2], s.Shape.ToArray());
        Assert.Equal(a[1, 2, 3] + 1, s[1, 2, 3, 1]);
        Assert.Equal([3, 4], a.Slice(0, Ix.NewAxis).Squeeze().Shape.ToArray());
    }

    [Fact]
    public void Unary_AndTypes()
    {
        NDArray<double> a = NDArray<double>.FromArray([-1.5, 0.5, 2.5, 4], 4);
        Assert.Equal([1.5, 0.5, 2.5, 4], a.Abs().ToArray());
        Assert.Equal([-2.0, 0, 2, 4], a.Round().ToArray());
        Assert.Equal([-2.0, 0, 2, 4], a.Floor().ToArray());
        Assert.Equal([2.0], NDArray<double>.FromArray([4.0], 1).Sqrt().ToArray());
        Assert.Equal([-1, 0, 2, 4], a.AsType<int>().ToArray());
        Assert.Equal([true, true, true, true], a.AsType<bool>().ToArray());
        Assert.Equal([false, true, false], (~NDArray<bool>.FromArray([true, false, true], 3)).ToArray());
        Assert.Equal([2.0, 2, 2.5, 3], a.Clip(2, 3).ToArray());
        Assert.Equal([9L, 7], (NDArray<long>.FromArray([10, 8], 2) - 1L).ToArray());
        Assert.Throws<NotSupportedException>(() => NDArray<int>.FromArray([1], 1).Sqrt());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SumOfProducts_MatchesTheSumOfSeparateProducts_WithOpenBlasAndManaged(bool native)
    {
        bool before = Blas.UseNative;
        Blas.UseNative = native;
        try
        {
            var r = new Random(7);
            foreach (int[] ks in new[] { new[] { 4 }, [3, 5, 1], [2, 0, 6], [0] })
            {
                const int M = 6, N = 5;
                NDArray<double>[] left = [.. ks.Select(k => TestData.Doubles(r, [M, k]))];
                NDArray<double>[] right = [.. ks.Select((k, i) => i % 2 == 0 ? TestData.Doubles(r, [k, N]) : TestData.Doubles(r, [N, k]).T)];
                NDArray<double> expected = NDArray<double>.Zeros(M, N);
                for (int p = 0; p < ks.Length; p++)
                {
                    for (int i = 0; i < M; i++)
                    {
                        for (int j = 0; j < N; j++)
                        {
                            for (int q = 0; q < ks[p]; q++)
                            {
                                expected[i, j] += left[p][i, q] * right[p][q, j];
                            }
                        }
                    }
                }

                TestData.Close(expected, Blas.SumOfProducts(left, right));
            }

            Assert.Contains("(6, 5) and (4, 5)", Assert.Throws<ArgumentException>(() => Blas.SumOfProducts([NDArray<double>.Ones(6, 2), NDArray<double>.Ones(4, 2)], [NDArray<double>.Ones(2, 5), NDArray<double>.Ones(2, 5)])).Message, StringComparison.Ordinal);
        }
        finally
        {
            Blas.UseNative = before;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatMul_MatchesNaiveLoops_WithOpenBlasAndManaged(bool native)
    {
        bool before = Blas.UseNative;
        Blas.UseNative = native;
        try
        {
            var r = new Random(5);
            foreach ((int m, int k, int n) in new[] { (3, 4, 5), (17, 33, 9), (1, 1, 1), (40, 300, 20) })
            {
                NDArray<double> a = TestData.Doubles(r, [m, k]), b = TestData.Doubles(r, [n, k]).T;
                NDArray<double> expected = NDArray<double>.Zeros(m, n);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (int p = 0; p < k; p++)
                        {
                            s += a[i, p] * b[p, j];
                        }

                        expected[i, j] = s;
                    }
                }

                TestData.Close(expected, NDArray.MatMul(a, b));
                TestData.Close(expected.AsType<float>().AsType<double>(), NDArray.MatMul(a.AsType<float>(), b.AsType<float>()).AsType<double>(), 1e-3);
                Assert.Equal(expected.AsType<long>().Shape, NDArray.MatMul(a.AsType<long>(), b.AsType<long>()).Shape);
            }
        }
        finally
        {
            Blas.UseNative = before;
        }
    }

    [Fact]
    public void OpenBlas_IsFoundWhenInstalled()
    {
        bool installed = File.Exists("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
        Assert.Equal(installed, Blas.IsNativeAvailable);
    }

    [Fact]
    public void Npy_RoundTripsEveryDType()
    {
        string dir = Directory.CreateTempSubdirectory("tessera-npy").FullName;
        try
        {
            var r = new Random(1);
            RoundTrip(TestData.Values<double>(r, [3, 4]));
            RoundTrip(TestData.Values<float>(r, [5]));
            RoundTrip(TestData.Values<int>(r, [2, 2, 2]));
            RoundTrip(TestData.Values<long>(r, [0, 3]));
            RoundTrip(TestData.Values<byte>(r, [7]));
            RoundTrip(TestData.Values<bool>(r, [3, 1]));
            RoundTrip(TestData.Values<double>(r, [4, 3]).T);

            void RoundTrip<T>(NDArray<T> a)
                where T : unmanaged
            {
                string path = Path.Combine(dir, "a.npy");
                NDArray.SaveNpy(a, path);
                var back = (NDArray<T>)NDArray.LoadNpy(path);
                TestData.Same(a, back);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Npy_TruncatedFile_NamesTheFileAndOffset()
    {
        var ms = new MemoryStream();
        NDArray.WriteNpy(NDArray.Arange<double>(0, 10), ms);
        byte[] bytes = ms.ToArray()[..^8];
        var e = Assert.Throws<InvalidDataException>(() => NDArray.ReadNpy(new MemoryStream(bytes), "x.npy"));
        Assert.Contains("x.npy", e.Message, StringComparison.Ordinal);
        Assert.Contains("byte 128", e.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<InvalidDataException>(() => NDArray.ReadNpy(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8, 9]), "y.npy"));
        Assert.Contains("not a .npy file", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorSpan_IsAZeroCopyView()
    {
        NDArray<double> a = NDArray.Arange<double>(0, 6).Reshape(2, 3);
        System.Numerics.Tensors.TensorSpan<double> t = a.T.AsTensorSpan();
        Assert.Equal(3, t.Lengths[0]);
        Assert.Equal(a[1, 2], t[2, 1]);
    }
}
