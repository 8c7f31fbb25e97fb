using Tessera.Graphs;

namespace Tessera.DataFrames.Expressions;

/// <summary>Blocks of JSON lines parsed by <see cref="IO.JsonLines"/>; only <see cref="ReadExpr.Columns"/> are converted.</summary>
internal sealed class ReadJsonExpr : ReadExpr
{
    private static readonly TaskFunction s_readBlock = TaskFunction.Create<string, long, long, object[], Table>(ReadBlock, "read-json");
    private readonly JsonSource _source;
    private readonly object[] _spec;

    public ReadJsonExpr(JsonSource source, string[] columns, Expr? predicate = null, string[]? output = null, ReadExpr? unfiltered = null)
        : base("read-json", (source.Name, source.Names.Length, source.Meta), source.Blocks.Length, columns, predicate, output, unfiltered)
    {
        _source = source;
        _spec = [source.Names, columns, columns.Select(c => source.Types[System.Array.IndexOf(source.Names, c)]).ToArray(), source.SkipBadLines];
    }

    public override IReadOnlyList<string> AllColumns => _source.Names;

    public override ReadExpr WithColumns(IReadOnlyCollection<string> columns) => new ReadJsonExpr(_source, InFileOrder(columns));

    public override ReadExpr WithPredicate(Expr predicate, string[] output) => new ReadJsonExpr(_source, Columns, predicate, output, this);

    public override Node ReadNode(int partition)
    {
        (string file, long start, long end) = _source.Blocks[partition];
        return Node.Call(s_readBlock, Node.Literal(file), Node.Literal(start), Node.Literal(end), Node.Literal(_spec));
    }

    public override string Describe() => DescribeColumns("ReadJson", $"'{_source.Pattern}'");

    private static Table ReadBlock(string path, long start, long end, object[] spec) =>
        IO.JsonLines.ReadBlock(path, start, end, (string[])spec[0], (string[])spec[1], (int[])spec[2], (bool)spec[3]);
}

/// <summary>What <c>ReadJson</c> found: the blocks, the columns and their dtypes.</summary>
internal sealed record JsonSource(string Name, string Pattern, (string File, long Start, long End)[] Blocks, string[] Names, int[] Types, Table Meta, bool SkipBadLines);
