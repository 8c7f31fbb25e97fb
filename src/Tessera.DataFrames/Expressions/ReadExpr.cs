using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames.Expressions;

/// <summary>
/// A plan leaf that reads files: the columns it parses (projection pushdown narrows them) and an
/// optional row filter evaluated in the reading task (predicate pushdown).
/// </summary>
/// <param name="kind">The reader's task name, e.g. <c>read-csv</c>.</param>
/// <param name="source">What the reader found: its name (the plan's name for a read of every column), columns and schema.</param>
/// <param name="npartitions">The partitions (blocks or files).</param>
/// <param name="columns">The data columns parsed, in the file's order.</param>
/// <param name="predicate">The pushed-down row filter, or null.</param>
/// <param name="output">The data columns kept after the filter; null: all of <paramref name="columns"/>.</param>
/// <param name="unfiltered">The read without its filter, for a filtered one.</param>
internal abstract class ReadExpr(string kind, (string Name, int Columns, Table Meta) source, int npartitions, string[] columns, Expr? predicate, string[]? output, ReadExpr? unfiltered)
    : Expr(
        columns.Length == source.Columns && predicate is null ? source.Name : Plan.Name(kind, source.Name, columns, predicate?.Name, output),
        npartitions,
        MetaOf(source.Meta, output ?? columns),
        [])
{
    private readonly ReadExpr? _unfiltered = unfiltered;

    /// <summary>Gets the data columns parsed, in the file's order.</summary>
    public string[] Columns { get; } = columns;

    /// <summary>Gets the pushed-down row filter: a bool series over the unfiltered read (<see cref="Unfiltered"/>), or null.</summary>
    public Expr? Predicate { get; } = predicate;

    /// <summary>Gets the data columns kept after the filter (the predicate may need more).</summary>
    public string[] Output { get; } = output ?? columns;

    /// <summary>Gets the data columns the file holds, in order.</summary>
    public abstract IReadOnlyList<string> AllColumns { get; }

    /// <summary>Gets the read without its filter (the leaf of <see cref="Predicate"/>).</summary>
    public ReadExpr Unfiltered => _unfiltered ?? this;

    /// <summary>The read of only these data columns (in the file's order), without a filter.</summary>
    public abstract ReadExpr WithColumns(IReadOnlyCollection<string> columns);

    /// <summary>This read with a row filter; only <paramref name="output"/> columns are kept after it.</summary>
    public abstract ReadExpr WithPredicate(Expr predicate, string[] output);

    /// <summary>The node that reads partition <paramref name="partition"/> (all of <see cref="Columns"/>, before the filter).</summary>
    public abstract Node ReadNode(int partition);

    protected string DescribeColumns(string kind, string source)
    {
        string cols = Columns.Length == AllColumns.Count ? "all columns" : $"columns [{string.Join(", ", Columns)}] of {AllColumns.Count}";
        string text = $"{kind} {source} ({NPartitions} partitions, {cols})";
        if (Predicate is not null)
        {
            text += $", filter {Explainer.Inline(Predicate, Unfiltered)}";
            if (Output.Length != Columns.Length)
            {
                text += $", keeps [{string.Join(", ", Output)}]";
            }
        }

        return text;
    }

    protected string[] InFileOrder(IReadOnlyCollection<string> columns) => [.. AllColumns.Where(columns.Contains)];

    private static Table MetaOf(Table full, IReadOnlyList<string> columns) =>
        Table.Create([.. full.IndexNames.Select(n => (n, full[n]))], [.. columns.Select(c => (c, full[c]))]);
}

/// <summary>CSV blocks parsed by <see cref="IO.CsvReader"/>; only <see cref="ReadExpr.Columns"/> are converted.</summary>
internal sealed class ReadCsvExpr : ReadExpr
{
    private static readonly TaskFunction s_readBlock = TaskFunction.Create<string, long, long, object[], Table>(ReadBlock, "read-csv");
    private readonly CsvSource _source;
    private readonly object[] _spec;

    public ReadCsvExpr(CsvSource source, string[] columns, Expr? predicate = null, string[]? output = null, ReadExpr? unfiltered = null)
        : base("read-csv", (source.Name, source.Names.Length, source.Meta), source.Blocks.Length, columns, predicate, output, unfiltered)
    {
        _source = source;
        int[] indices = [.. columns.Select(c => System.Array.IndexOf(source.Names, c))];
        _spec = [source.Header, source.Separator, columns, indices, indices.Select(i => source.Types[i]).ToArray(), source.SkipBadLines];
    }

    public override IReadOnlyList<string> AllColumns => _source.Names;

    public override ReadExpr WithColumns(IReadOnlyCollection<string> columns) => new ReadCsvExpr(_source, InFileOrder(columns));

    public override ReadExpr WithPredicate(Expr predicate, string[] output) => new ReadCsvExpr(_source, Columns, predicate, output, this);

    public override Node ReadNode(int partition)
    {
        (string file, long start, long end) = _source.Blocks[partition];
        return Node.Call(s_readBlock, Node.Literal(file), Node.Literal(start), Node.Literal(end), Node.Literal(_spec));
    }

    public override string Describe() => DescribeColumns("ReadCsv", $"'{_source.Pattern}'");

