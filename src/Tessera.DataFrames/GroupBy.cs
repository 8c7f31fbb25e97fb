using Apache.Arrow;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// Rows of a <see cref="DataFrame"/> grouped by key columns (Dask's <c>DataFrameGroupBy</c>). Select
/// columns with the indexer (one column gives results as a <see cref="Series"/>), then aggregate.
/// Aggregations are tree reductions: each partition is reduced to per-group partial states, groups of
/// <c>splitEvery</c> states are combined, and the last step finalizes; with <c>splitOut</c> &gt; 1 the
/// states are hash-partitioned by key into that many output partitions.
/// </summary>
public sealed class GroupBy
{
    private static readonly TaskFunction s_perGroup = TaskFunction.Create<Table, string[], string[], Func<Table, Table>, byte[], bool, Table>(RunPerGroup, "groupby-apply");
    private readonly DataFrame _frame;
    private readonly string[] _keys;
    private readonly string[]? _selection;
    private readonly bool _series;

    internal GroupBy(DataFrame frame, string[] keys, string[]? selection, bool series = false)
    {
        _frame = frame;
        _keys = keys;
        _selection = selection;
        _series = series;
    }

    /// <summary>Selects one column; aggregations then return a <see cref="Series"/> named after it.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The grouping of that column.</returns>
    public GroupBy this[string column]
    {
        get
        {
            _ = _frame.Meta.Find(column, "groupby[]");
            return new GroupBy(_frame, _keys, [column], series: true);
        }
    }

    /// <summary>Selects columns; aggregations return a <see cref="DataFrame"/> of them.</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>The grouping of those columns.</returns>
    public GroupBy this[params string[] columns]
    {
        get
        {
            foreach (string c in columns)
            {
                _ = _frame.Meta.Find(c, "groupby[]");
            }

            return new GroupBy(_frame, _keys, columns);
        }
    }

    /// <summary>
    /// Runs a function on each group's rows (pandas' and Dask's <c>groupby.apply</c>): the rows are
    /// first hash-shuffled on the keys so that every group is whole in one partition, then each
    /// partition is split into its groups (in key order; rows with a missing key are dropped, as in the
    /// aggregations) and the function runs once per group.
    /// </summary>
    /// <param name="function">Gets one group's rows (all columns, keys included, or the selected columns) and returns a table. It must be pure, and a static method or lambda to run on worker processes.</param>
    /// <param name="meta">The schema of the function's result (an empty table); by default the function is run on an empty group to find it.</param>
    /// <returns>The function's results concatenated, as pandas' <c>group_keys=False</c> (the keys are not added as an index); unknown divisions.</returns>
    /// <exception cref="ArgumentException">No meta was given and the function fails on an empty group.</exception>
    public DataFrame Apply(Func<Table, Table> function, Table? meta = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        Table groupMeta = GroupRows(_frame.Meta, _selection);
        Table resultMeta = ResultMeta(function, meta, groupMeta, "groupby.apply");
        return PerGroup(function, resultMeta, resultMeta, transform: false);
    }

    /// <summary>
    /// Runs a function on each group's rows whose result has one row per input row (pandas' and Dask's
    /// <c>groupby.transform</c>), such as each value minus its group's mean: the rows are hash-shuffled
    /// on the keys so every group is whole, then the function runs once per group and its rows are put
    /// back in the places of the group's rows.
    /// </summary>
    /// <param name="function">Gets one group's rows (all columns, keys included, or the selected columns) and returns a table with as many rows, in the same order. It must be pure, and a static method or lambda to run on worker processes.</param>
    /// <param name="meta">The schema of the function's result (an empty table); by default the function is run on an empty group to find it.</param>
    /// <returns>
    /// A frame of the frame's index columns (if any) and the function's columns, one row per input row:
    /// the rows of a partition in the order the shuffle left them, as Dask's result (which aligns on the
    /// index, not on positions). Rows with a missing key get missing values (pandas' <c>dropna=True</c>). Unknown divisions.
    /// </returns>
    /// <exception cref="ArgumentException">No meta was given and the function fails on an empty group.</exception>
    public DataFrame Transform(Func<Table, Table> function, Table? meta = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        Table groupMeta = GroupRows(_frame.Meta, _selection);
        Table resultMeta = ResultMeta(function, meta, groupMeta, "groupby.transform");
        Table frameMeta = Table.Create([.. _frame.Meta.IndexColumns()], [.. resultMeta.DataColumns()]);
        return PerGroup(function, resultMeta, frameMeta, transform: true);
    }

