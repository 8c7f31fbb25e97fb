using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class DataFrameTests
{
    private static readonly List<TestData.Row> s_rows = TestData.Rows(1000);

    [Fact]
    public void Meta_IsKnownWithoutComputing()
    {
        DataFrame df = TestData.Frame(s_rows, 4);
        Assert.Equal(4, df.NPartitions);
        Assert.Equal(["id", "x", "y", "name", "flag"], df.Columns);
        Assert.Equal(DType.Int64, df.DTypes["id"]);
        Assert.Equal(DType.Float64, df.DTypes["y"]);
        Assert.Equal(DType.String, df.DTypes["name"]);
        Assert.Equal(DType.Bool, df.DTypes["flag"]);
        Assert.False(df.KnownDivisions);
        Series s = df["x"] * 2 + df["y"];
        Assert.Equal(DType.Float64, s.DType);
    }

    [Fact]
    public void Compute_RoundTripsTheTable()
    {
        Table t = TestData.Frame(s_rows, 7).Compute();
        Assert.Equal(s_rows.Count, t.RowCount);
        Assert.Equal(s_rows.Select(r => r.Y), t.GetDoubles("y"));
        Assert.Equal(s_rows.Select(r => r.Name), t.GetStrings("name"));
    }

    [Fact]
    public void Filter_MatchesLinq()
    {
        DataFrame df = TestData.Frame(s_rows, 5);
        Table t = df[(df["x"] > 0.5) & (df["name"] != "n1")].Compute();
        var expected = s_rows.Where(r => r.X > 0.5 && r.Name != "n1").ToList();
        Assert.Equal(expected.Select(r => r.Id), t.GetInt64s("id").Select(v => v!.Value));
        Assert.Equal(expected.Count, df[df["x"] > 0.5 & df["name"] != "n1"].Len().Compute());
    }

    [Fact]
    public void Arithmetic_WithColumnsAndScalars_MatchesLinq()
    {
        DataFrame df = TestData.Frame(s_rows, 3);
        Table t = df.Assign("z", df["x"] * 2 + df["y"] - 1).Assign("w", d => d["id"] % 3).Compute();
        double?[] z = t.GetDoubles("z");
        long?[] w = t.GetInt64s("w");
        for (int i = 0; i < s_rows.Count; i++)
        {
            TestData.Row r = s_rows[i];
            if (r.Y is null)
            {
                Assert.Null(z[i]);
            }
            else
            {
                TestData.Close((r.X * 2) + r.Y.Value - 1, z[i]!.Value);
            }

            Assert.Equal(r.Id % 3, w[i]);
        }

        Assert.Equal(DType.Int64, df.Assign("w", df["id"] * 3L).DTypes["w"]);
        Assert.Equal(DType.Float64, df.Assign("w", df["id"] / 3.0).DTypes["w"]);
    }

    [Fact]
    public void Reductions_MatchLinq_ForAnySplitEvery()
    {
        DataFrame df = TestData.Frame(s_rows, 9);
        double[] y = [.. s_rows.Where(r => r.Y is not null).Select(r => r.Y!.Value)];
        double mean = y.Average();
        double var = y.Sum(v => (v - mean) * (v - mean)) / (y.Length - 1);
        foreach (int splitEvery in new[] { 2, 3, 8 })
        {
            TestData.Close(y.Sum(), (double)df["y"].Sum(splitEvery).Compute());
            TestData.Close(mean, df["y"].Mean(splitEvery).Compute());
            TestData.Close(y.Min(), (double)df["y"].Min(splitEvery).Compute());
            TestData.Close(y.Max(), (double)df["y"].Max(splitEvery).Compute());
            TestData.Close(var, df["y"].Var(splitEvery).Compute());
            TestData.Close(Math.Sqrt(var), df["y"].Std(splitEvery).Compute());
            Assert.Equal(y.Length, df["y"].Count(splitEvery).Compute());
        }

        Assert.Equal(s_rows.Select(r => r.Name).Distinct().Count(), df["name"].NUnique().Compute());
        Assert.Equal(s_rows.Count, df.Len().Compute());
    }

    [Fact]
    public void NullHandling_IsNaFillNaDropNa()
    {
        DataFrame df = TestData.Frame(s_rows, 4);
        int nulls = s_rows.Count(r => r.Y is null);
        Assert.True(nulls > 0);
        Assert.Equal(nulls, df[df["y"].IsNa()].Len().Compute());
        Assert.Equal(s_rows.Count - nulls, df.DropNa("y").Len().Compute());
        Table filled = df.Select("y").FillNa(42.0).Compute();
        Assert.Equal(s_rows.Select(r => r.Y ?? 42.0), filled.GetDoubles("y").Select(v => v!.Value));
    }

    [Fact]
    public void RenameDropAsType_ChangeTheSchema()
    {
        DataFrame df = TestData.Frame(s_rows, 2);
        DataFrame r = df.Rename(new Dictionary<string, string> { ["x"] = "xx" }).Drop("flag").AsType(new Dictionary<string, DType> { ["id"] = DType.Float64 });
        Assert.Equal(["id", "xx", "y", "name"], r.Columns);
        Assert.Equal(DType.Float64, r.DTypes["id"]);
        Table t = r.Compute();
        Assert.Equal(s_rows.Select(x => (double)x.Id), t.GetDoubles("id").Select(v => v!.Value));
        Table s = df["id"].AsType(DType.String).Compute();
        Assert.Equal(s_rows.Select(x => x.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), s.GetStrings("id"));
    }

    [Fact]
    public void ValueCounts_MatchesLinq()
    {
        DataFrame df = TestData.Frame(s_rows, 6);
        Table t = df["name"].ValueCounts().Compute();
        var expected = s_rows.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => (long)g.Count());
        string?[] names = t.GetStrings("name");
        long?[] counts = t.GetInt64s("count");
        Assert.Equal(expected.Count, names.Length);
        for (int i = 0; i < names.Length; i++)
        {
            Assert.Equal(expected[names[i]!], counts[i]);
            if (i > 0)
            {
                Assert.True(counts[i - 1] >= counts[i]);
            }
        }
    }

    [Fact]
    public void HeadAndMapPartitions_Work()
    {
        DataFrame df = TestData.Frame(s_rows, 4);
        Table head = df.Head(3);
        Assert.Equal(3, head.RowCount);
        Assert.Equal(s_rows.Take(3).Select(r => r.Id), head.GetInt64s("id").Select(v => v!.Value));
        DataFrame lengths = df.MapPartitions(static t => Table.FromColumns(("n", new long[] { t.RowCount })));
        Assert.Equal(["n"], lengths.Columns);
        Assert.Equal(s_rows.Count, lengths.Compute().GetInt64s("n").Sum(v => v!.Value));
    }

    [Fact]
    public void BadInput_FailsAtGraphBuildTime_NamingTheValue()
    {
        DataFrame df = TestData.Frame(s_rows, 2);
        var e = Assert.Throws<ArgumentException>(() => df["nope"]);
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'id', 'x', 'y', 'name', 'flag'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => df["name"] + df["x"]);
        Assert.Contains("string", e.Message, StringComparison.Ordinal);
        Assert.Contains("float64", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => df["name"] > 0.5);
        Assert.Contains("string and float64", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => df.Select("x", "zz"));
        Assert.Throws<ArgumentException>(() => df.GroupBy("zz"));
        Assert.Throws<ArgumentException>(() => df[df["x"]]);
        Assert.Throws<ArgumentException>(() => df["name"].Sum());
        DataFrame other = TestData.Frame(s_rows, 3);
        Assert.Throws<ArgumentException>(() => df["x"] + other["x"]);
    }
}

