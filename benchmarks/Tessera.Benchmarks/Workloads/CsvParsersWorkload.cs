using System.Globalization;
using System.Text.Json.Nodes;
using nietras.SeparatedValues;
using Tessera.Benchmarks.Harness;
using Tessera.DataFrames;
using Tessera.DataFrames.IO;
using Tessera.DataFrames.Kernels;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Issue 6's parser comparison: Sep 0.17.1, Sylvan.Data.Csv 1.4.4 and CsvHelper 34 parse the
/// dataframe workload's CSV files (id int64, x and y float64, name string) into the columns a
/// partition needs (long and double arrays, an Arrow UTF-8 string column), on one thread, from bytes
/// already in memory, so that only parsing is timed. Each library parses numbers with its own parser;
/// "tessera read_csv block" is the library's reader (CsvHelper 34 with its own fast number paths; it
/// reads the bytes from a file, which the page cache holds).
/// </summary>
internal sealed class CsvParsersWorkload : IWorkload
{
    public string Name => "csv_parsers";

    public string Description => "CSV parsers (Sep, Sylvan, CsvHelper 34) on the dataframe workload's files, one thread, bytes in memory";

    public WorkloadReport Run(BenchOptions options)
    {
        (int files, int rows) = options.IsFull ? (20, 1_000_000) : (4, 250_000);
        string dir = DataFrameWorkload.DataDirectory(options.Size, files, rows);
        string[] paths = [.. Directory.GetFiles(dir, "*.csv").Order(StringComparer.Ordinal)];

        // At most 4 files (4M rows at full size) keep memory and time modest.
        byte[][] data = [.. paths.Take(4).Select(File.ReadAllBytes)];
        long total = data.Sum(d => (long)d.Length);
        long expectedRows = (long)Math.Min(4, files) * rows;
        var report = new WorkloadReport();
        report.Params["files"] = data.Length;
        report.Params["rows"] = expectedRows;
        report.Params["MB"] = Math.Round(total / 1e6, 1);
        report.Params["data_dir"] = dir;
        int reps = options.Repeats;

        void Case(string name, Func<byte[], long> parse)
        {
            if (!options.Wants(name))
            {
                return;
            }

            Timings<long> t = Measure.Runs(name, reps, _ => data.Sum(parse), v => Check.Equal(expectedRows, v, "rows"));
            CaseResult r = Measure.Result(name + ": parse id,x,y,name into columns (1 thread)", t, new JsonObject { ["files"] = data.Length, ["MB"] = Math.Round(total / 1e6, 1) });
            r.PerSecond["MB/s"] = total / 1e6;
            r.PerSecond["rows/s"] = expectedRows;
            report.Results.Add(r);
        }

        Case("sep", ParseSep);
        Case("sylvan", ParseSylvan);
        Case("csvhelper", ParseCsvHelper);
        // The library's reader reads its block from a file: the files are written once, outside the timing.
        string[] copies = new string[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            copies[i] = Path.Combine(Path.GetTempPath(), $"tessera-csv-parsers-{Environment.ProcessId}-{i}.csv");
            File.WriteAllBytes(copies[i], data[i]);
        }

        try
        {
            int next = 0;
            Case("tessera read_csv block", _ =>
            {
                string path = copies[next++ % copies.Length];
                return CsvReader.ReadBlock(path, 0, long.MaxValue, true, ',', ["id", "x", "y", "name"], [0, 1, 2, 3], [(int)DType.Int64, (int)DType.Float64, (int)DType.Float64, (int)DType.String], false).RowCount;
            });
        }
        finally
        {
            foreach (string c in copies)
            {
                File.Delete(c);
            }
        }

        return report;
    }

    private static long ParseSep(byte[] bytes)
    {
        var (ids, xs, ys, names) = Columns(bytes.Length);
        using SepReader reader = Sep.New(',').Reader(o => o with { HasHeader = true, CultureInfo = CultureInfo.InvariantCulture }).From(bytes);
        foreach (SepReader.Row row in reader)
        {
            ids.Add(row[0].Parse<long>());
            xs.Add(row[1].Parse<double>());
            ys.Add(row[2].Parse<double>());
            names.Append(row[3].Span);
        }

        return Finish(ids, names);
    }

    private static long ParseSylvan(byte[] bytes)
    {
        var (ids, xs, ys, names) = Columns(bytes.Length);
        using var text = new StreamReader(new MemoryStream(bytes));
        using var reader = Sylvan.Data.Csv.CsvDataReader.Create(text, new Sylvan.Data.Csv.CsvDataReaderOptions { HasHeaders = true, Culture = CultureInfo.InvariantCulture });
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
            xs.Add(reader.GetDouble(1));
            ys.Add(reader.GetDouble(2));
            names.Append(reader.GetFieldSpan(3));
        }

        return Finish(ids, names);
    }

    private static long ParseCsvHelper(byte[] bytes)
    {
        var (ids, xs, ys, names) = Columns(bytes.Length);
        using var reader = CsvHelper.CsvReader.Create(bytes, new CsvHelper.CsvReaderOptions { HasHeader = true });
        while (reader.Read())
        {
            ids.Add(reader.Parse<long>(0));
            xs.Add(reader.Parse<double>(1));
            ys.Add(reader.Parse<double>(2));
            names.Append(reader.GetSpan(3));
        }

        return Finish(ids, names);
    }

    private static (List<long> Ids, List<double> Xs, List<double> Ys, StringArrayBuilder Names) Columns(int bytes)
    {
        int estimate = bytes / 30;
        return (new List<long>(estimate), new List<double>(estimate), new List<double>(estimate), new StringArrayBuilder(estimate, bytes / 4));
    }

    private static long Finish(List<long> ids, StringArrayBuilder names)
    {
        Check.Equal(ids.Count, names.Count, "names");
        return ids.Count;
    }
}
