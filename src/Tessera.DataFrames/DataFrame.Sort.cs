using Apache.Arrow;
using Tessera.Collections;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.DataFrames;

/// <summary>Sorting: SetIndex and SortValues by range partitioning on divisions from sampled quantiles.</summary>
public sealed partial class DataFrame
{
    private const int SamplePerPartition = 1000;
    private static readonly bool[] s_ascending = [true];
    private static readonly TaskFunction s_sample = TaskFunction.Create<Table, string, int, int, Table>(SampleColumn, "sample-quantiles");
    private static readonly TaskFunction s_divisions = TaskFunction.Create<Table[], int, Table>(ChooseDivisions, "divisions");
    private static readonly TaskFunction s_splitByRange = TaskFunction.Create<Table, string, Table, bool, Table[]>(SplitByRange, "shuffle-split-range");
    private static readonly TaskFunction s_firstLast = TaskFunction.Create<Table, Table>(FirstLastIndex, "first-last");
    private static readonly TaskFunction s_sortPartition = TaskFunction.Create<Table, string[], bool[], bool, Table>(SortPartition, "sort-partition");

    /// <summary>
    /// Makes a column the index and sorts the frame by it (Dask's <c>set_index</c>). Without
    /// <paramref name="divisions"/>, a sampling pass computes approximate quantiles of the column
    /// (computed now, like Dask), rows are moved to the partition of their value's range by a
    /// task-based shuffle, and each partition is sorted. The result has known divisions.
    /// </summary>
    /// <param name="column">The column (numeric, bool, string or timestamp).</param>
    /// <param name="npartitions">The number of output partitions (default: as now); fewer when the column has fewer distinct values.</param>
    /// <param name="divisions">Explicit divisions (sorted, at least two): nothing is computed now.</param>
    /// <param name="sorted">The column is already sorted across partitions: no shuffle; divisions come from each partition's first and last value (computed now).</param>
    /// <param name="scheduler">Runs the sampling pass (default: the default scheduler).</param>
    /// <returns>The frame indexed by <paramref name="column"/> (the old index is dropped).</returns>
    /// <exception cref="ArgumentException">Unknown column, an unordered dtype, or divisions that are empty or unsorted.</exception>
    public DataFrame SetIndex(string column, int? npartitions = null, IReadOnlyList<object>? divisions = null, bool sorted = false, IScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        DType t = Meta.DTypeOf(CheckSortColumn(column, "set_index"));
        if (sorted)
        {
            DataFrame indexed = Map("set-index-sorted", s_sortPartition, Node.Literal(new[] { column }), Node.Literal(s_ascending), Node.Literal(true));
            return indexed.WithDivisions(indexed.PartitionBounds(column, scheduler));
        }

        IArrowArray bounds = divisions is null
            ? SampleDivisions(column, npartitions ?? NPartitions, scheduler)
            : CheckDivisions(divisions, t, "set_index");
        if (bounds.Length == 0)
        {
            // No values at all: one (empty or all-missing) partition.
            bounds = Arrays.Nulls(t.ToArrow(), 0);
        }

        DataFrame shuffled = RangeShuffle(column, bounds, ascending: true);
        DataFrame result = shuffled.Map("set-index", s_sortPartition, Node.Literal(new[] { column }), Node.Literal(s_ascending), Node.Literal(true));
        object?[] d = bounds.Length == 0 ? Plan.UnknownDivisions(result.NPartitions) : [.. Enumerable.Range(0, bounds.Length).Select(i => Arrays.GetValue(bounds, i))];
        return result.WithDivisions(d);
    }

    /// <summary>
    /// Sorts the rows by one or more columns (Dask's <c>sort_values</c>): range-partitions on the first
    /// column's sampled quantiles (computed now), then sorts each partition by all of them. Missing values sort last.
    /// </summary>
    /// <param name="by">The columns.</param>
    /// <param name="ascending">Sort direction, the same for every column.</param>
    /// <param name="npartitions">The number of output partitions (default: as now).</param>
    /// <param name="scheduler">Runs the sampling pass.</param>
    /// <returns>The sorted frame (index kept; unknown divisions).</returns>
    public DataFrame SortValues(string[] by, bool ascending = true, int? npartitions = null, IScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (by.Length == 0)
        {
            throw new ArgumentException("sort_values needs at least one column.", nameof(by));
        }

        foreach (string c in by)
        {
            _ = CheckSortColumn(c, "sort_values");
        }

        IArrowArray bounds = SampleDivisions(by[0], npartitions ?? NPartitions, scheduler);
        if (bounds.Length == 0)
        {
            bounds = Arrays.Nulls(Meta.DTypeOf(by[0]).ToArrow(), 0);
        }

        DataFrame shuffled = RangeShuffle(by[0], bounds, ascending);
        DataFrame result = shuffled.Map("sort-values", s_sortPartition, Node.Literal(by), Node.Literal(by.Select(_ => ascending).ToArray()), Node.Literal(false));
        return result.WithDivisions(Plan.UnknownDivisions(result.NPartitions));
    }

    /// <summary>Sorts the rows by one column.</summary>
    /// <param name="by">The column.</param>
    /// <param name="ascending">Sort direction.</param>
    /// <param name="npartitions">The number of output partitions (default: as now).</param>
    /// <param name="scheduler">Runs the sampling pass.</param>
    /// <returns>The sorted frame.</returns>
    public DataFrame SortValues(string by, bool ascending = true, int? npartitions = null, IScheduler? scheduler = null) =>
        SortValues([by], ascending, npartitions, scheduler);

