using Tessera.Graphs;

namespace Tessera.DataFrames.Expressions;

/// <summary>
/// A node of a frame's logical plan (dask-expr's <c>Expr</c>): what a partition of the result is made
/// of, before it becomes tasks. <see cref="Optimizer"/> rewrites a plan (projection and predicate
/// pushdown) and <see cref="Lowering"/> turns it into a layered graph, fusing partition-wise steps.
/// </summary>
internal abstract class Expr(string name, int npartitions, Table meta, IReadOnlyList<Expr> inputs)
{
    /// <summary>Gets the name of the layer that holds this node's partitions when it is lowered on its own.</summary>
    public string Name { get; } = name;

    public int NPartitions { get; } = npartitions;

    /// <summary>Gets an empty table with the node's schema.</summary>
    public Table Meta { get; } = meta;

    public IReadOnlyList<Expr> Inputs { get; } = inputs;

    /// <summary>One line for <c>Explain</c>.</summary>
    public abstract string Describe();
}

/// <summary>A plan leaf whose partitions come from an already built graph (in-memory data, persisted parts, a groupby result, …).</summary>
internal sealed class GraphExpr(LayeredGraph graph, string layer, int npartitions, Table meta) : Expr(layer, npartitions, meta, [])
{
    public LayeredGraph Graph { get; } = graph;

    public override string Describe() => $"Graph {Name} ({NPartitions} partitions, {Graph.Layers.Length} layers)";
}

/// <summary>How a partition-wise step's output columns depend on its first input's columns (for projection pushdown).</summary>
internal enum ColumnUse
{
    /// <summary>Needs every column of its inputs.</summary>
    All,

    /// <summary>Keeps the columns named by its first argument (a <c>string[]</c>).</summary>
    Select,

    /// <summary>Makes a series of the column named by its first argument.</summary>
    GetItem,

    /// <summary>Keeps rows of its first input by the mask in its second.</summary>
    Filter,

    /// <summary>Adds the second input as the column named by its first argument.</summary>
    Assign,

    /// <summary>Adds a constant column named by its first argument.</summary>
    AssignScalar,

    /// <summary>Removes the columns named by its first argument.</summary>
    Drop,
}

/// <summary>One task per partition: <c>fn(input partitions…, args…)</c>, where the args are plain values.</summary>
internal sealed class PartitionwiseExpr : Expr
{
    public PartitionwiseExpr(string op, TaskFunction function, object?[] args, ColumnUse use, IReadOnlyList<Expr> inputs)
        : base(Plan.Name(op, [.. inputs.Select(i => i.Name), .. args]), inputs[0].NPartitions, MetaOf(function, args, inputs), inputs)
    {
        Op = op;
        Function = function;
        Args = args;
        Use = use;
    }

    public string Op { get; }

    public TaskFunction Function { get; }

    public object?[] Args { get; }

    public ColumnUse Use { get; }

    public PartitionwiseExpr With(object?[] args, IReadOnlyList<Expr> inputs) => new(Op, Function, args, Use, inputs);

    public override string Describe() => Use switch
    {
        ColumnUse.Select => $"Select [{string.Join(", ", (string[])Args[0]!)}]",
        ColumnUse.GetItem => $"Column '{Args[0]}'",
        ColumnUse.Filter => "Filter",
        ColumnUse.Assign or ColumnUse.AssignScalar => $"Assign '{Args[0]}'",
        ColumnUse.Drop => $"Drop [{string.Join(", ", (string[])Args[0]!)}]",
        _ => Args.Length == 0 ? Op : $"{Op} ({string.Join(", ", Args.Select(Show))})",
    };

    internal static string Show(object? value) => value switch
    {
        null => "null",
        string s => "'" + s + "'",
        string[] a => "[" + string.Join(", ", a) + "]",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static Table MetaOf(TaskFunction function, object?[] args, IReadOnlyList<Expr> inputs) =>
        (Table)function.Invoke([.. inputs.Select(i => (object?)i.Meta), .. args])!;
}
