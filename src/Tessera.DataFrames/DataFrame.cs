using Tessera.Collections;
using Tessera.DataFrames.Expressions;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// A lazy, partitioned table (Dask's <c>DataFrame</c>): a sequence of <see cref="Table"/> partitions
/// computed by a task graph, with the schema known up front (<see cref="Meta"/>) and, when the frame
/// is sorted by its index, the index values that bound the partitions (<see cref="Divisions"/>).
/// Operations build new frames; nothing runs until <c>Compute</c> (from <see cref="Tessera.Collections.CollectionExtensions"/>),
/// which concatenates the partitions into one <see cref="Table"/>.
/// </summary>
public sealed partial class DataFrame : ITesseraCollection<Table>
{
    private readonly object?[] _divisions;
    private readonly Lowerings _lowered = new();

    internal DataFrame(LayeredGraph graph, string layer, int npartitions, Table meta, object?[] divisions)
        : this(new GraphExpr(graph, layer, npartitions, meta), divisions)
    {
    }

    internal DataFrame(Expr expr, object?[] divisions)
    {
        Expr = expr;
        _divisions = divisions;
    }

    /// <summary>
    /// Gets the graph that computes the partitions, lowered from the frame's plan: optimized (projection
    /// and predicate pushdown, fused partition-wise steps; see <see cref="Explain"/>) unless the
    /// configuration key <c>dataframe.optimize</c> is false when it is first asked for.
    /// </summary>
    public LayeredGraph Graph => _lowered.Get(Expr).Graph;

    /// <inheritdoc/>
    public IReadOnlyList<Key> PartKeys => [.. Enumerable.Range(0, NPartitions).Select(i => new Key(Layer, i))];

    /// <summary>Gets the number of partitions.</summary>
    public int NPartitions => Expr.NPartitions;

    /// <summary>
    /// Gets the divisions: <see cref="NPartitions"/> + 1 sorted index values; partition i holds index
    /// values in [d[i], d[i+1]) and the last one [d[n-1], d[n]]. All null when unknown.
    /// </summary>
    public IReadOnlyList<object?> Divisions => _divisions;

    /// <summary>Gets a value indicating whether the divisions are known.</summary>
    public bool KnownDivisions => _divisions.Length > 0 && _divisions[0] is not null;

    /// <summary>Gets an empty table with the frame's schema (index and data columns, dtypes), known without computing anything.</summary>
    public Table Meta => Expr.Meta;

    /// <summary>Gets the names of the data columns.</summary>
    public IReadOnlyList<string> Columns => Meta.ColumnNames;

    /// <summary>Gets the dtype of each data column.</summary>
    public IReadOnlyDictionary<string, DType> DTypes => Meta.ColumnNames.ToDictionary(c => c, Meta.DTypeOf, StringComparer.Ordinal);

    internal string Layer => _lowered.Get(Expr).Layer;

    internal Expr Expr { get; }

