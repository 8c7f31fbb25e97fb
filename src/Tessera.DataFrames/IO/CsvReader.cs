using System.Globalization;
using System.IO.Compression;
using Apache.Arrow;
using System.Text;
using CsvHelper;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames.IO;

/// <summary>One byte range of one CSV file, read into a partition.</summary>
internal static class CsvReader
{
    /// <summary>Expands a path, a glob (<c>*</c>, <c>?</c> in the file name) or a directory into sorted file paths.</summary>
    public static string[] Expand(string pattern, string operation, string extension)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (Directory.Exists(pattern))
        {
            string[] inDir = [.. Directory.GetFiles(pattern, "*" + extension).Order(StringComparer.Ordinal)];
            return inDir.Length > 0 ? inDir : throw new FileNotFoundException($"{operation}: directory '{pattern}' has no *{extension} files.", pattern);
        }

        string? dir = Path.GetDirectoryName(pattern);
        string file = Path.GetFileName(pattern);
        if (file.Contains('*', StringComparison.Ordinal) || file.Contains('?', StringComparison.Ordinal))
        {
            dir = string.IsNullOrEmpty(dir) ? "." : dir;
            string[] found = Directory.Exists(dir) ? [.. Directory.GetFiles(dir, file).Order(StringComparer.Ordinal)] : [];
            return found.Length > 0 ? found : throw new FileNotFoundException($"{operation}: no file matches '{pattern}'.", pattern);
        }

