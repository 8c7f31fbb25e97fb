using System.Globalization;
using Tessera.DataFrames.Expressions;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames;

/// <summary>
/// Hive partitioning: <c>key=value</c> directories between a dataset's root and its files become
/// columns, one value per file.
/// </summary>
internal sealed class HivePartitions
{
    private const string DefaultPartition = "__HIVE_DEFAULT_PARTITION__";
    private readonly DType[] _types;
    private readonly object?[][] _values;

    private HivePartitions(string[] names, DType[] types, object?[][] values)
    {
        Names = names;
        _types = types;
        _values = values;
    }

    /// <summary>Gets the partition columns, outermost directory first.</summary>
    public string[] Names { get; }

    /// <summary>The files of a path, and their partition values when it is a directory.</summary>
    public static (string[] Files, HivePartitions Hive) Discover(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path))
        {
            string[] files = IO.CsvReader.Expand(path, "read_parquet", ".parquet");
            return (files, new HivePartitions([], [], [.. files.Select(_ => Array.Empty<object?>())]));
        }

        string[] found = [.. Directory.GetFiles(path, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        if (found.Length == 0)
        {
            throw new FileNotFoundException($"read_parquet: directory '{path}' has no *.parquet files.", path);
        }

        var pairs = found.Select(f => Path.GetRelativePath(path, Path.GetDirectoryName(f)!)
            .Split(Path.DirectorySeparatorChar)
            .Where(s => s.Contains('=', StringComparison.Ordinal))
            .Select(s => (Key: s[..s.IndexOf('=', StringComparison.Ordinal)], Value: Uri.UnescapeDataString(s[(s.IndexOf('=', StringComparison.Ordinal) + 1)..])))
            .ToArray()).ToArray();
        string[] names = [.. pairs[0].Select(p => p.Key)];
        for (int f = 1; f < found.Length; f++)
        {
            if (!pairs[f].Select(p => p.Key).SequenceEqual(names))
            {
                throw new InvalidDataException($"read_parquet: files '{found[0]}' and '{found[f]}' have different partition keys ([{string.Join(", ", names)}] vs [{string.Join(", ", pairs[f].Select(p => p.Key))}]).");
            }
        }

        var types = new DType[names.Length];
        object?[][] values = [.. found.Select(_ => new object?[names.Length])];
        for (int k = 0; k < names.Length; k++)
        {
            string?[] texts = [.. pairs.Select(p => p[k].Value == DefaultPartition ? null : p[k].Value)];
            bool integers = texts.All(t => t is null || long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
            types[k] = integers ? DType.Int64 : DType.String;
            for (int f = 0; f < found.Length; f++)
            {
                values[f][k] = texts[f] is null ? null : integers ? long.Parse(texts[f]!, CultureInfo.InvariantCulture) : texts[f];
            }
        }

        return (found, new HivePartitions(names, types, values));
    }

    /// <summary>Whether a file with these partition values may hold a row passing every filter triple (column, <see cref="CompareOp"/>, value) on a partition column.</summary>
    public static bool Matches(object[] filters, string[] names, object?[] values)
    {
        for (int f = 0; f < filters.Length; f += 3)
        {
            int h = Array.IndexOf(names, (string)filters[f]);
            if (h < 0)
            {
                continue;
            }

            var op = (CompareOp)(int)filters[f + 1];
            bool keep = (values[h], filters[f + 2]) switch
            {
                (null, _) => false,
                (string v, string s) => (op == CompareOp.Equal) == string.Equals(v, s, StringComparison.Ordinal),
                (object v, object s) when op == CompareOp.NotEqual => Convert.ToDouble(v, CultureInfo.InvariantCulture) != Convert.ToDouble(s, CultureInfo.InvariantCulture),
                (object v, object s) => RowGroupFilter.MayMatch(op, Convert.ToDouble(v, CultureInfo.InvariantCulture), Convert.ToDouble(v, CultureInfo.InvariantCulture), Convert.ToDouble(s, CultureInfo.InvariantCulture)),
            };
            if (!keep)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The partition column's dtype, or null when it is not one.</summary>
    public DType? TypeOf(string column) => Array.IndexOf(Names, column) is int h and >= 0 ? _types[h] : null;

    /// <summary>The plain-data argument of a read task: names, dtypes and one file's values.</summary>
    public object[] Literal(int file) => [Names, _types.Select(t => (int)t).ToArray(), _values[file]];
}