    /// <summary>
    /// The shuffle on the keys, then one task per partition running the function per group. The task's
    /// arguments are plain data (the user's function as a delegate, the meta as Arrow IPC bytes), so it
    /// runs on worker processes.
    /// </summary>
    private DataFrame PerGroup(Func<Table, Table> function, Table resultMeta, Table frameMeta, bool transform)
    {
        DataFrame shuffled = _frame.Shuffle(_keys);
        string op = transform ? "groupby-transform" : "groupby-apply";
        string name = Plan.Name(op, shuffled.Layer, _keys, _selection, function.Method.Name, function.Method.DeclaringType?.FullName, Tokenizer.Tokenize(function));
        LayeredGraph graph = Plan.Blockwise(
            shuffled.Graph,
            name,
            shuffled.Layer,
            shuffled.NPartitions,
            s_perGroup,
            Node.Literal(_keys),
            Node.Literal(_selection ?? []),
            Node.Literal(function),
            Node.Literal(TableSerializer.ToIpc(resultMeta)),
            Node.Literal(transform));
        return new DataFrame(graph, name, shuffled.NPartitions, frameMeta, Plan.UnknownDivisions(shuffled.NPartitions));
    }

    private static Table RunPerGroup(Table part, string[] keys, string[] selection, Func<Table, Table> function, byte[] meta, bool transform)
    {
        string[]? columns = selection.Length == 0 ? null : selection;
        Table resultMeta = TableSerializer.FromIpc(meta);
        return transform ? TransformGroups(part, keys, columns, function, resultMeta) : ApplyGroups(part, keys, columns, function, resultMeta);
    }

    /// <summary>Splits a partition into its groups (in key order) and concatenates the function's results.</summary>
    internal static Table ApplyGroups(Table part, string[] keys, string[]? selection, Func<Table, Table> function, Table meta)
    {
        var results = new List<Table>();
        foreach (int[] rows in Groups(part, keys))
        {
            Table result = function(GroupRows(part.Take(rows), selection));
            Table.CheckSameSchema(meta, result, "groupby.apply (a group's result does not match meta)");
            results.Add(result);
        }

        return results.Count == 0 ? meta : Table.Concat(results);
    }

    /// <summary>Runs the function on each group and scatters its rows back to the positions of the group's rows.</summary>
    internal static Table TransformGroups(Table part, string[] keys, string[]? selection, Func<Table, Table> function, Table meta)
    {
        var results = new List<Table> { meta };
        int[] positions = new int[part.RowCount];
        System.Array.Fill(positions, -1);
        int offset = 0;
        foreach (int[] rows in Groups(part, keys))
        {
            Table result = function(GroupRows(part.Take(rows), selection));
            Table.CheckSameSchema(meta, result, "groupby.transform (a group's result does not match meta)");
            if (result.RowCount != rows.Length)
            {
                throw new InvalidOperationException($"groupby.transform: the function returned {result.RowCount} rows for a group of {rows.Length}; it must return one row per row (use Apply for other shapes).");
            }

            for (int j = 0; j < rows.Length; j++)
            {
                positions[rows[j]] = offset + j;
            }

            offset += rows.Length;
            results.Add(result);
        }

        Table all = Table.Concat(results);
        return Table.Create([.. part.IndexColumns()], [.. all.DataColumns().Select(c => (c.Name, Arrays.Take(c.Array, positions)))], part.RowCount);
    }

