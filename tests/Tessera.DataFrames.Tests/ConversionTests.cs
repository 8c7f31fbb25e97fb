using Tessera.Arrays;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class ConversionTests
{
    private static (List<TestData.Row> Rows, DataFrame Frame) Numeric(int n, int parts)
    {
        List<TestData.Row> rows = TestData.Rows(n, seed: n, keys: 6);
        return (rows, TestData.Frame(rows, parts).Drop("name"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void ToDArray_MatchesTheRows_WithUnknownOrComputedChunks(int parts)
    {
        (List<TestData.Row> rows, DataFrame df) = Numeric(250, parts);
        DArray<double> unknown = df.ToDArray<double>();
        Assert.True(unknown.HasUnknownChunks);
        Assert.Equal(parts, unknown.NumBlocks[0]);
        Assert.Equal([4], unknown.Chunks[1]);
        double[] expected = [.. rows.SelectMany(r => new[] { r.Id, r.X, r.Y ?? double.NaN, r.Flag ? 1 : 0 })];
        Assert.Equal(expected, unknown.Compute().ToArray());

        DArray<double> known = df.ToDArray<double>(lengths: true);
        Assert.False(known.HasUnknownChunks);
        Assert.Equal(df.ToDelayed<Table>().Select(d => d.Compute().RowCount), known.Chunks[0]);
        Assert.Equal([250L, 4L], known.Shape);

        // A series: one axis; reductions over it agree with LINQ.
        DArray<double> x = df["x"].ToDArray<double>(lengths: true);
        TestData.Close(rows.Sum(r => r.X), x.Sum().Compute().ToArray()[0]);
        Assert.Equal(rows.Select(r => r.Id), df["id"].ToDArray<long>().Compute().ToArray());
    }

    [Fact]
    public void ToDArray_BadColumnsAndMissingIntegers_FailClearly()
    {
        DataFrame df = TestData.Frame(TestData.Rows(50), 2);
        ArgumentException e = Assert.Throws<ArgumentException>(() => df.ToDArray<double>());
        Assert.Contains("'name'", e.Message, StringComparison.Ordinal);
        Exception missing = Assert.ThrowsAny<Exception>(() => df["y"].ToDArray<long>().Compute());
        Assert.Contains("'y'", missing.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToDelayed_OnePerPartition_ConcatenatesToTheFrame()
    {
        (_, DataFrame df) = Numeric(120, 5);
        Delayed<Table>[] parts = df.ToDelayed<Table>();
        Assert.Equal(5, parts.Length);
        Assert.Equal(df.Compute().ToRows(), Table.Concat([.. parts.Select(p => p.Compute())]).ToRows());
        Assert.Equal(df.Compute().ToRows(), DataFrame.FromDelayed(parts, df.Meta).Compute().ToRows());
    }
}

public sealed class DataAnalysisTests
{
    [Fact]
    public void Table_ToDataAnalysis_AndBack_KeepsValuesTypesAndNulls()
    {
        var when = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        Table table = Table.FromColumns(
            ("i8", new sbyte?[] { 1, null, -3 }),
            ("u32", new uint[] { 1, 2, 3 }),
            ("f32", new float?[] { 1.5f, null, 3 }),
            ("x", new double?[] { 0.25, 2, null }),
            ("flag", new bool?[] { true, null, false }),
            ("name", new string?[] { "a", null, "ç" }),
            ("at", new DateTime?[] { when, null, when.AddDays(1) }));
        Microsoft.Data.Analysis.DataFrame mda = table.ToDataAnalysis();
        Assert.Equal(3, mda.Rows.Count);
        Assert.Equal(table.ColumnNames, mda.Columns.Select(c => c.Name));
        Assert.Equal(typeof(uint), mda.Columns["u32"].DataType);
        Assert.Equal(1, mda.Columns["x"].NullCount);
        Assert.Equal("ç", mda.Columns["name"][2]);

        Table back = mda.ToTesseraTable();
        Assert.Equal(table.ColumnNames.Select(table.DTypeOf), back.ColumnNames.Select(back.DTypeOf));
        Assert.Equal(table.ToRows(), back.ToRows());
    }

    [Fact]
    public void FromDataAnalysis_GroupByMatchesLinq_AndLazyFrameConvertsBack()
    {
        List<TestData.Row> rows = TestData.Rows(300, seed: 3, keys: 7);
        Microsoft.Data.Analysis.DataFrame mda = TestData.ToTable(rows).ToDataAnalysis();
        DataFrame df = DataAnalysisConversion.FromDataAnalysis(mda, npartitions: 4);
        Assert.Equal(4, df.NPartitions);
        Table sums = df.GroupBy("id")["x"].Sum().Compute();
        var expected = rows.GroupBy(r => r.Id).OrderBy(g => g.Key).Select(g => g.Sum(r => r.X)).ToList();
        Assert.Equal(rows.Select(r => r.Id).Distinct().Order(), sums.GetInt64s("id").Select(v => v!.Value));
        for (int i = 0; i < expected.Count; i++)
        {
            TestData.Close(expected[i], sums.GetDoubles("x")[i]!.Value);
        }

        Microsoft.Data.Analysis.DataFrame filtered = df[df["x"] > 0.5].ToDataAnalysis();
        Assert.Equal(rows.Count(r => r.X > 0.5), filtered.Rows.Count);
        Assert.Throws<NotSupportedException>(() => Table.FromColumns(("d", new[] { TimeSpan.FromSeconds(1) })).ToDataAnalysis());
    }
}
