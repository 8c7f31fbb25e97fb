using System.Collections.Immutable;
using System.Text;
using Tessera.Arrays.Kernels;
using Tessera.Collections;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Arrays;

/// <summary>
/// A lazy n-dimensional array cut into blocks (Dask's <c>dask.array.Array</c>): a layered task graph
/// whose block <c>(name, i, j, …)</c> computes one <see cref="NDArray{TElement}"/>, plus the block
/// lengths along each axis. Operations build graph layers; <c>Compute()</c> runs them on the
/// configured scheduler (threads by default, or a connected cluster) and assembles the result.
/// </summary>
/// <typeparam name="TElement">The element type.</typeparam>
public sealed partial class DArray<TElement> : ITesseraCollection<NDArray<TElement>>
    where TElement : unmanaged
{
    private readonly int[][] _chunks;
    private Key[]? _keys;

    // Set on the result of an elementwise operation or a transpose: the same operation on the
    // inputs' selections (see Slice), or null where that is not done.
    private Func<Ix[], DArray<TElement>?>? _sliceThrough;

    // Set on a op b where a and b have the same shape and chunks: a reduction of it may read the
    // operands' blocks without materializing a op b (see FusedOperands and FusedReductions).
    private (BinaryOp Op, DArray<TElement> A, DArray<TElement> B)? _binaryOf;

    // Set on the result of Rechunk: the array before the rechunk. A reduction of the result reduces
    // this array's blocks instead and rechunks the (smaller) reduced array (see ReduceThroughRechunk).
    private DArray<TElement>? _rechunkOf;

    internal DArray(LayeredGraph graph, string name, int[][] chunks)
    {
        Graph = graph;
        Name = name;
        _chunks = chunks;
    }

    /// <summary>Gets the name of the array's last layer: block keys are <c>(Name, i, j, …)</c>.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public LayeredGraph Graph { get; }

    /// <summary>Gets the element type.</summary>
    public DType DType => DTypes.Of<TElement>();

    /// <summary>Gets the block lengths along each axis (-1 for an unknown length).</summary>
    public ImmutableArray<ImmutableArray<int>> Chunks => [.. _chunks.Select(c => ImmutableArray.Create(c))];

    internal int[][] ChunksArray => _chunks;

    /// <summary>Gets the array's shape (-1 along axes with unknown chunk lengths).</summary>
    public ImmutableArray<long> Shape => [.. _chunks.Select(c => c.Contains(-1) ? -1L : c.Sum(x => (long)x))];

    internal long[] ShapeArray => [.. Shape];

    /// <summary>Gets the number of axes.</summary>
    public int NDim => _chunks.Length;

    /// <summary>Gets the number of blocks along each axis.</summary>
    public ImmutableArray<int> NumBlocks => [.. _chunks.Select(c => c.Length)];

    /// <summary>Gets the total number of blocks.</summary>
    public int NPartitions => _chunks.Aggregate(1, (p, c) => p * c.Length);

    /// <summary>Gets the largest block length along each axis.</summary>
    public ImmutableArray<int> ChunkSize => [.. _chunks.Select(c => c.Length == 0 ? 0 : c.Max())];

    /// <summary>Gets the number of elements (-1 when unknown).</summary>
    public long Size => Shape.Any(d => d < 0) ? -1 : Shape.Aggregate(1L, (p, d) => p * d);

    /// <summary>Gets the number of bytes of the elements (-1 when unknown).</summary>
    public long NBytes => Size < 0 ? -1 : Size * DType.ItemSize();

    /// <summary>Gets whether any chunk length is unknown (after data-dependent operations); see <see cref="ComputeChunkSizes"/>.</summary>
    public bool HasUnknownChunks => _chunks.Any(c => c.Contains(-1));

    /// <inheritdoc/>
    public IReadOnlyList<Key> PartKeys => _keys ??= [.. BlockIndices(NumBlocksArray).Select(BlockKey)];

    internal int[] NumBlocksArray => [.. _chunks.Select(c => c.Length)];

    internal Key BlockKey(int[] index) => index.Length == 0 ? new Key(Name) : new Key(Name, index);

    /// <summary>Gets the lazy transpose (axes reversed).</summary>
    public DArray<TElement> T => Transpose();

    /// <summary>Gets a one-line summary like Dask's: shape, dtype, chunk size, blocks, tasks and bytes.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("dask.array<").Append(KeyNames.Split(Name)).Append(", shape=").Append(Shapes.Format([.. Shape]))
          .Append(", dtype=").Append(DType.NumPyName())
          .Append(", chunksize=").Append(Shapes.Format([.. ChunkSize.Select(c => (long)c)]))
          .Append(", blocks=").Append(NPartitions)
          .Append(", tasks=").Append(Graph.TaskCount)
          .Append(", nbytes=").Append(FormatBytes(NBytes)).Append('>');
        return sb.ToString();
    }

    private static string FormatBytes(long n)
    {
        if (n < 0)
        {
            return "unknown";
        }

        string[] units = ["B", "kiB", "MiB", "GiB", "TiB"];
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }

        return v.ToString(u == 0 ? "0" : "0.##", System.Globalization.CultureInfo.InvariantCulture) + " " + units[u];
    }

    /// <summary>Computes the array and blocks until its value is ready.</summary>
    /// <param name="scheduler">The scheduler; by default the configured one (a connected client, when there is one).</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The array in memory.</returns>
    public NDArray<TElement> Compute(IScheduler? scheduler = null, CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.Compute(this, scheduler, cancellationToken);

    /// <summary>Computes the array without blocking the caller.</summary>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The array in memory.</returns>
    public Task<NDArray<TElement>> ComputeAsync(CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.ComputeAsync(this, cancellationToken);

    /// <summary>Computes the blocks now and returns the same array over their values.</summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The persisted array.</returns>
    public DArray<TElement> Persist(IScheduler? scheduler = null, CancellationToken cancellationToken = default) =>
        Tessera.Collections.CollectionExtensions.Persist(this, scheduler, cancellationToken);

    /// <inheritdoc/>
    public NDArray<TElement> Assemble(IReadOnlyList<object?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (NDim == 0)
        {
            return (NDArray<TElement>)parts[0]!;
        }

        return BlockGrid.Assemble([.. parts.Cast<NDArray<TElement>>()], NumBlocksArray);
    }

    /// <inheritdoc/>
    public TaskGraph Optimize(TaskGraph graph, IReadOnlyList<Key> outputs)
    {
        var fusable = new HashSet<string>(StringComparer.Ordinal);
        foreach (Layer l in Graph.Layers)
        {
            if (l is BlockLayer { Fusable: true })
            {
                fusable.Add(l.Name);
            }
        }

        return BlockwiseFusion.Fuse(graph, outputs, fusable);
    }

    /// <inheritdoc/>
    public ITesseraCollection WithGraph(LayeredGraph graph) => new DArray<TElement>(graph, Name, _chunks);

    internal static IEnumerable<int[]> BlockIndices(int[] numBlocks)
    {
        if (numBlocks.Any(n => n == 0))
        {
            yield break;
        }

        var index = new int[numBlocks.Length];
        while (true)
        {
            yield return (int[])index.Clone();
            int a = numBlocks.Length - 1;
            while (a >= 0)
            {
                if (++index[a] < numBlocks[a])
                {
                    break;
                }

                index[a] = 0;
                a--;
            }

            if (a < 0)
            {
                yield break;
            }
        }
    }

    internal int[] BlockShape(int[] index)
    {
        var s = new int[NDim];
        for (int a = 0; a < NDim; a++)
        {
            s[a] = _chunks[a][index[a]];
        }

        return s;
    }

    internal void RequireKnownChunks(string op)
    {
        if (HasUnknownChunks)
        {
            throw new InvalidOperationException(
                $"{op}: the array {Name} has unknown (NaN) chunk sizes {Shapes.Format([.. Shape])}; call ComputeChunkSizes() first.");
        }
    }

    /// <summary>Builds a new array from one node per output block.</summary>
    internal static DArray<TOut> Build<TOut>(string name, int[][] chunks, LayeredGraph dependencies, IEnumerable<string> dependsOn, Func<int[], Node> block, bool fusable)
        where TOut : unmanaged
    {
        int[] nb = [.. chunks.Select(c => c.Length)];
        var tasks = new TaskGraph(Math.Max(1, nb.Aggregate(1, (p, n) => p * n)));
        foreach (int[] index in BlockIndices(nb))
        {
            tasks.TryAdd(index.Length == 0 ? new Key(name) : new Key(name, index), block(index));
        }

        if (chunks.Length == 0)
        {
            tasks.TryAdd(new Key(name), block([]));
        }

        LayeredGraph graph = dependencies.Layers.Any(l => l.Name == name)
            ? dependencies
            : dependencies.With(new BlockLayer(name, tasks, fusable), dependsOn);
        return new DArray<TOut>(graph, name, chunks);
    }

    internal static string NewName(string prefix, params ReadOnlySpan<object?> parts) => prefix + "-" + Tokenizer.Tokenize([prefix, .. parts]);
}
