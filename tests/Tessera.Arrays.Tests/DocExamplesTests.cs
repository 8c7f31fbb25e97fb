namespace Tessera.Arrays.Tests;

/// <summary>The snippets of docs/arrays.md and the README's Arrays section, kept compiling and checked.</summary>
public sealed class DocExamplesTests
{
    [Fact]
    public void QuickTour_Chunked()
    {
        DArray<double> x = DArray.Random.Uniform(shape: [2_000, 2_000], chunks: 200, seed: 0);
        Assert.Equal("dask.array<uniform, shape=(2000, 2000), dtype=float64, chunksize=(200, 200), blocks=100, tasks=100, nbytes=30.52 MiB>", x.ToString());
        NDArray<double> m = (x + x.T).Mean(axis: 0).Compute();
        double s = (x - x.Mean()).Std(ddof: 1).Compute().ToScalar();
        NDArray<double> full = x.Compute();
        TestData.Close((full + full.T).Mean(axis: 0), m);
        Assert.Equal(full.Std(ddof: 1).ToScalar(), s, 9);
    }

    [Fact]
    public void Optimization_FusedReduction()
    {
        DArray<double> x = DArray.Random.Uniform([2_000, 2_000], chunks: 400, seed: 0);
        DArray<double> mean = (x + x.T).Mean(axis: 0);
        NDArray<double> m = mean.Compute();
        NDArray<double> full = x.Compute();
        TestData.Close((full + full.T).Mean(axis: 0), m);
        (Tessera.Graphs.TaskGraph graph, IReadOnlyList<Tessera.Graphs.Key> _) = Tessera.Collections.CollectionExtensions.Prepare(mean);
        Assert.Equal(25, graph.Count(kv => kv.Value is Tessera.Graphs.CallNode c && c.Function == BlockFunctions<double>.MeanOfBinary));
    }

    [Fact]
    public void Rechunk_ReductionsThroughARechunk()
    {
        DArray<double> x = DArray.Random.Uniform([4_000, 4_000], chunks: new[] { 4_000, 40 }, seed: 0);
        double total = x.Rechunk(new[] { 40, 4_000 }).Sum().Compute().ToScalar();   // computed as x.Sum()
        NDArray<double> rowMeans = x.Rechunk(new[] { 40, 4_000 }).Mean(axis: 1).Compute();   // x.Mean(1), then 100 blocks of 40
        Assert.Equal(x.Sum().Compute().ToScalar(), total);
        Assert.Equal(100, x.Rechunk(new[] { 40, 4_000 }).Mean(axis: 1).NumBlocks[0]);
        NDArray<double> full = x.Compute();
        Assert.Equal(full.Sum().ToScalar(), total, 6);
        TestData.Close(full.Mean(axis: 1), rowMeans);
    }

    [Fact]
    public void Rechunk_SplitPiecesForACluster()
    {
        DArray<double> rows;
        using (TesseraConfig.Set(("array.rechunk.split-pieces", true)))   // e.g. a graph built before Client.ConnectAsync
        {
            rows = DArray.Random.Uniform([2_000, 2_000], chunks: new[] { 2_000, 20 }, seed: 0).Rechunk(new[] { 20, 2_000 });
        }

        Assert.Contains(rows.Graph.Layers, l => l.Name.StartsWith("rechunk-split", StringComparison.Ordinal));
        TestData.Same(DArray.Random.Uniform([2_000, 2_000], chunks: new[] { 2_000, 20 }, seed: 0).Compute(), rows.Compute());
    }

    [Fact]
    public void Optimization_SliceThrough()
    {
        DArray<double> x = DArray.Random.Uniform([100, 100], chunks: 10, seed: 1);
        DArray<double> y = ((x + 1.0) * 2.0)[5..15, ..10];
        Assert.Equal(106, y.Graph.TaskCount);
        DArray<double> z = (x.T + 1.0)[..5, ..5];
        Assert.Equal(103, z.Graph.TaskCount);
        TestData.Same((x.Compute().T + 1.0).Slice(..5, ..5), z.Compute());
    }