    /// <summary>The meta given, or the function's result on an empty group.</summary>
    private static Table ResultMeta(Func<Table, Table> function, Table? meta, Table groupMeta, string operation)
    {
        try
        {
            return (meta ?? function(groupMeta)).Empty();
        }
        catch (Exception e) when (meta is null && e is not OutOfMemoryException)
        {
            throw new ArgumentException($"{operation}: running the function on an empty group to find the result's schema failed ({e.GetType().Name}: {e.Message}); pass meta explicitly.", nameof(function), e);
        }
    }

    /// <summary>The row positions of each group of a partition, in key order; rows with a missing key are in none.</summary>
    private static IEnumerable<int[]> Groups(Table part, string[] keys)
    {
        IArrowArray[] keyArrays = [.. keys.Select(k => part[k])];
        Factorization f = Hashing.Factorize(keyArrays);
        var rows = new List<int>[f.Count];
        for (int g = 0; g < f.Count; g++)
        {
            rows[g] = [];
        }

        for (int r = 0; r < f.Codes.Length; r++)
        {
            if (f.Codes[r] >= 0)
            {
                rows[f.Codes[r]].Add(r);
            }
        }

        int[] order = Sorting.ArgSort([.. keyArrays.Select(a => Arrays.Take(a, f.FirstRows))], [.. keys.Select(_ => true)]);
        foreach (int g in order)
        {
            yield return [.. rows[g]];
        }
    }

    private static Table GroupRows(Table t, string[]? selection) => selection is null ? t : Ops.Select(t, selection);

    /// <summary>Sums per group.</summary>
    /// <param name="splitEvery">How many partial results one task combines (default 8).</param>
    /// <param name="splitOut">How many output partitions (hash-partitioned by key; default 1, sorted by key).</param>
    /// <returns>A frame (or, after selecting one column, a series) indexed by the keys.</returns>
    public DataFrame Sum(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Sum, splitEvery, splitOut);

    /// <summary>Means per group.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Mean(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Mean, splitEvery, splitOut);

    /// <summary>Non-missing values per group.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Count(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Count, splitEvery, splitOut);

    /// <summary>Minimum per group.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Min(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Min, splitEvery, splitOut);

    /// <summary>Maximum per group.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Max(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Max, splitEvery, splitOut);

    /// <summary>Sample standard deviation per group (ddof = 1).</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Std(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Std, splitEvery, splitOut);

    /// <summary>Sample variance per group (ddof = 1).</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Var(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Var, splitEvery, splitOut);

    /// <summary>First non-missing value per group, in row order.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame First(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.First, splitEvery, splitOut);

    /// <summary>Last non-missing value per group, in row order.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Last(int splitEvery = 8, int splitOut = 1) => Simple(Aggregation.Last, splitEvery, splitOut);

    /// <summary>Rows per group, as a series named <c>size</c>.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A series indexed by the keys.</returns>
    public Series Size(int splitEvery = 8, int splitOut = 1)
    {
        DataFrame f = Aggregate([("size", null, Aggregation.Size)], splitEvery, splitOut);
        return new Series(f.Graph, f.Layer, f.NPartitions, f.Meta, [.. f.Divisions]);
    }

    /// <summary>Sums per group of the one selected column, as a series.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A series indexed by the keys.</returns>
    /// <exception cref="InvalidOperationException">Not exactly one column is selected.</exception>
    public Series SumSeries(int splitEvery = 8, int splitOut = 1) => AsSeries(Sum(splitEvery, splitOut));

