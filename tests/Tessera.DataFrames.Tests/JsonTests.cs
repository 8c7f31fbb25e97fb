using System.Globalization;
using System.Text;
using Tessera.Collections;
using Tessera.DataFrames.IO;

namespace Tessera.DataFrames.Tests;

public sealed class JsonTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tessera-df-json-" + Guid.NewGuid().ToString("N"));

    public JsonTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Table Sample(int n, int seed)
    {
        var r = new Random(seed);
        string[] names = ["plain", "quote \"q\"", "back\\slash", "tab\there", "ünïcødé ✓", "line\nbreak", string.Empty];
        return Table.FromColumns(
            ("id", Enumerable.Range(0, n).Select(i => (long)r.Next(-1000, 1000)).ToArray()),
            ("x", Enumerable.Range(0, n).Select(i => r.Next(8) == 0 ? (double?)null : Math.Round((r.NextDouble() * 200) - 100, r.Next(8))).ToArray()),
            ("name", Enumerable.Range(0, n).Select(i => r.Next(9) == 0 ? null : names[r.Next(names.Length)] + i.ToString(CultureInfo.InvariantCulture)).ToArray()),
            ("flag", Enumerable.Range(0, n).Select(i => r.Next(7) == 0 ? (bool?)null : r.Next(2) == 0).ToArray()),
            ("when", Enumerable.Range(0, n).Select(i => r.Next(6) == 0 ? (DateTime?)null : new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(r.NextInt64(0, 10_000_000_000_000) / 10 * 10)).ToArray()));
    }

    private static void AssertSameRows(Table expected, Table actual)
    {
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
        Assert.Equal(expected.ColumnNames.Select(expected.DTypeOf), actual.ColumnNames.Select(actual.DTypeOf));
        Assert.Equal(expected.ToRows(), actual.ToRows());
    }

    [Theory]
    [InlineData(1, 0L)]
    [InlineData(3, 0L)]
    [InlineData(4, 1500L)]
    public void ToJson_ThenReadJson_RoundTrips(int npartitions, long blockSize)
    {
        Table table = Sample(700, npartitions);
        IReadOnlyList<string> paths = DataFrame.FromTable(table, npartitions).ToJson(Path.Combine(_dir, "out"));
        Assert.Equal(npartitions, paths.Count);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "out"), "*.tmp-*"));

        DataFrame back = DataFrame.ReadJson(Path.Combine(_dir, "out", "*.json"), new JsonOptions { BlockSize = blockSize, SampleBytes = 1 << 20 });
        if (blockSize > 0)
        {
            Assert.True(back.NPartitions > npartitions);
        }

        AssertSameRows(table, back.Compute());
        Assert.Equal(table.RowCount, back.Len().Compute());
    }

    [Fact]
    public void ReadJson_FileWrittenByDuckDb_MatchesDuckDbQueries()
    {
        string file = Path.Combine(_dir, "duck.json");
        _ = IOTests.Duck(
            $"COPY (SELECT i AS id, i % 7 AS k, CASE WHEN i % 11 = 0 THEN NULL ELSE i / 3 END AS x, 'name' || (i % 5) AS name, " +
            $"TIMESTAMP '2021-03-04 05:06:07' + INTERVAL 1 MINUTE * i AS ts, i % 2 = 0 AS even FROM range(5000) t(i)) TO '{file}' (FORMAT JSON)");
        DataFrame df = DataFrame.ReadJson(file, new JsonOptions { BlockSize = 20_000 });
        Assert.True(df.NPartitions > 3);
        Assert.Equal(["id", "k", "x", "name", "ts", "even"], df.Columns);
        Assert.Equal([DType.Int64, DType.Int64, DType.Float64, DType.String, DType.Timestamp, DType.Bool], df.Columns.Select(c => df.DTypes[c]));

        Table means = df.GroupBy("name")["x"].Mean().Compute();
        var expected = IOTests.Duck($"SELECT name, avg(x) FROM '{file}' GROUP BY name ORDER BY name");
        Assert.Equal(expected.Select(e => (string)e[0]!), means.GetStrings("name"));
        for (int i = 0; i < expected.Count; i++)
        {
            TestData.Close((double)expected[i][1]!, means.GetDoubles("x")[i]!.Value);
        }

        Assert.Equal(Convert.ToInt64(IOTests.Duck($"SELECT count(*) FROM '{file}' WHERE x > 100 AND even")[0][0], CultureInfo.InvariantCulture), df[(df["x"] > 100) & df["even"]].Len().Compute());
        Table late = df[df["id"] == 4999L].Compute();
        Assert.Equal(new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddMinutes(4999), (DateTime)late.GetValue(0, "ts")!);
    }

    [Fact]
    public void ToJson_IsReadByDuckDb()
    {
        Table table = Sample(500, 9);
        string outDir = Path.Combine(_dir, "ours");
        _ = DataFrame.FromTable(table, 3).ToJson(outDir);
        var duck = IOTests.Duck($"SELECT sum(id)::BIGINT, count(x), sum(x), count(name), count(*) FROM read_json('{outDir}/*.json', format = 'newline_delimited')")[0];
        Assert.Equal(table.GetInt64s("id").Sum(), Convert.ToInt64(duck[0], CultureInfo.InvariantCulture));
        Assert.Equal(table.GetDoubles("x").Count(v => v.HasValue), Convert.ToInt64(duck[1], CultureInfo.InvariantCulture));
        TestData.Close(table.GetDoubles("x").Sum(v => v ?? 0), Convert.ToDouble(duck[2], CultureInfo.InvariantCulture));
        Assert.Equal(table.GetStrings("name").Count(v => v is not null), Convert.ToInt64(duck[3], CultureInfo.InvariantCulture));
        Assert.Equal(500L, Convert.ToInt64(duck[4], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ReadJson_MissingKeysNestedValuesOverridesAndProjection()
    {
        string file = Path.Combine(_dir, "mixed.json");
        File.WriteAllText(file, string.Join("\n",
            "{\"a\": 1, \"b\": \"x\", \"c\": {\"deep\": [1, 2]}}",
            "",
            "{\"b\": \"y\\u00e9\", \"a\": 2.5}",
            "{\"a\": null, \"c\": [true], \"b\": 3}",
            "{\"a\": 4, \"d\": 7}") + "\n");
        var e = Assert.ThrowsAny<Exception>(() => DataFrame.ReadJson(file, new JsonOptions { SampleBytes = (int)new FileInfo(file).Length - 5 }).Compute());
        Assert.Contains("'d' is not a column", e.ToString(), StringComparison.Ordinal);

        DataFrame df = DataFrame.ReadJson(file, new JsonOptions { DTypes = new Dictionary<string, DType> { ["a"] = DType.Float32 } });
        Assert.Equal(["a", "b", "c", "d"], df.Columns);
        Assert.Equal([DType.Float32, DType.String, DType.String, DType.Int64], df.Columns.Select(c => df.DTypes[c]));
        Table t = df.Compute();
        Assert.Equal(new object?[] { 1f, 2.5f, null, 4f }, t.GetValues("a"));
        Assert.Equal(["x", "yé", "3", null], t.GetStrings("b"));
        Assert.Equal(["{\"deep\": [1, 2]}", null, "[true]", null], t.GetStrings("c"));
        Assert.Equal(new object?[] { null, null, null, 7L }, t.GetValues("d"));

        DataFrame narrow = DataFrame.ReadJson(file, new JsonOptions { UseColumns = ["d", "b"] });
        Assert.Equal(["b", "d"], narrow.Columns);
        Assert.Equal(["x", "yé", "3", null], narrow.Compute().GetStrings("b"));
        Assert.Throws<ArgumentException>(() => DataFrame.ReadJson(file, new JsonOptions { UseColumns = ["zz"] }));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(900L)]
    [InlineData(5000L)]
    public void ReadJson_SkipBadLines_ReadsExactlyTheGoodLines(long blockSize)
    {
        Table good = Sample(300, seed: 5);
        string[] lines = File.ReadAllLines(DataFrame.FromTable(good, 1).ToJson(Path.Combine(_dir, "good"))[0]);

        // Bad lines of every kind, several failing after some of their values were read.
        string[] bad =
        [
            "{\"id\": 5, \"x\": }",
            "{\"id\": 7, \"x\": 1.5, \"name\": \"a\", \"flag\": \"maybe\", \"when\": null}",
            "{\"id\": 1, \"zz\": 2}",
            "{\"id\": 1, \"x\": 2.0, \"id\": 2}",
            "[1, 2]",
            "{\"id\": 3} {\"id\": 4}",
            "{\"name\": \"half\", \"flag\": true, \"id\": \"x\"}",
            "not json",
        ];
        var r = new Random(11);
        var text = new StringBuilder();
        int sampleLines = 20;
        for (int i = 0; i < lines.Length; i++)
        {
            if (i >= sampleLines && r.Next(4) == 0)
            {
                text.Append(bad[r.Next(bad.Length)]).Append('\n');
            }

            text.Append(lines[i]).Append('\n');
        }

        string file = Path.Combine(_dir, "mixed-bad.json");
        File.WriteAllText(file, text.ToString());
        int sampleBytes = Encoding.UTF8.GetByteCount(string.Join("\n", lines.Take(sampleLines)) + "\n");
        var options = new JsonOptions { BlockSize = blockSize, SampleBytes = sampleBytes, OnBadLines = BadLineAction.Skip };
        AssertSameRows(good, DataFrame.ReadJson(file, options).Compute());

        // Without Skip a bad line fails, naming the file and its line (blocks read in parallel, so the
        // first block to fail may not hold the file's first bad line).
        int[] badLines = [.. text.ToString().Split('\n').Select((l, i) => (l, i)).Where(p => bad.Contains(p.l)).Select(p => p.i + 1)];
        string message = Assert.ThrowsAny<Exception>(() => DataFrame.ReadJson(file, options with { OnBadLines = BadLineAction.Error }).Compute()).ToString();
        Assert.Contains("mixed-bad.json", message, StringComparison.Ordinal);
        Assert.Contains(badLines, n => message.Contains($"line {n}:", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadJson_SkipBadLines_InTheSample_LeavesThemOutOfInference()
    {
        string file = Path.Combine(_dir, "bad-sample.json");
        File.WriteAllText(file, "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"zz\": }\n[3]\n{\"a\": 4, \"b\": \"y\"}\n");
        Table t = DataFrame.ReadJson(file, new JsonOptions { OnBadLines = BadLineAction.Skip }).Compute();
        Assert.Equal(["a", "b"], t.ColumnNames);
        Assert.Equal([1L, 4L], t.GetInt64s("a").Select(v => v!.Value));
        Assert.Equal(["x", "y"], t.GetStrings("b"));
        string message = Assert.ThrowsAny<Exception>(() => DataFrame.ReadJson(file)).ToString();
        Assert.Contains("line 2", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadJson_BadLine_NamesFileAndLine()
    {
        var sb = new StringBuilder();
        for (int i = 1; i <= 400; i++)
        {
            sb.Append(i == 321 ? "{\"a\": 1, \"b\": }\n" : $"{{\"a\": {i}, \"b\": \"v{i}\"}}\n");
        }

        string file = Path.Combine(_dir, "bad.json");
        File.WriteAllText(file, sb.ToString());
        DataFrame df = DataFrame.ReadJson(file, new JsonOptions { BlockSize = 1000, SampleBytes = 500 });
        string message = Assert.ThrowsAny<Exception>(() => df.Compute()).ToString();
        Assert.Contains("bad.json", message, StringComparison.Ordinal);
        Assert.Contains("line 321", message, StringComparison.Ordinal);

        File.WriteAllText(file, "{\"a\": 1}\n{\"a\": \"text\"}\n[1]\n");
        string wrongKind = Assert.ThrowsAny<Exception>(() => DataFrame.ReadJson(file, new JsonOptions { SampleBytes = 9 }).Compute()).ToString();
        Assert.Contains("line 2", wrongKind, StringComparison.Ordinal);
        Assert.Contains("column 'a', int64", wrongKind, StringComparison.Ordinal);
        string notObject = Assert.ThrowsAny<Exception>(() => DataFrame.ReadJson(file, new JsonOptions { DTypes = new Dictionary<string, DType> { ["a"] = DType.String } }).Compute()).ToString();
        Assert.Contains("line 3", notObject, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadJson_FilterAndProjection_SameWithAndWithoutOptimizer()
    {
        Table table = Sample(900, 4);
        _ = DataFrame.FromTable(table, 2).ToJson(_dir);
        DataFrame df = DataFrame.ReadJson(_dir, new JsonOptions { BlockSize = 4000 });
        DataFrame query = df[(df["x"] > 10.0) & df["flag"]]["name", "id"];
        string plan = query.Explain();
        Assert.Contains("ReadJson", plan, StringComparison.Ordinal);
        Assert.Contains("columns [id, x, name, flag] of 5", plan, StringComparison.Ordinal);
        Assert.Contains("filter", plan, StringComparison.Ordinal);
        Table optimized = query.Compute();
        Table plain;
        using (TesseraConfig.Set(("dataframe.optimize", false)))
        {
            plain = query.Compute();
        }

        AssertSameRows(plain, optimized);
        double?[] x = table.GetDoubles("x");
        bool?[] flag = [.. table.GetValues("flag").Select(v => (bool?)v)];
        string?[] names = table.GetStrings("name");
        Assert.Equal(Enumerable.Range(0, table.RowCount).Where(i => x[i] > 10.0 && flag[i] == true).Select(i => names[i]), optimized.GetStrings("name"));
    }
}
