using System.Globalization;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Tessera.Arrays.Hdf5;

/// <summary>A dataset of an HDF5 file, read block by block by <see cref="DArray.FromSource{T}(IArraySource{T}, ChunkSpec?)"/>.</summary>
/// <typeparam name="T">The element type; it matches the dataset's type.</typeparam>
/// <remarks>Plain data (the file's path, the dataset's path, its shape and storage chunks), so it travels to worker processes; each read opens the file.</remarks>
[TesseraData]
public sealed class Hdf5DatasetSource<T> : IArraySource<T>
    where T : unmanaged
{
    private readonly long[] _shape;
    private readonly int[]? _storageChunks;

    internal Hdf5DatasetSource(string file, string dataset, long[] shape, int[]? storageChunks, long modifiedTicks)
    {
        File = file;
        Dataset = dataset;
        _shape = shape;
        _storageChunks = storageChunks;
        Token = string.Create(CultureInfo.InvariantCulture, $"{file}:{dataset}@{modifiedTicks}");
    }

    /// <summary>Gets the file's full path.</summary>
    public string File { get; }

    /// <summary>Gets the dataset's path within the file.</summary>
    public string Dataset { get; }

    /// <inheritdoc/>
    public IReadOnlyList<long> Shape => _shape;

    /// <inheritdoc/>
    public IReadOnlyList<int>? StorageChunks => _storageChunks;

    /// <inheritdoc/>
    public string Token { get; }

    /// <inheritdoc/>
    public NDArray<T> Read(long[] start, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(shape);
        try
        {
            using NativeFile file = H5File.OpenRead(File);
            IH5Dataset dataset = file.Dataset(Dataset);
            T[] data = shape.Length == 0
                ? dataset.Read<T[]>()
                : dataset.Read<T[]>(fileSelection: new HyperslabSelection(shape.Length, [.. start.Select(s => (ulong)s)], [.. shape.Select(n => (ulong)n)]));
            return NDArray<T>.FromArray(data, shape);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            throw new InvalidDataException(
                $"from_hdf5: cannot read the block at ({string.Join(", ", start)}) of shape ({string.Join(", ", shape)}) of dataset '{Dataset}' in {File}: {e.Message}", e);
        }
    }
}
