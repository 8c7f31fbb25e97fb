using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class SortTests
{
    private static readonly List<TestData.Row> s_rows = TestData.Rows(3000, seed: 11, keys: 40);

    /// <summary>Each partition's smallest and largest index value (a one-row table per partition).</summary>
    private static Table Bounds(DataFrame df) => df.MapPartitions(
        static t => Table.FromColumns(
            ("rows", new long[] { t.RowCount }),
            ("first", new double?[] { t.RowCount == 0 ? null : Convert.ToDouble(t.GetValue(0, t.IndexNames[0]), System.Globalization.CultureInfo.InvariantCulture) }),
            ("last", new double?[] { t.RowCount == 0 ? null : Convert.ToDouble(t.GetValue(t.RowCount - 1, t.IndexNames[0]), System.Globalization.CultureInfo.InvariantCulture) })),
        Table.FromColumns(("rows", Array.Empty<long>()), ("first", Array.Empty<double?>()), ("last", Array.Empty<double?>()))).Compute();

    [Theory]
    [InlineData(1, null)]
    [InlineData(6, null)]
    [InlineData(6, 3)]
    [InlineData(5, 11)]
    public void SetIndex_SortsByTheColumn_WithKnownDivisions(int npartitions, int? outputs)
    {
        DataFrame df = TestData.Frame(s_rows, npartitions).SetIndex("x", outputs);
        Assert.True(df.KnownDivisions);
        Assert.Equal(["id", "y", "name", "flag"], df.Columns);
        Table t = df.Compute();
        Assert.Equal(["x"], t.IndexNames);
        var expected = s_rows.OrderBy(r => r.X).ToList();
        Assert.Equal(expected.Select(r => r.X), t.GetDoubles("x").Select(v => v!.Value));
        Assert.Equal(expected.Select(r => r.Id), t.GetInt64s("id").Select(v => v!.Value));
        Assert.Equal(expected.Select(r => r.Name), t.GetStrings("name"));

        // Every partition lies within its divisions; the partitions are balanced by the sampled quantiles.
        Table b = Bounds(df);
        IReadOnlyList<object?> d = df.Divisions;
        Assert.Equal(df.NPartitions + 1, d.Count);
        Assert.Equal(s_rows.Min(r => r.X), d[0]);
        Assert.Equal(s_rows.Max(r => r.X), d[^1]);
        for (int i = 0; i < df.NPartitions; i++)
        {
            double? first = b.GetDoubles("first")[i];
            double? last = b.GetDoubles("last")[i];
            if (first is null)
            {
                continue;
            }

            Assert.True(first >= (double)d[i]!);
            Assert.True(i == df.NPartitions - 1 ? last <= (double)d[i + 1]! : last < (double)d[i + 1]!);
        }

        long most = b.GetInt64s("rows").Max(v => v!.Value);
        Assert.True(most <= 2.0 * s_rows.Count / df.NPartitions + 50, $"largest partition {most} rows");
    }

    [Fact]
    public void SetIndex_AnyPartitioning_EqualsTheStableSortOfTheRows()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[0, 1000]).Sample((n, parts, outputs, seed) =>
        {
            List<TestData.Row> rows = TestData.Rows(n, seed, keys: 7);
            Table t = TestData.Frame(rows, parts).SetIndex("id", outputs).Compute();
            var expected = rows.OrderBy(r => r.Id).ToList();
            Assert.Equal(expected.Select(r => r.Id), t.GetInt64s("id").Select(v => v!.Value));
            Assert.Equal(expected.Select(r => r.X), t.GetDoubles("x").Select(v => v!.Value));
        }, iter: 60);
    }

    [Fact]
    public void SetIndex_WithExplicitDivisions_UsesThem()
    {
        // Dask's test_set_index_with_explicit_divisions and _divisions_2.
        var t = Table.FromColumns(("x", new long[] { 4, 1, 2, 5 }), ("k", new long[] { 10, 20, 30, 40 }));
        DataFrame df = DataFrame.FromTable(t, 2).SetIndex("x", divisions: [1L, 3L, 5L]);
        Assert.Equal([1L, 3L, 5L], df.Divisions);
        Table r = df.Compute();
        Assert.Equal([1L, 2L, 4L, 5L], r.GetInt64s("x").Select(v => v!.Value));
        Assert.Equal([20L, 30L, 10L, 40L], r.GetInt64s("k").Select(v => v!.Value));
        Assert.Throws<ArgumentException>(() => DataFrame.FromTable(t, 2).SetIndex("x", divisions: [3L, 1L, 5L]));
        Assert.Throws<ArgumentException>(() => DataFrame.FromTable(t, 2).SetIndex("x", divisions: []));

        var s = Table.FromColumns(("x", new long[] { 1, 2, 3, 4, 5, 6 }), ("y", new[] { "a", "b", "d", "a", "b", "d" }));
        DataFrame bys = DataFrame.FromTable(s, 2).SetIndex("y", divisions: ["a", "c", "d"]);
        Assert.Equal(["a", "c", "d"], bys.Divisions);
        Table ys = bys.Compute();
        Assert.Equal(["a", "a", "b", "b", "d", "d"], ys.GetStrings("y"));
    }

    [Fact]
    public void SetIndex_Sorted_TakesDivisionsFromThePartitions()
    {
        var t = Table.FromColumns(("k", Enumerable.Range(0, 100).Select(i => (long)i * 2).ToArray()), ("v", Enumerable.Range(0, 100).Select(i => (double)i).ToArray()));
        DataFrame df = DataFrame.FromTable(t, 4).SetIndex("k", sorted: true);
        Assert.Equal([0L, 50L, 100L, 150L, 198L], df.Divisions);
        Assert.Equal(100, df.Compute().RowCount);
        var shuffled = Table.FromColumns(("k", new long[] { 5, 1, 2, 3 }));
        Assert.Throws<InvalidOperationException>(() => DataFrame.FromTable(shuffled, 2).SetIndex("k", sorted: true));
    }

    [Fact]
    public void SortValues_ByStringsAndNumbers_MatchesLinq()
    {
        DataFrame df = TestData.Frame(s_rows, 5);
        Table t = df.SortValues(["name", "x"], npartitions: 4).Compute();
        var expected = s_rows.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.X).ToList();
        Assert.Equal(expected.Select(r => r.Name), t.GetStrings("name"));
        Assert.Equal(expected.Select(r => r.X), t.GetDoubles("x").Select(v => v!.Value));

        Table desc = df.SortValues("y", ascending: false).Compute();
        var expectedDesc = s_rows.Where(r => r.Y is not null).OrderByDescending(r => r.Y).Select(r => r.Y).Concat(s_rows.Where(r => r.Y is null).Select(r => r.Y)).ToList();
        Assert.Equal(expectedDesc, desc.GetDoubles("y"));
    }

    [Fact]
    public void SetIndex_BadInput_FailsAtGraphBuildTime()
    {
        DataFrame df = TestData.Frame(s_rows, 2);
        var e = Assert.Throws<ArgumentException>(() => df.SetIndex("zz"));
        Assert.Contains("'zz'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => df.SetIndex("x", divisions: ["a", "b"]));
        Assert.Contains("float64", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => df.SortValues("zz"));
    }
}
