using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class GroupByTransformTests
{
    [Fact]
    public void Transform_DeviationFromGroupMean_LikeLinqOverAnyPartitioning()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 7], Gen.Int[0, 1000]).Sample((n, parts, seed) =>
        {
            List<TestData.Row> rows = TestData.Rows(n, seed, keys: 9);
            Table table = Table.FromColumns(
                ("row", Enumerable.Range(0, n).Select(i => (long)i).ToArray()),
                ("id", rows.Select(r => r.Id).ToArray()),
                ("x", rows.Select(r => r.X).ToArray()),
                ("y", rows.Select(r => r.Y).ToArray())).WithIndexForTests("row");
            DataFrame df = DataFrame.FromTable(table, parts);

            Table t = df.GroupBy("id")["x", "y"].Transform(Centered).Compute();
            Assert.Equal(["row"], t.IndexNames);
            Assert.Equal(["x", "y"], t.ColumnNames);
            Assert.Equal(n, t.RowCount);
            var expected = rows.Select((r, i) => (i, r)).GroupBy(p => p.r.Id).SelectMany(g =>
            {
                double mx = g.Average(p => p.r.X);
                double? my = g.Any(p => p.r.Y.HasValue) ? g.Where(p => p.r.Y.HasValue).Average(p => p.r.Y!.Value) : null;
                return g.Select(p => (Row: (long)p.i, X: p.r.X - mx, Y: p.r.Y - my));
            }).OrderBy(e => e.Row).ToList();
            var actual = t.ToRows().Select(r => (Row: (long)r[0]!, X: (double)r[1]!, Y: (double?)r[2])).OrderBy(e => e.Row).ToList();
            Assert.Equal(expected.Select(e => e.Row), actual.Select(a => a.Row));
            for (int i = 0; i < n; i++)
            {
                TestData.Close(expected[i].X, actual[i].X);
                Assert.Equal(expected[i].Y.HasValue, actual[i].Y.HasValue);
                TestData.Close(expected[i].Y ?? 0, actual[i].Y ?? 0);
            }
        }, iter: 20);
    }

    [Fact]
    public void Transform_SameAsSinglePartition_AndMissingKeysGiveMissingValues()
    {
        Table table = Table.FromColumns(
            ("k", new string?[] { "a", "b", null, "a", "c", "b", null, "a" }),
            ("v", new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Table one = DataFrame.FromTable(table, 1).GroupBy("k").Transform(RankInGroup).Compute();
        Table many = DataFrame.FromTable(table, 3).GroupBy("k").Transform(RankInGroup).Compute();
        Assert.Equal(one.ToRows().OrderBy(r => r[0] as long? ?? -1), many.ToRows().OrderBy(r => r[0] as long? ?? -1));

        // Rank within group, keyed by v so rows can be matched: (v, rank); the two rows with a missing key get nulls.
        var ranks = many.ToRows().Where(r => r[0] is not null).ToDictionary(r => (long)r[0]!, r => (long)r[1]!);
        Assert.Equal(new Dictionary<long, long> { [1] = 1, [4] = 2, [8] = 3, [2] = 1, [6] = 2, [5] = 1 }, ranks);
        Assert.Equal(2, many.ToRows().Count(r => r[0] is null && r[1] is null));

        // Apply shares the grouping: rows with a missing key are in no group.
        Table applied = DataFrame.FromTable(table, 3).GroupBy("k").Apply(RankInGroup).Compute();
        Assert.Equal([1L, 2L, 4L, 5L, 6L, 8L], applied.GetInt64s("v").Select(v => v!.Value).Order());
    }

    [Fact]
    public void Transform_WrongRowCount_FailsNamingTheOperation()
    {
        DataFrame df = TestData.Frame(TestData.Rows(60), 2);
        Exception e = Assert.ThrowsAny<Exception>(() => df.GroupBy("id").Transform(g => g.RowCount == 0 ? g : Table.FromColumns(("n", new long[] { g.RowCount }))).Compute());
        Assert.Contains("groupby.transform", e.ToString(), StringComparison.Ordinal);
    }

    private static Table Centered(Table group)
    {
        double?[] xs = group.GetDoubles("x");
        double?[] ys = group.GetDoubles("y");
        double mx = xs.Length == 0 ? 0 : xs.Average(v => v!.Value);
        double?[] present = [.. ys.Where(v => v.HasValue)];
        double my = present.Length == 0 ? 0 : present.Average(v => v!.Value);
        return Table.FromColumns(("x", xs.Select(v => v!.Value - mx).ToArray()), ("y", ys.Select(v => v - my).ToArray()));
    }

    private static Table RankInGroup(Table group)
    {
        long[] v = [.. group.GetInt64s("v").Select(x => x!.Value)];
        return Table.FromColumns(("v", v), ("rank", v.Select(x => (long)v.Count(o => o <= x)).ToArray()));
    }
}
