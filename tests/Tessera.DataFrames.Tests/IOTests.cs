using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Tessera.Collections;
using Tessera.DataFrames.IO;

namespace Tessera.DataFrames.Tests;

public sealed class IOTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tessera-df-io-" + Guid.NewGuid().ToString("N"));

    public IOTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes CSV files like the benchmark's: id, x, y, name (with some empty y values).</summary>
    private string WriteCsvFiles(int files, int rows, bool gzip = false)
    {
        var r = new Random(5);
        for (int f = 0; f < files; f++)
        {
            var sb = new StringBuilder("id,x,y,name\n");
            for (int i = 0; i < rows; i++)
            {
                string y = r.Next(20) == 0 ? string.Empty : ((r.NextDouble() * 2) - 1).ToString("F6", CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture, $"{r.Next(50)},{r.NextDouble():F6},{y},name{r.Next(30)}\n");
            }

            string path = Path.Combine(_dir, $"part-{f:000}.csv" + (gzip ? ".gz" : string.Empty));
            if (gzip)
            {
                using var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest);
                gz.Write(Encoding.UTF8.GetBytes(sb.ToString()));
            }
            else
            {
                File.WriteAllText(path, sb.ToString());
            }
        }

        return Path.Combine(_dir, gzip ? "*.csv.gz" : "*.csv");
    }

    internal static List<object?[]> Duck(string sql)
    {
        using var con = new DuckDBConnection("Data Source=:memory:");
        con.Open();
        using DuckDBCommand cmd = con.CreateCommand();
        cmd.CommandText = sql;
        using DuckDBDataReader reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    [InlineData(777)]
    public void ReadCsv_GroupByMean_MatchesDuckDb(long blockSize)
    {
        string glob = WriteCsvFiles(3, 2000);
        DataFrame df = DataFrame.ReadCsv(glob, new CsvOptions { BlockSize = blockSize });
        Assert.Equal(DType.Int64, df.DTypes["id"]);
        Assert.Equal(DType.Float64, df.DTypes["y"]);
        Assert.Equal(DType.String, df.DTypes["name"]);
        if (blockSize > 0)
        {
            Assert.True(df.NPartitions > 3);
        }

        Assert.Equal(6000, df.Len().Compute());
        Table t = df.GroupBy("id")["y"].Mean().Compute();
        var expected = Duck($"SELECT id, avg(y) FROM read_csv('{glob}') GROUP BY id ORDER BY id");
        Assert.Equal(expected.Count, t.RowCount);
        long?[] ids = t.GetInt64s("id");
        double?[] means = t.GetDoubles("y");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Convert.ToInt64(expected[i][0], CultureInfo.InvariantCulture), ids[i]);
            TestData.Close((double)expected[i][1]!, means[i]!.Value, 1e-9);
        }

        long filtered = df[df["x"] > 0.5].Len().Compute();
        Assert.Equal(Convert.ToInt64(Duck($"SELECT count(*) FROM read_csv('{glob}') WHERE x > 0.5")[0][0], CultureInfo.InvariantCulture), filtered);
    }

    [Fact]
    public void ReadCsv_GzipUseColumnsAndDTypeOverrides()
    {
        string glob = WriteCsvFiles(2, 300, gzip: true);
        DataFrame df = DataFrame.ReadCsv(glob, new CsvOptions { UseColumns = ["name", "id"], DTypes = new Dictionary<string, DType> { ["id"] = DType.Float64 } });
        Assert.Equal(["name", "id"], df.Columns);
        Assert.Equal(DType.Float64, df.DTypes["id"]);
        Assert.Equal(2, df.NPartitions);
        Assert.Equal(600, df.Compute().RowCount);
    }

    [Fact]
    public void ReadCsv_BadInput_NamesTheFileLineAndColumns()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.csv"), "a,b\n1,2\n3,x\n5,6\n");
        var e = Assert.Throws<ArgumentException>(() => DataFrame.ReadCsv(Path.Combine(_dir, "bad.csv"), new CsvOptions { UseColumns = ["c"] }));
        Assert.Contains("'c'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a', 'b'", e.Message, StringComparison.Ordinal);
        DataFrame df = DataFrame.ReadCsv(Path.Combine(_dir, "bad.csv"), new CsvOptions { DTypes = new Dictionary<string, DType> { ["b"] = DType.Int64 } });
        var failure = Assert.ThrowsAny<Exception>(() => df.Compute());
        string message = failure.ToString();
        Assert.Contains("bad.csv", message, StringComparison.Ordinal);
        Assert.Contains("line 3", message, StringComparison.Ordinal);
        Assert.Contains("'x'", message, StringComparison.Ordinal);
        DataFrame skipping = DataFrame.ReadCsv(Path.Combine(_dir, "bad.csv"), new CsvOptions { DTypes = new Dictionary<string, DType> { ["b"] = DType.Int64 }, OnBadLines = BadLineAction.Skip });
        Assert.Equal([1L, 5L], skipping.Compute().GetInt64s("a").Select(v => v!.Value));
        Assert.Throws<FileNotFoundException>(() => DataFrame.ReadCsv(Path.Combine(_dir, "none-*.csv")));
    }

    [Fact]
    public void Parquet_RoundTrip_AndDuckDbReadsOurFiles()
    {
        string glob = WriteCsvFiles(2, 500);
        DataFrame df = DataFrame.ReadCsv(glob);
        string outDir = Path.Combine(_dir, "pq");
        IReadOnlyList<string> written = df.ToParquet(outDir);
        Assert.Equal(2, written.Count);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp-*"));
        DataFrame back = DataFrame.ReadParquet(outDir);
        Assert.Equal(df.Columns, back.Columns);
        Table a = df.Compute();
        Table b = back.Compute();
        Assert.Equal(a.GetDoubles("y"), b.GetDoubles("y"));
        Assert.Equal(a.GetStrings("name"), b.GetStrings("name"));
        var duck = Duck($"SELECT sum(x), count(y), count(*) FROM read_parquet('{outDir}/*.parquet')");
        TestData.Close((double)df["x"].Sum().Compute(), (double)duck[0][0]!, 1e-9);
        Assert.Equal(df["y"].Count().Compute(), Convert.ToInt64(duck[0][1], CultureInfo.InvariantCulture));

        // Projection: only the requested columns are read.
        DataFrame projected = DataFrame.ReadParquet(outDir, ["name"]);
        Assert.Equal(["name"], projected.Columns);
        Assert.Equal(a.GetStrings("name"), projected.Compute().GetStrings("name"));
    }

    [Fact]
    public void ReadParquet_FilesWrittenByDuckDb_AndGroupByMatches()
    {
        string glob = WriteCsvFiles(1, 1000);
        string file = Path.Combine(_dir, "duck.parquet");
        _ = Duck($"COPY (SELECT * FROM read_csv('{glob}')) TO '{file}' (FORMAT parquet)");
        DataFrame df = DataFrame.ReadParquet(file);
        Table t = df.GroupBy("name").Agg(new Dictionary<string, Aggregation[]> { ["x"] = [Aggregation.Sum, Aggregation.Max] }).Compute();
        var expected = Duck($"SELECT name, sum(x), max(x) FROM '{file}' GROUP BY name ORDER BY name");
        Assert.Equal(expected.Select(r => (string)r[0]!), t.GetStrings("name"));
        for (int i = 0; i < expected.Count; i++)
        {
            TestData.Close((double)expected[i][1]!, t.GetDoubles("x_sum")[i]!.Value);
            TestData.Close((double)expected[i][2]!, t.GetDoubles("x_max")[i]!.Value);
        }
    }

    [Fact]
    public void ReadParquet_SchemasDisagree_NamesFilesAndColumn()
    {
        string dir = Path.Combine(_dir, "mixed");
        Directory.CreateDirectory(dir);
        DataFrame.FromTable(Table.FromColumns(("a", new long[] { 1, 2 }))).ToParquet(Path.Combine(_dir, "m1"));
        DataFrame.FromTable(Table.FromColumns(("a", new[] { "x", "y" }))).ToParquet(Path.Combine(_dir, "m2"));
        File.Copy(Path.Combine(_dir, "m1", "part.0.parquet"), Path.Combine(dir, "a.parquet"));
        File.Copy(Path.Combine(_dir, "m2", "part.0.parquet"), Path.Combine(dir, "b.parquet"));
        var e = Assert.Throws<InvalidDataException>(() => DataFrame.ReadParquet(dir));
        Assert.Contains("a.parquet", e.Message, StringComparison.Ordinal);
        Assert.Contains("b.parquet", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToCsv_ThenReadCsv_RoundTrips()
    {
        Table t = TestData.ToTable(TestData.Rows(300, nulls: true));
        DataFrame df = DataFrame.FromTable(t, 3);
        df.ToCsv(Path.Combine(_dir, "csv-out"));
        Table back = DataFrame.ReadCsv(Path.Combine(_dir, "csv-out", "*.csv")).Compute();
        Assert.Equal(t.GetDoubles("y"), back.GetDoubles("y"));
        Assert.Equal(t.GetStrings("name"), back.GetStrings("name"));
        Assert.Equal(t.GetValues("flag"), back.GetValues("flag"));
    }
}
