using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class GroupByTests
{
    private static readonly List<TestData.Row> s_rows = TestData.Rows(2000, seed: 7, keys: 25);

    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(7, 2, 1)]
    [InlineData(13, 3, 1)]
    [InlineData(13, 4, 3)]
    public void Agg_MatchesLinq(int npartitions, int splitEvery, int splitOut)
    {
        DataFrame df = TestData.Frame(s_rows, npartitions);
        Table t = df.GroupBy("id").Agg(
            new Dictionary<string, Aggregation[]>
            {
                ["x"] = [Aggregation.Sum, Aggregation.Mean, Aggregation.Min, Aggregation.Max],
                ["y"] = [Aggregation.Mean, Aggregation.Std, Aggregation.Var, Aggregation.Count, Aggregation.First, Aggregation.Last],
            },
            splitEvery,
            splitOut).Compute();
        Assert.Equal(["id"], t.IndexNames);
        var ids = t.GetInt64s("id");
        Assert.Equal(s_rows.Select(r => r.Id).Distinct().Count(), ids.Length);
        if (splitOut == 1)
        {
            Assert.Equal(ids.Order(), ids);
        }

        for (int i = 0; i < ids.Length; i++)
        {
            var g = s_rows.Where(r => r.Id == ids[i]).ToList();
            var y = g.Where(r => r.Y is not null).Select(r => r.Y!.Value).ToList();
            double my = y.Average();
            double vy = y.Sum(v => (v - my) * (v - my)) / (y.Count - 1);
            TestData.Close(g.Sum(r => r.X), t.GetDoubles("x_sum")[i]!.Value);
            TestData.Close(g.Average(r => r.X), t.GetDoubles("x_mean")[i]!.Value);
            TestData.Close(g.Min(r => r.X), t.GetDoubles("x_min")[i]!.Value);
            TestData.Close(g.Max(r => r.X), t.GetDoubles("x_max")[i]!.Value);
            TestData.Close(my, t.GetDoubles("y_mean")[i]!.Value);
            TestData.Close(vy, t.GetDoubles("y_var")[i]!.Value, 1e-7);
            TestData.Close(Math.Sqrt(vy), t.GetDoubles("y_std")[i]!.Value, 1e-7);
            Assert.Equal(y.Count, t.GetInt64s("y_count")[i]);
            Assert.Equal(y[0], t.GetDoubles("y_first")[i]);
            Assert.Equal(y[^1], t.GetDoubles("y_last")[i]);
        }
    }

    [Fact]
    public void MultipleKeys_AndStringKeys_MatchLinq()
    {
        DataFrame df = TestData.Frame(s_rows, 5);
        Table t = df.GroupBy("name", "flag")["x"].Sum(splitEvery: 2).Compute();
        var expected = s_rows.GroupBy(r => (r.Name, r.Flag)).ToDictionary(g => g.Key, g => g.Sum(r => r.X));
        Assert.Equal(expected.Count, t.RowCount);
        string?[] names = t.GetStrings("name");
        object?[] flags = t.GetValues("flag");
        double?[] sums = t.GetDoubles("x");
        for (int i = 0; i < t.RowCount; i++)
        {
            TestData.Close(expected[(names[i]!, (bool)flags[i]!)], sums[i]!.Value);
        }

        Table sizes = df.GroupBy("name").Size().Compute();
        Assert.Equal(s_rows.GroupBy(r => r.Name).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (long)g.Count()), sizes.GetInt64s("size").Select(v => v!.Value));
    }

    [Fact]
    public void GroupByNUniqueAcrossPartitions_DoesNotDoubleCount()
    {
        // Dask's test_dataframe_groupby_nunique_across_group_same_value, through value counts per group.
        string[] strings = [.. "aaabbccccdddeee".Select(c => c.ToString())];
        long[] data = [1, 2, 3, 1, 1, 1, 2, 2, 3, 3, 2, 3, 4, 1, 2];
        DataFrame df = DataFrame.FromTable(Table.FromColumns(("strings", strings), ("data", data)), 3);
        Table t = df.GroupBy("strings", "data").Size().Compute();
        var perGroup = t.GetStrings("strings").GroupBy(s => s).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 1, ["c"] = 3, ["d"] = 2, ["e"] = 3 }, perGroup);
    }

    [Fact]
    public void GroupByOverAnyPartitioning_EqualsGroupByOverTheWhole()
    {
        Gen.Select(Gen.Int[1, 400], Gen.Int[1, 12], Gen.Int[2, 6], Gen.Int[1, 3], Gen.Int[0, 1000])
            .Sample((n, parts, splitEvery, splitOut, seed) =>
            {
                List<TestData.Row> rows = TestData.Rows(n, seed, keys: 7);
                var aggs = new Dictionary<string, Aggregation[]>
                {
                    ["x"] = [Aggregation.Sum, Aggregation.Max],
                    ["y"] = [Aggregation.Mean, Aggregation.Var, Aggregation.Count, Aggregation.First],
                };
                Table whole = TestData.Frame(rows, 1).GroupBy("id").Agg(aggs).Compute();
                Table split = TestData.Frame(rows, parts).GroupBy("id").Agg(aggs, splitEvery, splitOut).Compute();
                Dictionary<long, object?[]> a = ByKey(whole);
                Dictionary<long, object?[]> b = ByKey(split);
                Assert.Equal(a.Count, b.Count);
                foreach ((long key, object?[] row) in a)
                {
                    object?[] other = b[key];
                    for (int c = 0; c < row.Length; c++)
                    {
                        if (row[c] is double d)
                        {
                            TestData.Close(d, (double)other[c]!, 1e-7);
                        }
                        else
                        {
                            Assert.Equal(row[c], other[c]);
                        }
                    }
                }
            }, iter: 40);
    }

    [Fact]
    public void Apply_RunsTheFunctionOncePerWholeGroup_LikeLinq()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 7], Gen.Int[0, 1000]).Sample((n, parts, seed) =>
        {
            List<TestData.Row> rows = TestData.Rows(n, seed, keys: 9);
            DataFrame df = TestData.Frame(rows, parts);

            // One summary row per group: the group must be whole for the count and max to be right.
            Table summary = df.GroupBy("id").Apply(Summarize).Compute();
            var expected = rows.GroupBy(r => r.Id).OrderBy(g => g.Key).Select(g => new object?[] { g.Key, (long)g.Count(), g.Max(r => r.X) }).ToList();
            Assert.Equal(expected, summary.ToRows().OrderBy(r => (long)r[0]!).ToList());

            // Rows above their group's mean of x, on the selected columns.
            Table above = df.GroupBy("id")["id", "x"].Apply(AboveMean).Compute();
            var expectedRows = rows.GroupBy(r => r.Id).SelectMany(g => g.Where(r => r.X > g.Average(q => q.X)).Select(r => (r.Id, r.X))).Order().ToList();
            Assert.Equal(expectedRows, above.ToRows().Select(r => ((long)r[0]!, (double)r[1]!)).Order().ToList());
        }, iter: 25);
    }

    [Fact]
    public void Apply_ResultNotMatchingMeta_FailsNamingTheOperation()
    {
        DataFrame df = TestData.Frame(TestData.Rows(50), 2);
        Table wrongMeta = Table.FromColumns(("other", Array.Empty<double>()));
        Exception e = Assert.ThrowsAny<Exception>(() => df.GroupBy("id").Apply(Summarize, wrongMeta).Compute());
        Assert.Contains("groupby.apply", e.ToString(), StringComparison.Ordinal);
    }

    private static Table Summarize(Table group) => Table.FromColumns(
        ("id", group.GetInt64s("id").Take(1).Select(v => v!.Value).ToArray()),
        ("n", group.RowCount == 0 ? Array.Empty<long>() : [(long)group.RowCount]),
        ("xmax", group.RowCount == 0 ? Array.Empty<double>() : [group.GetDoubles("x").Max(v => v!.Value)]));

    private static Table AboveMean(Table group)
    {
        long?[] ids = group.GetInt64s("id");
        double?[] xs = group.GetDoubles("x");
        double mean = xs.Length == 0 ? 0 : xs.Average(v => v!.Value);
        int[] keep = [.. Enumerable.Range(0, xs.Length).Where(i => xs[i]!.Value > mean)];
        return Table.FromColumns(("id", keep.Select(i => ids[i]!.Value).ToArray()), ("x", keep.Select(i => xs[i]!.Value).ToArray()));
    }

    private static Dictionary<long, object?[]> ByKey(Table t) => t.ToRows().ToDictionary(r => (long)r[0]!, r => r);
}

