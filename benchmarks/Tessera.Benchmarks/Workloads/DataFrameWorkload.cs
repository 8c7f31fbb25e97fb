using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Collections;
using Tessera.DataFrames;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Workload 5, the counterpart of shared/bench/dask/dataframe.py: a 20-million-row table (small: 1M)
/// as CSV files, the same case names and checks, on the threaded scheduler.
/// </summary>
/// <remarks>
/// Reads Dask's generated files from <c>$ANCHORS_DATA/df-SIZE</c> (default /tmp/anchors-data) when
/// dataframe.py has written them (MANIFEST.json present). Otherwise it writes files of the same shape
/// (id 0..999, x uniform, y normal, name one of 1000 4-12-letter names, %.6f) to <c>df-SIZE-tessera</c>;
/// the values then differ from Dask's, the sizes and distributions do not. set_index_x times the
/// sampling pass for divisions and the task-based range shuffle, as Dask's does.
/// </remarks>
internal sealed class DataFrameWorkload : IWorkload
{
    public string Name => "dataframe";

    public string Description => "dataframe on 20M rows of CSV: read_csv groupby/filter, persist, in-memory groupbys, broadcast and hash merges";

    public WorkloadReport Run(BenchOptions options)
    {
        (int files, int rows) = options.IsFull ? (20, 1_000_000) : (4, 250_000);
        long total = (long)files * rows;
        string dir = DataDirectory(options.Size, files, rows);
        string glob = Path.Combine(dir, "*.csv");
        double csvMb = Directory.GetFiles(dir, "*.csv").Sum(f => new FileInfo(f).Length) / 1e6;
        var report = new WorkloadReport();
        report.Params["rows"] = total;
        report.Params["files"] = files;
        report.Params["csv_MB"] = Math.Round(csvMb, 1);
        report.Params["data_dir"] = dir;
        int reps = options.Repeats;
        JsonObject P() => new() { ["rows"] = total, ["files"] = files, ["csv_MB"] = Math.Round(csvMb, 1) };

        if (options.Wants("csv_groupby_mean"))
        {
            DataFrame df = DataFrame.ReadCsv(glob);
            Timings<Table> t = Measure.Runs("csv groupby mean", reps, _ => df.GroupBy("id")["x"].Mean().Compute(), v => Check.Equal(1000, v.RowCount, "groups"));
            Add(report, Measure.Result("csv_groupby_mean: read_csv.groupby('id').x.mean()", t, P()), total, csvMb);
        }

        if (options.Wants("csv_filter_len"))
        {
            DataFrame df = DataFrame.ReadCsv(glob);
            Timings<long> t = Measure.Runs("csv filter len", reps, _ => df[df["x"] > 0.5].Len().Compute(), v =>
            {
                if (v < 0.45 * total || v > 0.55 * total)
                {
                    throw new InvalidOperationException($"filter kept {v} of {total} rows");
                }
            });
            Add(report, Measure.Result("csv_filter_len: len(read_csv[x > 0.5])", t, P()), total, csvMb);
        }

        DataFrame? persisted = null;
        Timings<DataFrame> p = Measure.Runs("csv persist", 1, _ => persisted = DataFrame.ReadCsv(glob).Persist(), warmUp: false);
        Add(report, Measure.Result("csv_persist: read_csv(...).persist()", p, P()), total, csvMb);
        DataFrame mem = persisted!;
        JsonObject PM()
        {
            JsonObject o = P();
            o["source"] = "persisted in RAM";
            o["npartitions"] = mem.NPartitions;
            return o;
        }

        if (options.Wants("groupby_multi_agg"))
        {
            var aggs = new Dictionary<string, Aggregation[]>
            {
                ["x"] = [Aggregation.Sum, Aggregation.Mean, Aggregation.Min, Aggregation.Max],
                ["y"] = [Aggregation.Mean, Aggregation.Std, Aggregation.Count],
            };
            Timings<Table> t = Measure.Runs("groupby multi agg", reps, _ => mem.GroupBy("id").Agg(aggs).Compute(), v =>
            {
                Check.Equal(1000, v.RowCount, "groups");
                Check.Equal(total, v.GetInt64s("y_count").Sum(c => c!.Value), "y count");
            });
            Add(report, Measure.Result("groupby_multi_agg: groupby('id').agg(x:[sum,mean,min,max], y:[mean,std,count])", t, PM()), total, 0);
        }

        if (options.Wants("groupby_name_sum"))
        {
            Timings<Table> t = Measure.Runs("groupby name sum", reps, _ => mem.GroupBy("name")["y"].Sum().Compute(), v => Check.Equal(1000, v.RowCount, "groups"));
            Add(report, Measure.Result("groupby_name_sum: groupby('name').y.sum()", t, PM()), total, 0);
        }

        if (options.Wants("set_index_x"))
        {
            Timings<long> t = Measure.Runs("set_index x tasks", reps, _ => mem.SetIndex("x").Len().Compute(), v => Check.Equal(total, v, "rows"));
            JsonObject o = PM();
            o["shuffle"] = "tasks";
            Add(report, Measure.Result("set_index_x: set_index('x', shuffle='tasks') + len", t, o), total, 0);
        }

        var rng = new Random(20240601);
        Table right = Table.FromColumns(("id", Enumerable.Range(0, 1000).Select(i => (long)i).ToArray()), ("attr", Enumerable.Range(0, 1000).Select(_ => rng.NextDouble()).ToArray()));
        if (options.Wants("merge_broadcast"))
        {
            DataFrame r1 = DataFrame.FromTable(right, 1);
            Timings<long> t = Measure.Runs("merge broadcast", reps, _ => mem.Merge(r1, ["id"]).Len().Compute(), v => Check.Equal(total, v, "merged rows"));
            Add(report, Measure.Result("merge_broadcast: merge(1000-row frame, 1 partition, on='id') + len", t, PM()), total, 0);
        }

        if (options.Wants("merge_hash"))
        {
            DataFrame r4 = DataFrame.FromTable(right, 4);
            Timings<long> t = Measure.Runs("merge hash", reps, _ => mem.Merge(r4, ["id"], broadcast: false).Len().Compute(), v => Check.Equal(total, v, "merged rows"));
            JsonObject o = PM();
            o["shuffle"] = "tasks";
            Add(report, Measure.Result("merge_hash: merge(1000-row frame, 4 partitions, shuffle='tasks') + len", t, o), total, 0);
        }

        RunDuckDb(options, report, glob, total, csvMb, right);
        return report;
    }