    internal DataFrame WithDivisions(object?[] divisions) => new(Graph, Layer, NPartitions, Meta, divisions);

    private string CheckSortColumn(string column, string operation)
    {
        _ = Meta.Find(column, operation);
        DType t = Meta.DTypeOf(column);
        if (!Ranges.IsOrdered(t))
        {
            throw new ArgumentException($"{operation}: column '{column}' is {t.Name()}, which has no order.");
        }

        return column;
    }

    private static IArrowArray CheckDivisions(IReadOnlyList<object> divisions, DType type, string operation)
    {
        if (divisions.Count < 2)
        {
            throw new ArgumentException($"{operation}: divisions need at least two values (the bounds of one partition); got {divisions.Count}.", nameof(divisions));
        }

        IArrowArray d;
        try
        {
            d = Arrays.FromValues(type, [.. divisions]);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new ArgumentException($"{operation}: divisions must be {type.Name()} values like the column: {e.Message}", nameof(divisions), e);
        }

        for (int i = 1; i < d.Length; i++)
        {
            if (d.IsNull(i) || Ranges.Compare(d, i - 1, d, i) > 0)
            {
                throw new ArgumentException($"{operation}: divisions must be sorted; {Arrays.GetValue(d, i - 1)} comes before {Arrays.GetValue(d, i)}.", nameof(divisions));
            }
        }

        return d;
    }

    private IArrowArray SampleDivisions(string column, int npartitions, IScheduler? scheduler)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(npartitions, 1);
        string name = Plan.Name("quantiles", Layer, column, npartitions);
        var tasks = new TaskGraph(NPartitions + 1);
        var samples = new Node[NPartitions];
        int size = Math.Max(SamplePerPartition, 20 * npartitions);
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-sample", i);
            tasks.TryAdd(key, Node.Call(s_sample, Node.Ref(new Key(Layer, i)), Node.Literal(column), Node.Literal(size), Node.Literal(i)));
            samples[i] = Node.Ref(key);
        }

        tasks.TryAdd(new Key(name, 0), Node.Call(s_divisions, Node.List<Table>(samples), Node.Literal(npartitions)));
        Table d = new Scalar<Table>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0)).Compute(scheduler);
        return d.ColumnAt(0);
    }

    private object?[] PartitionBounds(string column, IScheduler? scheduler)
    {
        // Sorted input: each partition's first and last index value.
        string name = Plan.Name("bounds", Layer, column);
        var tasks = new TaskGraph(1);
        tasks.TryAdd(new Key(name, 0), Node.Call(Ops.ConcatTables, Node.List<Table>([.. Enumerable.Range(0, NPartitions).Select(i => Node.Call(s_firstLast, Node.Ref(new Key(Layer, i))))])));
        Table t = new Scalar<Table>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0)).Compute(scheduler);
        IArrowArray a = t.ColumnAt(0);
        var d = new object?[NPartitions + 1];
        for (int i = 0; i < NPartitions; i++)
        {
            object? first = Arrays.GetValue(a, 2 * i);
            object? last = Arrays.GetValue(a, (2 * i) + 1);
            if (first is null || last is null)
            {
                return Plan.UnknownDivisions(NPartitions);
            }

            if (i > 0 && Ranges.Compare(a, (2 * i) - 1, a, 2 * i) > 0)
            {
                throw new InvalidOperationException($"set_index(sorted: true): partition {i} starts at {first}, below the end of partition {i - 1} ({Arrays.GetValue(a, (2 * i) - 1)}); the column is not sorted across partitions.");
            }

            d[i] = first;
            d[i + 1] = last;
        }

        return d;
    }

    private static Table FirstLastIndex(Table t)
    {
        IArrowArray index = t.ColumnAt(0);
        int[] rows = t.RowCount == 0 ? [-1, -1] : [0, t.RowCount - 1];
        return Table.Create([], [("i", Arrays.Take(index, rows))]);
    }

    private DataFrame RangeShuffle(string column, IArrowArray bounds, bool ascending)
    {
        var divisionTable = Table.Create([], [("d", bounds)]);
        int n = Math.Max(1, bounds.Length - 1);
        return TaskShuffle.Run(this, "range", s_splitByRange, [Node.Literal(column), Node.Literal(divisionTable), Node.Literal(ascending)], n);
    }

    private static Table SampleColumn(Table part, string column, int size, int seed) => Ranges.Sample(part[column], size, seed);

    private static Table ChooseDivisions(Table[] samples, int npartitions) =>
        Table.Create([], [("d", Ranges.Divisions(Table.Concat(samples), npartitions))]);

    private static Table[] SplitByRange(Table part, string column, Table divisions, bool ascending)
    {
        IArrowArray d = divisions.ColumnAt(0);
        int parts = Math.Max(1, d.Length - 1);
        int[] targets = Ranges.Targets(part[column], d, ascending);
        return Scatter.Split(part, targets, parts);
    }

    private static Table SortPartition(Table part, string[] by, bool[] ascending, bool setIndex)
    {
        Table sorted = part;
        if (part.RowCount > 1)
        {
            int[] order = Sorting.ArgSort([.. by.Select(c => part[c])], ascending);
            bool identity = true;
            for (int i = 0; i < order.Length && identity; i++)
            {
                identity = order[i] == i;
            }

            sorted = identity ? part : part.Take(order);
        }

        if (!setIndex)
        {
            return sorted;
        }

        string column = by[0];
        return Table.Create([(column, sorted[column])], [.. sorted.DataColumns().Where(c => c.Name != column)]);
    }
}
