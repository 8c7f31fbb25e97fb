namespace Tessera.Arrays.Tests;

public sealed class ZarrTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tessera-zarr").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(2, null)]
    [InlineData(2, "zlib")]
    [InlineData(2, "gzip")]
    [InlineData(2, "zstd")]
    [InlineData(3, null)]
    [InlineData(3, "gzip")]
    [InlineData(3, "zstd")]
    [InlineData(2, "blosc")]
    [InlineData(3, "blosc")]
    public void RoundTrip_EveryFormatAndCodec(int format, string? codec)
    {
        var r = new Random(format);
        NDArray<double> a = TestData.Doubles(r, [23, 17]);
        string path = Path.Combine(_dir, $"a-{format}-{codec}.zarr");
        long bytes = DArray.FromArray(a, new[] { 5, 4 }).ToZarr(path, new ZarrOptions(format, codec));
        Assert.True(bytes > 0);
        DArray<double> back = DArray.FromZarr<double>(path);
        Assert.Equal([[5, 5, 5, 5, 3], [4, 4, 4, 4, 1]], back.Chunks.Select(c => c.ToArray()));
        TestData.Same(a, back.Compute());
        TestData.Close(a.Sum(axis: 0), back.Sum(axis: 0).Compute());
    }

    [Fact]
    public void RoundTrip_OtherDTypesAndDimensions()
    {
        var r = new Random(3);
        NDArray<int> i = TestData.Values<int>(r, [4, 3, 5]);
        DArray.FromArray(i, 2).ToZarr(Path.Combine(_dir, "i"));
        TestData.Same(i, DArray.FromZarr<int>(Path.Combine(_dir, "i")).Compute());
        NDArray<bool> b = TestData.Values<bool>(r, [9]);
        DArray.FromArray(b, 4).ToZarr(Path.Combine(_dir, "b"), new ZarrOptions(3, "zstd"));
        TestData.Same(b, DArray.FromZarr<bool>(Path.Combine(_dir, "b")).Compute());
    }

    [Fact]
    public void BadInput_IsNamed()
    {
        string path = Path.Combine(_dir, "x");
        DArray<double> x = DArray.Ones<double>([10], new[] { new[] { 3, 7 } });
        Assert.Contains("irregular", Assert.Throws<ArgumentException>(() => x.ToZarr(path)).Message, StringComparison.Ordinal);
        DArray.Ones<double>([10], 4).ToZarr(path);
        Assert.Throws<IOException>(() => DArray.Ones<double>([10], 4).ToZarr(path));
        DArray.Arange<double>(0, 10, chunks: 4).ToZarr(path, new ZarrOptions(Overwrite: true));
        Assert.Contains("holds float64, not int32", Assert.Throws<ArgumentException>(() => DArray.FromZarr<int>(path)).Message, StringComparison.Ordinal);

        // A missing chunk reads as the fill value; a corrupt one names its file.
        File.Delete(Path.Combine(path, "1"));
        Assert.Equal([0.0, 1, 2, 3, 0, 0, 0, 0, 8, 9], DArray.FromZarr<double>(path).Compute().ToArray());
        File.WriteAllBytes(Path.Combine(path, "2"), [1, 2, 3]);
        Exception e = Assert.ThrowsAny<Exception>(() => DArray.FromZarr<double>(path).Compute());
        Assert.Contains(Path.Combine(path, "2"), e.ToString(), StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => DArray.FromZarr<double>(_dir));
    }

    [Fact]
    public void InteroperatesWithPythonZarr()
    {
        Assert.SkipUnless(Python.HasZarr, "python3-zarr is not installed (.ci/run installs it)");
        string ours = Path.Combine(_dir, "ours.zarr"), theirs = Path.Combine(_dir, "theirs.zarr");
        NDArray<double> a = NDArray.Arange<double>(0, 35).Reshape(5, 7);
        DArray.FromArray(a, new[] { 2, 3 }).ToZarr(ours);
        Assert.Equal(0, Python.Run($"import zarr, numpy as np; z = zarr.open('{ours}', 'r'); assert z.shape == (5, 7) and z.chunks == (2, 3); assert (z[:] == np.arange(35.0).reshape(5, 7)).all()"));
        Assert.Equal(0, Python.Run($"import zarr, numpy as np, numcodecs; z = zarr.open('{theirs}', 'w', shape=(6, 4), chunks=(4, 3), dtype='i8', compressor=numcodecs.Zlib(level=3)); z[:] = np.arange(24).reshape(6, 4) * 3"));
        TestData.Same((NDArray.Arange<long>(0, 24) * 3L).Reshape(6, 4), DArray.FromZarr<long>(theirs).Compute());
    }
}
