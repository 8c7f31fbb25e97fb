using System.Globalization;
using System.Text;
using Apache.Arrow;
using Tessera.Collections;
using Tessera.DataFrames.Expressions;
using Tessera.DataFrames.IO;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Reading and writing CSV and Parquet files.</summary>
public sealed partial class DataFrame
{
    private static readonly TaskFunction s_writeCsv = TaskFunction.Create<Table, string, string>(WriteCsvPart, "to-csv");
    private static readonly TaskFunction s_writeParquet = TaskFunction.Create<Table, string, string>(WriteParquetPart, "to-parquet");

    /// <summary>
    /// Reads CSV files into a frame (Dask's <c>read_csv</c>): one partition per block of about
    /// <see cref="CsvOptions.BlockSize"/> bytes, split at line boundaries; dtypes are inferred from a
    /// sample of the first file (override with <see cref="CsvOptions.DTypes"/>); <c>.gz</c> files are
    /// decompressed (one partition each).
    /// </summary>
    /// <param name="path">A file, a directory (its <c>*.csv</c> files) or a glob such as <c>data/*.csv</c>.</param>
    /// <param name="options">Parsing options.</param>
    /// <returns>The lazy frame, with unknown divisions.</returns>
    public static DataFrame ReadCsv(string path, CsvOptions? options = null)
    {
        options ??= new CsvOptions();
        string[] files = CsvReader.Expand(path, "read_csv", ".csv");
        (string[] names, DType[] types) = CsvReader.Infer(files[0], options);
        int[] indices;
        if (options.UseColumns is { } use)
        {
            indices = new int[use.Count];
            for (int i = 0; i < use.Count; i++)
            {
                indices[i] = System.Array.IndexOf(names, use[i]);
                if (indices[i] < 0)
                {
                    throw Table.UnknownColumn($"read_csv (usecols, file '{files[0]}')", use[i], names);
                }
            }
        }
        else
        {
            indices = [.. Enumerable.Range(0, names.Length)];
        }

        if (options.DTypes is not null)
        {
            foreach (string c in options.DTypes.Keys)
            {
                if (System.Array.IndexOf(names, c) < 0)
                {
                    throw Table.UnknownColumn($"read_csv (dtype, file '{files[0]}')", c, names);
                }
            }
        }

        ((string File, long Start, long End)[] blocks, string[] stamps) = CsvReader.BlocksOf(files, options.BlockSize);

        int[] allTypes = [.. types.Select(t => (int)t)];
        string name = Plan.Name("read-csv", [.. files, .. stamps, options.BlockSize, options.Header, options.Separator, names, allTypes, options.OnBadLines == BadLineAction.Skip]);
        Table full = Table.Create([], [.. names.Select((n, i) => (n, Arrays.Nulls(types[i].ToArrow(), 0)))]);
        var source = new CsvSource(name, path, blocks, names, allTypes, options.Header, options.Separator, options.OnBadLines == BadLineAction.Skip, full);
        return new DataFrame(new ReadCsvExpr(source, [.. indices.Select(i => names[i])]), Plan.UnknownDivisions(blocks.Length));
    }