    /// <summary>Several aggregations of several columns; output columns are named <c>column_aggregation</c> (e.g. <c>x_sum</c>).</summary>
    /// <param name="aggregations">Column → aggregations.</param>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="splitOut">How many output partitions.</param>
    /// <returns>A frame indexed by the keys.</returns>
    public DataFrame Agg(IReadOnlyDictionary<string, Aggregation[]> aggregations, int splitEvery = 8, int splitOut = 1)
    {
        ArgumentNullException.ThrowIfNull(aggregations);
        var outputs = new List<(string, string?, Aggregation)>();
        foreach ((string column, Aggregation[] aggs) in aggregations)
        {
            _ = _frame.Meta.Find(column, "groupby.agg");
            foreach (Aggregation a in aggs)
            {
                outputs.Add(($"{column}_{a.ToString().ToLowerInvariant()}", a == Aggregation.Size ? null : column, a));
            }
        }

        if (outputs.Count == 0)
        {
            throw new ArgumentException("groupby.agg needs at least one aggregation.", nameof(aggregations));
        }

        return Aggregate(outputs, splitEvery, splitOut);
    }

    /// <summary>
    /// Distinct non-missing values per group of the one selected column (Dask's <c>nunique</c>): a tree
    /// reduction of distinct (keys, value) pairs, so values repeated across partitions count once.
    /// </summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>An int64 frame indexed by the keys, sorted by key.</returns>
    /// <exception cref="InvalidOperationException">Not exactly one column is selected.</exception>
    public DataFrame NUnique(int splitEvery = 8)
    {
        string column = SingleSelection("nunique");
        string[] keep = [.. _keys, column];
        DataFrame pairs = _frame.Select(keep).DropNa(column).DropDuplicates(keep, splitEvery: splitEvery);
        return pairs.MapPartitions(t => GroupSteps.CountPerGroup(t, _keys, column), GroupSteps.CountPerGroup(pairs.Meta, _keys, column));
    }

    /// <summary>A user-defined aggregation of the one selected column (Dask's <c>agg(dd.Aggregation)</c>).</summary>
    /// <param name="aggregation">The chunk, combine and finalize steps.</param>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>A float64 frame with the column <c>column_name</c>, indexed by the keys, sorted by key.</returns>
    public DataFrame Agg(CustomAggregation aggregation, int splitEvery = 8)
    {
        ArgumentNullException.ThrowIfNull(aggregation);
        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        string column = SingleSelection("agg(custom)");
        DType t = _frame.Meta.DTypeOf(column);
        if (!(t.IsNumeric() || t == DType.Bool))
        {
            throw new ArgumentException($"groupby.agg({aggregation.Name}): column '{column}' is {t.Name()}; custom aggregations take numeric columns.");
        }

        string output = $"{column}_{aggregation.Name}";
        var chunk = TaskFunction.Create<Table, Table>(p => CustomSteps.Chunk(p, _keys, column, aggregation.Chunk), "groupby-" + aggregation.Name + "-chunk");
        var combine = TaskFunction.Create<Table[], Table>(p => CustomSteps.Combine(CustomSteps.ConcatStates(p), _keys, aggregation.Combine), "groupby-" + aggregation.Name + "-combine");
        var final = TaskFunction.Create<Table[], Table>(p => CustomSteps.Finalize(CustomSteps.Combine(CustomSteps.ConcatStates(p), _keys, aggregation.Combine), _keys, output, aggregation.Finalize), "groupby-" + aggregation.Name);
        Table meta = CustomSteps.Finalize(CustomSteps.Combine(CustomSteps.Chunk(_frame.Meta, _keys, column, aggregation.Chunk), _keys, aggregation.Combine), _keys, output, aggregation.Finalize);
        string name = Plan.Name("groupby-custom", [_frame.Layer, column, aggregation.Name, splitEvery, .. _keys, Tokenizer.UniqueToken()]);
        var tasks = new TaskGraph();
        var chunks = new Node[_frame.NPartitions];
        for (int i = 0; i < _frame.NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(chunk, Node.Ref(new Key(_frame.Layer, i))));
            chunks[i] = Node.Ref(key);
        }

