using System.Collections.Immutable;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>
/// An existing Zarr v2 or v3 array on disk, opened or created for writing into: the target of
/// <see cref="DArray{TElement}.ToZarr(ZarrArray, Ix[])"/> and <see cref="DArray.Store(IEnumerable{ZarrWrite})"/>
/// (Dask's <c>to_zarr(..., region=...)</c> and <c>store(sources, targets, regions)</c>).
/// </summary>
public sealed class ZarrArray
{
    private ZarrArray(string path, Zarr.Meta meta)
    {
        Path = path;
        Meta = meta;
    }

    /// <summary>Gets the store's full path.</summary>
    public string Path { get; }

    /// <summary>Gets the array's shape.</summary>
    public ImmutableArray<long> Shape => [.. Meta.Shape];

    /// <summary>Gets the shape of one chunk.</summary>
    public ImmutableArray<int> Chunks => [.. Meta.Chunks];

    /// <summary>Gets the element type.</summary>
    public DType DType => Meta.DType;

    /// <summary>Gets the Zarr format, 2 or 3.</summary>
    public int Format => Meta.Format;

    internal Zarr.Meta Meta { get; }

    /// <summary>Opens an existing Zarr array.</summary>
    /// <param name="path">The store's directory.</param>
    /// <returns>The array.</returns>
    /// <exception cref="FileNotFoundException">The directory holds no Zarr array.</exception>
    /// <exception cref="InvalidDataException">The metadata is malformed.</exception>
    public static ZarrArray Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        return new ZarrArray(full, Zarr.ReadMeta(full));
    }

    /// <summary>
    /// Creates an empty Zarr array (its metadata only: every chunk reads as the fill value 0 until
    /// written), like <c>zarr.create</c>.
    /// </summary>
    /// <param name="path">The store's directory.</param>
    /// <param name="shape">The array's shape.</param>
    /// <param name="chunks">The shape of one chunk.</param>
    /// <param name="dtype">The element type.</param>
    /// <param name="options">Format, compressor and overwrite; by default v2 with zlib level 1.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentException">The shape, chunks or options are invalid (the message names them).</exception>
    /// <exception cref="IOException">The directory exists, is not empty and <see cref="ZarrOptions.Overwrite"/> is false.</exception>
    public static ZarrArray Create(string path, IReadOnlyList<long> shape, IReadOnlyList<int> chunks, DType dtype, ZarrOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(chunks);
        ZarrOptions o = options ?? new ZarrOptions();
        if (chunks.Count != shape.Count || shape.Any(n => n < 0) || chunks.Any(c => c < 1))
        {
            throw new ArgumentException(
                $"to_zarr: chunks {Shapes.Format([.. chunks])} do not fit shape {Shapes.Format([.. shape])}: one positive chunk length per axis is needed.", nameof(chunks));
        }

        if (o.Format is not (2 or 3))
        {
            throw new ArgumentException($"to_zarr: format {o.Format} is not supported; use 2 or 3.", nameof(options));
        }

        if (o.Compressor is not (null or "zlib" or "gzip" or "zstd" or "blosc") || (o.Format == 3 && o.Compressor == "zlib"))
        {
            throw new ArgumentException($"to_zarr: compressor '{o.Compressor}' is not supported for Zarr v{o.Format} (v2: zlib, gzip, zstd, blosc; v3: gzip, zstd, blosc; or null).", nameof(options));
        }

        if (o.Compressor == "blosc" && !Blosc.Compressors.Contains(o.BloscName))
        {
            throw new ArgumentException($"to_zarr: Blosc compressor '{o.BloscName}' is not supported ({string.Join(", ", Blosc.Compressors)}).", nameof(options));
        }

        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!o.Overwrite)
            {
                throw new IOException($"to_zarr: {full} already exists and is not empty; pass Overwrite = true to replace it.");
            }

            Directory.Delete(full, recursive: true);
        }

        ZarrCodec? codec = o.Compressor is null ? null : new ZarrCodec(o.Compressor, o.Level, o.BloscName, (int)o.Shuffle);
        var meta = new Zarr.Meta(o.Format, [.. shape], [.. chunks], dtype, codec, 0, o.Format == 2 ? "." : "/");
        Zarr.WriteMeta(full, meta);
        return new ZarrArray(full, meta);
    }

    /// <summary>Reads the array back as a chunked array (see <see cref="DArray.FromZarr{T}(string)"/>).</summary>
    /// <typeparam name="T">The element type; it must match <see cref="DType"/>.</typeparam>
    /// <returns>The lazy array.</returns>
    public DArray<T> Read<T>()
        where T : unmanaged => DArray.FromZarr<T>(Path);

    /// <inheritdoc/>
    public override string ToString() => $"zarr.Array<v{Format}, shape={Shapes.Format([.. Meta.Shape])}, chunks={Shapes.Format(Meta.Chunks)}, dtype={DType.NumPyName()}, {Path}>";

    /// <summary>Normalizes a region (slices with step 1, one per leading axis) to start and stop per axis.</summary>
    internal (long[] Start, long[] Stop) Region(Ix[] region, string op)
    {
        long[] shape = Meta.Shape;
        if (region.Length > shape.Length)
        {
            throw new ArgumentException($"{op}: a region of {region.Length} items for target {this} of {shape.Length} dimensions.", nameof(region));
        }

        long[] start = new long[shape.Length], stop = [.. shape];
        for (int a = 0; a < region.Length; a++)
        {
            Ix r = region[a];
            if (r.Kind != IxKind.Slice || r.Step != 1)
            {
                throw new ArgumentException($"{op}: region item {a} ({r}) must be a slice with step 1, like Ix.S(10, 20) or 10..20.", nameof(region));
            }

            long n = shape[a];
            long s = r.Start is int i ? (i < 0 ? i + n : i) : 0;
            long e = r.Stop is int j ? (j < 0 ? j + n : j) : n;
            if (s < 0 || e > n || s > e)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(region), $"{op}: region {FormatRegion(region)} is out of bounds for axis {a} of target {this} (axis length {n}: {s}..{e}).");
            }

            (start[a], stop[a]) = (s, e);
        }

        return (start, stop);
    }

    internal static string FormatRegion(Ix[] region) => "(" + string.Join(", ", region.Select(r => r.ToString())) + ")";
}

