using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Joins on the index.</summary>
public sealed partial class DataFrame
{
    private static readonly TaskFunction s_sliceByIndex = TaskFunction.Create<Table[], object, object, bool, Table>(SliceByIndex, "align-partitions");
    private static readonly TaskFunction s_joinOnIndex = TaskFunction.Create<Table, Table, int, string[], Table>(JoinOnIndex, "join-index");

    /// <summary>
    /// Joins with another frame on the index (pandas' <c>join</c>; Dask's <c>merge</c> with
    /// <c>left_index</c> and <c>right_index</c>). When both frames have known divisions, each side's
    /// partitions are cut at the union of the two division lists and joined partition by partition:
    /// no shuffle, and the result keeps those divisions. Otherwise both sides are hash-shuffled on the
    /// index first.
    /// </summary>
    /// <param name="right">The other frame; its one-column index must have the same dtype as this one's.</param>
    /// <param name="how">Which unmatched rows to keep.</param>
    /// <param name="suffixes">Appended to column names that appear on both sides (default <c>_x</c>, <c>_y</c>).</param>
    /// <returns>The lazy joined frame, indexed by this frame's index name.</returns>
    /// <exception cref="ArgumentException">A side has no one-column index, or the index dtypes differ.</exception>
    public DataFrame Join(DataFrame right, JoinHow how = JoinHow.Inner, (string Left, string Right)? suffixes = null)
    {
        ArgumentNullException.ThrowIfNull(right);
        if (Meta.IndexNames.Count != 1 || right.Meta.IndexNames.Count != 1)
        {
            throw new ArgumentException($"join: both frames need a one-column index (use SetIndex); they have {Meta.IndexNames.Count} and {right.Meta.IndexNames.Count} index columns.", nameof(right));
        }

        DType a = Meta.DTypeOf(Meta.IndexNames[0]);
        DType b = right.Meta.DTypeOf(right.Meta.IndexNames[0]);
        if (a != b)
        {
            throw new ArgumentException($"join: the index is {a.Name()} on the left ('{Meta.IndexNames[0]}') and {b.Name()} on the right ('{right.Meta.IndexNames[0]}'); convert one first.", nameof(right));
        }

        (string sl, string sr) = suffixes ?? ("_x", "_y");
        string[] sfx = [sl, sr];
        Table meta = JoinOnIndex(Meta, right.Meta, (int)how, sfx);
        DataFrame l, r;
        object?[] divisions;
        if (KnownDivisions && right.KnownDivisions)
        {
            divisions = UnionDivisions(Divisions, right.Divisions);
            l = AlignTo(divisions);
            r = right.AlignTo(divisions);
        }
        else
        {
            int n = Math.Max(NPartitions, right.NPartitions);
            l = Shuffle([Meta.IndexNames[0]], n);
            r = right.Shuffle([right.Meta.IndexNames[0]], n);
            divisions = Plan.UnknownDivisions(n);
        }

        string name = Plan.Name("join-index", l.Layer, r.Layer, (int)how, sfx);
        LayeredGraph g = Plan.Blockwise2(l.Graph, r.Graph, name, l.Layer, r.Layer, l.NPartitions, s_joinOnIndex, Node.Literal((int)how), Node.Literal(sfx));
        return new DataFrame(g, name, l.NPartitions, meta, divisions);
    }

    /// <summary>The sorted distinct values of two division lists.</summary>
    private static object?[] UnionDivisions(IReadOnlyList<object?> a, IReadOnlyList<object?> b) =>
        [.. a.Concat(b).Distinct().Order(Comparer<object?>.Default)];

    /// <summary>This frame cut at <paramref name="divisions"/>: partition k holds the rows whose index is in [d[k], d[k+1]) (the last one closed), from the partitions that overlap it.</summary>
    private DataFrame AlignTo(object?[] divisions)
    {
        int n = divisions.Length - 1;
        var comparer = Comparer<object?>.Default;
        string name = Plan.Name("align-partitions", [Layer, .. divisions]);
        var tasks = new TaskGraph(n);
        for (int k = 0; k < n; k++)
        {
            object lo = divisions[k]!;
            object hi = divisions[k + 1]!;
            var sources = new List<Node>();
            for (int i = 0; i < NPartitions; i++)
            {
                if (comparer.Compare(Divisions[i], hi) <= 0 && comparer.Compare(Divisions[i + 1], lo) >= 0)
                {
                    sources.Add(Node.Ref(new Key(Layer, i)));
                }
            }

            if (sources.Count == 0)
            {
                sources.Add(Node.Ref(new Key(Layer, 0)));
            }

            tasks.TryAdd(new Key(name, k), Node.Call(s_sliceByIndex, Node.List<Table>([.. sources]), Node.Literal(lo), Node.Literal(hi), Node.Literal(k == n - 1)));
        }

        return new DataFrame(Graph.With(new MaterializedLayer(name, tasks), Layer), name, n, Meta, divisions);
    }

    private static Table SliceByIndex(Table[] parts, object lo, object hi, bool closed)
    {
        Table t = Table.Concat(parts);
        Table index = Table.Create([], [("index", t.ColumnAt(0))]);
        Table above = Ops.CompareScalar(index, lo, (int)CompareOp.GreaterOrEqual);
        Table below = Ops.CompareScalar(index, hi, (int)(closed ? CompareOp.LessOrEqual : CompareOp.Less));
        return Ops.Filter(t, Ops.Logical(above, below, (int)LogicalOp.And));
    }

    /// <summary>Joins two partitions on their one-column indexes; the result is indexed by the left index's name.</summary>
    private static Table JoinOnIndex(Table left, Table right, int how, string[] suffixes)
    {
        string key = left.IndexNames[0];
        Table l = Table.Create([], [(key, left.ColumnAt(0)), .. left.DataColumns()]);
        Table r = Table.Create([], [(key, right.ColumnAt(0)), .. right.DataColumns()]);
        Table joined = Kernels.Join.HashJoin(l, r, [key], [key], how, suffixes);
        return Table.Create([(key, joined[key])], [.. joined.DataColumns().Where(c => c.Name != key)]);
    }
}