        Plan.Tree<Table>(tasks, name, chunks, splitEvery, l => Node.Call(combine, l), l => Node.Call(final, l));
        return new DataFrame(_frame.Graph.With(new MaterializedLayer(name, tasks), _frame.Layer), name, 1, meta, Plan.UnknownDivisions(1));
    }

    private string SingleSelection(string operation) =>
        _selection is { Length: 1 } s
            ? s[0]
            : throw new InvalidOperationException($"groupby.{operation} needs exactly one selected column, e.g. df.GroupBy(\"k\")[\"v\"]; {(_selection is null ? "none is" : $"{_selection.Length} are")} selected.");

    /// <summary>Converts a one-column aggregation result into a series.</summary>
    /// <param name="frame">A result of this grouping with one data column.</param>
    /// <returns>The series.</returns>
    public static Series AsSeries(DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Columns.Count != 1)
        {
            throw new InvalidOperationException($"AsSeries needs a frame with one data column; this one has {frame.Columns.Count}.");
        }

        return new Series(frame.Graph, frame.Layer, frame.NPartitions, frame.Meta, [.. frame.Divisions]);
    }

    private DataFrame Simple(Aggregation agg, int splitEvery, int splitOut)
    {
        IEnumerable<string> columns = _selection ?? _frame.Meta.ColumnNames.Where(c => !_keys.Contains(c));
        var outputs = new List<(string, string?, Aggregation)>();
        foreach (string c in columns)
        {
            DType t = _frame.Meta.DTypeOf(c);
            bool ok = agg switch
            {
                Aggregation.Sum or Aggregation.Mean or Aggregation.Std or Aggregation.Var => t.IsNumeric() || t == DType.Bool,
                Aggregation.Min or Aggregation.Max => t.IsNumeric() || t.IsTemporal() || t is DType.String,
                _ => true,
            };
            if (!ok)
            {
                if (_selection is not null)
                {
                    throw new ArgumentException($"groupby.{agg.ToString().ToLowerInvariant()}: column '{c}' is {t.Name()}; {agg} needs a numeric column.");
                }

                continue;
            }

            outputs.Add((c, c, agg));
        }

        if (outputs.Count == 0)
        {
            throw new ArgumentException($"groupby.{agg.ToString().ToLowerInvariant()}: no column to aggregate; the frame's columns are {string.Join(", ", _frame.Columns)}.");
        }

        return Aggregate(outputs, splitEvery, splitOut);
    }

    internal DataFrame Aggregate(IReadOnlyList<(string Output, string? Column, Aggregation Agg)> outputs, int splitEvery, int splitOut)
    {
        if (splitEvery < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(splitEvery), splitEvery, "split_every must be at least 2.");
        }

        if (splitOut < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(splitOut), splitOut, "split_out must be at least 1.");
        }

        var columns = new List<string>();
        var states = new List<int>();
        bool size = false;
        foreach ((_, string? column, Aggregation agg) in outputs)
        {
            if (agg == Aggregation.Size)
            {
                size = true;
                continue;
            }

            int at = columns.IndexOf(column!);
            if (at < 0)
            {
                columns.Add(column!);
                states.Add(0);
                at = columns.Count - 1;
            }

            states[at] |= GroupAgg.StatesFor(agg);
        }

        var spec = new GroupSpec(
            _keys,
            [.. columns],
            [.. states],
            size,
            [.. outputs.Select(o => o.Output)],
            [.. outputs.Select(o => o.Column)],
            [.. outputs.Select(o => (int)o.Agg)],
            splitOut == 1);
        object[] literal = spec.ToLiteral();

        // Only the keys and the aggregated columns travel on (projection pushdown reads no others).
        DataFrame frame = _frame.Project([.. _keys, .. columns]);

        // Meta: run the whole pipeline on the empty partition (this also checks dtypes now).
        Table meta = GroupSteps.Final([GroupSteps.Chunk(frame.Meta, literal)], literal);

        string name = Plan.Name("groupby-agg", [frame.Layer, splitEvery, splitOut, .. literal]);
        var tasks = new TaskGraph();
        var chunks = new Node[frame.NPartitions];
        for (int i = 0; i < frame.NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(GroupSteps.ChunkFn, Node.Ref(new Key(frame.Layer, i)), Node.Literal(literal)));
            chunks[i] = Node.Ref(key);
        }

        if (splitOut == 1)
        {
            Plan.Tree<Table>(tasks, name, chunks, splitEvery, l => Node.Call(GroupSteps.CombineFn, l, Node.Literal(literal)), l => Node.Call(GroupSteps.FinalFn, l, Node.Literal(literal)));
        }
        else
        {
            var splits = new Node[chunks.Length];
            for (int i = 0; i < chunks.Length; i++)
            {
                var key = new Key(name + "-split", i);
                tasks.TryAdd(key, Node.Call(GroupSteps.SplitFn, chunks[i], Node.Literal(_keys), Node.Literal(splitOut)));
                splits[i] = Node.Ref(key);
            }

            for (int j = 0; j < splitOut; j++)
            {
                int part = j;
                Node[] leaves = [.. splits.Select(s => Node.Call(Ops.Pick, s, Node.Literal(part)))];
                Plan.Tree<Table>(tasks, name, leaves, splitEvery, l => Node.Call(GroupSteps.CombineFn, l, Node.Literal(literal)), l => Node.Call(GroupSteps.FinalFn, l, Node.Literal(literal)), j);
            }
        }

        LayeredGraph g = frame.Graph.With(new MaterializedLayer(name, tasks), frame.Layer);
        return new DataFrame(g, name, splitOut, meta, Plan.UnknownDivisions(splitOut));
    }
}

