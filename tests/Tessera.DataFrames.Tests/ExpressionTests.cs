using System.Globalization;
using System.Text;
using CsCheck;
using Tessera.Collections;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames.Tests;

/// <summary>
/// The expression layer: optimized plans (projection and predicate pushdown, fused partition-wise
/// steps) give the same results as the plans as written, and the pushdown really happens.
/// </summary>
public sealed class ExpressionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tessera-df-expr-" + Guid.NewGuid().ToString("N"));

    public ExpressionTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The pipelines the property test draws from; each returns the computed rows.</summary>
    private static readonly Func<DataFrame, double, IReadOnlyList<object?[]>>[] s_pipelines =
    [
        (df, t) => df[df["x"] > t].Compute().ToRows(),
        (df, t) => df.Assign("z", df["x"] * 2.0)[df["y"] < t].Compute().ToRows(),
        (df, t) => df.Assign("z", df["x"] + df["y"]).Select("z", "id").Compute().ToRows(),
        (df, t) => df[(df["x"] > t) & (df["id"] != 3L)].Select("name", "x").Compute().ToRows(),
        (df, t) => df.Assign("unused", df["x"] * 3.0).Drop("flag")["id", "y"].Compute().ToRows(),
        (df, t) => df[df["x"] > t].GroupBy("id")["y"].Sum().Compute().ToRows().OrderBy(r => (long)r[0]!).ToList(),
        (df, t) => [[df[df["x"] <= t].Len().Compute()]],
        (df, t) => df.AssignScalar("k", 1L)[df["name"] == "n1"].Select("k", "x").Compute().ToRows(),
        (df, t) => [[df[df["y"] > t]["x"].Sum().Compute()]],
        (df, t) => df.Rename(new Dictionary<string, string> { ["x"] = "xx" })[df["x"] > t]["xx"].Compute().ToRows(),

        // Filters that the optimizer moves below a projection or an assignment (or, on the assigned column, cannot).
        (df, t) => Filtered(df.Select("id", "x", "y"), s => s["x"] > t).Compute().ToRows(),
        (df, t) => Filtered(df.Assign("z", df["x"] * 2.0), a => a["y"] < t).Compute().ToRows(),
        (df, t) => Filtered(df.Assign("z", df["x"] * 2.0), a => a["z"] > t).Compute().ToRows(),
        (df, t) => Filtered(df.AssignScalar("k", 2L).Select("k", "x", "name"), a => a["x"] > t)["name", "k"].Compute().ToRows(),
        (df, t) => Filtered(df.Assign("c", df["id"].CumSum()), a => a["x"] > t).Compute().ToRows(),
    ];

    private static DataFrame Filtered(DataFrame frame, Func<DataFrame, Series> mask) => frame[mask(frame)];

    [Fact]
    public void OptimizedPlans_GiveTheSameResultsAsThePlansAsWritten()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 6], Gen.Double[-0.5, 1.2], Gen.Int[0, s_pipelines.Length - 1], Gen.Bool, Gen.Int[0, 1000])
            .Sample((n, parts, threshold, pipeline, csv, seed) =>
            {
                List<TestData.Row> rows = TestData.Rows(n, seed, keys: 7);
                string? path = csv ? WriteCsv(rows, $"p{seed}-{n}.csv") : null;
                DataFrame Source() => path is null ? TestData.Frame(rows, parts) : DataFrame.ReadCsv(path, new IO.CsvOptions { BlockSize = Math.Max(64, n * 8 / parts), DTypes = s_csvTypes });
                IReadOnlyList<object?[]> optimized = Run(true, () => s_pipelines[pipeline](Source(), threshold));
                IReadOnlyList<object?[]> asWritten = Run(false, () => s_pipelines[pipeline](Source(), threshold));
                Assert.Equal(asWritten, optimized);
            }, iter: 60);
    }

    [Fact]
    public void FilteredCsvRead_MatchesLinq()
    {
        List<TestData.Row> rows = TestData.Rows(2000, seed: 5);
        string path = WriteCsv(rows, "linq.csv");
        DataFrame df = DataFrame.ReadCsv(path, new IO.CsvOptions { BlockSize = 4096, DTypes = s_csvTypes });
        Table t = df[(df["x"] > 0.25) & (df["id"] != 2L)].Select("id", "x").Compute();
        List<TestData.Row> expected = [.. rows.Where(r => r.X > 0.25 && r.Id != 2)];
        Assert.Equal(expected.Select(r => r.Id), t.GetInt64s("id").Select(v => v!.Value));
        Assert.Equal(expected.Select(r => r.X), t.GetDoubles("x").Select(v => v!.Value));
        Assert.Equal(rows.Count(r => r.X > 0.5), df[df["x"] > 0.5].Len().Compute());
    }

    [Fact]
    public void Explain_ShowsProjectionAndFilterPushedIntoTheCsvRead()
    {
        string path = WriteCsv(TestData.Rows(100), "explain.csv");
        DataFrame df = DataFrame.ReadCsv(path);
        DataFrame filtered = df[df["x"] > 0.5]["id", "x"];

        string optimized = filtered.Explain();
        Assert.Contains("ReadCsv", optimized, StringComparison.Ordinal);
        Assert.Contains("columns [id, x] of 5", optimized, StringComparison.Ordinal);
        Assert.Contains("filter (x > 0.5)", optimized, StringComparison.Ordinal);
        Assert.DoesNotContain("Filter", optimized, StringComparison.Ordinal);
        Assert.Contains("Fused into one task per partition: read-csv -> getitem -> compare-greater -> filter", optimized, StringComparison.Ordinal);

        Assert.Contains("columns [x] of 5", df[df["x"] > 0.5]["x"].Explain(), StringComparison.Ordinal);

        string asWritten = filtered.Explain(optimize: false);
        Assert.Contains("Filter", asWritten, StringComparison.Ordinal);
        Assert.Contains("all columns", asWritten, StringComparison.Ordinal);
        Assert.DoesNotContain("Fused", asWritten, StringComparison.Ordinal);
    }

    [Fact]
    public void UnusedCsvColumns_AreNeverParsed()
    {
        // Column 'bad' is declared int64 but holds text: parsing it fails, so a query that succeeds did not parse it.
        var sb = new StringBuilder("id,x,bad\n");
        for (int i = 0; i < 50; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{i % 5},{i * 0.5},oops{i}\n");
        }

        string path = Path.Combine(_dir, "bad-column.csv");
        File.WriteAllText(path, sb.ToString());
        var options = new IO.CsvOptions { DTypes = new Dictionary<string, DType> { ["bad"] = DType.Int64 } };
        DataFrame df = DataFrame.ReadCsv(path, options);

        Table means = df.GroupBy("id")["x"].Mean().Compute();
        Assert.Equal(5, means.RowCount);
        Assert.Equal(25L, df[df["x"] >= 12.5].Len().Compute());
        Exception e = Assert.ThrowsAny<Exception>(() => Run(false, () => df.GroupBy("id")["x"].Mean().Compute().ToRows()));
        Assert.Contains("cannot parse 'oops0' as int64", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnusedAssign_IsDroppedAndPartitionwiseStepsAreFused()
    {
        DataFrame df = TestData.Frame(TestData.Rows(400), 4);
        DataFrame q = df.Assign("z", df["x"] * 2.0).Assign("unused", df["y"] + 1.0)[df["id"] > 2L].Select("z", "name");

        Assert.DoesNotContain("'unused'", q.Explain(), StringComparison.Ordinal);
        Assert.Contains("'unused'", q.Explain(optimize: false), StringComparison.Ordinal);
        LayeredGraph optimized = Graph(true, q);
        LayeredGraph asWritten = Graph(false, q);
        Assert.Equal(2, optimized.Layers.Length);
        Assert.Equal(8, optimized.TaskCount);
        Assert.True(asWritten.TaskCount > 20, $"the plan as written has {asWritten.TaskCount} tasks");
    }

    [Fact]
    public void Explain_FilterMovesBelowSelectAndAssignIntoTheParquetRead()
    {
        int n = 4000;
        double[] x = [.. Enumerable.Range(0, n).Select(i => i / (double)n)];
        Table table = Table.FromColumns(("id", Enumerable.Range(0, n).Select(i => (long)(i % 7)).ToArray()), ("x", x));
        string path = Path.Combine(_dir, "pushdown.parquet");
        using (var writer = new ParquetSharp.Arrow.FileWriter(path, table.Schema))
        {
            writer.WriteRecordBatch(table.ToArrow(), chunkSize: 500);
            writer.Close();
        }

        DataFrame df = DataFrame.ReadParquet(path);
        DataFrame assigned = df.Assign("z", df["x"] * 2.0);
        DataFrame selected = assigned.Select("z", "x");
        DataFrame pushed = selected[selected["x"] > 0.9];
        string plan = pushed.Explain();
        Assert.Contains("filter (x > 0.9)", plan, StringComparison.Ordinal);
        Assert.Contains("row groups pruned by statistics on [x]", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("  Filter", plan, StringComparison.Ordinal);
        Assert.Contains("Filter", pushed.Explain(optimize: false), StringComparison.Ordinal);
        Table t = pushed.Compute();
        Assert.Equal(x.Where(v => v > 0.9).Select(v => v * 2.0), t.GetDoubles("z").Select(v => v!.Value));
        Assert.Equal(Run(false, () => pushed.Compute().ToRows()), t.ToRows());

        // A filter on the assigned column stays above the assignment.
        DataFrame onAssigned = assigned[assigned["z"] > 1.8];
        Assert.Contains("Filter", onAssigned.Explain(), StringComparison.Ordinal);
        Assert.DoesNotContain("row groups pruned", onAssigned.Explain(), StringComparison.Ordinal);
        Assert.Equal(Run(false, () => onAssigned.Compute().ToRows()), onAssigned.Compute().ToRows());
    }

    [Fact]
    public void ParquetFilter_SkipsRowGroupsByStatisticsAndMatchesLinq()
    {
        int n = 10_000;
        double[] x = [.. Enumerable.Range(0, n).Select(i => i / (double)n)];
        long[] id = [.. Enumerable.Range(0, n).Select(i => (long)(i % 13))];
        Table table = Table.FromColumns(("id", id), ("x", x));
        string path = Path.Combine(_dir, "groups.parquet");
        using (var writer = new ParquetSharp.Arrow.FileWriter(path, table.Schema))
        {
            writer.WriteRecordBatch(table.ToArrow(), chunkSize: 1000);
            writer.Close();
        }

        // Row groups of 1000 sorted rows: x > 0.85 can only hold in the last two.
        Table direct = ParquetFiles.Read(path, ["x"], ["x", (int)CompareOp.Greater, 0.85], [Array.Empty<string>(), Array.Empty<int>(), Array.Empty<object?>()]);
        Assert.Equal(2000, direct.RowCount);

        DataFrame df = DataFrame.ReadParquet(path);
        DataFrame q = df[(df["x"] > 0.85) & (df["id"] == 3L)];
        Assert.Contains("row groups pruned by statistics on [x, id]", q.Explain(), StringComparison.Ordinal);
        Table t = q.Compute();
        int[] expected = [.. Enumerable.Range(0, n).Where(i => x[i] > 0.85 && id[i] == 3)];
        Assert.Equal(expected.Select(i => x[i]), t.GetDoubles("x").Select(v => v!.Value));
        Assert.Equal(Run(false, () => q.Compute().ToRows()), t.ToRows());
    }

    [Fact]
    public void HivePartitionedParquet_ValuesBecomeColumnsAndFiltersSkipFiles()
    {
        var rows = new List<(long Id, double X, long Year, string Region)>();
        var r = new Random(11);
        foreach (long year in new long[] { 2020, 2021, 2022 })
        {
            foreach (string region in new[] { "eu", "us" })
            {
                var part = Enumerable.Range(0, 40).Select(_ => ((long)r.Next(10), Math.Round(r.NextDouble(), 6), year, region)).ToList();
                rows.AddRange(part);
                DataFrame.FromTable(Table.FromColumns(("id", part.Select(p => p.Item1).ToArray()), ("x", part.Select(p => p.Item2).ToArray())))
                    .ToParquet(Path.Combine(_dir, "hive", $"year={year}", $"region={region}"));
            }
        }

        DataFrame df = DataFrame.ReadParquet(Path.Combine(_dir, "hive"));
        Assert.Equal(["id", "x", "year", "region"], df.Columns);
        Assert.Equal(DType.Int64, df.DTypes["year"]);
        Assert.Equal(DType.String, df.DTypes["region"]);
        Assert.Equal(6, df.NPartitions);
        Assert.Equal(
            rows.Select(x => new object?[] { x.Id, x.X, x.Year, x.Region }).OrderBy(x => (long)x[2]!).ThenBy(x => (string)x[3]!).ToList(),
            df.Compute().ToRows());

        DataFrame q = df[(df["year"] == 2021L) & (df["x"] > 0.5)]["x", "region"];
        Assert.Contains("files pruned by partition values of [year]", q.Explain(), StringComparison.Ordinal);
        var expected = rows.Where(x => x.Year == 2021 && x.X > 0.5).Select(x => new object?[] { x.X, x.Region }).ToList();
        Assert.Equal(expected, q.Compute().ToRows());
        Assert.Equal(expected, Run(false, () => q.Compute().ToRows()));
        Assert.Equal(rows.Where(x => x.Region == "us").Sum(x => x.X), (double)df[df["region"] == "us"]["x"].Sum().Compute(), 9);

        // A file whose partition values rule the filter out is not read at all.
        string file2021 = Directory.GetFiles(Path.Combine(_dir, "hive", "year=2021", "region=eu"))[0];
        Assert.Equal(0, ParquetFiles.Read(file2021, ["x"], ["year", (int)CompareOp.Equal, 2020L], [new[] { "year" }, new[] { (int)DType.Int64 }, new object?[] { 2021L }]).RowCount);
        Assert.Equal(40, ParquetFiles.Read(file2021, ["x", "year"], ["year", (int)CompareOp.Equal, 2021L], [new[] { "year" }, new[] { (int)DType.Int64 }, new object?[] { 2021L }]).RowCount);
    }

    private static readonly Dictionary<string, DType> s_csvTypes = new() { ["id"] = DType.Int64, ["x"] = DType.Float64, ["y"] = DType.Float64, ["name"] = DType.String, ["flag"] = DType.Bool };

    private static IReadOnlyList<object?[]> Run(bool optimize, Func<IReadOnlyList<object?[]>> query)
    {
        using IDisposable scope = TesseraConfig.Set(("dataframe.optimize", optimize));
        return query();
    }

    private static LayeredGraph Graph(bool optimize, DataFrame frame)
    {
        using IDisposable scope = TesseraConfig.Set(("dataframe.optimize", optimize));
        return frame.Graph;
    }

    private string WriteCsv(IReadOnlyList<TestData.Row> rows, string name)
    {
        var sb = new StringBuilder("id,x,y,name,flag\n");
        foreach (TestData.Row r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Id},{r.X.ToString("R", CultureInfo.InvariantCulture)},{r.Y?.ToString("R", CultureInfo.InvariantCulture)},{r.Name},{r.Flag}\n");
        }

        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