        return File.Exists(pattern) ? [pattern] : throw new FileNotFoundException($"{operation}: file '{pattern}' does not exist.", pattern);
    }

    public static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    public static Stream Open(string path)
    {
        Stream s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return IsGzip(path) ? new GZipStream(s, CompressionMode.Decompress) : s;
    }

    /// <summary>CsvHelper's reader over UTF-8 bytes: RFC 4180 quoting, no header handling (the caller skips it), empty lines skipped.</summary>
    public static CsvHelper.CsvReader OpenReader(byte[] utf8, char separator) =>
        CsvHelper.CsvReader.Create(utf8, new CsvReaderOptions { HasHeader = false, Separator = separator, SkipEmptyLines = true, FormatProvider = CultureInfo.InvariantCulture });

    /// <summary>Reads the header names and infers dtypes from a sample of the first file.</summary>
    public static (string[] Names, DType[] Types) Infer(string path, CsvOptions options)
    {
        byte[] sample;
        using (Stream s = Open(path))
        {
            sample = new byte[options.SampleBytes];
            int n = 0;
            int read;
            while (n < sample.Length && (read = s.Read(sample, n, sample.Length - n)) > 0)
            {
                n += read;
            }

            // Drop a partial last line unless the sample is the whole file.
            int cut = n;
            if (n == sample.Length)
            {
                int nl = sample.AsSpan(0, n).LastIndexOf((byte)'\n');
                cut = nl > 0 ? nl + 1 : n;
            }

            System.Array.Resize(ref sample, cut);
        }

        using CsvHelper.CsvReader reader = OpenReader(sample, options.Separator);
        string[]? names = null;
        var candidates = new List<DType>();
        var seen = new List<bool>();
        while (reader.Read())
        {
            if (names is null)
            {
                if (options.Header)
                {
                    names = new string[reader.FieldCount];
                    for (int i = 0; i < names.Length; i++)
                    {
                        names[i] = reader.GetString(i);
                    }

                    continue;
                }

                names = [.. Enumerable.Range(0, reader.FieldCount).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            }

            while (candidates.Count < names.Length)
            {
                candidates.Add(DType.Int64);
                seen.Add(false);
            }

            for (int c = 0; c < Math.Min(reader.FieldCount, names.Length); c++)
            {
                ReadOnlySpan<byte> v = reader.GetSpan(c);
                if (v.IsEmpty)
                {
                    continue;
                }

                seen[c] = true;
                candidates[c] = Widen(candidates[c], Encoding.UTF8.GetString(v));
            }
        }

        if (names is null)
        {
            throw new InvalidDataException($"read_csv: file '{path}' is empty; it has no header line.");
        }

        while (candidates.Count < names.Length)
        {
            candidates.Add(DType.Float64);
            seen.Add(false);
        }

        var types = new DType[names.Length];
        for (int c = 0; c < names.Length; c++)
        {
            // Columns with no value in the sample are floats (all missing), as pandas infers.
            types[c] = seen[c] ? candidates[c] : DType.Float64;
            if (options.DTypes is not null && options.DTypes.TryGetValue(names[c], out DType forced))
            {
                types[c] = forced;
            }
        }

        return (names, types);
    }

    private static DType Widen(DType current, ReadOnlySpan<char> v)
    {
        var ci = CultureInfo.InvariantCulture;
        if (current == DType.Int64 && long.TryParse(v, NumberStyles.Integer, ci, out _))
        {
            return DType.Int64;
        }

        if (current is DType.Int64 or DType.Float64 && double.TryParse(v, NumberStyles.Float, ci, out _))
        {
            return DType.Float64;
        }

        if (current is DType.Int64 or DType.Bool && (v.Equals("True", StringComparison.OrdinalIgnoreCase) || v.Equals("False", StringComparison.OrdinalIgnoreCase)))
        {
            return DType.Bool;
        }

        if (current is DType.Int64 or DType.Timestamp && v.Length >= 8 && v[4] == '-' && DateTime.TryParse(v, ci, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _))
        {
            return DType.Timestamp;
        }

        return DType.String;
    }

    /// <summary>The byte ranges of a file: about <paramref name="blockSize"/> each (0 or gzip: the whole file as one range).</summary>
    public static List<(long Start, long End)> Blocks(string path, long blockSize)
    {
        long length = new FileInfo(path).Length;
        var blocks = new List<(long, long)>();
        if (blockSize <= 0 || IsGzip(path) || length <= blockSize)
        {
            blocks.Add((0, long.MaxValue));
            return blocks;
        }

        for (long s = 0; s < length; s += blockSize)
        {
            blocks.Add((s, Math.Min(length, s + blockSize)));
        }

        blocks[^1] = (blocks[^1].Item1, long.MaxValue);
        return blocks;
    }

    /// <summary>
    /// Reads the lines that start in [start, end) of a file (a line starting exactly at start belongs to
    /// this block; the first block skips the header), parsing the chosen columns.
    /// </summary>
    public static Table ReadBlock(string path, long start, long end, bool header, char separator, string[] names, int[] columns, int[] types, bool skipBadLines)
    {
        byte[] bytes = ReadRange(path, start, end, out long lineBase);
        var builders = new ColumnBuilder[columns.Length];
        int estimate = Math.Max(16, bytes.Length / 40);
        for (int c = 0; c < columns.Length; c++)
        {
            builders[c] = ColumnBuilder.Create((DType)types[c], estimate);
        }

        using CsvHelper.CsvReader reader = OpenReader(bytes, separator);
        bool first = start == 0 && header;
        while (reader.Read())
        {
            if (first)
            {
                first = false;
                continue;
            }

            int fields = reader.FieldCount;
            int c = 0;
            try
            {
                for (; c < columns.Length; c++)
                {
                    int j = columns[c];
                    if (j >= fields)
                    {
                        throw new FormatException($"the row has {fields} fields but column '{names[c]}' is field {j + 1}");
                    }

                    builders[c].Append(reader.GetSpan(j));
                }
            }
            catch (FormatException e)
            {
                if (skipBadLines)
                {
                    for (int k = 0; k < c; k++)
                    {
                        builders[k].RemoveLast();
                    }

                    continue;
                }

                long offset = reader.ByteOffset;
                int line = 1 + bytes.AsSpan(0, (int)Math.Min(offset, bytes.Length)).Count((byte)'\n');
                string where = start == 0 ? $"line {line}" : $"line {line} of the block starting at byte {lineBase}";
                throw new InvalidDataException($"read_csv: file '{path}', {where}: {e.Message}{(c < names.Length ? $" (column '{names[c]}', {((DType)types[c]).Name()})" : string.Empty)}; fix the file, pass dtypes, or use OnBadLines = Skip.", e);
            }
        }

        var output = new List<(string, IArrowArray)>(columns.Length);
        for (int c = 0; c < columns.Length; c++)
        {
            output.Add((names[c], builders[c].Build()));
        }

        return Table.Create([], output);
    }

    internal static byte[] ReadRange(string path, long start, long end, out long lineBase)
    {
        if (start == 0 && end == long.MaxValue)
        {
            lineBase = 0;
            if (IsGzip(path))
            {
                using Stream gz = Open(path);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                return ms.ToArray();
            }

            return File.ReadAllBytes(path);
        }

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        long length = fs.Length;
        long from = start;
        if (start > 0)
        {
            // Start after the first newline at or after start - 1.
            fs.Position = start - 1;
            from = FindNewline(fs, length) ?? length;
        }

        long to = Math.Min(end, length);
        if (to < length)
        {
            fs.Position = to - 1;
            to = FindNewline(fs, length) ?? length;
        }

        lineBase = from;
        if (to <= from)
        {
            return [];
        }

        var buffer = new byte[to - from];
        fs.Position = from;
        fs.ReadExactly(buffer);
        return buffer;
    }

    private static long? FindNewline(FileStream fs, long length)
    {
        Span<byte> chunk = stackalloc byte[4096];
        while (fs.Position < length)
        {
            long at = fs.Position;
            int n = fs.Read(chunk);
            int i = chunk[..n].IndexOf((byte)'\n');
            if (i >= 0)
            {
                return at + i + 1;
            }
        }

        return null;
    }
}