/// <summary>What a group-by computes, as plain data (so tasks carry it as a literal argument).</summary>
internal sealed record GroupSpec(string[] Keys, string[] Columns, int[] States, bool Size, string[] Outputs, string?[] OutputColumns, int[] Aggs, bool Sort)
{
    public object[] ToLiteral() => [Keys, Columns, States, Size, Outputs, OutputColumns, Aggs, Sort];

    public static GroupSpec FromLiteral(object[] o) =>
        new((string[])o[0], (string[])o[1], (int[])o[2], (bool)o[3], (string[])o[4], (string?[])o[5], (int[])o[6], (bool)o[7]);
}

/// <summary>The group-by steps as task functions over plain-data specs.</summary>
internal static class GroupSteps
{
    public static readonly TaskFunction ChunkFn = TaskFunction.Create<Table, object[], Table>(Chunk, "groupby-chunk");
    public static readonly TaskFunction CombineFn = TaskFunction.Create<Table[], object[], Table>(Combine, "groupby-combine");
    public static readonly TaskFunction FinalFn = TaskFunction.Create<Table[], object[], Table>(Final, "groupby-agg");
    public static readonly TaskFunction SplitFn = TaskFunction.Create<Table, string[], int, Table[]>(Split, "groupby-split");

    public static Table Chunk(Table part, object[] spec)
    {
        GroupSpec s = GroupSpec.FromLiteral(spec);
        return GroupAgg.Chunk(part, s.Keys, s.Columns, s.States, s.Size);
    }

    public static Table Combine(Table[] parts, object[] spec)
    {
        GroupSpec s = GroupSpec.FromLiteral(spec);
        return GroupAgg.Combine(parts, s.Keys, s.Columns, s.States, s.Size);
    }

    public static Table Final(Table[] parts, object[] spec)
    {
        GroupSpec s = GroupSpec.FromLiteral(spec);
        Table combined = parts.Length == 1 ? parts[0] : GroupAgg.Combine(parts, s.Keys, s.Columns, s.States, s.Size);
        return GroupAgg.Finalize(combined, s.Keys, s.Outputs, s.OutputColumns, s.Aggs, s.Sort);
    }

    /// <summary>Rows per group of distinct (keys, value) rows: the nunique result, sorted by key.</summary>
    public static Table CountPerGroup(Table distinct, string[] keys, string column)
    {
        Table sizes = GroupAgg.Finalize(
            GroupAgg.Chunk(distinct, keys, [], [], size: true),
            keys,
            [column],
            [null],
            [(int)Aggregation.Size],
            sort: true);
        return sizes;
    }

