using PureHDF;
using PureHDF.VOL.Native;

namespace Tessera.Arrays.Hdf5;

/// <summary>
/// Chunked arrays in HDF5 files (Dask's <c>da.from_array(h5py_dataset)</c> and <c>da.to_hdf5</c>),
/// through PureHDF: managed code, no native HDF5 library.
/// </summary>
public static partial class Hdf5
{
    /// <summary>Opens a dataset of an HDF5 file as a chunked array; each block's task reads its hyperslab.</summary>
    /// <typeparam name="T">The element type; it must match the dataset's type.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="dataset">The dataset's path within the file (<c>"x"</c> or <c>"group/x"</c>).</param>
    /// <param name="chunks">The blocks (default "auto", in multiples of the dataset's own chunks).</param>
    /// <returns>The chunked array.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The file has no such dataset, or its type is not <typeparamref name="T"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable HDF5 file.</exception>
    public static DArray<T> Read<T>(string path, string dataset, ChunkSpec? chunks = null)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"from_hdf5: {full} does not exist.", full);
        }

        NativeFile file;
        try
        {
            file = H5File.OpenRead(full);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"from_hdf5: {full} is not a readable HDF5 file: {e.Message}", e);
        }

        using (file)
        {
            IH5Dataset? ds = file.LinkExists(dataset) ? file.Get(dataset) as IH5Dataset : null;
            if (ds is null)
            {
                throw new ArgumentException($"from_hdf5: {full} has no dataset '{dataset}'.", nameof(dataset));
            }

            DType stored = DTypeOf(ds.Type, full, dataset);
            if (stored != DTypes.Of<T>())
            {
                throw new ArgumentException(
                    $"from_hdf5: dataset '{dataset}' in {full} holds {stored.NumPyName()}, not {DTypes.Of<T>().NumPyName()}; open it as Hdf5.Read<{stored.ClrType().Name}>.", nameof(dataset));
            }

            long[] shape = [.. ds.Space.Dimensions.Select(d => checked((long)d))];
            int[]? storageChunks = ds.Layout.Class == H5DataLayoutClass.Chunked ? [.. ds.Layout.Chunks.Take(shape.Length).Select(c => checked((int)c))] : null;
            var source = new Hdf5DatasetSource<T>(full, dataset, shape, storageChunks, File.GetLastWriteTimeUtc(full).Ticks);
            return DArray.FromSource(source, chunks);
        }
    }

    private static DType DTypeOf(IH5DataType type, string file, string dataset) => (type.Class, type.Size) switch
    {
        (H5DataTypeClass.FloatingPoint, 8) => DType.Float64,
        (H5DataTypeClass.FloatingPoint, 4) => DType.Float32,
        (H5DataTypeClass.FixedPoint, 1) => type.FixedPoint.IsSigned ? DType.Int8 : DType.UInt8,
        (H5DataTypeClass.FixedPoint, 2) => type.FixedPoint.IsSigned ? DType.Int16 : DType.UInt16,
        (H5DataTypeClass.FixedPoint, 4) => type.FixedPoint.IsSigned ? DType.Int32 : DType.UInt32,
        (H5DataTypeClass.FixedPoint, 8) => type.FixedPoint.IsSigned ? DType.Int64 : DType.UInt64,
        _ => throw new NotSupportedException(
            $"from_hdf5: dataset '{dataset}' in {file} has HDF5 type {type.Class} of {type.Size} bytes; arrays read integer and floating-point datasets."),
    };
}