/// <summary>Accumulates parsed text values into an Arrow array of one dtype.</summary>
internal abstract class ColumnBuilder
{
    public static ColumnBuilder Create(DType type, int capacity) => type switch
    {
        DType.String => new Strings(capacity),
        DType.Bool => new Bools(capacity),
        DType.Float64 or DType.Float32 => new Doubles(capacity, type),
        DType.Timestamp => new Timestamps(capacity),
        _ when type.IsInteger() => new Longs(capacity, type),
        _ => throw new NotSupportedException($"read_csv cannot produce {type.Name()} columns."),
    };

    public abstract void Append(ReadOnlySpan<byte> text);

    public abstract void RemoveLast();

    public abstract IArrowArray Build();

    private abstract class Fixed<T>(int capacity, DType type) : ColumnBuilder
        where T : unmanaged
    {
        private T[] _values = new T[capacity];
        private byte[] _valid = new byte[(capacity + 7) >> 3];
        private int _count;
        private int _nulls;

        protected void Add(T value, bool valid)
        {
            if (_count == _values.Length)
            {
                System.Array.Resize(ref _values, _values.Length * 2);
                System.Array.Resize(ref _valid, (_values.Length + 7) >> 3);
            }

            _values[_count] = value;
            if (valid)
            {
                _valid[_count >> 3] |= (byte)(1 << (_count & 7));
            }
            else
            {
                _valid[_count >> 3] &= (byte)~(1 << (_count & 7));
                _nulls++;
            }

            _count++;
        }

        public override void RemoveLast()
        {
            _count--;
            if (((_valid[_count >> 3] >> (_count & 7)) & 1) == 0)
            {
                _nulls--;
            }
        }

        public override IArrowArray Build()
        {
            return Arrays.Primitive<T>(type, _values.AsSpan(0, _count), _nulls == 0 ? null : _valid, _nulls);
        }
    }

    private sealed class Longs(int capacity, DType type) : Fixed<long>(capacity, DType.Int64)
    {
        private readonly DType _type = type;

        public override void Append(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty)
            {
                Add(0, false);
            }
            else if (FastNumbers.TryParseInt64(text, out long v))
            {
                Add(v, true);
            }
            else
            {
                throw new FormatException($"cannot parse '{Encoding.UTF8.GetString(text)}' as {_type.Name()}");
            }
        }