    [Fact]
    public void ZarrRegionWrites()
    {
        string dir = Directory.CreateTempSubdirectory("tessera-doc-zarr").FullName;
        try
        {
            string path = Path.Combine(dir, "big.zarr");
            ZarrArray target = ZarrArray.Create(path, shape: [1_000, 800], chunks: [100, 100], DType.Float64);
            DArray.Ones<double>([300, 800], chunks: 128).ToZarr(target, 100..400);
            DArray.Store(
                DArray.Full(2.0, [50, 30], chunks: 50).Into(target, 380..430, 10..40),
                DArray.Full(3.0, [20, 20], chunks: 20).Into(target, 390..410, 20..40));
            DArray<double> back = target.Read<double>();

            NDArray<double> expected = NDArray<double>.Zeros([1_000, 800]);
            expected.Slice(100..400).Assign(NDArray<double>.Full(1.0, [300, 800]));
            expected.Slice(380..430, 10..40).Assign(NDArray<double>.Full(2.0, [50, 30]));
            expected.Slice(390..410, 20..40).Assign(NDArray<double>.Full(3.0, [20, 20]));
            TestData.Same(expected, back.Compute());
            DArray.Random.Uniform([100, 100], chunks: 50, seed: 0).ToZarr(Path.Combine(dir, "blosc.zarr"), new ZarrOptions(Compressor: "blosc", Level: 5));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void QuickTour_InMemory()
    {
        NDArray<double> a = NDArray.Arange<double>(0, 12).Reshape(3, 4);
        NDArray<double> col = a.Slice(Ix.All, 1);
        NDArray<double> b = (a * 2.0) + a.T.Sum(axis: 1);
        NDArray<bool> big = a > 5.0;
        NDArray<long> where = a.ArgMax(axis: 1);
        Assert.Equal([1.0, 5, 9], col.ToArray());
        Assert.Equal((a[0, 1] * 2) + a[0, 1] + a[1, 1] + a[2, 1], b[0, 1]);
        Assert.Equal(6, big.ToArray().Count(v => v));
        Assert.Equal([3L, 3, 3], where.ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"tessera-doc-{Environment.ProcessId}.npy");
        NDArray.SaveNpy(a, path);
        TestData.Same(a, (NDArray<double>)NDArray.LoadNpy(path));
        File.Delete(path);
    }

    [Fact]
    public void DArraySection()
    {
        DArray<double> y = DArray.FromArray(NDArray.Arange<double>(0, 100).Reshape(10, 10), chunks: 4);
        Assert.Equal("(4,4,2) (4,4,2)", string.Join(" ", y.Chunks.Select(c => "(" + string.Join(",", c) + ")")));
        DArray<double> z = (y * 2.0)[Ix.S(null, null, -1), 3..].Sum(axis: 0, keepDims: true);
        NDArray<double> expected = (NDArray.Arange<double>(0, 100).Reshape(10, 10) * 2.0).Slice(Ix.S(null, null, -1), 3..).Sum(axis: 0, keepDims: true);
        TestData.Same(expected, z.Compute());
    }

    [Fact]
    public void Readme()
    {
        DArray<double> x = DArray.Random.Uniform(shape: [2_000, 2_000], chunks: 200, seed: 0);
        NDArray<double> m = (x + x.T).Mean(axis: 0).Compute();
        double total = (x - x.Mean()).Std().Compute().ToScalar();
        DArray<double> y = x[Ix.S(null, null, 2), ..1000].Rechunk(new[] { 500, 50 });
        NDArray<double> p = DArray.MatMul(x[..400, ..400], x[..400, ..400].T).Compute();
        Assert.Equal([2000], m.Shape.ToArray());
        Assert.InRange(total, 0.28, 0.29);
        Assert.Equal([1000L, 1000], y.Shape);
        Assert.Equal([400, 400], p.Shape.ToArray());
    }

    [Fact]
    public void ZarrSection()
    {
        string dir = Directory.CreateTempSubdirectory("tessera-doc-zarr").FullName;
        try
        {
            DArray<double> x = DArray.Random.Uniform([1_000, 1_000], chunks: 100, seed: 0);
            long written = x.ToZarr(Path.Combine(dir, "out.zarr"));
            x.ToZarr(Path.Combine(dir, "out3.zarr"), new ZarrOptions(Format: 3, Compressor: "zstd"));
            DArray<double> y = DArray.FromZarr<double>(Path.Combine(dir, "out.zarr"));
            Assert.True(written > 0);
            TestData.Same(x.Compute(), y.Compute());
            TestData.Same(x.Compute(), DArray.FromZarr<double>(Path.Combine(dir, "out3.zarr")).Compute());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
