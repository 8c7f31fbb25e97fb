using System.Diagnostics.CodeAnalysis;
using Tessera.Collections;
using Tessera.DataFrames.Expressions;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// A lazy, partitioned column (Dask's <c>Series</c>): one named, typed column split into partitions,
/// with the index of the frame it came from. Operators build new lazy series; nothing runs until
/// <c>Compute</c> (from <see cref="Tessera.Collections.CollectionExtensions"/>), which returns a one-column <see cref="Table"/>.
/// </summary>
[SuppressMessage("Design", "CA1036", Justification = "Comparison operators build lazy boolean series, as in pandas; series are not ordered.")]
public sealed partial class Series : ITesseraCollection<Table>
{
    private readonly object?[] _divisions;
    private readonly Lowerings _lowered = new();

    internal Series(LayeredGraph graph, string layer, int npartitions, Table meta, object?[] divisions)
        : this(new GraphExpr(graph, layer, npartitions, meta), divisions)
    {
    }

    internal Series(Expr expr, object?[] divisions)
    {
        Expr = expr;
        _divisions = divisions;
    }

    /// <summary>Gets the graph that computes the partitions, lowered from the series' plan (optimized unless <c>dataframe.optimize</c> is false; see <see cref="Explain"/>).</summary>
    public LayeredGraph Graph => _lowered.Get(Expr).Graph;

    /// <inheritdoc/>
    public IReadOnlyList<Key> PartKeys => [.. Enumerable.Range(0, NPartitions).Select(i => new Key(Layer, i))];

    /// <summary>Gets the number of partitions.</summary>
    public int NPartitions => Expr.NPartitions;

    /// <summary>Gets the divisions: <see cref="NPartitions"/> + 1 index values bounding the partitions, or nulls when unknown.</summary>
    public IReadOnlyList<object?> Divisions => _divisions;

    /// <summary>Gets a value indicating whether the divisions are known.</summary>
    public bool KnownDivisions => _divisions.Length > 0 && _divisions[0] is not null;

    /// <summary>Gets an empty table with the series' schema (its index columns and one data column).</summary>
    public Table Meta => Expr.Meta;

    /// <summary>Gets the series' name (its column's name).</summary>
    public string Name => Meta.ColumnNames[0];

    /// <summary>Gets the type of the values.</summary>
    public DType DType => Meta.DTypeOf(Name);

    internal string Layer => _lowered.Get(Expr).Layer;

    internal Expr Expr { get; }

    /// <summary>Gets the categorical methods (pandas' <c>cat</c> accessor): codes, categories, known categories.</summary>
    /// <exception cref="ArgumentException">The series is not a category series.</exception>
    public CategoricalMethods Cat => new(this);

    /// <summary>Gets the string methods (pandas' <c>str</c> accessor).</summary>
    /// <exception cref="ArgumentException">The series is not a string series.</exception>
    public StringMethods Str => new(this);

    /// <summary>Gets the datetime methods (pandas' <c>dt</c> accessor).</summary>
    /// <exception cref="ArgumentException">The series is not a timestamp series.</exception>
    public DateTimeMethods Dt => new(this);

    /// <summary>Adds two series element-wise.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy sum.</returns>
    public static Series operator +(Series a, Series b) => Arith(ArithOp.Add, a, b);

    /// <summary>Subtracts element-wise.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy difference.</returns>
    public static Series operator -(Series a, Series b) => Arith(ArithOp.Subtract, a, b);

    /// <summary>Multiplies element-wise.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy product.</returns>
    public static Series operator *(Series a, Series b) => Arith(ArithOp.Multiply, a, b);

    /// <summary>Divides element-wise (true division: the result is floating point).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy quotient.</returns>
    public static Series operator /(Series a, Series b) => Arith(ArithOp.Divide, a, b);

    /// <summary>Remainder element-wise, with the divisor's sign (Python's <c>%</c>).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy remainder.</returns>
    public static Series operator %(Series a, Series b) => Arith(ArithOp.Modulo, a, b);

    /// <summary>Adds a number to every value.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator +(Series a, double b) => Arith(ArithOp.Add, a, b, false);

    /// <summary>Adds a number to every value.</summary>
    /// <param name="a">The number.</param>
    /// <param name="b">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator +(double a, Series b) => Arith(ArithOp.Add, b, a, true);

    /// <summary>Subtracts a number from every value.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator -(Series a, double b) => Arith(ArithOp.Subtract, a, b, false);