    /// <summary>
    /// Reads Parquet files through ParquetSharp's Arrow reader: one partition per file, only the
    /// requested columns are read. An index written by <see cref="ToParquet"/> is restored.
    /// </summary>
    /// <remarks>
    /// A directory is searched recursively, and <c>key=value</c> directories on the way to a file
    /// (hive partitioning) become columns after the files' own: int64 when every value is an integer,
    /// string otherwise (<c>__HIVE_DEFAULT_PARTITION__</c> is missing). A filter on such a column right
    /// after the read skips the files whose values rule it out without opening them.
    /// </remarks>
    /// <param name="path">A file, a directory (its <c>*.parquet</c> files, in hive-partitioned subdirectories too) or a glob.</param>
    /// <param name="columns">The data columns to read (null: all).</param>
    /// <returns>The lazy frame, with unknown divisions.</returns>
    /// <exception cref="InvalidDataException">The files' schemas or partition keys disagree; the message names the files and the column.</exception>
    public static DataFrame ReadParquet(string path, IReadOnlyList<string>? columns = null)
    {
        (string[] files, HivePartitions hive) = HivePartitions.Discover(path);
        Schema first = ParquetSchema(files[0]);
        for (int f = 1; f < files.Length; f++)
        {
            Schema other = ParquetSchema(files[f]);
            foreach (Field field in first.FieldsList)
            {
                Field? match = other.FieldsList.FirstOrDefault(o => o.Name == field.Name);
                if (match is null || !SameType(match, field))
                {
                    throw new InvalidDataException(
                        $"read_parquet: files '{files[0]}' and '{files[f]}' disagree on column '{field.Name}': {DescribeField(field)} vs {(match is null ? "missing" : DescribeField(match))}.");
                }
            }

            if (other.FieldsList.Count != first.FieldsList.Count)
            {
                string extra = other.FieldsList.First(o => first.FieldsList.All(x => x.Name != o.Name)).Name;
                throw new InvalidDataException($"read_parquet: file '{files[f]}' has column '{extra}' that '{files[0]}' lacks.");
            }
        }

        int indexCount = first.HasMetadata && first.Metadata.TryGetValue(Table.IndexMetadataKey, out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        string[] allNames = [.. first.FieldsList.Select(f => f.Name)];
        string[] index = allNames[..indexCount];
        string[] data = [.. allNames[indexCount..], .. hive.Names];
        string[] chosen = columns is null ? data : [.. columns];
        foreach (string c in chosen)
        {
            if (System.Array.IndexOf(data, c) < 0)
            {
                throw Table.UnknownColumn($"read_parquet (file '{files[0]}')", c, data);
            }
        }

        foreach (Field f in first.FieldsList)
        {
            _ = Tessera.DataFrames.DTypes.FromArrow(f.DataType);
        }

        string name = Plan.Name("read-parquet", [.. files, .. files.Select(f => File.GetLastWriteTimeUtc(f).Ticks.ToString(CultureInfo.InvariantCulture)), .. allNames]);
        Table full = Table.Create(
            [.. index.Select(n => (n, Arrays.Nulls(first.GetFieldByName(n).DataType, 0)))],
            [.. data.Select(n => (n, Arrays.Nulls(hive.TypeOf(n)?.ToArrow() ?? first.GetFieldByName(n).DataType, 0)))]);
        var source = new ParquetSource(name, path, [.. files.Select(Path.GetFullPath)], index, data, full, hive);
        return new DataFrame(new ReadParquetExpr(source, chosen), Plan.UnknownDivisions(files.Length));
    }

    /// <summary>Writes one Parquet file per partition, <c>part.N.parquet</c> in <paramref name="directory"/>, each written under a temporary name and then renamed; computes now.</summary>
    /// <param name="directory">The output directory (created if needed).</param>
    /// <returns>The written paths.</returns>
    public IReadOnlyList<string> ToParquet(string directory) => WriteParts(directory, s_writeParquet, "to-parquet", "parquet");

    /// <summary>Writes one CSV file per partition (header line, index columns first), <c>part.N.csv</c> in <paramref name="directory"/>, atomically per file; computes now.</summary>
    /// <param name="directory">The output directory (created if needed).</param>
    /// <returns>The written paths.</returns>
    public IReadOnlyList<string> ToCsv(string directory) => WriteParts(directory, s_writeCsv, "to-csv", "csv");

    private string[] WriteParts(string directory, TaskFunction write, string op, string extension)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        string name = Plan.Name(op, Layer, Path.GetFullPath(directory));
        var tasks = new TaskGraph(NPartitions);
        for (int i = 0; i < NPartitions; i++)
        {
            string file = Path.Combine(Path.GetFullPath(directory), $"part.{i}.{extension}");
            tasks.TryAdd(new Key(name, i), Node.Call(write, Node.Ref(new Key(Layer, i)), Node.Literal(file)));
        }

        (TaskGraph graph, IReadOnlyList<Key> _) = Tessera.Collections.CollectionExtensions.Prepare(new PathsCollection(Graph.With(new MaterializedLayer(name, tasks), Layer), [.. tasks.Keys]));
        object?[] paths = Tessera.Scheduling.Schedulers.Default.Get(graph, [.. tasks.Keys]);
        return [.. paths.Cast<string>()];
    }

    private static Schema ParquetSchema(string file)
    {
        using var reader = new ParquetSharp.Arrow.FileReader(file);
        return reader.Schema;
    }

    private static bool SameType(Field a, Field b) => a.DataType.TypeId == b.DataType.TypeId;

    private static string DescribeField(Field f) => f.DataType.Name;

    private static string WriteParquetPart(Table part, string path) => WriteAtomically(path, tmp =>
    {
        // Storing the Arrow schema keeps what Parquet has no type for (durations, dictionary-encoded categoricals).
        using ParquetSharp.Arrow.ArrowWriterProperties arrowProperties = new ParquetSharp.Arrow.ArrowWriterPropertiesBuilder().StoreSchema().Build();
        using var writer = new ParquetSharp.Arrow.FileWriter(tmp, part.Schema, arrowProperties: arrowProperties);
        writer.WriteRecordBatch(part.ToArrow());
        writer.Close();
    });

    /// <summary>Writes a file under a temporary name next to <paramref name="path"/>, then renames it, so a failed write leaves nothing that looks complete.</summary>
    private static string WriteAtomically(string path, Action<string> write)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture);
        try
        {
            write(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }

        return path;
    }

    private static string WriteCsvPart(Table part, string path) => WriteAtomically(path, tmp =>
    {
        using var w = new StreamWriter(tmp, false, new UTF8Encoding(false));
        RecordBatch b = part.ToArrow();
        w.Write(string.Join(",", b.Schema.FieldsList.Select(f => Quote(f.Name))));
        w.Write('\n');
        for (int r = 0; r < b.Length; r++)
        {
            for (int c = 0; c < b.ColumnCount; c++)
            {
                if (c > 0)
                {
                    w.Write(',');
                }

                w.Write(Arrays.GetValue(b.Column(c), r) switch
                {
                    null => string.Empty,
                    string s => Quote(s),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    float f => f.ToString("R", CultureInfo.InvariantCulture),
                    bool x => x ? "True" : "False",
                    (DateTime or DateOnly or TimeSpan) and var t => Temporal.Format(t)!,
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    object o => Quote(o.ToString() ?? string.Empty),
                });
            }

            w.Write('\n');
        }
    });

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private sealed class PathsCollection(LayeredGraph graph, IReadOnlyList<Key> keys) : ITesseraCollection
    {
        public LayeredGraph Graph => graph;

        public IReadOnlyList<Key> PartKeys => keys;

        public ITesseraCollection WithGraph(LayeredGraph g) => new PathsCollection(g, keys);
    }
}