    /// <summary>
    /// The same queries in DuckDB (DuckDB.NET, in-process, all cores) on the same files, as cases named
    /// "duckdb: CASE" (Dask has no counterpart, so compare.py lists them unpaired). The in-memory cases
    /// run on a table loaded once, as Dask's run on the persisted frame.
    /// </summary>
    private static void RunDuckDb(BenchOptions options, WorkloadReport report, string glob, long total, double csvMb, Table right)
    {
        if (!options.Wants("duckdb"))
        {
            return;
        }

        using var con = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        con.Open();
        object? Scalar(string sql)
        {
            using DuckDB.NET.Data.DuckDBCommand cmd = con.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar();
        }

        // The result is read row by row, every column, as our cases and Dask's build theirs: wrapped in
        // count(*), DuckDB's optimizer drops the aggregates nothing reads and only groups.
        long Rows(string sql)
        {
            using DuckDB.NET.Data.DuckDBCommand cmd = con.CreateCommand();
            cmd.CommandText = sql;
            using System.Data.Common.DbDataReader reader = cmd.ExecuteReader();
            long rows = 0;
            var values = new object[reader.FieldCount];
            while (reader.Read())
            {
                reader.GetValues(values);
                rows++;
            }

            return rows;
        }

        string csv = $"read_csv('{glob}')";
        JsonObject P() => new() { ["rows"] = total, ["engine"] = "DuckDB.NET" };
        int reps = options.Repeats;
        Add(report, Measure.Result("duckdb: csv_groupby_mean", Measure.Runs("duckdb csv groupby mean", reps, _ => Rows($"SELECT id, avg(x) FROM {csv} GROUP BY id"), v => Check.Equal(1000L, v, "groups")), P()), total, csvMb);
        Add(report, Measure.Result("duckdb: csv_filter_len", Measure.Runs("duckdb csv filter len", reps, _ => Convert.ToInt64(Scalar($"SELECT count(*) FROM {csv} WHERE x > 0.5"), CultureInfo.InvariantCulture)), P()), total, csvMb);
        Add(report, Measure.Result("duckdb: csv_persist", Measure.Runs("duckdb csv persist", 1, _ => Scalar($"CREATE OR REPLACE TABLE df AS SELECT * FROM {csv}"), warmUp: false), P()), total, csvMb);
        Add(report, Measure.Result("duckdb: groupby_multi_agg", Measure.Runs("duckdb groupby multi agg", reps, _ => Rows("SELECT id, sum(x), avg(x), min(x), max(x), avg(y), stddev_samp(y), count(y) FROM df GROUP BY id"), v => Check.Equal(1000L, v, "groups")), P()), total, 0);
        Add(report, Measure.Result("duckdb: groupby_name_sum", Measure.Runs("duckdb groupby name sum", reps, _ => Rows("SELECT name, sum(y) FROM df GROUP BY name"), v => Check.Equal(1000L, v, "groups")), P()), total, 0);
        Add(report, Measure.Result("duckdb: set_index_x", Measure.Runs("duckdb sort by x", reps, _ =>
        {
            Scalar("CREATE OR REPLACE TEMP TABLE sorted AS SELECT * FROM df ORDER BY x");
            return Convert.ToInt64(Scalar("SELECT count(*) FROM sorted"), CultureInfo.InvariantCulture);
        }, v => Check.Equal(total, v, "rows")), P()), total, 0);
        Scalar("CREATE OR REPLACE TABLE r (id BIGINT, attr DOUBLE)");
        using (var appender = con.CreateAppender("r"))
        {
            long?[] ids = right.GetInt64s("id");
            double?[] attrs = right.GetDoubles("attr");
            for (int i = 0; i < ids.Length; i++)
            {
                appender.CreateRow().AppendValue(ids[i]).AppendValue(attrs[i]).EndRow();
            }
        }

        Add(report, Measure.Result("duckdb: merge", Measure.Runs("duckdb merge", reps, _ => Convert.ToInt64(Scalar("SELECT count(*) FROM df JOIN r USING (id)"), CultureInfo.InvariantCulture), v => Check.Equal(total, v, "merged rows")), P()), total, 0);
    }