    /// <summary>Subtracts every value from a number.</summary>
    /// <param name="a">The number.</param>
    /// <param name="b">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator -(double a, Series b) => Arith(ArithOp.Subtract, b, a, true);

    /// <summary>Multiplies every value by a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator *(Series a, double b) => Arith(ArithOp.Multiply, a, b, false);

    /// <summary>Multiplies every value by a number.</summary>
    /// <param name="a">The number.</param>
    /// <param name="b">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator *(double a, Series b) => Arith(ArithOp.Multiply, b, a, true);

    /// <summary>Divides every value by a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator /(Series a, double b) => Arith(ArithOp.Divide, a, b, false);

    /// <summary>Divides a number by every value.</summary>
    /// <param name="a">The number.</param>
    /// <param name="b">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator /(double a, Series b) => Arith(ArithOp.Divide, b, a, true);

    /// <summary>Adds an integer to every value (integer columns stay integer).</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator +(Series a, long b) => Arith(ArithOp.Add, a, b, false);

    /// <summary>Subtracts an integer from every value.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator -(Series a, long b) => Arith(ArithOp.Subtract, a, b, false);

    /// <summary>Multiplies every value by an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator *(Series a, long b) => Arith(ArithOp.Multiply, a, b, false);

    /// <summary>Remainder of every value by an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator %(Series a, long b) => Arith(ArithOp.Modulo, a, b, false);

    /// <summary>Negates every value.</summary>
    /// <param name="a">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator -(Series a) => a.Unary("neg", Ops.NegateSeries, Kernels.Compute.Negate);

