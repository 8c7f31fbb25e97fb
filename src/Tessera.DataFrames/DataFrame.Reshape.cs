using Apache.Arrow;
using Tessera.Collections;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.DataFrames;

/// <summary>Repartition, Concat, DropDuplicates, Tail, Where/Mask.</summary>
public sealed partial class DataFrame
{
    private static readonly TaskFunction s_slicePiece = TaskFunction.Create<Table, int, int, Table>(SlicePiece, "split-partition");
    private static readonly TaskFunction s_identity = TaskFunction.Create<Table, Table>(static t => t, "alias");
    private static readonly TaskFunction s_partitionBytes = TaskFunction.Create<Table, long>(PartitionBytes, "memory-usage");
    private static readonly TaskFunction s_collectSizes = TaskFunction.Create<long[], long[]>(static s => s, "memory-usage-agg");
    private static readonly TaskFunction s_tailRows = TaskFunction.Create<Table[], int, Table>(TailRows, "tail");
    private static readonly TaskFunction s_dedupe = TaskFunction.Create<Table, string[], bool, Table>(Dedupe, "drop-duplicates-chunk");
    private static readonly TaskFunction s_dedupeAll = TaskFunction.Create<Table[], string[], bool, Table>(DedupeAll, "drop-duplicates-combine");
    private static readonly TaskFunction s_whereRows = TaskFunction.Create<Table, Table, object?, bool, Table>(WhereRows, "where");

    /// <summary>
    /// Changes the number of partitions (Dask's <c>repartition(npartitions=…)</c>): fewer partitions
    /// concatenate neighbours (divisions stay known when they were); more partitions split each one
    /// into row ranges of about equal length (divisions become unknown). Row order is kept.
    /// </summary>
    /// <param name="npartitions">The number of partitions.</param>
    /// <returns>The repartitioned frame.</returns>
    public DataFrame Repartition(int npartitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(npartitions, 1);
        if (npartitions == NPartitions)
        {
            return this;
        }

        var outputs = new List<List<(int Part, int Piece, int Pieces)>>();
        if (npartitions < NPartitions)
        {
            for (int j = 0; j < npartitions; j++)
            {
                int from = (int)((long)NPartitions * j / npartitions);
                int to = (int)((long)NPartitions * (j + 1) / npartitions);
                outputs.Add([.. Enumerable.Range(from, to - from).Select(p => (p, 0, 1))]);
            }
        }
        else
        {
            for (int p = 0; p < NPartitions; p++)
            {
                int pieces = (npartitions / NPartitions) + (p < npartitions % NPartitions ? 1 : 0);
                for (int i = 0; i < pieces; i++)
                {
                    outputs.Add([(p, i, pieces)]);
                }
            }
        }

        return FromPieces("repartition", outputs, npartitions);
    }