public sealed class GroupByMoreTests
{
    private static readonly List<TestData.Row> s_rows = TestData.Rows(1500, seed: 21, keys: 30);

    [Fact]
    public void NUnique_CountsValuesRepeatedAcrossPartitionsOnce()
    {
        // Dask's test_dataframe_groupby_nunique_across_group_same_value.
        var t = Table.FromColumns(("strings", "aaabbccccdddeee".Select(c => c.ToString()).ToArray()), ("data", new long[] { 1, 2, 3, 1, 1, 1, 2, 2, 3, 3, 2, 3, 4, 1, 2 }));
        Table r = DataFrame.FromTable(t, 3).GroupBy("strings")["data"].NUnique().Compute();
        Assert.Equal(["a", "b", "c", "d", "e"], r.GetStrings("strings"));
        Assert.Equal([3L, 1L, 3L, 2L, 3L], r.GetInt64s("data").Select(v => v!.Value));
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(7, 2)]
    public void NUnique_MatchesLinq(int npartitions, int splitEvery)
    {
        Table r = TestData.Frame(s_rows, npartitions).GroupBy("name")["y"].NUnique(splitEvery).Compute();
        var expected = s_rows.GroupBy(x => x.Name).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(g => g.Key), r.GetStrings("name"));
        Assert.Equal(expected.Select(g => (long)g.Where(x => x.Y is not null).Select(x => x.Y).Distinct().Count()), r.GetInt64s("y").Select(v => v!.Value));
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(9, 2)]
    public void CustomAggregation_MatchesLinq(int npartitions, int splitEvery)
    {
        var range = new CustomAggregation(
            "range",
            v => v.Length == 0 ? [double.PositiveInfinity, double.NegativeInfinity] : [v.Min(), v.Max()],
            s => [s.Min(x => x[0]), s.Max(x => x[1])],
            s => s[1] - s[0]);
        DataFrame df = TestData.Frame(s_rows, npartitions);
        DataFrame r = df.GroupBy("id")["x"].Agg(range, splitEvery);
        Assert.Equal(["x_range"], r.Columns);
        Table t = r.Compute();
        var expected = s_rows.GroupBy(x => x.Id).OrderBy(g => g.Key).ToList();
        Assert.Equal(expected.Select(g => g.Key), t.GetInt64s("id").Select(v => v!.Value));
        for (int i = 0; i < expected.Count; i++)
        {
            TestData.Close(expected[i].Max(x => x.X) - expected[i].Min(x => x.X), t.GetDoubles("x_range")[i]!.Value);
        }

        Assert.Throws<ArgumentException>(() => df.GroupBy("id")["name"].Agg(range));
        Assert.Throws<InvalidOperationException>(() => df.GroupBy("id").Agg(range));
    }

    [Fact]
    public void ValueCounts_SortOptions()
    {
        DataFrame df = TestData.Frame(s_rows, 4);
        var counts = s_rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => (long)g.Count());
        Table asc = df["id"].ValueCounts(ascending: true).Compute();
        long?[] c = asc.GetInt64s("count");
        Assert.True(c.Zip(c.Skip(1)).All(p => p.First <= p.Second));
        Table unsorted = df["id"].ValueCounts(sort: false).Compute();
        Assert.Equal(counts.Keys.Order(), unsorted.GetInt64s("id").Select(v => v!.Value));
        Assert.Equal(counts.OrderBy(kv => kv.Key).Select(kv => kv.Value), unsorted.GetInt64s("count").Select(v => v!.Value));
    }
}
