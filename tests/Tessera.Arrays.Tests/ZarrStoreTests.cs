using CsCheck;

namespace Tessera.Arrays.Tests;

/// <summary>Region writes into existing Zarr arrays and <see cref="DArray.Store"/>, checked against NDArray assignment.</summary>
public sealed class ZarrStoreTests : IDisposable
{
    private static readonly ZarrOptions[] s_options =
    [
        new(2, null), new(2, "zlib"), new(2, "zstd"), new(2, "blosc", 5), new(3, "gzip"), new(3, null), new(3, "blosc", 3, BloscName: "zstd", Shuffle: BloscShuffle.Bit),
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("tessera-zarr-store").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RegionWrite_AnyChunkingAndRegion_ReadsBackLikeAssignment()
    {
        int run = 0;
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            int[] shape = TestData.Shape(r, 1, 3, 9);
            int[] targetChunks = [.. shape.Select(n => r.Next(1, n + 1))];
            ZarrOptions options = s_options[r.Next(s_options.Length)];
            string path = Path.Combine(_dir, $"region-{Interlocked.Increment(ref run)}");

            // Half the targets start written, half empty (their chunks read as the fill value 0).
            NDArray<double> expected = NDArray<double>.Zeros(shape);
            ZarrArray target;
            if (r.Next(2) == 0)
            {
                expected = TestData.Doubles(r, shape);
                DArray.FromArray(expected, targetChunks).ToZarr(path, options);
                target = ZarrArray.Open(path);
            }
            else
            {
                target = ZarrArray.Create(path, [.. shape.Select(n => (long)n)], targetChunks, DType.Float64, options);
            }

            Ix[] region = [.. shape.Select(n => { int s = r.Next(0, n); return Ix.S(s, r.Next(s + 1, n + 1)); })];
            int[] regionShape = [.. region.Select(x => x.Stop!.Value - x.Start!.Value)];
            NDArray<double> values = TestData.Doubles(r, regionShape);
            DArray<double> source = DArray.FromArray(values, TestData.Chunks(r, regionShape));
            Assert.True(source.ToZarr(target, region) > 0);

            expected = expected.Copy();
            expected.Slice(region).Assign(values);
            DArray<double> back = DArray.FromZarr<double>(path);
            Assert.Equal(targetChunks, back.ChunkSize);
            TestData.Same(expected, back.Compute());
        }, iter: 60);
    }

    [Fact]
    public void Store_SeveralSourcesSharingChunks_WritesThemAllInOneGraph()
    {
        ZarrArray a = ZarrArray.Create(Path.Combine(_dir, "a"), [10, 6], [4, 4], DType.Int64);
        ZarrArray b = ZarrArray.Create(Path.Combine(_dir, "b"), [7], [3], DType.Int64, new ZarrOptions(3, "zstd"));
        DArray<long> top = DArray.Arange<long>(0, 30, chunks: 7).Reshape(5, 6);
        DArray<long> bottom = DArray.Full(-1L, [5, 6], chunks: 5);
        DArray<long> small = DArray.Arange<long>(100, 105, chunks: 2);

        // top and bottom meet inside the chunks of rows 4..8: their writes to those chunks are ordered.
        long bytes = DArray.Store(top.Into(a, ..5), bottom.Into(a, 5..), small.Into(b, 1..6));
        Assert.True(bytes > 0);

        NDArray<long> expectedA = NDArray.Concatenate([NDArray.Arange<long>(0, 30).Reshape(5, 6), NDArray<long>.Full(-1, [5, 6])], axis: 0);
        TestData.Same(expectedA, a.Read<long>().Compute());
        Assert.Equal([0L, 100, 101, 102, 103, 104, 0], b.Read<long>().Compute().ToArray());
    }

    [Fact]
    public void FromZarr_AfterARegionWrite_IsANewArrayWithTheNewValues()
    {
        ZarrArray target = ZarrArray.Create(Path.Combine(_dir, "f"), [6], [3], DType.Int64);
        DArray<long> before = DArray.FromZarr<long>(target.Path);
        Assert.Equal(new long[6], before.Compute().ToArray());

        DArray.Full(7L, [3], chunks: 3).ToZarr(target, 3..);
        DArray<long> after = DArray.FromZarr<long>(target.Path);

        Assert.NotEqual(before.Name, after.Name);
        Assert.Equal([0L, 0, 0, 7, 7, 7], after.Compute().ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void FromZarr_AfterAnotherWriterRewritesAChunkInPlace_IsANewArrayWithTheNewValues(int format)
    {
        // No compressor: the rewritten chunk keeps its size, so only its time tells the change.
        string path = Path.Combine(_dir, $"other-{format}");
        DArray.Arange<long>(0, 6, chunks: 3).ToZarr(path, new ZarrOptions(format, null));
        DArray<long> before = DArray.FromZarr<long>(path);
        Assert.Equal([0L, 1, 2, 3, 4, 5], before.Compute().ToArray());
        Assert.Equal(before.Name, DArray.FromZarr<long>(path).Name);

        // Another tool writes the second chunk in place (same file, same size): raw little-endian int64s.
        string chunk = format == 2 ? Path.Combine(path, "1") : Path.Combine(path, "c", "1");
        using (var stream = new FileStream(chunk, FileMode.Open, FileAccess.Write))
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes<long>([40, 41, 42]));
        }

        DArray<long> after = DArray.FromZarr<long>(path);
        Assert.NotEqual(before.Name, after.Name);
        Assert.Equal([0L, 1, 2, 40, 41, 42], after.Compute().ToArray());
    }

    [Fact]
    public void FromZarr_AfterAnotherWriterAddsOrRemovesAChunk_IsANewArray()
    {
        string path = Path.Combine(_dir, "listing");
        ZarrArray target = ZarrArray.Create(path, [6], [3], DType.Int64, new ZarrOptions(2, null));
        string empty = DArray.FromZarr<long>(path).Name;
        File.WriteAllBytes(Path.Combine(path, "0"), System.Runtime.InteropServices.MemoryMarshal.AsBytes<long>([1, 2, 3]).ToArray());
        DArray<long> written = DArray.FromZarr<long>(path);
        Assert.NotEqual(empty, written.Name);
        Assert.Equal([1L, 2, 3, 0, 0, 0], written.Compute().ToArray());
        File.Delete(Path.Combine(path, "0"));
        DArray<long> removed = DArray.FromZarr<long>(target.Path);
        Assert.NotEqual(written.Name, removed.Name);
        Assert.Equal(new long[6], removed.Compute().ToArray());
    }

    [Fact]
    public void Store_RechunksOnlyWhenTheBlocksStraddleTargetChunks()
    {
        ZarrArray target = ZarrArray.Create(Path.Combine(_dir, "t"), [12], [4], DType.Float64);
        DArray<double> aligned = DArray.Ones<double>([8], chunks: 4);
        aligned.ToZarr(target, 4..);
        Assert.Equal(["1", "2"], Directory.EnumerateFiles(target.Path).Select(Path.GetFileName).Where(f => !f!.StartsWith('.')).Order());

        // Blocks of 5 written at 2..10 are cut at the chunk boundaries into 2..4 | 4..8 | 8..10, one write
        // per touched chunk; chunks 0 and 2 are written in part, keeping their other elements.
        DArray<double> straddling = DArray.Arange<double>(0, 8, chunks: 5);
        straddling.ToZarr(target, 2..10);
        Assert.Equal([0.0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 1, 1], target.Read<double>().Compute().ToArray());
    }

    [Fact]
    public void BadRegions_FailWhenTheWriteIsBuilt_NamingTheValues()
    {
        ZarrArray target = ZarrArray.Create(Path.Combine(_dir, "bad"), [10, 4], [5, 2], DType.Float64);
        DArray<double> x = DArray.Ones<double>([5, 4], chunks: 2);

        string outOfBounds = Assert.Throws<ArgumentOutOfRangeException>(() => x.Into(target, 8..13)).Message;
        Assert.Contains("region (8:13) is out of bounds for axis 0", outOfBounds, StringComparison.Ordinal);
        Assert.Contains("(10, 4)", outOfBounds, StringComparison.Ordinal);

        string shape = Assert.Throws<ArgumentException>(() => x.Into(target, 0..6)).Message;
        Assert.Contains("shape (5, 4) does not match the region (0:6) of shape (6, 4)", shape, StringComparison.Ordinal);

        string dtype = Assert.Throws<ArgumentException>(() => DArray.Ones<int>([5, 4], chunks: 2).Into(target, ..5)).Message;
        Assert.Contains("holds int32 but the target", dtype, StringComparison.Ordinal);
        Assert.Contains("holds float64", dtype, StringComparison.Ordinal);

        Assert.Contains("step 1", Assert.Throws<ArgumentException>(() => x.Into(target, Ix.S(0, 10, 2))).Message, StringComparison.Ordinal);
        Assert.Contains("3 items", Assert.Throws<ArgumentException>(() => x.Into(target, ..5, .., ..)).Message, StringComparison.Ordinal);
        Assert.Contains("unknown", Assert.Throws<InvalidOperationException>(() => x[x > 0.0].Into(target)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ZarrArray.Create(Path.Combine(_dir, "c"), [10], [0], DType.Float64));
        Assert.Throws<ArgumentException>(() => ZarrArray.Create(Path.Combine(_dir, "c"), [10], [5], DType.Float64, new ZarrOptions(Compressor: "blosc", BloscName: "snappy")));

        // Nothing was written by the refused writes.
        Assert.Equal([".zarray"], Directory.EnumerateFiles(target.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void RegionWrites_InteroperateWithPythonZarr()
    {
        Assert.SkipUnless(Python.HasZarr, "python3-zarr is not installed (.ci/run installs it)");

        // Theirs (default compressor: Blosc lz4 with byte shuffle), a region written by us.
        string theirs = Path.Combine(_dir, "theirs.zarr");
        Assert.Equal(0, Python.Run($"import zarr, numpy as np; z = zarr.open('{theirs}', 'w', shape=(9, 7), chunks=(4, 3), dtype='f8'); z[:] = np.arange(63.0).reshape(9, 7)"));
        ZarrArray target = ZarrArray.Open(theirs);
        DArray.Full(-2.0, [5, 4], chunks: 3).ToZarr(target, 3..8, 2..6);
        Assert.Equal(0, Python.Run(
            $"import zarr, numpy as np; z = zarr.open('{theirs}', 'r'); e = np.arange(63.0).reshape(9, 7); e[3:8, 2:6] = -2; assert (z[:] == e).all(), z[:]"));

        // Ours, a region written by them; then read by us.
        string ours = Path.Combine(_dir, "ours.zarr");
        DArray.Arange<int>(0, 40).Reshape(8, 5).Rechunk(new[] { 3, 2 }).ToZarr(ours, new ZarrOptions(Compressor: "blosc", Level: 5));
        Assert.Equal(0, Python.Run($"import zarr, numpy as np; z = zarr.open('{ours}', 'r+'); z[1:6, 1:4] = np.full((5, 3), 7, dtype='i4')"));
        NDArray<int> expected = NDArray.Arange<int>(0, 40).Reshape(8, 5).Copy();
        expected.Slice(1..6, 1..4).Assign(NDArray<int>.Full(7, [5, 3]));
        TestData.Same(expected, DArray.FromZarr<int>(ours).Compute());
    }
}