    /// <summary>
    /// Repartitions so that partitions hold about <paramref name="partitionBytes"/> bytes of Arrow
    /// buffers each (Dask's <c>repartition(partition_size=…)</c>): the partition sizes are computed
    /// now; large partitions are split into row ranges, small neighbours are concatenated.
    /// </summary>
    /// <param name="partitionBytes">The target size in bytes.</param>
    /// <param name="scheduler">Runs the sizing pass (default: the default scheduler).</param>
    /// <returns>The repartitioned frame.</returns>
    public DataFrame Repartition(long partitionBytes, IScheduler? scheduler)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionBytes, 1);
        string name = Plan.Name("memory-usage", Layer);
        var tasks = new TaskGraph(NPartitions + 1);
        var refs = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(s_partitionBytes, Node.Ref(new Key(Layer, i))));
            refs[i] = Node.Ref(key);
        }

        tasks.TryAdd(new Key(name, 0), Node.Call(s_collectSizes, Node.List<long>(refs)));
        long[] sizes = new Scalar<long[]>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0)).Compute(scheduler);
        var outputs = new List<List<(int Part, int Piece, int Pieces)>>();
        List<(int, int, int)> current = [];
        long filled = 0;
        for (int p = 0; p < NPartitions; p++)
        {
            int pieces = (int)Math.Max(1, Math.Min(int.MaxValue, (sizes[p] + partitionBytes - 1) / partitionBytes));
            long pieceBytes = sizes[p] / pieces;
            for (int i = 0; i < pieces; i++)
            {
                if (current.Count > 0 && filled + pieceBytes > partitionBytes)
                {
                    outputs.Add(current);
                    current = [];
                    filled = 0;
                }

                current.Add((p, i, pieces));
                filled += pieceBytes;
            }
        }

        if (current.Count > 0)
        {
            outputs.Add(current);
        }

        return FromPieces("repartition-size", outputs, partitionBytes);
    }

    /// <summary>
    /// Concatenates frames with the same columns one after the other (Dask's <c>concat</c>, axis 0):
    /// the result's partitions are the inputs' partitions in order. Columns are matched by name (the
    /// first frame's order is kept); divisions stay known when every input's are and they do not overlap.
    /// </summary>
    /// <param name="frames">The frames (at least one).</param>
    /// <returns>The concatenated frame.</returns>
    /// <exception cref="ArgumentException">The frames' columns, dtypes or indexes differ; the message names the column.</exception>
    public static DataFrame Concat(IReadOnlyList<DataFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("concat needs at least one frame.", nameof(frames));
        }

        DataFrame first = frames[0];
        var aligned = new List<DataFrame> { first };
        for (int f = 1; f < frames.Count; f++)
        {
            DataFrame other = frames[f];
            if (!other.Meta.IndexNames.SequenceEqual(first.Meta.IndexNames))
            {
                throw new ArgumentException($"concat: frame {f} has index [{string.Join(", ", other.Meta.IndexNames)}] but frame 0 has [{string.Join(", ", first.Meta.IndexNames)}].", nameof(frames));
            }

            foreach (string c in first.Meta.IndexNames.Concat(first.Columns))
            {
                if (!other.Meta.HasColumn(c))
                {
                    throw new ArgumentException($"concat: frame {f} has no column '{c}'; its columns are: {string.Join(", ", other.Columns.Select(x => $"'{x}'"))}.", nameof(frames));
                }

                if (other.Meta.DTypeOf(c) != first.Meta.DTypeOf(c))
                {
                    throw new ArgumentException($"concat: column '{c}' is {first.Meta.DTypeOf(c).Name()} in frame 0 but {other.Meta.DTypeOf(c).Name()} in frame {f}; convert one with AsType.", nameof(frames));
                }
            }

            if (other.Columns.Count != first.Columns.Count)
            {
                string extra = other.Columns.First(c => !first.Meta.HasColumn(c));
                throw new ArgumentException($"concat: frame {f} has column '{extra}' that frame 0 lacks.", nameof(frames));
            }

            aligned.Add(other.Columns.SequenceEqual(first.Columns) ? other : other.Select([.. first.Columns]));
        }

        string name = Plan.Name("concat", [.. aligned.Select(a => a.Layer)]);
        var tasks = new TaskGraph();
        int at = 0;
        LayeredGraph graph = aligned[0].Graph;
        foreach (DataFrame a in aligned.Skip(1))
        {
            graph = ReferenceEquals(graph, a.Graph) ? graph : LayeredGraph.Merge(graph, a.Graph);
        }

        foreach (DataFrame a in aligned)
        {
            for (int i = 0; i < a.NPartitions; i++)
            {
                tasks.TryAdd(new Key(name, at++), Node.Call(s_identity, Node.Ref(new Key(a.Layer, i))));
            }
        }

        object?[] divisions = Plan.UnknownDivisions(at);
        if (aligned.All(a => a.KnownDivisions))
        {
            var d = new List<object?>();
            bool ordered = true;
            for (int f = 0; f < aligned.Count && ordered; f++)
            {
                IReadOnlyList<object?> own = aligned[f].Divisions;
                if (f > 0)
                {
                    ordered = CompareDivision(own[0], d[^1]) > 0;
                    d.RemoveAt(d.Count - 1);
                }

                d.AddRange(own);
            }

            if (ordered)
            {
                divisions = [.. d];
            }
        }

        LayeredGraph g = graph.With(new MaterializedLayer(name, tasks), [.. aligned.Select(a => a.Layer).Distinct()]);
        return new DataFrame(g, name, at, first.Meta, divisions);
    }

    /// <summary>
    /// Removes duplicate rows (Dask's <c>drop_duplicates</c>): rows are duplicates when they are equal
    /// in the <paramref name="subset"/> columns (all data columns by default); missing values count as
    /// equal. A tree reduction keeps the first (or last) occurrence, in row order.
    /// </summary>
    /// <param name="subset">The columns that decide equality (none: all data columns).</param>
    /// <param name="keepLast">Keep the last occurrence instead of the first.</param>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">The number of output partitions (hash-partitioned by the subset when &gt; 1).</param>
    /// <returns>The frame without duplicates.</returns>
    public DataFrame DropDuplicates(string[]? subset = null, bool keepLast = false, int splitEvery = 8, int splitOut = 1)
    {
        string[] keys = subset is { Length: > 0 } ? subset : [.. Columns];
        foreach (string k in keys)
        {
            _ = Meta.Find(k, "drop_duplicates");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(splitOut, 1);
        string name = Plan.Name("drop-duplicates", [Layer, keepLast, splitEvery, splitOut, .. keys]);
        var tasks = new TaskGraph();
        var chunks = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(s_dedupe, Node.Ref(new Key(Layer, i)), Node.Literal(keys), Node.Literal(keepLast)));
            chunks[i] = Node.Ref(key);
        }

        Func<Node, Node> combine = l => Node.Call(s_dedupeAll, l, Node.Literal(keys), Node.Literal(keepLast));
        if (splitOut == 1)
        {
            Plan.Tree<Table>(tasks, name, chunks, splitEvery, combine, combine);
        }
        else
        {
            var splits = new Node[chunks.Length];
            for (int i = 0; i < chunks.Length; i++)
            {
                var key = new Key(name + "-split", i);
                tasks.TryAdd(key, Node.Call(GroupSteps.SplitFn, chunks[i], Node.Literal(keys), Node.Literal(splitOut)));
                splits[i] = Node.Ref(key);
            }

            for (int j = 0; j < splitOut; j++)
            {
                int part = j;
                Plan.Tree<Table>(tasks, name, [.. splits.Select(s => Node.Call(Ops.Pick, s, Node.Literal(part)))], splitEvery, combine, combine, j);
            }
        }

        return new DataFrame(Graph.With(new MaterializedLayer(name, tasks), Layer), name, splitOut, Meta, Plan.UnknownDivisions(splitOut));
    }

    /// <summary>The last rows (computed now, like Dask's <c>tail</c>), from the last partitions.</summary>
    /// <param name="n">How many rows.</param>
    /// <param name="npartitions">How many trailing partitions to look in (-1: all).</param>
    /// <returns>The rows, in order.</returns>
    public Table Tail(int n = 5, int npartitions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int parts = npartitions < 0 ? NPartitions : Math.Min(Math.Max(1, npartitions), NPartitions);
        string name = Plan.Name("tail", Layer, n, parts);
        var tasks = new TaskGraph(1);
        tasks.TryAdd(new Key(name, 0), Node.Call(s_tailRows, Node.List<Table>([.. Enumerable.Range(NPartitions - parts, parts).Select(i => Node.Ref(new Key(Layer, i)))]), Node.Literal(n)));
        return new DataFrame(Graph.With(new MaterializedLayer(name, tasks), Layer), name, 1, Meta, Plan.UnknownDivisions(1)).Compute();
    }

    /// <summary>
    /// Keeps values where <paramref name="condition"/> is true and replaces the others with
    /// <paramref name="other"/> (missing by default), in every data column (pandas' <c>where</c> with a
    /// row condition, <c>axis=0</c>). A missing condition counts as false.
    /// </summary>
    /// <param name="condition">A bool series derived from this frame.</param>
    /// <param name="other">The replacement (null: missing); it must suit every column's dtype.</param>
    /// <returns>The lazy frame.</returns>
    public DataFrame Where(Series condition, object? other = null) => WhereMask("where", condition, other, invert: false);

    /// <summary>Replaces values where <paramref name="condition"/> is true (pandas' <c>mask</c>); the opposite of <see cref="Where"/>.</summary>
    /// <param name="condition">A bool series derived from this frame.</param>
    /// <param name="other">The replacement (null: missing).</param>
    /// <returns>The lazy frame.</returns>
    public DataFrame Mask(Series condition, object? other = null) => WhereMask("mask", condition, other, invert: true);

    private DataFrame WhereMask(string op, Series condition, object? other, bool invert)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition.DType != DType.Bool)
        {
            throw new ArgumentException($"{op}: the condition must be a bool series; '{condition.Name}' is {condition.DType.Name()}.", nameof(condition));
        }

        return Binary(op, condition, s_whereRows, Node.Literal(other), Node.Literal(invert));
    }

    internal static Table WhereRows(Table t, Table condition, object? other, bool invert)
    {
        IArrowArray c = Ops.Values(condition);
        if (c.Length != t.RowCount)
        {
            throw new InvalidOperationException($"where: the condition's partition has {c.Length} rows but the frame's has {t.RowCount}; the condition must come from the same frame.");
        }

        return t.WithColumns([.. t.DataColumns().Select(col => (col.Name, Kernels.Compute.Where(col.Array, c, other, invert, col.Name)))]);
    }

    private DataFrame FromPieces(string op, List<List<(int Part, int Piece, int Pieces)>> outputs, object token)
    {
        string name = Plan.Name(op, Layer, token);
        var tasks = new TaskGraph(outputs.Count);
        for (int j = 0; j < outputs.Count; j++)
        {
            Node[] pieces = [.. outputs[j].Select(x => x.Pieces == 1
                ? (Node)Node.Ref(new Key(Layer, x.Part))
                : Node.Call(s_slicePiece, Node.Ref(new Key(Layer, x.Part)), Node.Literal(x.Piece), Node.Literal(x.Pieces)))];
            tasks.TryAdd(new Key(name, j), pieces.Length == 1 && pieces[0] is not RefNode ? pieces[0] : Node.Call(Ops.ConcatTables, Node.List<Table>(pieces)));
        }

        object?[] divisions = Plan.UnknownDivisions(outputs.Count);
        if (KnownDivisions && outputs.All(o => o.All(x => x.Pieces == 1)))
        {
            for (int j = 0; j < outputs.Count; j++)
            {
                divisions[j] = _divisions[outputs[j][0].Part];
            }

            divisions[outputs.Count] = _divisions[NPartitions];
        }

        return new DataFrame(Graph.With(new MaterializedLayer(name, tasks), Layer), name, outputs.Count, Meta, divisions);
    }

    private static int CompareDivision(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (IComparable x, _) when b is not null && x.GetType() == b.GetType() => x.CompareTo(b),
        (IConvertible x, IConvertible y) => Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"concat: divisions {a} and {b} cannot be compared."),
    };

    private static Table SlicePiece(Table t, int piece, int pieces)
    {
        int from = (int)((long)t.RowCount * piece / pieces);
        int to = (int)((long)t.RowCount * (piece + 1) / pieces);
        return t.Slice(from, to - from);
    }

    private static long PartitionBytes(Table t)
    {
        long total = 0;
        for (int c = 0; c < t.Schema.FieldsList.Count; c++)
        {
            foreach (ArrowBuffer b in t.ColumnAt(c).Data.Buffers)
            {
                total += b.Length;
            }
        }

        return total;
    }

    private static Table TailRows(Table[] parts, int n)
    {
        var taken = new List<Table>();
        int remaining = n;
        for (int i = parts.Length - 1; i >= 0 && remaining > 0; i--)
        {
            Table p = parts[i];
            int k = Math.Min(remaining, p.RowCount);
            taken.Insert(0, p.Slice(p.RowCount - k, k));
            remaining -= k;
        }

        return taken.Count == 0 ? parts[^1].Empty() : Table.Concat(taken);
    }

    private static Table Dedupe(Table t, string[] keys, bool keepLast)
    {
        if (t.RowCount < 2)
        {
            return t;
        }

        int[] rows = Hashing.KeepRows([.. keys.Select(k => t[k])], keepLast);
        return rows.Length == t.RowCount ? t : t.Take(rows);
    }

    private static Table DedupeAll(Table[] parts, string[] keys, bool keepLast) => Dedupe(Table.Concat(parts), keys, keepLast);
}
