using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;
using Tessera.Collections;

namespace Tessera.Arrays.Hdf5;

/// <summary>How <see cref="Hdf5.Write{T}(DArray{T}, string, string, Hdf5WriteOptions?)"/> lays out a dataset.</summary>
/// <param name="Deflate">The gzip/deflate level of each chunk (0, 1 or 9: the levels that PureHDF writes), or null for none.</param>
/// <param name="Shuffle">Whether HDF5's byte-shuffle filter runs before deflate (h5py's <c>shuffle=True</c>).</param>
/// <param name="Attributes">Attributes of the dataset: numbers, strings, or arrays of numbers.</param>
/// <param name="BlocksAtOnce">How many blocks to compute together (default: twice the processor count); bounds memory.</param>
public sealed record Hdf5WriteOptions(int? Deflate = null, bool Shuffle = false, IReadOnlyDictionary<string, object>? Attributes = null, int? BlocksAtOnce = null);

/// <summary>One dataset of a file written by <see cref="Hdf5.Write(string, Hdf5Entry[])"/>; made by <see cref="Of{T}"/>.</summary>
public sealed class Hdf5Entry
{
    private Hdf5Entry(string dataset, object h5, Action<H5NativeWriter> write)
    {
        Dataset = dataset;
        H5 = h5;
        WriteBlocks = write;
    }

    /// <summary>Gets the dataset's path within the file (<c>"x"</c> or <c>"group/x"</c>).</summary>
    public string Dataset { get; }

    internal object H5 { get; }

    internal Action<H5NativeWriter> WriteBlocks { get; }

    /// <summary>Describes a dataset to write: its path, the array and the layout; checked now.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="dataset">The dataset's path; groups on the way are created.</param>
    /// <param name="array">The array; its chunk sizes must be known. The dataset is chunked like its blocks.</param>
    /// <param name="options">Compression, attributes and batch size.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentException">The path, the array's chunks or the options are invalid (the message names them).</exception>
    public static Hdf5Entry Of<T>(string dataset, DArray<T> array, Hdf5WriteOptions? options = null)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        ArgumentNullException.ThrowIfNull(array);
        Hdf5WriteOptions o = options ?? new Hdf5WriteOptions();
        string[] parts = dataset.Trim('/').Split('/');
        if (parts.Any(p => p.Length == 0 || p == "." || p == ".."))
        {
            throw new ArgumentException($"to_hdf5: dataset path '{dataset}' has an empty, '.' or '..' part.", nameof(dataset));
        }

        int batch = o.BlocksAtOnce ?? (2 * Environment.ProcessorCount);
        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"to_hdf5: BlocksAtOnce is {batch}; it must be at least 1.");
        }

        if (o.Deflate is not (null or 0 or 1 or 9))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"to_hdf5: deflate level {o.Deflate} is not supported; PureHDF writes levels 0, 1 and 9.");
        }

        if (array.Shape.Any(n => n < 0))
        {
            throw new ArgumentException($"to_hdf5: the chunk sizes of the array for '{dataset}' are unknown; call ComputeChunkSizes() first.", nameof(array));
        }

        int rank = array.NDim;
        bool chunked = rank > 0 && array.Shape.All(n => n > 0);
        if ((o.Deflate is not null || o.Shuffle) && !chunked)
        {
            throw new ArgumentException($"to_hdf5: dataset '{dataset}' of shape {Shapes.Format([.. array.Shape])} cannot be compressed: HDF5 filters need a chunked layout (at least one axis, none empty).", nameof(options));
        }

        var filters = new List<H5Filter>();
        if (o.Shuffle)
        {
            filters.Add(new H5Filter(ShuffleFilter.Id));
        }

        if (o.Deflate is int level)
        {
            filters.Add(new H5Filter(DeflateFilter.Id, new Dictionary<string, object> { [DeflateFilter.COMPRESSION_LEVEL] = level }));
        }

        ulong[] dims = [.. array.Shape.Select(n => (ulong)n)];
        uint[]? chunks = chunked ? [.. array.Chunks.Select(c => (uint)c.Max())] : null;
        var h5 = new H5Dataset<T[]>(dims, chunks, datasetCreation: new H5DatasetCreation(Filters: filters));
        if (o.Attributes is { Count: > 0 } attributes)
        {
            foreach ((string name, object value) in attributes)
            {
                if (value is not (string or double or float or long or int or short or sbyte or ulong or uint or ushort or byte or double[] or float[] or long[] or int[]))
                {
                    throw new ArgumentException(
                        $"to_hdf5: attribute '{name}' of dataset '{dataset}' is a {value?.GetType().Name ?? "null"}; attributes are numbers, strings or arrays of double, float, long or int.", nameof(options));
                }
            }

            h5.Attributes = attributes.ToDictionary(kv => kv.Key, kv => kv.Value);
        }

        long[][] starts = [.. array.ChunksArray.Select(Chunking.Starts)];
        int[][] indices = [.. DArray<T>.BlockIndices(array.NumBlocksArray)];
        return new Hdf5Entry(string.Join('/', parts), h5, writer =>
        {
            Delayed<NDArray<T>>[] blocks = array.ToDelayed<NDArray<T>>();
            for (int first = 0; first < blocks.Length; first += batch)
            {
                IReadOnlyList<NDArray<T>> computed = Delayed.List(blocks.Skip(first).Take(batch)).Compute();
                for (int b = 0; b < computed.Count; b++)
                {
                    int[] index = indices[first + b];
                    NDArray<T> block = computed[b];
                    Selection where = rank == 0
                        ? new AllSelection()
                        : new HyperslabSelection(rank, [.. index.Select((i, a) => (ulong)starts[a][i])], [.. block.Shape.Select(n => (ulong)n)]);
                    writer.Write(h5, block.ToArray(), fileSelection: where);
                }
            }
        });
    }
}

