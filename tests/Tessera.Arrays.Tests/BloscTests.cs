namespace Tessera.Arrays.Tests;

/// <summary>Blosc chunks (Zarr v2's default compressor): stores written by python3-zarr read by us and the other way round.</summary>
public sealed class BloscTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tessera-blosc").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Element i of every test array: ((i * 7) % 101) - 50 as the dtype (bool: even; uint8: without the -50).
    private static double Value(long i) => ((i * 7) % 101) - 50;

    private static string PythonValues(string dtype, int n) => dtype switch
    {
        "bool" => $"(np.arange({n}) * 7 % 101 % 2 == 0)",
        "u1" => $"(np.arange({n}) * 7 % 101).astype('u1')",
        _ => $"(np.arange({n}) * 7 % 101 - 50).astype('{dtype}')",
    };

    private static NDArray<T> Expected<T>(int[] shape, Func<long, T> of)
        where T : unmanaged
    {
        int n = shape.Aggregate(1, (p, d) => p * d);
        return NDArray<T>.FromArray([.. Enumerable.Range(0, n).Select(i => of(i))], shape);
    }

    private string WriteWithPython(string name, string dtype, int[] shape, int[] chunks, string compressor = "")
    {
        string path = Path.Combine(_dir, name);
        int n = shape.Aggregate(1, (p, d) => p * d);
        string args = compressor.Length == 0 ? string.Empty : ", compressor=" + compressor;
        Assert.Equal(0, Python.Run(
            $"import zarr, numpy as np, numcodecs; z = zarr.open('{path}', 'w', shape={Tuple(shape)}, chunks={Tuple(chunks)}, dtype='{dtype}'{args}); z[:] = {PythonValues(dtype, n)}.reshape({Tuple(shape)})"));
        return path;
    }

    private static string Tuple(int[] xs) => "(" + string.Join(", ", xs) + ",)";

    [Fact]
    public void Read_DefaultCompressorOfPythonZarr_ForEveryDType()
    {
        Assert.SkipUnless(Python.HasZarr, "python3-zarr is not installed (.ci/run installs it)");
        int[] shape = [301, 257], chunks = [150, 200];

        // Chunks of 150 x 200 elements: several Blosc blocks and a leftover block for every type size.
        TestData.Same(Expected(shape, i => Value(i)), DArray.FromZarr<double>(WriteWithPython("f8", "<f8", shape, chunks)).Compute());
        TestData.Same(Expected(shape, i => (float)Value(i)), DArray.FromZarr<float>(WriteWithPython("f4", "<f4", shape, chunks)).Compute());
        TestData.Same(Expected(shape, i => (long)Value(i)), DArray.FromZarr<long>(WriteWithPython("i8", "<i8", shape, chunks)).Compute());
        TestData.Same(Expected(shape, i => (int)Value(i)), DArray.FromZarr<int>(WriteWithPython("i4", "<i4", shape, chunks)).Compute());
        TestData.Same(Expected(shape, i => (short)Value(i)), DArray.FromZarr<short>(WriteWithPython("i2", "<i2", shape, chunks)).Compute());
        TestData.Same(Expected(shape, i => (byte)(Value(i) + 50)), DArray.FromZarr<byte>(WriteWithPython("u1", "u1", shape, chunks)).Compute());
        TestData.Same(Expected(shape, i => ((i * 7) % 101) % 2 == 0), DArray.FromZarr<bool>(WriteWithPython("b", "bool", shape, chunks)).Compute());

        // Tiny chunks are stored uncompressed ("memcpyed") inside the Blosc container.
        TestData.Same(Expected([5, 3], i => Value(i)), DArray.FromZarr<double>(WriteWithPython("tiny", "<f8", [5, 3], [2, 2])).Compute());
    }

    [Theory]
    [InlineData("numcodecs.Blosc(cname='lz4', clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE)")]
    [InlineData("numcodecs.Blosc(cname='zstd', clevel=3, shuffle=numcodecs.Blosc.SHUFFLE)")]
    [InlineData("numcodecs.Blosc(cname='zlib', clevel=1, shuffle=numcodecs.Blosc.NOSHUFFLE)")]
    [InlineData("numcodecs.Blosc(cname='lz4hc', clevel=9, shuffle=numcodecs.Blosc.SHUFFLE, blocksize=4096)")]
    [InlineData("numcodecs.Blosc(cname='lz4', clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE, blocksize=1000)")]
    public void Read_OtherBloscSettingsOfPythonZarr(string compressor)
    {
        Assert.SkipUnless(Python.HasZarr, "python3-zarr is not installed (.ci/run installs it)");
        int[] shape = [203, 61];
        string path = WriteWithPython("settings", "<i4", shape, [100, 50], compressor);
        TestData.Same(Expected(shape, i => (int)Value(i)), DArray.FromZarr<int>(path).Compute());
        path = WriteWithPython("settings8", "<f8", shape, [64, 61], compressor);
        TestData.Same(Expected(shape, i => Value(i)), DArray.FromZarr<double>(path).Compute());
    }

    [Theory]
    [InlineData("numcodecs.Blosc(cname='blosclz', clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)")]
    [InlineData("numcodecs.Blosc(cname='blosclz', clevel=9, shuffle=numcodecs.Blosc.NOSHUFFLE)")]
    [InlineData("numcodecs.Blosc(cname='blosclz', clevel=1, shuffle=numcodecs.Blosc.BITSHUFFLE)")]
    public void Read_BloscLZ(string compressor)
    {
        Assert.SkipUnless(Python.HasZarr, "python3-zarr is not installed (.ci/run installs it)");

        // Long runs (the repeating pattern) give long matches and distances beyond 8191 bytes.
        int[] shape = [301, 257];
        TestData.Same(Expected(shape, i => Value(i)), DArray.FromZarr<double>(WriteWithPython("lz8", "<f8", shape, [150, 200], compressor)).Compute());
        TestData.Same(Expected(shape, i => (short)Value(i)), DArray.FromZarr<short>(WriteWithPython("lz2", "<i2", shape, [301, 257], compressor)).Compute());
        string random = Path.Combine(_dir, "lzrandom"), npy = Path.Combine(_dir, "lzrandom.npy");
        Assert.Equal(0, Python.Run(
            $"import zarr, numpy as np, numcodecs; a = np.round(np.random.default_rng(5).normal(size=40000), 2); np.save('{npy}', a); " +
            $"z = zarr.open('{random}', 'w', shape=(40000,), chunks=(20000,), dtype='<f8', compressor={compressor}); z[:] = a"));
        TestData.Same((NDArray<double>)NDArray.LoadNpy(npy), DArray.FromZarr<double>(random).Compute());
    }

    [Theory]
    [InlineData("lz4", BloscShuffle.Byte)]
    [InlineData("lz4hc", BloscShuffle.None)]
    [InlineData("zstd", BloscShuffle.Bit)]
    [InlineData("zlib", BloscShuffle.Byte)]
    public void Write_ReadByPythonZarr(string cname, BloscShuffle shuffle)
    {
        Assert.SkipUnless(Python.HasZarr, "python3-zarr is not installed (.ci/run installs it)");
        string path = Path.Combine(_dir, $"ours-{cname}-{shuffle}");
        var options = new ZarrOptions(Compressor: "blosc", Level: 5, BloscName: cname, Shuffle: shuffle);
        DArray.FromArray(Expected([301, 257], i => (long)Value(i)), new[] { 150, 200 }).ToZarr(path, options);
        DArray.FromArray(Expected([33], i => (short)Value(i)), 10).ToZarr(path + "-i2", options);
        Assert.Equal(0, Python.Run(
            $"import zarr, numpy as np; z = zarr.open('{path}', 'r'); assert z.compressor.cname == '{cname}' and z.compressor.shuffle == {(int)shuffle}, z.compressor; " +
            $"assert (z[:] == {PythonValues("<i8", 301 * 257)}.reshape(301, 257)).all(); " +
            $"assert (zarr.open('{path}-i2', 'r')[:] == {PythonValues("<i2", 33)}).all()"));
        TestData.Same(Expected([301, 257], i => (long)Value(i)), DArray.FromZarr<long>(path).Compute());
    }

    [Fact]
    public void CorruptBloscChunk_FailsNamingTheFile()
    {
        string path = Path.Combine(_dir, "corrupt");
        DArray.Arange<double>(0, 1000, chunks: 500).ToZarr(path, new ZarrOptions(Compressor: "blosc"));
        string chunk = Path.Combine(path, "1");
        byte[] bytes = File.ReadAllBytes(chunk);
        File.WriteAllBytes(chunk, bytes[..(bytes.Length / 2)]);
        Exception e = Assert.ThrowsAny<Exception>(() => DArray.FromZarr<double>(path).Compute());
        Assert.Contains(chunk, e.ToString(), StringComparison.Ordinal);
        Assert.Contains("truncated", e.ToString(), StringComparison.Ordinal);
    }
}