/// <summary>
/// One array's write into a region of a <see cref="ZarrArray"/>, checked when made
/// (<see cref="DArray{TElement}.Into(ZarrArray, Ix[])"/>) and run by <see cref="DArray.Store(IEnumerable{ZarrWrite})"/>.
/// </summary>
public sealed class ZarrWrite
{
    internal ZarrWrite(IDArray source, ZarrArray target, long[] start, TaskFunction write)
    {
        Source = source;
        Target = target;
        Start = start;
        Function = write;
    }

    /// <summary>Gets the target array.</summary>
    public ZarrArray Target { get; }

    internal IDArray Source { get; }

    internal long[] Start { get; }

    internal TaskFunction Function { get; }
}

/// <content>Storing several arrays into Zarr targets in one graph.</content>
public static partial class DArray
{
    /// <summary>
    /// Writes several arrays into regions of existing Zarr arrays, computed together as one graph
    /// (Dask's <c>da.store(sources, targets, regions=...)</c>). Each source is first cut along its
    /// target's chunk grid within the region (a rechunk that is free when the blocks are aligned),
    /// so one task writes each touched chunk; a chunk that the region covers only in part is read,
    /// merged and rewritten by that task. Writes of different sources that touch the same chunk
    /// run one after another in the order given.
    /// </summary>
    /// <param name="writes">The writes, made by <see cref="DArray{TElement}.Into(ZarrArray, Ix[])"/>.</param>
    /// <returns>The number of chunk bytes written.</returns>
    public static long Store(params IEnumerable<ZarrWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ZarrWrite[] all = [.. writes];
        var previous = new Dictionary<string, Key>(StringComparer.Ordinal);
        var graphs = new List<LayeredGraph>();
        var dependsOn = new List<string>();
        var nodes = new List<Node>();
        string name = DArray<long>.NewName("store", [.. all.SelectMany(w => new object[] { w.Source.Name, w.Target.Path, string.Join(",", w.Start) })]);
        foreach (ZarrWrite w in all)
        {
            Zarr.Meta meta = w.Target.Meta;
            long[] shape = w.Source.ShapeArray;
            if (shape.Any(n => n == 0))
            {
                continue;
            }

            // The source's blocks: the target's chunks within the region.
            int[][] grid = [.. shape.Select((n, a) => Aligned(w.Start[a], n, meta.Chunks[a]))];
            IDArray aligned = w.Source.ChunksArray.Zip(grid).All(p => p.First.AsSpan().SequenceEqual(p.Second)) ? w.Source : w.Source.RechunkTo(grid);
            graphs.Add(aligned.Graph);
            dependsOn.Add(aligned.Name);
            long[][] starts = [.. grid.Select(Chunking.Starts)];
            foreach (int[] index in DArray<long>.BlockIndices([.. grid.Select(g => g.Length)]))
            {
                int rank = index.Length;
                int[] chunk = new int[rank], offset = new int[rank], valid = new int[rank];
                for (int a = 0; a < rank; a++)
                {
                    long at = w.Start[a] + starts[a][index[a]];
                    int c = meta.Chunks[a];
                    chunk[a] = (int)(at / c);
                    offset[a] = (int)(at - ((long)chunk[a] * c));
                    valid[a] = (int)Math.Min(c, meta.Shape[a] - ((long)chunk[a] * c));
                }

                string file = System.IO.Path.Combine(w.Target.Path, Zarr.ChunkKey(meta, chunk).Replace('/', System.IO.Path.DirectorySeparatorChar));
                var key = new Key(name, nodes.Count);
                Node after = previous.TryGetValue(file, out Key before) ? Node.Ref(before) : Node.Literal<NDArray<long>?>(null);
                previous[file] = key;
                nodes.Add(Node.Call(w.Function, Node.Ref(aligned.BlockKey(index)), Node.Literal(file), Node.Literal(meta.Chunks), Node.Literal(valid),
                    Node.Literal(offset), Node.Literal(meta.Codec?.Spec), Node.Literal(meta.Fill), after));
            }
        }

        if (nodes.Count == 0)
        {
            return 0;
        }

        DArray<long> written = DArray<long>.Build<long>(name, [[.. Enumerable.Repeat(1, nodes.Count)]], LayeredGraph.Merge(graphs), dependsOn, index => nodes[index[0]], fusable: true);
        return written.Sum().Compute().ToScalar();
    }

    // Block lengths along one axis for a region of `length` from `start`: cut at the target's chunk boundaries.
    private static int[] Aligned(long start, long length, int chunk)
    {
        var lengths = new List<int>();
        long at = start, end = start + length;
        while (at < end)
        {
            long next = Math.Min(end, ((at / chunk) + 1) * chunk);
            lengths.Add((int)(next - at));
            at = next;
        }

        return [.. lengths];
    }
}
