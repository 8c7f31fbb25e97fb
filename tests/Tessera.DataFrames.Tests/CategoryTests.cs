using System.Globalization;
using Tessera.Collections;

namespace Tessera.DataFrames.Tests;

public sealed class CategoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tessera-df-cat-" + Guid.NewGuid().ToString("N"));

    public CategoryTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (string?[] Names, double[] X, DataFrame Frame) Sample(int n, int parts)
    {
        var r = new Random(n + parts);
        string?[] names = [.. Enumerable.Range(0, n).Select(i => r.Next(12) == 0 ? null : "c" + r.Next(7).ToString(CultureInfo.InvariantCulture))];
        double[] x = [.. Enumerable.Range(0, n).Select(i => Math.Round(r.NextDouble(), 4))];
        DataFrame df = DataFrame.FromTable(Table.FromColumns(("name", names), ("x", x)), parts);
        return (names, x, df.Assign("cat", df["name"].AsType(DType.Category)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void GroupByCategory_EqualsGroupByString_AndFiltersCompareValues(int parts)
    {
        (string?[] names, double[] x, DataFrame df) = Sample(400, parts);
        Assert.Equal(DType.Category, df.DTypes["cat"]);
        Table byCat = df.GroupBy("cat")["x"].Sum().Compute();
        Table byName = df.GroupBy("name")["x"].Sum().Compute();
        Assert.Equal(DType.Category, byCat.DTypeOf("cat"));
        Assert.Equal(byName.GetStrings("name"), byCat.GetStrings("cat"));
        Assert.Equal(byName.GetDoubles("x"), byCat.GetDoubles("x"));
        var expected = names.Zip(x).Where(p => p.First is not null).GroupBy(p => p.First!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        Assert.Equal(expected, byCat.GetStrings("cat"));

        Assert.Equal(names.Count(v => v == "c3"), df[df["cat"] == "c3"].Len().Compute());
        Assert.Equal(names.Count(v => v is not null && v != "c3"), df[df["cat"] != "c3"].Len().Compute());

        // Partitions with different dictionaries concatenate into one (a sorted union).
        Table one = df.Repartition(1).Compute();
        Assert.Equal(names, one.GetStrings("cat"));
        Assert.Equal(names, df["cat"].AsType(DType.String).Compute().GetStrings("cat"));
    }

    [Fact]
    public void Cat_CodesAndCategories_KnownOnlyAfterAsKnownOrSetCategories()
    {
        (string?[] names, _, DataFrame df) = Sample(300, 4);
        Series cat = df["cat"];
        Assert.False(cat.Cat.Known);
        Assert.Throws<InvalidOperationException>(() => cat.Cat.Codes);
        Assert.Throws<ArgumentException>(() => df["x"].Cat);

        Series known = cat.Cat.AsKnown();
        string[] categories = [.. names.OfType<string>().Distinct().Order(StringComparer.Ordinal)];
        Assert.True(known.Cat.Known);
        Assert.Equal(categories, known.Cat.Categories);
        Assert.Equal(names.Select(v => v is null ? -1 : Array.IndexOf(categories, v)), known.Cat.Codes.Compute().GetValues("cat").Select(v => (int)v!));

        Series some = cat.Cat.SetCategories(["c5", "c1"]);
        Assert.Equal(["c5", "c1"], some.Cat.Categories);
        Assert.Equal(names.Select(v => v is "c5" or "c1" ? v : null), some.Compute().GetStrings("cat"));
        Assert.Equal(names.Select(v => v == "c5" ? 0 : v == "c1" ? 1 : -1), some.Cat.Codes.Compute().GetValues("cat").Select(v => (int)v!));
    }

    [Fact]
    public void Parquet_KeepsTheDictionary_AndDuckDbReadsIt()
    {
        (string?[] names, _, DataFrame df) = Sample(500, 3);
        string outDir = Path.Combine(_dir, "pq");
        _ = df[["cat", "x"]].ToParquet(outDir);
        DataFrame back = DataFrame.ReadParquet(outDir);
        Assert.Equal(DType.Category, back.DTypes["cat"]);
        Assert.Equal(names, back.Compute().GetStrings("cat"));

        var duck = IOTests.Duck($"SELECT cat, count(*) FROM read_parquet('{outDir}/*.parquet') WHERE cat IS NOT NULL GROUP BY cat ORDER BY cat");
        var expected = names.OfType<string>().GroupBy(v => v).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => ((object?)g.Key, (long)g.Count())).ToList();
        Assert.Equal(expected, duck.Select(r => (r[0], Convert.ToInt64(r[1], CultureInfo.InvariantCulture))).ToList());
    }
}
