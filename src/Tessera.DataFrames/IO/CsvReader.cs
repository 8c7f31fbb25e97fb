using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// <summary>The blocks of every file (full paths), in order, and the files' write times as text (for a read's name).</summary>
    public static ((string File, long Start, long End)[] Blocks, string[] Stamps) BlocksOf(string[] files, long blockSize)
    {
        var blocks = new List<(string File, long Start, long End)>();
        foreach (string f in files)
        {
            foreach ((long s, long e) in Blocks(f, blockSize))
            {
                blocks.Add((Path.GetFullPath(f), s, e));
            }
        }

        return ([.. blocks], [.. files.Select(f => File.GetLastWriteTimeUtc(f).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

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
        int estimate = EstimateRows(bytes);
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

    /// <summary>About how many lines the bytes hold (a little over), from the line length in the first 64 KiB.</summary>
    private static int EstimateRows(byte[] bytes)
    {
        int sample = Math.Min(bytes.Length, 1 << 16);
        int lines = bytes.AsSpan(0, sample).Count((byte)'\n');
        if (lines == 0 || sample == bytes.Length)
        {
            return Math.Max(16, lines + 1);
        }

        return (int)Math.Min(int.MaxValue / 16, (long)((double)bytes.Length / sample * lines * 1.05) + 16);
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
        // The values go straight into the bytes the Arrow buffer will wrap (no copy in Build); a
        // bitmap of the missing slots exists only once a value is missing.
        private byte[] _bytes = GC.AllocateUninitializedArray<byte>(Math.Max(1, capacity) * Unsafe.SizeOf<T>());
        private byte[]? _missing;
        private int _count;
        private int _nulls;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected void Add(T value)
        {
            int at = _count * Unsafe.SizeOf<T>();
            if (at + Unsafe.SizeOf<T>() > _bytes.Length)
            {
                System.Array.Resize(ref _bytes, _bytes.Length * 2);
            }

            Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bytes), at), value);
            _count++;
        }

        protected void AddNull()
        {
            int j = _count;
            Add(default);
            _missing ??= new byte[Math.Max(8, (j + 64) >> 3)];
            if ((j >> 3) >= _missing.Length)
            {
                System.Array.Resize(ref _missing, Math.Max(_missing.Length * 2, (j >> 3) + 1));
            }

            _missing[j >> 3] |= (byte)(1 << (j & 7));
            _nulls++;
        }

        public override void RemoveLast()
        {
            _count--;
            int j = _count;
            if (_missing is not null && (j >> 3) < _missing.Length && ((_missing[j >> 3] >> (j & 7)) & 1) != 0)
            {
                _missing[j >> 3] &= (byte)~(1 << (j & 7));
                _nulls--;
            }
        }

        public override IArrowArray Build()
        {
            byte[]? validity = null;
            if (_nulls > 0)
            {
                validity = new byte[(_count + 7) >> 3];
                for (int i = 0; i < _count; i++)
                {
                    int b = i >> 3;
                    if (b >= _missing!.Length || ((_missing[b] >> (i & 7)) & 1) == 0)
                    {
                        validity[b] |= (byte)(1 << (i & 7));
                    }
                }
            }

            // Keep the buffer as it is unless more than a quarter of it is unused.
            int used = _count * Unsafe.SizeOf<T>();
            byte[] values = used >= _bytes.Length * 3 / 4 ? _bytes : _bytes[..Math.Max(8, used)];
            return Arrays.Primitive(type.ToArrow(), values, _count, validity, _nulls);
        }
    }

    private sealed class Longs(int capacity, DType type) : Fixed<long>(capacity, DType.Int64)
    {
        private readonly DType _type = type;

        public override void Append(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty)
            {
                AddNull();
            }
            else if (FastNumbers.TryParseInt64(text, out long v))
            {
                Add(v);
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
                AddNull();
            }
            else if (FastNumbers.TryParseDouble(text, out double v))
            {
                Add(v);
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
                AddNull();
            }
            else if (DateTime.TryParse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime v))
            {
                Add(Arrays.ToMicros(v));
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
        private readonly StringArrayBuilder _builder = new(capacity, capacity * 8);

        public override void Append(ReadOnlySpan<byte> text) => _builder.Append(text);

        public override void RemoveLast() => _builder.RemoveLast();

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
    /// Parses a floating-point number. Plain decimals (optional sign, digits, optional point and
    /// digits) whose digits form an integer of at most 2^53 with at most 22 fraction digits are
    /// computed as mantissa / 10^k: both are exact doubles and IEEE division rounds correctly, so the
    /// result equals the correctly rounded parse. Anything else goes to the BCL's parser.
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

        int digitsFrom = i;
        ulong mantissa = 0;
        uint d;
        while (i < text.Length && (d = (uint)(text[i] - '0')) <= 9)
        {
            mantissa = (mantissa * 10) + d;
            i++;
        }

        int digits = i - digitsFrom;
        int fraction = 0;
        if (i < text.Length && text[i] == (byte)'.')
        {
            int fractionFrom = ++i;
            while (i < text.Length && (d = (uint)(text[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + d;
                i++;
            }

            fraction = i - fractionFrom;
            digits += fraction;
        }

        // 19 digits cannot overflow 64 bits; up to 2^53 the mantissa is an exact double.
        if (i != text.Length || digits == 0 || digits > 19 || fraction > 22 || mantissa > (1UL << 53))
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
