using CsCheck;
using Tessera.Arrays.Tests;
using Tessera.Distributed;
using Tessera.Scheduling;

namespace Tessera.Arrays.Hdf5.Tests;

/// <summary>A connected client becomes the default scheduler of the process, so cluster tests run alone.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>HDF5 datasets as chunked arrays: round trips, files written by h5py, bad input, worker processes.</summary>
[Collection(typeof(RunsAlone))]
public sealed class Hdf5Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tessera-hdf5-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Gen<(int[] Shape, int[] Write, int[] Read)> s_layouts =
        Gen.Int[1, 3].SelectMany(rank => Gen.Int[1, 9].Array[rank].SelectMany(shape =>
            Gen.Select(Gen.Int[1, 9].Array[rank], Gen.Int[1, 9].Array[rank], (w, r) =>
                (shape, w.Select((c, a) => Math.Min(c, shape[a])).ToArray(), r.Select((c, a) => Math.Min(c, shape[a])).ToArray()))));

    [Fact]
    public void WriteThenRead_WithAnyChunking_GivesTheArrayBack()
    {
        int run = 0;
        s_layouts.Sample(layout =>
        {
            NDArray<double> a = NDArray<double>.FromFunction(layout.Shape, ix => ix.Aggregate(1.5, (acc, i) => (acc * 31) + i));
            string file = Path.Combine(_dir, $"roundtrip-{Interlocked.Increment(ref run)}.h5");
            DArray.FromArray(a, layout.Write).ToHdf5(file, "x");
            DArray<double> back = Hdf5.Read<double>(file, "x", layout.Read);
            Assert.Equal(a.Shape, back.Shape.Select(n => (int)n));
            Assert.Equal(a.ToArray(), back.Compute(Schedulers.Sync).ToArray());
        }, iter: 40);
    }

    [Fact]
    public void Read_WithDefaultChunks_SumsLikeTheSource()
    {
        string file = Path.Combine(_dir, "chunks.h5");
        DArray<int> x = DArray.Arange<int>(0, 120).Reshape(12, 10).Rechunk(new[] { 4, 5 });
        x.ToHdf5(file, "x");
        DArray<int> back = Hdf5.Read<int>(file, "x");
        Assert.Equal(x.Sum().Compute(Schedulers.Sync).ToScalar(), back.Sum().Compute().ToScalar());
    }

    [Fact]
    public void Read_DatasetWrittenByH5py_InAGroupChunkedAndCompressed()
    {
        Assert.SkipUnless(Python.Run("import h5py") == 0, "python3-h5py is not installed (.ci/run installs it)");
        string file = Path.Combine(_dir, "theirs.h5");
        Assert.Equal(0, Python.Run(
            $"import h5py, numpy as np; f = h5py.File('{file}', 'w'); g = f.create_group('g'); " +
            "g.create_dataset('x', data=(np.arange(7 * 11, dtype='<i8').reshape(7, 11) * 3 - 50), chunks=(3, 4), compression='gzip'); " +
            "f.create_dataset('f', data=np.linspace(0, 1, 13, dtype='<f4')); f.close()"));

        DArray<long> x = Hdf5.Read<long>(file, "g/x", new[] { 3, 4 });
        NDArray<long> expected = NDArray<long>.FromFunction([7, 11], ix => ((ix[0] * 11L) + ix[1]) * 3 - 50);
        Assert.Equal(expected.ToArray(), x.Compute().ToArray());
        float[] f = Hdf5.Read<float>(file, "f").Compute().ToArray();
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (float)(i / 12.0)), f, (p, q) => Math.Abs(p - q) < 1e-6f);
    }

    [Fact]
    public void Write_FileThatH5pyReads()
    {
        Assert.SkipUnless(Python.Run("import h5py") == 0, "python3-h5py is not installed (.ci/run installs it)");
        string file = Path.Combine(_dir, "ours.h5");
        DArray.Arange<double>(0, 35).Reshape(5, 7).Rechunk(new[] { 2, 3 }).ToHdf5(file, "x");
        Assert.Equal(0, Python.Run($"import h5py, numpy as np; x = h5py.File('{file}', 'r')['x']; assert x.shape == (5, 7) and x.dtype == np.float64; assert (x[:] == np.arange(35.0).reshape(5, 7)).all()"));
    }

    [Fact]
    public void Read_BadInput_NamesTheFileAndTheDataset()
    {
        string file = Path.Combine(_dir, "one.h5");
        DArray.Arange<long>(0, 10).ToHdf5(file, "x");

        Assert.Contains("missing.h5", Assert.Throws<FileNotFoundException>(() => Hdf5.Read<long>(Path.Combine(_dir, "missing.h5"), "x")).Message, StringComparison.Ordinal);
        Assert.Contains("no dataset 'y'", Assert.Throws<ArgumentException>(() => Hdf5.Read<long>(file, "y")).Message, StringComparison.Ordinal);
        ArgumentException wrongType = Assert.Throws<ArgumentException>(() => Hdf5.Read<double>(file, "x"));
        Assert.Contains("holds int64", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("Hdf5.Read<Int64>", wrongType.Message, StringComparison.Ordinal);

        string text = Path.Combine(_dir, "text.h5");
        File.WriteAllText(text, "not an HDF5 file");
        Assert.Contains("text.h5", Assert.Throws<InvalidDataException>(() => Hdf5.Read<long>(text, "x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FileTruncatedAfterOpening_FailsTheBlockNamingTheFile()
    {
        string file = Path.Combine(_dir, "truncated.h5");
        DArray.Arange<double>(0, 100_000).Rechunk(10_000).ToHdf5(file, "x");
        DArray<double> x = Hdf5.Read<double>(file, "x", new[] { 10_000 });
        using (FileStream s = File.OpenWrite(file))
        {
            s.SetLength(s.Length / 2);
        }

        Exception e = Assert.ThrowsAny<Exception>(() => x.Sum().Compute(Schedulers.Sync));
        Assert.Contains("truncated.h5", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_BadInput_IsRefusedBeforeWriting_AndAFailedWriteLeavesNoFile()
    {
        DArray<long> x = DArray.Arange<long>(0, 10, chunks: 5);
        string file = Path.Combine(_dir, "bad.h5");
        Assert.Contains("written twice", Assert.Throws<ArgumentException>(() => Hdf5.Write(file, Hdf5Entry.Of("g/x", x), Hdf5Entry.Of("/g/x/", x))).Message, StringComparison.Ordinal);
        Assert.Contains("'g/x/y' would be inside 'g/x', which is a dataset", Assert.Throws<ArgumentException>(() => Hdf5.Write(file, Hdf5Entry.Of("g/x", x), Hdf5Entry.Of("g/x/y", x))).Message, StringComparison.Ordinal);
        Assert.Contains("both a dataset and a group", Assert.Throws<ArgumentException>(() => Hdf5.Write(file, Hdf5Entry.Of("g/x", x), Hdf5Entry.Of("g", x))).Message, StringComparison.Ordinal);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => x.ToHdf5(file, "g//x")).Message, StringComparison.Ordinal);
        Assert.Contains("deflate level 6 is not supported", Assert.Throws<ArgumentOutOfRangeException>(() => x.ToHdf5(file, "x", new Hdf5WriteOptions(Deflate: 6))).Message, StringComparison.Ordinal);
        Assert.Contains("chunked layout", Assert.Throws<ArgumentException>(() => x.Sum().ToHdf5(file, "s", new Hdf5WriteOptions(Deflate: 1))).Message, StringComparison.Ordinal);
        var badAttribute = new Hdf5WriteOptions(Attributes: new Dictionary<string, object> { ["when"] = DateTime.UnixEpoch });
        Assert.Contains("attribute 'when'", Assert.Throws<ArgumentException>(() => x.ToHdf5(file, "x", badAttribute)).Message, StringComparison.Ordinal);
        Assert.Contains("ComputeChunkSizes", Assert.Throws<ArgumentException>(() => x[x > 3L].ToHdf5(file, "x")).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(file));

        DArray<long> failing = x.MapBlocks<long>(b => b.ToArray()[0] == 5 ? throw new InvalidOperationException("block 1 fails") : b);
        Assert.ThrowsAny<Exception>(() => failing.ToHdf5(Path.Combine(_dir, "failed.h5"), "x", new Hdf5WriteOptions(BlocksAtOnce: 1)));
        Assert.Empty(Directory.EnumerateFiles(_dir, "failed.h5*"));
    }

    [Fact]
    public void DocExample_GroupsCompressionAndSeveralDatasets()
    {
        string data = Path.Combine(_dir, "data.h5"), output = Path.Combine(_dir, "out.h5"), both = Path.Combine(_dir, "both.h5");
        DArray.Random.Uniform([30, 20], chunks: 10, seed: 1).ToHdf5(data, "group/x");
        DArray<double> x = Hdf5.Read<double>(data, "group/x");
        DArray<double> y = Hdf5.Read<double>(data, "group/x", chunks: new[] { 15, 20 });
        (x + 1).ToHdf5(output, "x");
        (x + 1).ToHdf5(output, "results/x", new Hdf5WriteOptions(Deflate: 9, Shuffle: true,
            Attributes: new Dictionary<string, object> { ["units"] = "m", ["scale"] = 0.5 }));
        Hdf5.Write(both, Hdf5Entry.Of("a/x", x), Hdf5Entry.Of("a/y", y, new Hdf5WriteOptions(Deflate: 1)));

        double[] plusOne = [.. x.Compute().ToArray().Select(v => v + 1)];
        Assert.Equal(plusOne, Hdf5.Read<double>(output, "results/x").Compute().ToArray());
        Assert.Equal(x.Compute().ToArray(), Hdf5.Read<double>(both, "a/y").Compute().ToArray());
    }

    [Fact]
    public void Write_GroupsCompressionAndAttributes_ReadBackByUsAndByH5py()
    {
        string file = Path.Combine(_dir, "layout.h5");
        NDArray<double> a = NDArray<double>.FromFunction([13, 9], ix => Math.Sin(ix[0]) * ix[1]);
        NDArray<int> b = NDArray<int>.FromFunction([20], ix => (ix[0] * 37 % 11) - 5);
        var attributes = new Dictionary<string, object> { ["units"] = "m/s", ["scale"] = 0.5, ["count"] = 7L, ["origin"] = new[] { 1.0, 2.0 } };
        Hdf5.Write(
            file,
            Hdf5Entry.Of("g/inner/x", DArray.FromArray(a, new[] { 5, 4 }), new Hdf5WriteOptions(Deflate: 9, Shuffle: true, Attributes: attributes)),
            Hdf5Entry.Of("g/y", DArray.FromArray(b, 6), new Hdf5WriteOptions(Deflate: 1)),
            Hdf5Entry.Of("plain", DArray.FromArray(b, 20)));

        Assert.Equal(a.ToArray(), Hdf5.Read<double>(file, "g/inner/x").Compute(Schedulers.Sync).ToArray());
        Assert.Equal([5, 4], Hdf5.Read<double>(file, "g/inner/x", new[] { 5, 4 }).ChunkSize);
        Assert.Equal(b.ToArray(), Hdf5.Read<int>(file, "g/y", new[] { 7 }).Compute(Schedulers.Sync).ToArray());
        Assert.Equal(b.ToArray(), Hdf5.Read<int>(file, "plain").Compute(Schedulers.Sync).ToArray());

        Assert.SkipUnless(Python.Run("import h5py") == 0, "python3-h5py is not installed (.ci/run installs it)");
        Assert.Equal(0, Python.Run(
            $"import h5py, numpy as np; f = h5py.File('{file}', 'r'); x = f['g/inner/x']; " +
            "assert x.chunks == (5, 4) and x.compression == 'gzip' and x.compression_opts == 9 and x.shuffle, (x.chunks, x.compression, x.shuffle); " +
            "e = np.sin(np.arange(13.0))[:, None] * np.arange(9.0)[None, :]; assert np.allclose(x[:], e, rtol=0, atol=1e-12); " +
            "assert x.attrs['units'] in ('m/s', b'm/s') and x.attrs['scale'] == 0.5 and x.attrs['count'] == 7 and list(x.attrs['origin']) == [1.0, 2.0], dict(x.attrs); " +
            "y = f['g/y']; assert y.chunks == (6,) and y.compression == 'gzip' and y.dtype == np.int32; assert (y[:] == np.arange(20) * 37 % 11 - 5).all(); " +
            "assert (f['plain'][:] == y[:]).all() and f['plain'].compression is None"));
    }

    [Fact]
    public async Task WorkerProcesses_ReadTheDatasetLikeTheLocalScheduler()
    {
        string file = Path.Combine(_dir, "cluster.h5");
        DArray.Random.Uniform([40, 30], chunks: new[] { 10, 10 }, seed: 3).ToHdf5(file, "x");
        DArray<double> x = Hdf5.Read<double>(file, "x", new[] { 15, 10 });
        DArray<double> mean = (x + x.T[..30, ..30].Sum()).Mean(axis: 0);
        NDArray<double> local = mean.Compute(Schedulers.Sync);

        await using LocalCluster cluster = await LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true);
        await using Client client = await Client.ConnectAsync(cluster);
        Assert.Equal(local.ToArray(), (await mean.ComputeAsync(cancellationToken: TestContext.Current.CancellationToken)).ToArray());
    }
}
