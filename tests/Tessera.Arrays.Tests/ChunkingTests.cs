namespace Tessera.Arrays.Tests;

/// <summary>Dask's chunk rules, case by case (dask-behaviour-cases A01, A03, A05, A09, A15).</summary>
public class ChunkingTests
{
    private static string Show(int[][] chunks) => "(" + string.Join(", ", chunks.Select(c => "(" + string.Join(",", c) + ")")) + ")";

    private static string Normalize(ChunkSpec spec, long[] shape, int itemSize = 8, long? limit = null)
    {
        using IDisposable scope = TesseraConfig.Set(("array.chunk-size", limit is { } l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) + "B" : "128MiB"));
        return Show(Chunking.Normalize("test", spec, shape, itemSize));
    }

    [Fact]
    public void Normalize_DaskCasesA01()
    {
        Assert.Equal("((3,1), (3,3))", Normalize(3, [4, 6]));
        Assert.Equal("((3,3), (8))", Normalize(new[] { new[] { 3, 3 }, new[] { 8 } }, [6, 8]));
        Assert.Equal("((4,5))", Normalize(new[] { 4, 5 }, [9]));
        Assert.Equal("((4,4,1), (5,4))", Normalize(new[] { 4, 5 }, [9, 9]));
        Assert.Equal("((5), (5))", Normalize(-1, [5, 5]));
        Assert.Equal("((3,2), (5))", Normalize(new[] { 3, -1 }, [5, 5]));
        Assert.Equal("((3,2), (5))", Normalize(ChunkSpec.PerAxis(3, null), [5, 5]));
        Assert.Equal("((3,2), (5))", Normalize(ChunkSpec.ByAxis(new Dictionary<int, object?> { [0] = 3 }), [5, 5]));
        Assert.Equal("((10,10,10), (5))", Normalize(10, [30, 5]));
        Assert.Equal("((0), (3))", Normalize(-1, [0, 3]));
        Assert.Equal("((2,2,2), (3,3))", Normalize(ChunkSpec.ByAxis(new Dictionary<int, object?> { [0] = 2, [1] = 3 }), [6, 6]));
        Assert.Equal("((2), (3))", Normalize("auto", [2, 3], 4));
        Assert.Equal("((" + string.Join(",", Enumerable.Repeat(256, 7)) + ",208))", Normalize("1kiB", [2000], 4));
        Assert.Throws<ArgumentException>(() => Normalize(new[] { new[] { 10 } }, [11]));
        Assert.Throws<ArgumentException>(() => Normalize(new[] { new[] { 5 }, new[] { 5 } }, [5]));
    }

    [Fact]
    public void Auto_DaskCasesA03()
    {
        Assert.Equal("((10,10,10,10,10,10,10,10,10,10))", Normalize("auto", [100], 1, 10));
        Assert.Equal("((5,5,5,5,4))", Normalize("auto", [24], 1, 5));
        Assert.Equal("((167,167,167,167,167,165))", Normalize("auto", [1000], 1, 167));
        Assert.Equal("((10,10), (2,2,2,2,2,2,2,2,2,2))", Normalize(ChunkSpec.PerAxis("auto", 2), [20, 20], 1, 20));
        Assert.Equal("((4,4,4,4,4), (2,2,2,2,2,5,5))", Normalize(ChunkSpec.PerAxis("auto", new[] { 2, 2, 2, 2, 2, 5, 5 }), [20, 20], 1, 20));
        Assert.Equal("((1), (10,10))", Normalize("auto", [1, 20], 1, 10));
        Assert.Equal("((10,10), (10,10), (2,2,2,2,2,2,2,2,2,2))", Normalize(ChunkSpec.PerAxis("auto", "auto", 2), [20, 20, 20], 1, 200));
        Assert.Equal("((2,3,5), (2,2,2,2,2))", Normalize(ChunkSpec.PerAxis(new[] { 2, 3, 5 }, "auto"), [10, 10], 1, 10));
        Assert.Equal("((5), (5))", Normalize(ChunkSpec.PerAxis("auto", null), [5, 5], 8));
        Assert.Equal("((10,10), (5,5,5,5))", Show(DArray.Ones<double>([20, 20], ChunkSpec.ByAxis(new Dictionary<int, object?> { [0] = 10, [1] = 5 })).ChunksArray));
        Assert.Equal("((10,10), (20))", Show(DArray.Ones<double>([20, 20], ChunkSpec.ByAxis(new Dictionary<int, object?> { [0] = 10, [1] = "auto" })).ChunksArray));
        Assert.Contains("auto", Assert.Throws<ArgumentException>(() => Normalize("auto", [-1], 8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unify_DaskCasesA05()
    {
        Assert.Equal([2, 1], Chunking.Common("t", [[3], [2, 1]]));
        Assert.Equal([1, 1, 1], Chunking.Common("t", [[1, 2], [2, 1]]));
        DArray<double> sum = DArray.Ones<double>([10], new[] { new[] { 5, 2, 3 } }) + DArray.Ones<double>([10], new[] { new[] { 2, 3, 5 } });
        Assert.Equal("((2,3,2,3))", Show(sum.ChunksArray));
        Assert.Equal(20.0, sum.Sum().Compute().ToScalar());
    }

    [Fact]
    public void Intersect_DaskCasesA09()
    {
        var a = Chunking.Intersect([10, 10, 10, 10, 10], [25, 5, 20]);
        Assert.Equal([(0, 0, 10), (1, 0, 10), (2, 0, 5)], a[0]);
        Assert.Equal([(2, 5, 10)], a[1]);
        Assert.Equal([(3, 0, 10), (4, 0, 10)], a[2]);
        var b = Chunking.Intersect([20, 20, 20, 20, 20], [58, 4, 20, 18]);
        Assert.Equal([(0, 0, 20), (1, 0, 20), (2, 0, 18)], b[0]);
        Assert.Equal([(2, 18, 20), (3, 0, 2)], b[1]);
        Assert.Equal([(3, 2, 20), (4, 0, 2)], b[2]);
        Assert.Equal([(4, 2, 20)], b[3]);
    }

    [Fact]
    public void SliceChunks_DaskCasesA15()
    {
        Assert.Equal("((3,2,3,2))", Show(DArray.Ones<double>([20], 5)[Ix.S(null, null, 2)].ChunksArray));
        DArray<double> x = DArray.Ones<double>([10, 10], 5);
        Assert.Equal("((5,2))", Show(x[Ix.S(0, 7), 1].ChunksArray));
        Assert.Equal("((1), (5,5))", Show(x[Ix.NewAxis, 3].ChunksArray));
        DArray<long> r = DArray.Arange<long>(0, 5, chunks: 2);
        long[] full = r.Compute().ToArray();
        Assert.Equal(full, r[Ix.S(-102, null)].Compute().ToArray());
        Assert.Empty(r[Ix.S(102, null)].Compute().ToArray());
        Assert.Equal(full, r[Ix.S(null, 102)].Compute().ToArray());
        Assert.Empty(r[Ix.S(null, -102)].Compute().ToArray());
        Assert.Equal([4L, 3, 2, 1, 0], r[Ix.S(null, null, -1)].Compute().ToArray());
        Assert.Equal([3L, 4], r[3..].Compute().ToArray());
        Assert.Equal([0L, 1, 2, 3], r[..^1].Compute().ToArray());
        Assert.Equal("((5,5,5))", Show(DArray.Ones<double>([10], 5)[Ix.Take(Enumerable.Range(0, 15).Select(i => (long)(i % 10)))].ChunksArray));
    }

    [Fact]
    public void Rechunk_AutoAndNoOp()
    {
        DArray<double> x = DArray.Ones<double>([20, 20], 2);
        Assert.Same(x, x.Rechunk(2));
        using (TesseraConfig.Set(("array.chunk-size", "160B")))
        {
            Assert.Equal("((20), (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1))", Show(x.Rechunk(ChunkSpec.PerAxis(-1, "auto")).ChunksArray));
        }

        Assert.Equal("((2,2,2,2,2,2,2,2,2,2), (10,10))", Show(x.Rechunk(ChunkSpec.ByAxis(new Dictionary<int, object?> { [-1] = 10 })).ChunksArray));
    }

    [Fact]
    public void UnknownChunks_NeedComputeChunkSizes()
    {
        NDArray<double> data = NDArray.Arange<double>(0, 12).Reshape(3, 4);
        DArray<double> x = DArray.FromDelayed(Delayed.Value(data), [-1, 4]);
        Assert.True(x.HasUnknownChunks);
        Assert.Equal([-1L, 4], x.Shape);
        var e = Assert.Throws<InvalidOperationException>(() => x.Rechunk(2));
        Assert.Contains("ComputeChunkSizes()", e.Message, StringComparison.Ordinal);
        Assert.Contains("ComputeChunkSizes()", Assert.Throws<InvalidOperationException>(() => x[Ix.S(0, 1)]).Message, StringComparison.Ordinal);
        DArray<double> known = x.ComputeChunkSizes();
        Assert.Equal([3L, 4], known.Shape);
        TestData.Same(data.Slice(Ix.S(0, 2)), known[Ix.S(0, 2)].Compute());
        TestData.Same(data * 2.0, (x * 2.0).Compute());
    }

    [Fact]
    public void Summary_IsOneLineLikeDask()
    {
        DArray<double> x = DArray.Random.Uniform([20_000, 20_000], chunks: 2_000, seed: 0);
        Assert.Equal("dask.array<uniform, shape=(20000, 20000), dtype=float64, chunksize=(2000, 2000), blocks=100, tasks=100, nbytes=2.98 GiB>", x.ToString());
    }
}

public sealed class DisplayTests
{
    [Fact]
    public void Html_HasTheTableAndALinePerChunkBoundary()
    {
        DArray<double> x = DArray.Ones<double>([100, 60], new[] { 25, 20 });
        string html = x.ToHtml();
        Assert.Contains("<th>Shape</th><td>(100, 60)</td><td>(25, 20)</td>", html, StringComparison.Ordinal);
        Assert.Contains("12 blocks", html, StringComparison.Ordinal);
        Assert.Equal(3 + 2, x.ToSvg().Split("<line").Length - 1);
        Assert.Equal(3, DArray.Ones<long>([10], 3).ToSvg().Split("<line").Length - 1);
    }
}
