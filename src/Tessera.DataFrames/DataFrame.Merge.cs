using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Merges and shuffles.</summary>
public sealed partial class DataFrame
{
    private static readonly TaskFunction s_join = TaskFunction.Create<Table, Table, object[], Table>(JoinParts, "merge");
    private static readonly TaskFunction s_split = TaskFunction.Create<Table, string[], int, Table[]>(GroupSteps.Split, "shuffle-split");

    /// <summary>
    /// Joins with another frame on key columns (pandas' <c>merge</c>). When <paramref name="right"/>
    /// is small (one partition, or fewer than half of log2 of this frame's partitions, for inner and
    /// left joins) every partition of this frame is joined with all of it (a broadcast join); otherwise
    /// both sides are hash-partitioned on the keys by a task-based shuffle and joined partition by partition.
    /// </summary>
    /// <param name="right">The other frame.</param>
    /// <param name="on">The key columns (the same names on both sides).</param>
    /// <param name="how">Which unmatched rows to keep.</param>
    /// <param name="suffixes">Appended to non-key column names that appear on both sides.</param>
    /// <param name="broadcast">Force (true) or forbid (false) a broadcast join; null decides by size.</param>
    /// <returns>The lazy merged frame (no index; unknown divisions).</returns>
    public DataFrame Merge(DataFrame right, string[] on, JoinHow how = JoinHow.Inner, (string Left, string Right)? suffixes = null, bool? broadcast = null) =>
        Merge(right, on, on, how, suffixes, broadcast);

    /// <summary>Joins with another frame on key columns with different names on each side.</summary>
    /// <param name="right">The other frame.</param>
    /// <param name="leftOn">This frame's key columns.</param>
    /// <param name="rightOn">The other frame's key columns, in the same order.</param>
    /// <param name="how">Which unmatched rows to keep.</param>
    /// <param name="suffixes">Appended to non-key column names that appear on both sides (default <c>_x</c>, <c>_y</c>).</param>
    /// <param name="broadcast">Force (true) or forbid (false) a broadcast join; null decides by size.</param>
    /// <returns>The lazy merged frame.</returns>
    public DataFrame Merge(DataFrame right, string[] leftOn, string[] rightOn, JoinHow how = JoinHow.Inner, (string Left, string Right)? suffixes = null, bool? broadcast = null)
    {
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(leftOn);
        ArgumentNullException.ThrowIfNull(rightOn);
        if (leftOn.Length == 0 || leftOn.Length != rightOn.Length)
        {
            throw new ArgumentException($"merge: give the same number (at least one) of key columns for each side, not {leftOn.Length} and {rightOn.Length}.");
        }

        (string sl, string sr) = suffixes ?? ("_x", "_y");
        DataFrame left = this;
        var castLeft = new Dictionary<string, DType>();
        var castRight = new Dictionary<string, DType>();
        for (int k = 0; k < leftOn.Length; k++)
        {
            DType a = left.Meta.DTypeOf(CheckKey(left.Meta, leftOn[k], "left"));
            DType b = right.Meta.DTypeOf(CheckKey(right.Meta, rightOn[k], "right"));
            if (a == b)
            {
                continue;
            }

            if (!(a.IsNumeric() && b.IsNumeric()))
            {
                throw new ArgumentException($"merge: key '{leftOn[k]}' is {a.Name()} on the left and '{rightOn[k]}' is {b.Name()} on the right; convert one with AsType.");
            }

            DType common = Tessera.DataFrames.DTypes.Promote(a, b);
            castLeft[leftOn[k]] = common;
            castRight[rightOn[k]] = common;
        }

        if (castLeft.Count > 0)
        {
            left = left.AsType(castLeft);
            right = right.AsType(castRight);
        }

        object[] spec = [leftOn, rightOn, (int)how, new[] { sl, sr }];
        Table meta = JoinParts(left.Meta, right.Meta, spec);
        bool small = right.NPartitions == 1 || (how is JoinHow.Inner or JoinHow.Left && right.NPartitions < 0.5 * Math.Log2(Math.Max(2, left.NPartitions)));
        if ((broadcast ?? small) && how is JoinHow.Inner or JoinHow.Left)
        {
            string name = Plan.Name("merge-broadcast", [left.Layer, right.Layer, .. spec]);
            var tasks = new TaskGraph(left.NPartitions + 1);
            Node all;
            if (right.NPartitions == 1)
            {
                all = Node.Ref(new Key(right.Layer, 0));
            }
            else
            {
                var rightAll = new Key(name + "-right", 0);
                tasks.TryAdd(rightAll, Node.Call(Ops.ConcatTables, Node.List<Table>([.. Enumerable.Range(0, right.NPartitions).Select(i => Node.Ref(new Key(right.Layer, i)))])));
                all = Node.Ref(rightAll);
            }

            for (int i = 0; i < left.NPartitions; i++)
            {
                tasks.TryAdd(new Key(name, i), Node.Call(s_join, Node.Ref(new Key(left.Layer, i)), all, Node.Literal(spec)));
            }

            LayeredGraph g = LayeredGraph.Merge(left.Graph, right.Graph).With(new MaterializedLayer(name, tasks), left.Layer, right.Layer);
            return new DataFrame(g, name, left.NPartitions, meta, Plan.UnknownDivisions(left.NPartitions));
        }

        int n = Math.Max(left.NPartitions, right.NPartitions);
        DataFrame ls = left.Shuffle(leftOn, n);
        DataFrame rs = right.Shuffle(rightOn, n);
        string joined = Plan.Name("merge-hash", [ls.Layer, rs.Layer, .. spec]);
        var joins = new TaskGraph(n);
        for (int i = 0; i < n; i++)
        {
            joins.TryAdd(new Key(joined, i), Node.Call(s_join, Node.Ref(new Key(ls.Layer, i)), Node.Ref(new Key(rs.Layer, i)), Node.Literal(spec)));
        }

        LayeredGraph merged = LayeredGraph.Merge(ls.Graph, rs.Graph).With(new MaterializedLayer(joined, joins), ls.Layer, rs.Layer);
        return new DataFrame(merged, joined, n, meta, Plan.UnknownDivisions(n));
    }