    /// <summary>Selects one column as a lazy series.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>The series.</returns>
    /// <exception cref="ArgumentException">No such column; the message lists the columns.</exception>
    public Series this[string column]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(column);
            return new Series(new PartitionwiseExpr("getitem", Ops.SeriesOfColumn, [column], ColumnUse.GetItem, [Expr]), _divisions);
        }
    }

    /// <summary>Selects columns, in the given order.</summary>
    /// <param name="columns">The columns' names.</param>
    /// <returns>The projected frame.</returns>
    public DataFrame this[params string[] columns] => Select(columns);

    /// <summary>Keeps the rows where <paramref name="mask"/> is true (null counts as false).</summary>
    /// <param name="mask">A bool series derived from this frame.</param>
    /// <returns>The filtered frame (same divisions).</returns>
    public DataFrame this[Series mask] => Filter(mask);

    /// <summary>Creates a frame from an in-memory table, split into partitions of about equal size.</summary>
    /// <param name="table">The table.</param>
    /// <param name="npartitions">The number of partitions.</param>
    /// <returns>The frame (divisions known when the table has a one-column, sorted index).</returns>
    public static DataFrame FromTable(Table table, int npartitions = 1)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(npartitions, 1);
        int n = table.RowCount;
        npartitions = Math.Max(1, Math.Min(npartitions, Math.Max(1, n)));
        string name = "from-table-" + Tokenizer.UniqueToken();
        var tasks = new TaskGraph(npartitions);
        var bounds = new int[npartitions + 1];
        for (int i = 0; i <= npartitions; i++)
        {
            bounds[i] = (int)((long)n * i / npartitions);
        }

        for (int i = 0; i < npartitions; i++)
        {
            tasks.TryAdd(new Key(name, i), Node.Literal(table.Slice(bounds[i], bounds[i + 1] - bounds[i])));
        }

        object?[] divisions = Plan.UnknownDivisions(npartitions);
        if (table.IndexCount == 1 && n > 0 && IsSorted(table))
        {
            for (int i = 0; i < npartitions; i++)
            {
                divisions[i] = Arrays.GetValue(table.ColumnAt(0), bounds[i]);
            }

            divisions[npartitions] = Arrays.GetValue(table.ColumnAt(0), n - 1);
        }

        return new DataFrame(LayeredGraph.FromLayer(new MaterializedLayer(name, tasks)), name, npartitions, table.Empty(), divisions);
    }

    /// <summary>Creates a frame whose partitions are computed by lazy values (Dask's <c>from_delayed</c>).</summary>
    /// <param name="parts">The partitions.</param>
    /// <param name="meta">The partitions' schema (an empty table); checked against each partition when it is computed.</param>
    /// <returns>The frame, with unknown divisions.</returns>
    public static DataFrame FromDelayed(IReadOnlyList<Delayed<Table>> parts, Table meta)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(meta);
        if (parts.Count == 0)
        {
            throw new ArgumentException("FromDelayed needs at least one partition.", nameof(parts));
        }

        string name = "from-delayed-" + Tokenizer.Tokenize([.. parts.Select(p => p.Key)]);
        var tasks = new TaskGraph(parts.Count);
        var check = TaskFunction.Create<Table, Table, Table>(CheckMeta, "check-meta");
        for (int i = 0; i < parts.Count; i++)
        {
            tasks.TryAdd(new Key(name, i), Node.Call(check, Node.Ref(parts[i].Key), Node.Literal(meta.Empty())));
        }

        var source = new TaskGraph();
        foreach (Delayed<Table> p in parts)
        {
            foreach (KeyValuePair<Key, Node> kv in p.ToGraph())
            {
                source.TryAdd(kv.Key, kv.Value);
            }
        }

        LayeredGraph g = LayeredGraph.FromLayer(new MaterializedLayer(name + "-source", source));
        return new DataFrame(g.With(new MaterializedLayer(name, tasks), name + "-source"), name, parts.Count, meta.Empty(), Plan.UnknownDivisions(parts.Count));
    }

    private static Table CheckMeta(Table part, Table meta)
    {
        Table.CheckSameSchema(meta, part, "from_delayed (a partition does not match meta)");
        return part;
    }

    /// <summary>Selects columns, in the given order.</summary>
    /// <param name="columns">The columns' names.</param>
    /// <returns>The projected frame.</returns>
    public DataFrame Select(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return Map("select", Ops.SelectColumns, ColumnUse.Select, Node.Literal(columns));
    }

    /// <summary>Keeps the rows where <paramref name="mask"/> is true (null counts as false).</summary>
    /// <param name="mask">A bool series derived from this frame.</param>
    /// <returns>The filtered frame (same divisions).</returns>
    public DataFrame Filter(Series mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.DType != DType.Bool)
        {
            throw new ArgumentException($"filter: the mask must be a bool series; '{mask.Name}' is {mask.DType.Name()}.", nameof(mask));
        }

        return Binary("filter", mask, Ops.FilterRows, ColumnUse.Filter);
    }

    /// <summary>Adds or replaces a column with a series derived from this frame.</summary>
    /// <param name="column">The column's name.</param>
    /// <param name="values">The values.</param>
    /// <returns>The new frame.</returns>
    public DataFrame Assign(string column, Series values)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(values);
        return Binary("assign", values, Ops.AssignColumn, ColumnUse.Assign, Node.Literal(column));
    }

    /// <summary>Adds or replaces a column computed from this frame.</summary>
    /// <param name="column">The column's name.</param>
    /// <param name="values">Computes the column from the frame, e.g. <c>df =&gt; df["x"] * 2</c>.</param>
    /// <returns>The new frame.</returns>
    public DataFrame Assign(string column, Func<DataFrame, Series> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Assign(column, values(this));
    }

    /// <summary>Adds or replaces a column holding one value in every row.</summary>
    /// <param name="column">The column's name.</param>
    /// <param name="value">The value (a number, bool, string or DateTime).</param>
    /// <returns>The new frame.</returns>
    public DataFrame AssignScalar(string column, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(value);
        return Map("assign", Ops.AssignScalarColumn, ColumnUse.AssignScalar, Node.Literal(column), Node.Literal(value));
    }

    /// <summary>Renames columns (index columns too).</summary>
    /// <param name="mapping">Old name → new name.</param>
    /// <returns>The renamed frame.</returns>
    public DataFrame Rename(IReadOnlyDictionary<string, string> mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        return Map("rename", Ops.RenameColumns, Node.Literal(mapping.Keys.ToArray()), Node.Literal(mapping.Values.ToArray()));
    }

    /// <summary>Removes columns.</summary>
    /// <param name="columns">The columns to remove.</param>
    /// <returns>The frame without them.</returns>
    public DataFrame Drop(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return Map("drop", Ops.DropColumns, ColumnUse.Drop, Node.Literal(columns));
    }

    /// <summary>Converts columns to other dtypes.</summary>
    /// <param name="types">Column → dtype.</param>
    /// <returns>The converted frame.</returns>
    public DataFrame AsType(IReadOnlyDictionary<string, DType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Map("astype", Ops.CastColumns, Node.Literal(types.Keys.ToArray()), Node.Literal(types.Values.Select(t => (int)t).ToArray()));
    }

    /// <summary>Replaces missing values (null, NaN) in every data column with <paramref name="value"/>.</summary>
    /// <param name="value">The fill value; it must suit every column's dtype.</param>
    /// <returns>The filled frame.</returns>
    public DataFrame FillNa(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Map("fillna", Ops.FillNaColumns, Node.Literal(value));
    }

    /// <summary>Tells where values are missing: a bool frame of the same shape.</summary>
    /// <returns>The lazy frame.</returns>
    public DataFrame IsNa() => Map("isna", Ops.IsNaColumns);

    /// <summary>Drops rows with a missing value in any of the given columns (all data columns by default).</summary>
    /// <param name="subset">The columns to look at.</param>
    /// <returns>The frame without those rows.</returns>
    public DataFrame DropNa(params string[] subset)
    {
        ArgumentNullException.ThrowIfNull(subset);
        return Map("dropna", Ops.DropNaRows, Node.Literal(subset));
    }

    /// <summary>Runs a function on every partition.</summary>
    /// <param name="function">The function; it receives and returns a table. It must be pure, and a static method or lambda to run on worker processes.</param>
    /// <param name="meta">The result's schema (an empty table); by default the function is run on an empty partition to find it.</param>
    /// <returns>The lazy frame; divisions are kept.</returns>
    public DataFrame MapPartitions(Func<Table, Table> function, Table? meta = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        Table resultMeta;
        if (meta is not null)
        {
            resultMeta = meta.Empty();
        }
        else
        {
            try
            {
                resultMeta = function(Meta).Empty();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException($"MapPartitions: running the function on an empty partition to find the result's schema failed ({e.GetType().Name}: {e.Message}); pass meta explicitly.", nameof(function), e);
            }
        }

        var fn = TaskFunction.Create(function, "map-partitions");
        string name = Plan.Name("map-partitions", Layer, function.Method.Name, function.Method.DeclaringType?.FullName, Tokenizer.Tokenize(function));
        return new DataFrame(Plan.Blockwise(Graph, name, Layer, NPartitions, fn), name, NPartitions, resultMeta, _divisions);
    }

    /// <summary>The number of rows (a lazy value; partitions are counted in parallel).</summary>
    /// <returns>The lazy count.</returns>
    public Scalar<long> Len() => Project([]).CountRows();

    /// <summary>
    /// Describes the frame's plan: one line per step, inputs indented under the step that uses them.
    /// Optimized (the default), it is the plan that runs: reads list the columns they parse and the
    /// filters pushed into them, and the last line names the steps fused into one task per partition.
    /// </summary>
    /// <param name="optimize">Whether to show the optimized plan (true) or the plan as written.</param>
    /// <returns>The text.</returns>
    public string Explain(bool optimize = true) => Explainer.Explain(Expr, optimize);

    /// <summary>The frame with only the data columns in <paramref name="columns"/> (index kept), built only when some column goes.</summary>
    internal DataFrame Project(IEnumerable<string> columns)
    {
        string[] kept = [.. Columns.Where(columns.Contains)];
        return kept.Length == Columns.Count ? this : Map("select", Ops.SelectColumns, ColumnUse.Select, Node.Literal(kept));
    }

    private Scalar<long> CountRows()
    {
        string name = Plan.Name("len", Layer);
        var tasks = new TaskGraph(NPartitions + 1);
        var refs = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(Ops.RowCount, Node.Ref(new Key(Layer, i))));
            refs[i] = Node.Ref(key);
        }

        tasks.TryAdd(new Key(name, 0), Node.Call(Ops.SumCounts, Node.List<long>(refs)));
        return new Scalar<long>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0));
    }

    /// <summary>The first rows (computed now, like Dask's <c>head</c>), from the first partitions.</summary>
    /// <param name="n">How many rows.</param>
    /// <param name="npartitions">How many leading partitions to look in (-1: all).</param>
    /// <returns>The rows.</returns>
    public Table Head(int n = 5, int npartitions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int parts = npartitions < 0 ? NPartitions : Math.Min(Math.Max(1, npartitions), NPartitions);
        string name = Plan.Name("head", Layer, n, parts);
        var tasks = new TaskGraph(1);
        tasks.TryAdd(new Key(name, 0), Node.Call(Ops.HeadRows, Node.List<Table>([.. Enumerable.Range(0, parts).Select(i => Node.Ref(new Key(Layer, i)))]), Node.Literal(n)));
        var head = new DataFrame(Graph.With(new MaterializedLayer(name, tasks), Layer), name, 1, Meta, Plan.UnknownDivisions(1));
        return head.Compute();
    }

    /// <summary>Groups rows by the values of one or more key columns.</summary>
    /// <param name="keys">The key columns.</param>
    /// <returns>The grouping; choose columns with its indexer and an aggregation.</returns>
    public GroupBy GroupBy(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Length == 0)
        {
            throw new ArgumentException("GroupBy needs at least one key column.", nameof(keys));
        }

        foreach (string k in keys)
        {
            _ = Meta.Find(k, "groupby");
        }

        return new GroupBy(this, keys, null);
    }

    /// <inheritdoc/>
    public Table Assemble(IReadOnlyList<object?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return parts.Count == 0 ? Meta : Table.Concat([.. parts.Cast<Table>()]);
    }

    /// <inheritdoc/>
    public ITesseraCollection WithGraph(LayeredGraph graph) => new DataFrame(graph, Layer, NPartitions, Meta, _divisions);

    internal DataFrame Map(string op, TaskFunction fn, params Node[] args) => Map(op, fn, ColumnUse.All, args);

    /// <inheritdoc/>
    public override string ToString() =>
        $"DataFrame ({NPartitions} partitions, {(KnownDivisions ? "known" : "unknown")} divisions): {Table.Describe(Meta)}";

    internal DataFrame Map(string op, TaskFunction fn, ColumnUse use, params Node[] args) =>
        new(new PartitionwiseExpr(op, fn, Plan.Values(args), use, [Expr]), _divisions);

    private DataFrame Binary(string op, Series other, TaskFunction fn, params Node[] args) => Binary(op, other, fn, ColumnUse.All, args);

    private DataFrame Binary(string op, Series other, TaskFunction fn, ColumnUse use, params Node[] args)
    {
        Plan.CheckAligned(op, NPartitions, _divisions, other.NPartitions, other.Divisions);
        return new DataFrame(new PartitionwiseExpr(op, fn, Plan.Values(args), use, [Expr, other.Expr]), _divisions);
    }

    private static bool IsSorted(Table t)
    {
        int[] order = Sorting.ArgSort([t.ColumnAt(0)], [true]);
        for (int i = 0; i < order.Length; i++)
        {
            if (order[i] != i)
            {
                return false;
            }
        }

        return t.ColumnAt(0).NullCount == 0;
    }
}