public sealed class TypedReductionTests
{
    [Fact]
    public void SumMinMax_KeepTheColumnsType_AndIntegerSumsAreExact()
    {
        long big = (1L << 53) + 1;
        var t = Table.FromColumns(
            ("i", new long?[] { big, 2, null, 4, big }),
            ("u", new uint[] { 1, 2, 3, 4, 5 }),
            ("f", new float[] { 1.5f, 2.5f, 3, 4, 5 }),
            ("s", new short[] { -3, 7, 2, 0, 1 }),
            ("b", new[] { true, false, true, true, false }),
            ("t", new[] { new DateTime(2020, 1, 2, 0, 0, 0, DateTimeKind.Utc), new DateTime(2019, 5, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2020, 6, 1, 0, 0, 0, DateTimeKind.Utc) }));
        DataFrame df = DataFrame.FromTable(t, 3);
        Assert.Equal((2 * big) + 6, df["i"].Sum(splitEvery: 2).Compute());
        Assert.Equal(big, df["i"].Max().Compute());
        Assert.Equal(2L, df["i"].Min().Compute());
        Assert.Equal(15UL, df["u"].Sum().Compute());
        Assert.Equal(16f, df["f"].Sum().Compute());
        Assert.Equal((short)-3, df["s"].Min().Compute());
        Assert.Equal(7L, df["s"].Sum().Compute());
        Assert.Equal(3L, df["b"].Sum().Compute());
        Assert.Equal(true, df["b"].Max().Compute());
        Assert.Equal(new DateTime(2019, 5, 1, 0, 0, 0, DateTimeKind.Utc), df["t"].Min().Compute());
        Assert.Throws<ArgumentException>(() => df["t"].Sum());

        DataFrame empty = df[df["s"] > 100];
        Assert.Equal(0L, empty["i"].Sum().Compute());
        Assert.True(double.IsNaN((double)empty["i"].Max().Compute()));
    }
}