    private static Table ReadBlock(string path, long start, long end, object[] spec) =>
        IO.CsvReader.ReadBlock(path, start, end, (bool)spec[0], (char)spec[1], (string[])spec[2], (int[])spec[3], (int[])spec[4], (bool)spec[5]);
}

/// <summary>What <c>ReadCsv</c> found: the blocks, the columns and their dtypes, the parse options.</summary>
internal sealed record CsvSource(string Name, string Pattern, (string File, long Start, long End)[] Blocks, string[] Names, int[] Types, bool Header, char Separator, bool SkipBadLines, Table Meta);

/// <summary>Parquet files read through ParquetSharp's Arrow reader: only the chosen columns, and row groups the filter's statistics rule out are skipped.</summary>
internal sealed class ReadParquetExpr : ReadExpr
{
    private static readonly TaskFunction s_readFile = TaskFunction.Create<string, string[], object[], object[], Table>(ParquetFiles.Read, "read-parquet");
    private readonly ParquetSource _source;
    private readonly object[] _filters;

    public ReadParquetExpr(ParquetSource source, string[] columns, Expr? predicate = null, string[]? output = null, ReadExpr? unfiltered = null)
        : base("read-parquet", (source.Name, source.Data.Length, source.Meta), source.Files.Length, columns, predicate, output, unfiltered)
    {
        _source = source;
        _filters = predicate is null ? [] : [.. RowGroupFilter.Extract(predicate, Unfiltered).SelectMany(f => new object[] { f.Column, (int)f.Op, f.Value })];
    }

    public override IReadOnlyList<string> AllColumns => _source.Data;

    public override ReadExpr WithColumns(IReadOnlyCollection<string> columns) => new ReadParquetExpr(_source, InFileOrder(columns));

    public override ReadExpr WithPredicate(Expr predicate, string[] output) => new ReadParquetExpr(_source, Columns, predicate, output, this);

    public override Node ReadNode(int partition) =>
        Node.Call(s_readFile, Node.Literal(_source.Files[partition]), Node.Literal<string[]>([.. _source.Index, .. Columns]), Node.Literal(_filters), Node.Literal(_source.Hive.Literal(partition)));

    public override string Describe()
    {
        string text = DescribeColumns("ReadParquet", $"'{_source.Pattern}'");
        string[] filtered = [.. _filters.Where((_, i) => i % 3 == 0).Cast<string>().Distinct()];
        string[] onFiles = [.. filtered.Where(_source.Hive.Names.Contains)];
        string[] onGroups = [.. filtered.Except(onFiles)];
        if (onFiles.Length > 0)
        {
            text += $", files pruned by partition values of [{string.Join(", ", onFiles)}]";
        }

        return onGroups.Length == 0 ? text : text + $", row groups pruned by statistics on [{string.Join(", ", onGroups)}]";
    }
}

/// <summary>What <c>ReadParquet</c> found: the files, the index and data columns, the schema.</summary>
internal sealed record ParquetSource(string Name, string Pattern, string[] Files, string[] Index, string[] Data, Table Meta, HivePartitions Hive);

/// <summary>The conjuncts of a filter that row-group statistics can decide: <c>column op number</c>.</summary>
internal static class RowGroupFilter
{
    public static List<(string Column, CompareOp Op, object Value)> Extract(Expr predicate, Expr read)
    {
        var found = new List<(string, CompareOp, object)>();
        Walk(predicate, read, found);
        return found;
    }

    /// <summary>
    /// Whether a row group whose column values lie in [min, max] may hold a row with <c>value op scalar</c>.
    /// The bounds are compared as doubles; strict comparisons are tested loosely, so rounding a large
    /// integer never rules out a group that holds a match.
    /// </summary>
    public static bool MayMatch(CompareOp op, double min, double max, double scalar) => op switch
    {
        CompareOp.Equal => scalar >= min && scalar <= max,
        CompareOp.Less or CompareOp.LessOrEqual => min <= scalar,
        CompareOp.Greater or CompareOp.GreaterOrEqual => max >= scalar,
        _ => true,
    };

    /// <summary>Numbers against numeric columns (statistics, partition values), or string equality (partition values).</summary>
    private static bool Decidable(object scalar, CompareOp op, DType column) =>
        (scalar is double or long or int or float && column.IsNumeric()) || (scalar is string && column == DType.String && op is CompareOp.Equal or CompareOp.NotEqual);

    private static void Walk(Expr e, Expr read, List<(string, CompareOp, object)> found)
    {
        if (e is not PartitionwiseExpr p)
        {
            return;
        }

        if (ReferenceEquals(p.Function, Ops.LogicalSeries) && (LogicalOp)(int)p.Args[0]! == LogicalOp.And)
        {
            Walk(p.Inputs[0], read, found);
            Walk(p.Inputs[1], read, found);
        }
        else if (ReferenceEquals(p.Function, Ops.CompareWithScalar)
            && p.Inputs[0] is PartitionwiseExpr { Use: ColumnUse.GetItem } column
            && ReferenceEquals(column.Inputs[0], read)
            && Decidable(p.Args[0]!, (CompareOp)(int)p.Args[1]!, column.Meta.DTypeOf((string)column.Args[0]!)))
        {
            found.Add(((string)column.Args[0]!, (CompareOp)(int)p.Args[1]!, p.Args[0]!));
        }
    }
}