/// <content>Writing arrays as datasets of a new HDF5 file.</content>
public static partial class Hdf5
{
    /// <summary>
    /// Computes an array and writes it as a dataset of a new HDF5 file (Dask's <c>da.to_hdf5</c>),
    /// chunked like the array's blocks, optionally deflate-compressed and with attributes. The
    /// blocks are computed a few at a time on the configured scheduler and written in order; the
    /// file appears under its name only once it is complete (an existing file is replaced).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="array">The array; its chunk sizes must be known.</param>
    /// <param name="path">The file to create.</param>
    /// <param name="dataset">The dataset's path (<c>"x"</c> or <c>"group/x"</c>; groups are created).</param>
    /// <param name="options">Compression, attributes and batch size.</param>
    public static void Write<T>(DArray<T> array, string path, string dataset, Hdf5WriteOptions? options = null)
        where T : unmanaged => Write(path, Hdf5Entry.Of(dataset, array, options));

    /// <summary>
    /// Writes several arrays as datasets of one new HDF5 file (Dask's <c>da.to_hdf5(path, {"/x": x, "/y": y})</c>);
    /// each is computed and written in turn (see <see cref="Write{T}(DArray{T}, string, string, Hdf5WriteOptions?)"/>).
    /// </summary>
    /// <param name="path">The file to create (replaced if it exists).</param>
    /// <param name="datasets">The datasets, made by <see cref="Hdf5Entry.Of{T}"/>.</param>
    /// <exception cref="ArgumentException">Two entries have the same path, or one's path runs through another's dataset.</exception>
    public static void Write(string path, params Hdf5Entry[] datasets)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(datasets);
        var file = new H5File();
        foreach (Hdf5Entry entry in datasets)
        {
            string[] parts = entry.Dataset.Split('/');
            H5Group group = file;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                if (!group.TryGetValue(parts[i], out object? child))
                {
                    group[parts[i]] = child = new H5Group();
                }

                group = child as H5Group ?? throw new ArgumentException(
                    $"to_hdf5: dataset '{entry.Dataset}' would be inside '{string.Join('/', parts[..(i + 1)])}', which is a dataset.", nameof(datasets));
            }

            if (group.ContainsKey(parts[^1]))
            {
                throw new ArgumentException(
                    $"to_hdf5: '{entry.Dataset}' is written twice, or is both a dataset and a group; give each dataset its own path.", nameof(datasets));
            }

            group[parts[^1]] = entry.H5;
        }

        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (H5NativeWriter writer = file.BeginWrite(temporary))
            {
                foreach (Hdf5Entry entry in datasets)
                {
                    entry.WriteBlocks(writer);
                }
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Computes the array and writes it as a dataset of a new HDF5 file (see <see cref="Write{T}(DArray{T}, string, string, Hdf5WriteOptions?)"/>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="array">The array.</param>
    /// <param name="path">The file to create (replaced if it exists).</param>
    /// <param name="dataset">The dataset's path (<c>"x"</c> or <c>"group/x"</c>).</param>
    /// <param name="options">Compression, attributes and batch size.</param>
    public static void ToHdf5<T>(this DArray<T> array, string path, string dataset, Hdf5WriteOptions? options = null)
        where T : unmanaged => Write(array, path, dataset, options);
}
