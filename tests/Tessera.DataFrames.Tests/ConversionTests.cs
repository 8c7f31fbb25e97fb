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