    public static Table[] Split(Table part, string[] keys, int parts)
    {
        ulong[] hashes = Hashing.HashRows([.. keys.Select(k => part[k])], part.RowCount);
        return Scatter.Split(part, Hashing.Targets(hashes, parts), parts);
    }
}

/// <summary>The steps of a <see cref="CustomAggregation"/> over tables: keys plus state columns <c>s0</c>, <c>s1</c>, ….</summary>
internal static class CustomSteps
{
    /// <summary>Concatenates state tables, leaving out those of partitions without groups (they have no state columns).</summary>
    public static Table ConcatStates(Table[] parts)
    {
        Table[] nonEmpty = [.. parts.Where(p => p.RowCount > 0)];
        return nonEmpty.Length == 0 ? parts[0] : Table.Concat(nonEmpty);
    }

    public static Table Chunk(Table part, string[] keys, string column, Func<double[], double[]> chunk)
    {
        IArrowArray values = part[column];
        Factorization f = Hashing.Factorize([.. keys.Select(k => part[k])]);
        var valid = new Validity(values);
        ReadOnlySpan<double> x = Numeric.AsDouble(values);
        var groups = new List<double>[f.Count];
        for (int g = 0; g < groups.Length; g++)
        {
            groups[g] = [];
        }

        for (int i = 0; i < f.Codes.Length; i++)
        {
            int g = f.Codes[i];
            if (g >= 0 && valid[i] && !double.IsNaN(x[i]))
            {
                groups[g].Add(x[i]);
            }
        }

        double[][] states = [.. groups.Select(v => chunk([.. v]))];
        return StateTable(part, keys, f.FirstRows, states);
    }

    public static Table Combine(Table states, string[] keys, Func<double[][], double[]> combine)
    {
        Factorization f = Hashing.Factorize([.. keys.Select(k => states[k])]);
        string[] stateColumns = [.. states.ColumnNames.Where(c => !keys.Contains(c))];
        double[][] columns = [.. stateColumns.Select(c => Numeric.AsDouble(states[c]).ToArray())];
        var groups = new List<double[]>[f.Count];
        for (int g = 0; g < groups.Length; g++)
        {
            groups[g] = [];
        }

        for (int i = 0; i < f.Codes.Length; i++)
        {
            if (f.Codes[i] >= 0)
            {
                groups[f.Codes[i]].Add([.. columns.Select(c => c[i])]);
            }
        }

        double[][] combined = [.. groups.Select(g => combine([.. g]))];
        return StateTable(states, keys, f.FirstRows, combined);
    }

    public static Table Finalize(Table states, string[] keys, string output, Func<double[], double> finalize)
    {
        string[] stateColumns = [.. states.ColumnNames.Where(c => !keys.Contains(c))];
        double[][] columns = [.. stateColumns.Select(c => Numeric.AsDouble(states[c]).ToArray())];
        var result = new double[states.RowCount];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = finalize([.. columns.Select(c => c[i])]);
        }

        Table t = Table.Create([.. keys.Select(k => (k, states[k]))], [(output, Arrays.Primitive<double>(DType.Float64, result))]);
        if (t.RowCount > 1)
        {
            t = t.Take(Sorting.ArgSort([.. keys.Select(k => t[k])], [.. keys.Select(_ => true)]));
        }

        return t;
    }

    private static Table StateTable(Table source, string[] keys, int[] firstRows, double[][] states)
    {
        int width = states.Length == 0 ? 0 : states.Max(s => s.Length);
        if (states.Any(s => s.Length != width))
        {
            throw new InvalidOperationException("groupby custom aggregation: every state must have the same length.");
        }

        var columns = new List<(string, IArrowArray)>();
        foreach (string k in keys)
        {
            columns.Add((k, Arrays.Take(source[k], firstRows)));
        }

        for (int j = 0; j < width; j++)
        {
            int col = j;
            columns.Add(("s" + j.ToString(System.Globalization.CultureInfo.InvariantCulture), Arrays.Primitive<double>(DType.Float64, [.. states.Select(s => s[col])])));
        }

        return Table.Create([], columns);
    }
}