        public override IArrowArray Build()
        {
            IArrowArray a = base.Build();
            return _type == DType.Int64 ? a : Kernels.Compute.Cast(a, _type);
        }
    }

    private sealed class Doubles(int capacity, DType type) : Fixed<double>(capacity, type == DType.Float32 ? DType.Float64 : type)
    {
        private readonly DType _type = type;

        public override void Append(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty)
            {
                Add(0, false);
            }
            else if (FastNumbers.TryParseDouble(text, out double v))
            {
                Add(v, true);
            }
            else
            {
                throw new FormatException($"cannot parse '{Encoding.UTF8.GetString(text)}' as {_type.Name()}");
            }
        }

        public override IArrowArray Build()
        {
            IArrowArray a = base.Build();
            return _type == DType.Float64 ? a : Kernels.Compute.Cast(a, _type);
        }
    }

    private sealed class Timestamps(int capacity) : Fixed<long>(capacity, DType.Timestamp)
    {
        public override void Append(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty)
            {
                Add(0, false);
            }
            else if (DateTime.TryParse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime v))
            {
                Add(Arrays.ToMicros(v), true);
            }
            else
            {
                throw new FormatException($"cannot parse '{Encoding.UTF8.GetString(text)}' as timestamp");
            }
        }
    }

    private sealed class Bools(int capacity) : ColumnBuilder
    {
        private readonly List<bool?> _values = new(capacity);

        public override void Append(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty)
            {
                _values.Add(null);
            }
            else if (Ascii.EqualsIgnoreCase(text, "true"u8) || text.SequenceEqual("1"u8))
            {
                _values.Add(true);
            }
            else if (Ascii.EqualsIgnoreCase(text, "false"u8) || text.SequenceEqual("0"u8))
            {
                _values.Add(false);
            }
            else
            {
                throw new FormatException($"cannot parse '{Encoding.UTF8.GetString(text)}' as bool");
            }
        }

        public override void RemoveLast() => _values.RemoveAt(_values.Count - 1);

        public override IArrowArray Build() => Arrays.FromValues(DType.Bool, [.. _values.Select(v => (object?)v)]);
    }

    private sealed class Strings(int capacity) : ColumnBuilder
    {
        private StringArrayBuilder _builder = new(capacity, capacity * 8);

        public override void Append(ReadOnlySpan<byte> text) => _builder.Append(text);

        public override void RemoveLast()
        {
            // Rare (bad lines): rebuild without the last value.
            StringArray a = _builder.Build();
            var b = new StringArrayBuilder(a.Length);
            for (int i = 0; i < a.Length - 1; i++)
            {
                b.Append(a.GetBytes(i));
            }

            _builder = b;
        }

        public override IArrowArray Build() => _builder.Build();
    }
}

/// <summary>
/// Number parsing for CSV fields (UTF-8 bytes): a fast path for plain decimal text (what data files mostly hold)
/// that gives exactly the BCL's result, and the BCL's invariant-culture parser for everything else.
/// </summary>
internal static class FastNumbers
{
    private static readonly double[] s_powersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses an integer; optional sign and up to 18 digits on the fast path.</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }

        int digits = text.Length - i;
        if (digits is > 0 and <= 18)
        {
            long v = 0;
            for (; i < text.Length; i++)
            {
                uint d = (uint)(text[i] - '0');
                if (d > 9)
                {
                    return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
                }

                v = (v * 10) + d;
            }

            value = negative ? -v : v;
            return true;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Parses a floating-point number. Plain decimals with at most 15 significant digits and 22
    /// fraction digits are computed as mantissa / 10^k: both are exact doubles and IEEE division
    /// rounds correctly, so the result equals the correctly rounded parse.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }

        long mantissa = 0;
        int significant = 0;
        int fraction = 0;
        bool dot = false;
        bool any = false;
        for (; i < text.Length; i++)
        {
            byte c = text[i];
            uint d = (uint)(c - '0');
            if (d <= 9)
            {
                any = true;
                if (mantissa != 0 || d != 0)
                {
                    significant++;
                }

                mantissa = (mantissa * 10) + d;
                if (dot)
                {
                    fraction++;
                }

                if (significant > 15 || fraction > 22)
                {
                    return Fallback(text, out value);
                }
            }
            else if (c == (byte)'.' && !dot)
            {
                dot = true;
            }
            else
            {
                return Fallback(text, out value);
            }
        }

        if (!any)
        {
            return Fallback(text, out value);
        }

        double v = fraction == 0 ? mantissa : mantissa / s_powersOf10[fraction];
        value = negative ? -v : v;
        return true;
    }

    private static bool Fallback(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