    /// <summary>Hash-partitions rows on key columns so that equal keys land in the same partition (Dask's <c>shuffle</c>).</summary>
    /// <param name="on">The key columns.</param>
    /// <param name="npartitions">The number of output partitions (default: the same as now).</param>
    /// <returns>The shuffled frame (index kept; unknown divisions).</returns>
    public DataFrame Shuffle(string[] on, int? npartitions = null)
    {
        ArgumentNullException.ThrowIfNull(on);
        foreach (string k in on)
        {
            _ = Meta.Find(k, "shuffle");
        }

        int n = npartitions ?? NPartitions;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(npartitions));
        return TaskShuffle.Run(this, "hash", s_split, [Node.Literal(on), Node.Literal(n)], n);
    }

    private static string CheckKey(Table meta, string key, string side)
    {
        if (!meta.ColumnNames.Contains(key))
        {
            throw Table.UnknownColumn($"merge ({side} key)", key, meta.ColumnNames);
        }

        return key;
    }

    private static Table JoinParts(Table left, Table right, object[] spec) =>
        Kernels.Join.HashJoin(left, right, (string[])spec[0], (string[])spec[1], (int)spec[2], (string[])spec[3]);

    /// <summary>
    /// The shuffle seam: a task-based all-to-all (each input partition is split by key hash into n
    /// pieces; output partition j concatenates the j-th pieces). A peer-to-peer shuffle on the
    /// distributed runtime can replace it behind <see cref="Shuffle"/>.
    /// </summary>
    internal static class TaskShuffle
    {
        /// <summary>Moves rows between partitions.</summary>
        /// <param name="frame">The input.</param>
        /// <param name="kind">Names the split (for task keys).</param>
        /// <param name="split">Called as <c>split(partition, splitArgs…)</c>; returns <paramref name="n"/> tables, one per output partition.</param>
        /// <param name="splitArgs">Literal arguments of <paramref name="split"/>.</param>
        /// <param name="n">The number of output partitions.</param>
        /// <returns>The shuffled frame (unknown divisions).</returns>
        public static DataFrame Run(DataFrame frame, string kind, TaskFunction split, Node[] splitArgs, int n)
        {
            string name = Plan.Name("shuffle-" + kind, [frame.Layer, n, .. splitArgs.Select(a => ((LiteralNode)a).Value)]);
            var tasks = new TaskGraph((frame.NPartitions + n) * 2);
            var splits = new Node[frame.NPartitions];
            for (int i = 0; i < frame.NPartitions; i++)
            {
                var key = new Key(name + "-split", i);
                tasks.TryAdd(key, Node.Call(split, [Node.Ref(new Key(frame.Layer, i)), .. splitArgs]));
                splits[i] = Node.Ref(key);
            }

            for (int j = 0; j < n; j++)
            {
                int part = j;
                tasks.TryAdd(new Key(name, j), Node.Call(Ops.ConcatTables, Node.List<Table>([.. splits.Select(s => Node.Call(Ops.Pick, s, Node.Literal(part)))])));
            }

            LayeredGraph g = frame.Graph.With(new MaterializedLayer(name, tasks), frame.Layer);
            return new DataFrame(g, name, n, frame.Meta, Plan.UnknownDivisions(n));
        }
    }
}