    private static void Add(WorkloadReport report, CaseResult r, long rows, double mb)
    {
        r.PerSecond["rows/s"] = rows;
        if (mb > 0)
        {
            r.PerSecond["MB/s"] = mb;
        }

        report.Results.Add(r);
    }

    internal static string DataDirectory(string size, int files, int rows)
    {
        string root = Environment.GetEnvironmentVariable("ANCHORS_DATA") is { Length: > 0 } d ? d : "/tmp/anchors-data";
        string dask = Path.Combine(root, "df-" + size);
        if (File.Exists(Path.Combine(dask, "MANIFEST.json")) && Directory.GetFiles(dask, "*.csv").Length == files)
        {
            return dask;
        }

        string own = Path.Combine(root, $"df-{size}-tessera");
        string done = Path.Combine(own, "DONE");
        if (File.Exists(done))
        {
            return own;
        }

        Log.Write($"generating {files} x {rows} rows into {own} (Dask's files are not there) ...");
        Directory.CreateDirectory(own);
        var vocabRng = new Random(20240601);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        while (names.Count < 1000)
        {
            int len = vocabRng.Next(4, 13);
            names.Add(new string([.. Enumerable.Range(0, len).Select(_ => (char)('a' + vocabRng.Next(26)))]));
        }

        string[] vocab = [.. names];
        for (int f = 0; f < files; f++)
        {
            var r = new Random(20240601 + 1 + f);
            var sb = new StringBuilder(rows * 40);
            sb.Append("id,x,y,name\n");
            for (int i = 0; i < rows; i++)
            {
                double u1 = 1.0 - r.NextDouble();
                double u2 = r.NextDouble();
                double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                sb.Append(r.Next(1000).ToString(CultureInfo.InvariantCulture)).Append(',')
                  .Append(r.NextDouble().ToString("F6", CultureInfo.InvariantCulture)).Append(',')
                  .Append(normal.ToString("F6", CultureInfo.InvariantCulture)).Append(',')
                  .Append(vocab[r.Next(vocab.Length)]).Append('\n');
            }

            File.WriteAllText(Path.Combine(own, $"part-{f:000}.csv"), sb.ToString());
        }

        File.WriteAllText(done, string.Empty);
        return own;
    }
}
