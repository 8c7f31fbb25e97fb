using CsCheck;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class ReshapeTests
{
    private static readonly List<TestData.Row> s_rows = TestData.Rows(1500, seed: 3, keys: 12);

    [Fact]
    public void Repartition_KeepsTheRowsInOrder_ForAnyCounts()
    {
        Gen.Select(Gen.Int[0, 200], Gen.Int[1, 9], Gen.Int[1, 20]).Sample((n, before, after) =>
        {
            List<TestData.Row> rows = TestData.Rows(n, seed: n);
            DataFrame df = TestData.Frame(rows, before).Repartition(after);
            Assert.Equal(Math.Max(1, Math.Min(before, n)) == after ? after : after, df.NPartitions);
            Table t = df.Compute();
            Assert.Equal(rows.Select(r => r.Id), t.GetInt64s("id").Select(v => v!.Value));
            Assert.Equal(rows.Select(r => r.Name), t.GetStrings("name"));
        }, iter: 50);
    }

    [Fact]
    public void Repartition_Fewer_KeepsKnownDivisions()
    {
        DataFrame sorted = TestData.Frame(s_rows, 3).SetIndex("id", npartitions: 6);
        Assert.True(sorted.KnownDivisions);
        DataFrame fewer = sorted.Repartition(2);
        Assert.True(fewer.KnownDivisions);
        Assert.Equal(sorted.Divisions[0], fewer.Divisions[0]);
        Assert.Equal(sorted.Divisions[^1], fewer.Divisions[^1]);
        Assert.False(sorted.Repartition(12).KnownDivisions);
    }

    [Fact]
    public void Repartition_BySize_SplitsAndCombines()
    {
        DataFrame df = TestData.Frame(s_rows, 3);
        DataFrame small = df.Repartition(4_000, scheduler: null);
        Assert.True(small.NPartitions > 3, $"{small.NPartitions} partitions");
        Assert.Equal(s_rows.Select(r => r.Id), small.Compute().GetInt64s("id").Select(v => v!.Value));
        DataFrame one = df.Repartition(1L << 30, scheduler: null);
        Assert.Equal(1, one.NPartitions);
        Assert.Equal(s_rows.Count, one.Len().Compute());
    }

    [Fact]
    public void Concat_AppendsFrames_MatchingColumnsByName()
    {
        List<TestData.Row> a = TestData.Rows(100, seed: 1);
        List<TestData.Row> b = TestData.Rows(50, seed: 2);
        DataFrame fa = TestData.Frame(a, 3);
        DataFrame fb = TestData.Frame(b, 2).Select("name", "id", "x", "y", "flag");
        DataFrame c = DataFrame.Concat([fa, fb]);
        Assert.Equal(5, c.NPartitions);
        Assert.Equal(fa.Columns, c.Columns);
        Table t = c.Compute();
        Assert.Equal(a.Concat(b).Select(r => r.Name), t.GetStrings("name"));
        Assert.Equal(a.Concat(b).Select(r => r.Y), t.GetDoubles("y"));

        var e = Assert.Throws<ArgumentException>(() => DataFrame.Concat([fa, fa.Drop("x")]));
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => DataFrame.Concat([fa, fa.AsType(new Dictionary<string, DType> { ["id"] = DType.Float64 })]));
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
        Assert.Contains("float64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concat_OfSortedFrames_KeepsDivisions()
    {
        var t1 = Table.FromColumns(("k", new long[] { 1, 2, 3, 4 }), ("v", new double[] { 1, 2, 3, 4 }));
        var t2 = Table.FromColumns(("k", new long[] { 10, 11, 12 }), ("v", new double[] { 5, 6, 7 }));
        DataFrame a = DataFrame.FromTable(t1, 2).SetIndex("k", sorted: true);
        DataFrame b = DataFrame.FromTable(t2, 1).SetIndex("k", sorted: true);
        DataFrame c = DataFrame.Concat([a, b]);
        Assert.Equal([1L, 3L, 10L, 12L], c.Divisions);
        Assert.False(DataFrame.Concat([b, a]).KnownDivisions);
    }

    [Theory]
    [InlineData(1, 8, 1, false)]
    [InlineData(7, 2, 1, false)]
    [InlineData(7, 3, 1, true)]
    [InlineData(9, 3, 4, false)]
    public void DropDuplicates_MatchesLinq(int npartitions, int splitEvery, int splitOut, bool keepLast)
    {
        DataFrame df = TestData.Frame(s_rows, npartitions);
        Table t = df.DropDuplicates(["name", "flag"], keepLast, splitEvery, splitOut).Compute();
        var groups = s_rows.Select((r, i) => (r, i)).GroupBy(p => (p.r.Name, p.r.Flag));
        var expected = groups.Select(g => keepLast ? g.Last() : g.First()).OrderBy(p => p.i).Select(p => p.r).ToList();
        if (splitOut == 1)
        {
            Assert.Equal(expected.Select(r => r.X), t.GetDoubles("x").Select(v => v!.Value));
        }
        else
        {
            Assert.Equal(expected.Select(r => r.X).Order(), t.GetDoubles("x").Select(v => v!.Value).Order());
        }

        // Missing values count as equal.
        Assert.Equal(s_rows.Select(r => r.Y).Distinct().Count(), df.Select("y").DropDuplicates().Len().Compute());
        Assert.Equal(s_rows.Count, df.DropDuplicates().Len().Compute());
        Assert.Throws<ArgumentException>(() => df.DropDuplicates(["zz"]));
    }

    [Fact]
    public void Tail_TakesTheLastRows()
    {
        DataFrame df = TestData.Frame(s_rows, 4);
        Table t = df.Tail(3);
        Assert.Equal(s_rows.TakeLast(3).Select(r => r.Id), t.GetInt64s("id").Select(v => v!.Value));
        Table across = df.Tail(500, npartitions: -1);
        Assert.Equal(s_rows.TakeLast(500).Select(r => r.Id), across.GetInt64s("id").Select(v => v!.Value));
        Assert.Equal(s_rows.TakeLast(2).Select(r => r.X), df["x"].Tail(2).GetDoubles("x").Select(v => v!.Value));
    }

    [Fact]
    public void CumSum_CarriesAcrossPartitions_SkippingMissingValues()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 12]).Sample((n, parts) =>
        {
            List<TestData.Row> rows = TestData.Rows(n, seed: n + parts);
            DataFrame df = TestData.Frame(rows, parts);
            long run = 0;
            Assert.Equal(rows.Select(r => run += r.Id), df["id"].CumSum().Compute().GetInt64s("id").Select(v => v!.Value));
            double total = 0;
            double?[] ys = df["y"].CumSum().Compute().GetDoubles("y");
            for (int i = 0; i < rows.Count; i++)
            {
                if (rows[i].Y is null)
                {
                    Assert.Null(ys[i]);
                }
                else
                {
                    total += rows[i].Y!.Value;
                    TestData.Close(total, ys[i]!.Value);
                }
            }
        }, iter: 40);
        DataFrame f = TestData.Frame(s_rows, 3);
        Assert.Equal(DType.Int64, f["flag"].CumSum().DType);
        Assert.Throws<ArgumentException>(() => f["name"].CumSum());
    }

    [Fact]
    public void WhereAndMask_MatchLinq()
    {
        DataFrame df = TestData.Frame(s_rows, 4);
        Table w = df["x"].Where(df["x"] > 0.5).Compute();
        Assert.Equal(s_rows.Select(r => r.X > 0.5 ? r.X : (double?)null), w.GetDoubles("x"));
        Table m = df["x"].Mask(df["x"] > 0.5, 0.0).Compute();
        Assert.Equal(s_rows.Select(r => r.X > 0.5 ? 0.0 : r.X), m.GetDoubles("x").Select(v => v!.Value));
        Table names = df.Select("name", "id").Where(df["flag"], other: null).Compute();
        Assert.Equal(s_rows.Select(r => r.Flag ? r.Name : null), names.GetStrings("name"));
        Assert.Equal(s_rows.Select(r => r.Flag ? r.Id : (long?)null), names.GetInt64s("id"));

        // A missing condition replaces with where and keeps with mask.
        Table wy = df["x"].Where(df["y"] > 0).Compute();
        Assert.Equal(s_rows.Select(r => r.Y > 0 ? r.X : (double?)null), wy.GetDoubles("x"));
        Table my = df["x"].Mask(df["y"] > 0).Compute();
        Assert.Equal(s_rows.Select(r => r.Y > 0 ? (double?)null : r.X), my.GetDoubles("x"));

        var e = Assert.Throws<ArgumentException>(() => df["x"].Where(df["x"]));
        Assert.Contains("bool", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => df["name"].Where(df["flag"], 1.5));
        Assert.Contains("'name'", e.Message, StringComparison.Ordinal);
    }
}

public sealed class DescribeTests
{
    private static double Percentile(List<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Describe_MatchesPandasDefinitions(int npartitions)
    {
        List<TestData.Row> rows = TestData.Rows(2000, seed: 9);
        DataFrame df = TestData.Frame(rows, npartitions);
        DataFrame d = df.Describe();
        Assert.Equal(["id", "x", "y"], d.Columns);
        Table t = d.Compute();
        Assert.Equal(["count", "mean", "std", "min", "25%", "50%", "75%", "max"], t.GetStrings("statistic"));
        List<double> y = [.. rows.Where(r => r.Y is not null).Select(r => r.Y!.Value).Order()];
        double mean = y.Average();
        double[] expected = [y.Count, mean, Math.Sqrt(y.Sum(v => (v - mean) * (v - mean)) / (y.Count - 1)), y[0], Percentile(y, 0.25), Percentile(y, 0.5), Percentile(y, 0.75), y[^1]];
        double?[] actual = t.GetDoubles("y");
        for (int i = 0; i < expected.Length; i++)
        {
            TestData.Close(expected[i], actual[i]!.Value);
        }

        Assert.Throws<ArgumentException>(() => df.Select("name").Describe());
    }
}