    /// <summary>Element-wise equality (a lazy bool series; null where either side is null).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy comparison.</returns>
    public static Series operator ==(Series a, Series b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Element-wise inequality.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy comparison.</returns>
    public static Series operator !=(Series a, Series b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Element-wise less-than.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy comparison.</returns>
    public static Series operator <(Series a, Series b) => Compare(CompareOp.Less, a, b);

    /// <summary>Element-wise greater-than.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy comparison.</returns>
    public static Series operator >(Series a, Series b) => Compare(CompareOp.Greater, a, b);

    /// <summary>Element-wise less-or-equal.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy comparison.</returns>
    public static Series operator <=(Series a, Series b) => Compare(CompareOp.LessOrEqual, a, b);

    /// <summary>Element-wise greater-or-equal.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy comparison.</returns>
    public static Series operator >=(Series a, Series b) => Compare(CompareOp.GreaterOrEqual, a, b);

    /// <summary>Compares every value with a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator ==(Series a, double b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Compares every value with a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator !=(Series a, double b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Compares every value with a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <(Series a, double b) => Compare(CompareOp.Less, a, b);

    /// <summary>Compares every value with a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >(Series a, double b) => Compare(CompareOp.Greater, a, b);

    /// <summary>Compares every value with a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <=(Series a, double b) => Compare(CompareOp.LessOrEqual, a, b);

    /// <summary>Compares every value with a number.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >=(Series a, double b) => Compare(CompareOp.GreaterOrEqual, a, b);

    /// <summary>Compares every value with an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator ==(Series a, long b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Compares every value with an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator !=(Series a, long b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Compares every value with an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <(Series a, long b) => Compare(CompareOp.Less, a, b);

    /// <summary>Compares every value with an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >(Series a, long b) => Compare(CompareOp.Greater, a, b);

    /// <summary>Compares every value with an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <=(Series a, long b) => Compare(CompareOp.LessOrEqual, a, b);

    /// <summary>Compares every value with an integer.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The integer.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >=(Series a, long b) => Compare(CompareOp.GreaterOrEqual, a, b);

    /// <summary>Compares every value with a string (ordinal).</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The string.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator ==(Series a, string b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Compares every value with a string (ordinal).</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The string.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator !=(Series a, string b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Element-wise logical and of bool series.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator &(Series a, Series b) => Logical(LogicalOp.And, a, b);

    /// <summary>Element-wise logical or of bool series.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator |(Series a, Series b) => Logical(LogicalOp.Or, a, b);

    /// <summary>Element-wise exclusive or of bool series.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator ^(Series a, Series b) => Logical(LogicalOp.Xor, a, b);

    /// <summary>Element-wise logical not of a bool series (pandas' <c>~</c>).</summary>
    /// <param name="a">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator !(Series a) => a.Unary("not", Ops.NotSeries, Kernels.Compute.Not);

    /// <summary>Element-wise logical not of a bool series (pandas' <c>~</c>).</summary>
    /// <param name="a">The series.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator ~(Series a) => !a;

    /// <summary>Compares this value with a number: a lazy bool series (the same as <c>==</c>).</summary>
    /// <param name="value">The number.</param>
    /// <returns>The lazy bool series.</returns>
    public Series Eq(object value) => Compare(CompareOp.Equal, this, value);

    /// <summary>Tells where values are missing (null, or NaN in floating-point columns).</summary>
    /// <returns>A lazy bool series.</returns>
    public Series IsNa() => Map("isna", Ops.IsNaColumns);

    /// <summary>Replaces missing values with <paramref name="value"/>.</summary>
    /// <param name="value">The fill value (a number, bool, string or DateTime matching the dtype).</param>
    /// <returns>The lazy result.</returns>
    public Series FillNa(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Map("fillna", Ops.FillNaColumns, Node.Literal(value));
    }

    /// <summary>Converts the values to another dtype.</summary>
    /// <param name="type">The dtype.</param>
    /// <returns>The lazy result.</returns>
    public Series AsType(DType type) => Map("astype", Ops.CastColumns, Node.Literal(new[] { Name }), Node.Literal(new[] { (int)type }));

    /// <summary>Returns the series under another name.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>The lazy series.</returns>
    public Series Rename(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Map("rename", Ops.RenameSeries, Node.Literal(name));
    }

    /// <summary>Describes the series' plan, as <see cref="DataFrame.Explain"/> does for frames.</summary>
    /// <param name="optimize">Whether to show the optimized plan (true) or the plan as written.</param>
    /// <returns>The text.</returns>
    public string Explain(bool optimize = true) => Explainer.Explain(Expr, optimize);

    /// <summary>Turns the series into a one-column frame.</summary>
    /// <returns>The lazy frame.</returns>
    public DataFrame ToFrame() => new(Expr, _divisions);

    /// <summary>
    /// Cumulative sum across partitions (Dask's <c>cumsum</c>): each partition's running sum plus the
    /// totals of all earlier partitions, carried partition by partition. Missing values are skipped and
    /// stay missing; integer and bool series give int64, floating-point ones float64.
    /// </summary>
    /// <returns>The lazy series (same partitions and divisions).</returns>
    public Series CumSum()
    {
        if (!(DType.IsNumeric() || DType == DType.Bool))
        {
            throw new ArgumentException($"CumSum: column '{Name}' is {DType.Name()}; it needs a numeric or bool column.");
        }

        DType result = Cumulative.ResultType(DType);
        string name = Plan.Name("cumsum", Layer);
        var tasks = new TaskGraph(3 * NPartitions);
        Key carry = new(name + "-carry", 0);
        tasks.TryAdd(carry, Node.Call(SeriesOps.CumStart, Node.Literal((int)result)));
        for (int i = 0; i < NPartitions; i++)
        {
            var local = new Key(name + "-chunk", i);
            tasks.TryAdd(local, Node.Call(SeriesOps.CumLocal, Node.Ref(new Key(Layer, i))));
            tasks.TryAdd(new Key(name, i), Node.Call(SeriesOps.CumAdd, Node.Ref(local), Node.Ref(carry)));
            if (i + 1 < NPartitions)
            {
                var next = new Key(name + "-carry", i + 1);
                tasks.TryAdd(next, Node.Call(SeriesOps.CumCarry, Node.Ref(carry), Node.Ref(local)));
                carry = next;
            }
        }

        Table meta = Meta.WithColumns([(Name, Cumulative.Local(Ops.Values(Meta)))]);
        return new Series(Graph.With(new MaterializedLayer(name, tasks), Layer), name, NPartitions, meta, _divisions);
    }

    /// <summary>Keeps values where <paramref name="condition"/> is true and replaces the others with <paramref name="other"/> (missing by default); a missing condition counts as false.</summary>
    /// <param name="condition">A bool series derived from the same frame.</param>
    /// <param name="other">The replacement (null: missing).</param>
    /// <returns>The lazy series.</returns>
    public Series Where(Series condition, object? other = null) => WhereMask("where", condition, other, invert: false);

    /// <summary>Replaces values where <paramref name="condition"/> is true (pandas' <c>mask</c>).</summary>
    /// <param name="condition">A bool series derived from the same frame.</param>
    /// <param name="other">The replacement (null: missing).</param>
    /// <returns>The lazy series.</returns>
    public Series Mask(Series condition, object? other = null) => WhereMask("mask", condition, other, invert: true);

    /// <summary>The last <paramref name="n"/> values (computed now, from the last partitions).</summary>
    /// <param name="n">How many rows.</param>
    /// <param name="npartitions">How many trailing partitions to look in (-1: all).</param>
    /// <returns>The rows.</returns>
    public Table Tail(int n = 5, int npartitions = 1) => ToFrame().Tail(n, npartitions);

    /// <summary>
    /// Sum of the non-missing values, in the column's own kind of number, as pandas: a <see cref="long"/>
    /// for signed integer and bool columns (exact, wrapping on overflow like NumPy), a <see cref="ulong"/>
    /// for unsigned ones, a <see cref="double"/> (or <see cref="float"/> for float32) for floating point.
    /// 0 when there is no value.
    /// </summary>
    /// <param name="splitEvery">How many partial results one task combines (Dask's split_every; default 8).</param>
    /// <returns>The lazy boxed value.</returns>
    public Scalar<object> Sum(int splitEvery = 8)
    {
        if (DType is DType.Timestamp or DType.Date)
        {
            throw new ArgumentException($"Sum: column '{Name}' is {DType.Name()}; points in time cannot be added.");
        }

        return TypedReduction(Aggregation.Sum, splitEvery);
    }

    /// <summary>Mean of the non-missing values.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy value.</returns>
    public Scalar<double> Mean(int splitEvery = 8) => Reduction(Aggregation.Mean, splitEvery);

    /// <summary>Smallest non-missing value, of the column's own type (<see cref="long"/>, <see cref="int"/>, <see cref="double"/>, <see cref="DateTime"/>, <see cref="bool"/>, …); <see cref="double.NaN"/> when there is none, as pandas.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy boxed value.</returns>
    public Scalar<object> Min(int splitEvery = 8) => TypedReduction(Aggregation.Min, splitEvery);

    /// <summary>Largest non-missing value, of the column's own type; <see cref="double.NaN"/> when there is none.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy boxed value.</returns>
    public Scalar<object> Max(int splitEvery = 8) => TypedReduction(Aggregation.Max, splitEvery);

    /// <summary>Sample variance (ddof = 1).</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy value.</returns>
    public Scalar<double> Var(int splitEvery = 8) => Reduction(Aggregation.Var, splitEvery);

    /// <summary>Sample standard deviation (ddof = 1).</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy value.</returns>
    public Scalar<double> Std(int splitEvery = 8) => Reduction(Aggregation.Std, splitEvery);

    /// <summary>Number of non-missing values.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy value.</returns>
    public Scalar<long> Count(int splitEvery = 8)
    {
        CheckNumeric("Count");
        string name = Plan.Name("count", Layer, splitEvery);
        var tasks = new TaskGraph();
        Node[] leaves = ChunkLeaves(tasks, name);
        Plan.Tree<double[]>(tasks, name, leaves, splitEvery, l => Node.Call(Ops.ReduceCombine, l), l => Node.Call(Ops.CountFinal, l));
        return new Scalar<long>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0));
    }

    /// <summary>Number of distinct non-missing values.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy value.</returns>
    public Scalar<long> NUnique(int splitEvery = 8)
    {
        string name = Plan.Name("nunique", Layer, splitEvery);
        var tasks = new TaskGraph();
        Node[] leaves = UniqueLeaves(tasks, name);
        Plan.Tree<Table>(tasks, name, leaves, splitEvery, l => Node.Call(Ops.UniqueCombine, l), l => Node.Call(Ops.UniqueCount, l));
        return new Scalar<long>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0));
    }

    /// <summary>The distinct non-missing values, in order of first appearance, as a one-partition series.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <returns>The lazy series.</returns>
    public Series Unique(int splitEvery = 8)
    {
        string name = Plan.Name("unique", Layer, splitEvery);
        var tasks = new TaskGraph();
        Node[] leaves = UniqueLeaves(tasks, name);
        Plan.Tree<Table>(tasks, name, leaves, splitEvery, l => Node.Call(Ops.UniqueCombine, l), l => Node.Call(Ops.UniqueCombine, l));
        Table meta = Ops.Unique(Meta);
        return new Series(Graph.With(new MaterializedLayer(name, tasks), Layer), name, 1, meta, Plan.UnknownDivisions(1));
    }

    /// <summary>Counts of each distinct non-missing value (Dask's <c>value_counts</c>): a series named <c>count</c> indexed by the values.</summary>
    /// <param name="splitEvery">How many partial results one task combines.</param>
    /// <param name="sort">Order by count (ties in value order); false: in value order.</param>
    /// <param name="ascending">With <paramref name="sort"/>, smallest counts first (default: largest first).</param>
    /// <returns>The lazy one-partition series.</returns>
    public Series ValueCounts(int splitEvery = 8, bool sort = true, bool ascending = false)
    {
        Series sizes = ToFrame().GroupBy(Name).Size(splitEvery).Rename("count");
        if (!sort)
        {
            return sizes;
        }

        string name = Plan.Name("value-counts", sizes.Layer, ascending);
        LayeredGraph g = Plan.Blockwise(sizes.Graph, name, sizes.Layer, 1, Ops.SortByCount, Node.Literal("count"), Node.Literal(ascending));
        return new Series(g, name, 1, sizes.Meta, Plan.UnknownDivisions(1));
    }

    /// <summary>Runs a function on every partition (a one-column table) and returns the resulting series.</summary>
    /// <param name="function">The function; it must return a table with one data column.</param>
    /// <param name="meta">The result's schema; by default the function is run on an empty partition to find it.</param>
    /// <returns>The lazy series.</returns>
    public Series MapPartitions(Func<Table, Table> function, Table? meta = null)
    {
        DataFrame f = ToFrame().MapPartitions(function, meta);
        if (f.Meta.ColumnNames.Count != 1)
        {
            throw new ArgumentException($"MapPartitions on a series must return one data column; the function returned {f.Meta.ColumnNames.Count}.", nameof(function));
        }

        return new Series(f.Graph, f.Layer, f.NPartitions, f.Meta, _divisions);
    }

    /// <summary>The first <paramref name="n"/> values (computed now, from the first partitions).</summary>
    /// <param name="n">How many rows.</param>
    /// <param name="npartitions">How many leading partitions to look in (-1: all).</param>
    /// <returns>The rows.</returns>
    public Table Head(int n = 5, int npartitions = 1) => ToFrame().Head(n, npartitions);

    /// <inheritdoc/>
    public Table Assemble(IReadOnlyList<object?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return parts.Count == 0 ? Meta : Table.Concat([.. parts.Cast<Table>()]);
    }

    /// <inheritdoc/>
    public ITesseraCollection WithGraph(LayeredGraph graph) => new Series(graph, Layer, NPartitions, Meta, _divisions);

    /// <summary>Not supported: <c>==</c> builds a lazy comparison. Use <see cref="object.ReferenceEquals"/>.</summary>
    /// <param name="obj">The other object.</param>
    /// <returns>Whether it is the same instance.</returns>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    /// <inheritdoc/>
    public override string ToString() => $"Series '{Name}' ({DType.Name()}, {NPartitions} partitions)";

    internal Series Map(string op, TaskFunction fn, params Node[] args) =>
        new(new PartitionwiseExpr(op, fn, Plan.Values(args), ColumnUse.All, [Expr]), _divisions);

    private Series Unary(string op, TaskFunction fn, Func<Apache.Arrow.IArrowArray, Apache.Arrow.IArrowArray> check)
    {
        _ = check(Ops.Values(Meta));
        return Map(op, fn);
    }

    private Series WhereMask(string op, Series condition, object? other, bool invert)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition.DType != DType.Bool)
        {
            throw new ArgumentException($"{op}: the condition must be a bool series; '{condition.Name}' is {condition.DType.Name()}.", nameof(condition));
        }

        return Binary(op, this, condition, SeriesOps.Where, Node.Literal(other), Node.Literal(invert));
    }

    private static Series Arith(ArithOp op, Series a, Series b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        DType result = Kernels.Compute.ArithType(op, a.DType, b.DType);
        return Binary("arith-" + op.ToString().ToLowerInvariant(), a, b, Ops.ArithSeries, Node.Literal((int)op), Node.Literal((int)result));
    }

    private static Series Arith(ArithOp op, Series a, object scalar, bool scalarOnLeft)
    {
        ArgumentNullException.ThrowIfNull(a);
        DType result = Kernels.Compute.ArithTypeWithScalar(op, a.DType, Kernels.Compute.ScalarType(scalar));
        return a.Map("arith-" + op.ToString().ToLowerInvariant(), Ops.ArithWithScalar, Node.Literal(scalar), Node.Literal(scalarOnLeft), Node.Literal((int)op), Node.Literal((int)result));
    }

    private static Series Compare(CompareOp op, Series a, Series b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        _ = Kernels.Compute.CompareType(op, a.DType, b.DType);
        return Binary("compare-" + op.ToString().ToLowerInvariant(), a, b, Ops.CompareSeries, Node.Literal((int)op));
    }

    private static Series Compare(CompareOp op, Series a, object scalar)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(scalar);
        DType st = Kernels.Compute.ScalarType(scalar);
        if (!(a.DType.IsTemporal() && st == a.DType))
        {
            _ = Kernels.Compute.CompareType(op, a.DType, st);
        }

        return a.Map("compare-" + op.ToString().ToLowerInvariant(), Ops.CompareWithScalar, Node.Literal(scalar), Node.Literal((int)op));
    }

    private static Series Logical(LogicalOp op, Series a, Series b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.DType != DType.Bool || b.DType != DType.Bool)
        {
            throw new ArgumentException($"Logical '{op}' needs bool series, not {a.DType.Name()} ('{a.Name}') and {b.DType.Name()} ('{b.Name}').");
        }

        return Binary("logical-" + op.ToString().ToLowerInvariant(), a, b, Ops.LogicalSeries, Node.Literal((int)op));
    }

    private static Series Binary(string op, Series a, Series b, TaskFunction fn, params Node[] args)
    {
        Plan.CheckAligned(op, a.NPartitions, a._divisions, b.NPartitions, b._divisions);
        return new Series(new PartitionwiseExpr(op, fn, Plan.Values(args), ColumnUse.All, [a.Expr, b.Expr]), a._divisions);
    }

    private Scalar<double> Reduction(Aggregation agg, int splitEvery)
    {
        CheckNumeric(agg.ToString());
        string name = Plan.Name(agg.ToString().ToLowerInvariant(), Layer, splitEvery);
        var tasks = new TaskGraph();
        Node[] leaves = ChunkLeaves(tasks, name);
        Plan.Tree<double[]>(tasks, name, leaves, splitEvery, l => Node.Call(Ops.ReduceCombine, l), l => Node.Call(Ops.ReduceFinal, l, Node.Literal((int)agg)));
        return new Scalar<double>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0));
    }

    private Scalar<object> TypedReduction(Aggregation agg, int splitEvery)
    {
        CheckNumeric(agg.ToString());
        string name = Plan.Name("typed-" + agg.ToString().ToLowerInvariant(), Layer, splitEvery);
        var tasks = new TaskGraph();
        var leaves = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(TypedReductions.ChunkFn, Node.Ref(new Key(Layer, i)), Node.Literal((int)agg)));
            leaves[i] = Node.Ref(key);
        }

        Plan.Tree<Table>(tasks, name, leaves, splitEvery, l => Node.Call(TypedReductions.CombineFn, l, Node.Literal((int)agg)), l => Node.Call(TypedReductions.FinalFn, l, Node.Literal((int)agg), Node.Literal((int)DType)));
        return new Scalar<object>(Graph.With(new MaterializedLayer(name, tasks), Layer), new Key(name, 0));
    }

    private void CheckNumeric(string operation)
    {
        if (!(DType.IsNumeric() || DType is DType.Bool || DType.IsTemporal()))
        {
            throw new ArgumentException($"{operation}: column '{Name}' is {DType.Name()}; this reduction needs a numeric column.");
        }
    }

    private Node[] ChunkLeaves(TaskGraph tasks, string name)
    {
        var leaves = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(Ops.ReduceChunk, Node.Ref(new Key(Layer, i))));
            leaves[i] = Node.Ref(key);
        }

        return leaves;
    }

    private Node[] UniqueLeaves(TaskGraph tasks, string name)
    {
        var leaves = new Node[NPartitions];
        for (int i = 0; i < NPartitions; i++)
        {
            var key = new Key(name + "-chunk", i);
            tasks.TryAdd(key, Node.Call(Ops.UniqueChunk, Node.Ref(new Key(Layer, i))));
            leaves[i] = Node.Ref(key);
        }

        return leaves;
    }
}
