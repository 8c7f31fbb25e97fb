using System.Globalization;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames.IO;

/// <summary>
/// JSON lines (one object per line) read with <see cref="Utf8JsonReader"/> and written with
/// <see cref="Utf8JsonWriter"/>: dtype inference on a sample, one block of lines into a partition,
/// one partition into a file.
/// </summary>
internal static class JsonLines
{
    private static readonly JsonReaderOptions s_options = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>The columns (in order of first appearance) and their dtypes, from the objects in a sample of the first file.</summary>
    public static (string[] Names, DType[] Types) Infer(string path, JsonOptions options)
    {
        byte[] sample = ReadSample(path, options.SampleBytes);
        var names = new List<string>();
        var kinds = new List<DType?>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int line = 0;
        foreach (ReadOnlySpan<byte> text in Lines(sample))
        {
            line++;
            if (IsBlank(text))
            {
                continue;
            }

            // A line counts only once it is read whole (a bad one is skipped, or fails).
            var values = new List<(string Name, DType? Kind)>();
            try
            {
                var reader = new Utf8JsonReader(text, s_options);
                ExpectObject(ref reader);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string name = reader.GetString()!;
                    _ = reader.Read();
                    values.Add((name, KindOf(ref reader)));
                    reader.Skip();
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                if (options.OnBadLines == BadLineAction.Skip)
                {
                    continue;
                }

                throw Bad(path, 0, line, e.Message, e);
            }

            foreach ((string name, DType? kind) in values)
            {
                if (!index.TryGetValue(name, out int c))
                {
                    index[name] = c = names.Count;
                    names.Add(name);
                    kinds.Add(null);
                }

                kinds[c] = Widen(kinds[c], kind);
            }
        }

        var types = new List<DType>(kinds.Select(k => k ?? DType.Float64));
        if (options.DTypes is not null)
        {
            foreach ((string name, DType type) in options.DTypes)
            {
                if (index.TryGetValue(name, out int c))
                {
                    types[c] = type;
                }
                else
                {
                    names.Add(name);
                    types.Add(type);
                }
            }
        }

        if (names.Count == 0)
        {
            throw new InvalidDataException($"read_json: file '{path}' holds no object with a key in its first {options.SampleBytes} bytes; name the columns in DTypes.");
        }

        return ([.. names], [.. types]);
    }

    /// <summary>
    /// Reads the lines that start in [start, end) of a file into a partition of the <paramref name="columns"/>
    /// (a subset of <paramref name="all"/>, the frame's columns); keys of other columns are skipped, a key
    /// that is no column fails (or, with <paramref name="skipBadLines"/>, the line is left out, with the
    /// values it had already given), a missing key is a null.
    /// </summary>
    public static Table ReadBlock(string path, long start, long end, string[] all, string[] columns, int[] types, bool skipBadLines)
    {
        byte[] bytes = CsvReader.ReadRange(path, start, end, out long lineBase);
        byte[][] keys = [.. all.Select(Encoding.UTF8.GetBytes)];
        int[] slotOf = [.. all.Select(n => System.Array.IndexOf(columns, n))];
        var builders = new JsonColumn[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            builders[c] = JsonColumn.Create((DType)types[c], Math.Max(16, bytes.Length / 64));
        }

        // The previous line's keys, in order: the next line most likely repeats them.
        var previous = new List<int>();
        // The line each key (column) last had a value on: a key twice on a line fails, a column without one gets a null.
        int[] lineOfKey = new int[all.Length];
        int[] lineOfSlot = new int[columns.Length];
        int row = 0;
        int line = 0;
        foreach (ReadOnlySpan<byte> text in Lines(bytes))
        {
            line++;
            if (IsBlank(text))
            {
                continue;
            }

            int filled = 0;
            string? column = null;
            try
            {
                var reader = new Utf8JsonReader(text, s_options);
                ExpectObject(ref reader);
                int k = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    int key = k < previous.Count && reader.ValueTextEquals(keys[previous[k]]) ? previous[k] : FindKey(ref reader, keys);
                    if (key < 0)
                    {
                        throw new FormatException($"key '{reader.GetString()}' is not a column (the columns are {string.Join(", ", all.Select(n => "'" + n + "'"))}); name it in DTypes to read it");
                    }

                    if (k < previous.Count)
                    {
                        previous[k] = key;
                    }
                    else
                    {
                        previous.Add(key);
                    }

                    k++;
                    if (lineOfKey[key] == line)
                    {
                        throw new FormatException($"key '{all[key]}' appears twice");
                    }

                    lineOfKey[key] = line;
                    _ = reader.Read();
                    int slot = slotOf[key];
                    if (slot < 0)
                    {
                        reader.Skip();
                        continue;
                    }

                    column = columns[slot];
                    builders[slot].Append(ref reader, text);
                    lineOfSlot[slot] = line;
                    filled++;
                    column = null;
                }

                if (reader.Read())
                {
                    throw new FormatException("more than one value on the line");
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                if (skipBadLines)
                {
                    for (int c = 0; c < columns.Length; c++)
                    {
                        if (lineOfSlot[c] == line)
                        {
                            builders[c].RemoveLast();
                        }
                    }

                    continue;
                }

                string where = column is null ? string.Empty : $" (column '{column}', {((DType)types[System.Array.IndexOf(columns, column)]).Name()})";
                throw Bad(path, lineBase, line, e.Message + where, e);
            }

            if (filled < columns.Length)
            {
                for (int c = 0; c < columns.Length; c++)
                {
                    if (lineOfSlot[c] != line)
                    {
                        builders[c].AppendNull();
                    }
                }
            }

            row++;
        }

        var output = new List<(string, IArrowArray)>(columns.Length);
        for (int c = 0; c < columns.Length; c++)
        {
            output.Add((columns[c], builders[c].Build()));
        }

        return Table.Create([], output, row);
    }

    /// <summary>Writes a partition as JSON lines: one object per row, index columns first, missing values and non-finite floats as null, temporal values as ISO 8601 text.</summary>
    public static void Write(Table part, Stream stream)
    {
        RecordBatch batch = part.ToArrow();
        JsonEncodedText[] names = [.. batch.Schema.FieldsList.Select(f => JsonEncodedText.Encode(f.Name))];
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        for (int r = 0; r < batch.Length; r++)
        {
            writer.WriteStartObject();
            for (int c = 0; c < batch.ColumnCount; c++)
            {
                writer.WritePropertyName(names[c]);
                switch (Arrays.GetValue(batch.Column(c), r))
                {
                    case null:
                        writer.WriteNullValue();
                        break;
                    case string s:
                        writer.WriteStringValue(s);
                        break;
                    case bool b:
                        writer.WriteBooleanValue(b);
                        break;
                    case double d when double.IsFinite(d):
                        WriteFloat(writer, d);
                        break;
                    case float f when float.IsFinite(f):
                        WriteFloat(writer, f);
                        break;
                    case double or float:
                        writer.WriteNullValue();
                        break;
                    case ulong u:
                        writer.WriteNumberValue(u);
                        break;
                    case (DateTime or DateOnly or TimeSpan) and var t:
                        writer.WriteStringValue(Temporal.Format(t, 'T'));
                        break;
                    case object o:
                        writer.WriteNumberValue(Convert.ToInt64(o, CultureInfo.InvariantCulture));
                        break;
                }
            }

            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    }

    /// <summary>Writes a float's shortest round-trip text, with <c>.0</c> when it would read as an integer (so the column is inferred as float again).</summary>
    private static void WriteFloat<T>(Utf8JsonWriter writer, T value)
        where T : IUtf8SpanFormattable
    {
        Span<byte> text = stackalloc byte[40];
        _ = value.TryFormat(text, out int n, "R", CultureInfo.InvariantCulture);
        if (text[..n].IndexOfAny(".Ee"u8) < 0)
        {
            ".0"u8.CopyTo(text[n..]);
            n += 2;
        }

        writer.WriteRawValue(text[..n], skipInputValidation: true);
    }

    /// <summary>The first <paramref name="bytes"/> bytes of a file cut after the last whole line (more when the first line is longer).</summary>
    private static byte[] ReadSample(string path, int bytes)
    {
        using Stream s = CsvReader.Open(path);
        var sample = new MemoryStream();
        var buffer = new byte[Math.Max(1, Math.Min(bytes, 1 << 16))];
        int lastNewline = -1;
        int n;
        while ((sample.Length < bytes || lastNewline < 0) && (n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            int nl = buffer.AsSpan(0, n).LastIndexOf((byte)'\n');
            if (nl >= 0)
            {
                lastNewline = (int)sample.Length + nl;
            }

            sample.Write(buffer, 0, n);
        }

        // At the end of the file the last line is whole; otherwise drop the partial one.
        return s.Read(buffer, 0, 1) == 0 ? sample.ToArray() : sample.GetBuffer()[..(lastNewline + 1)];
    }

    private static int FindKey(ref Utf8JsonReader reader, byte[][] keys)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            if (reader.ValueTextEquals(keys[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void ExpectObject(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"expected a JSON object, found {reader.TokenType}");
        }
    }

    /// <summary>The dtype a value suggests, widened with what the column held so far: int64 → float64, anything else mixed → string.</summary>
    /// <summary>The dtype a value suggests (null for null).</summary>
    private static DType? KindOf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => reader.TryGetInt64(out _) ? DType.Int64 : DType.Float64,
        JsonTokenType.True or JsonTokenType.False => DType.Bool,
        JsonTokenType.String => JsonColumn.InferString(reader.GetString()!),
        _ => DType.String,
    };

    /// <summary>The dtype that holds values of both kinds.</summary>
    private static DType? Widen(DType? current, DType? seen)
    {
        if (seen is null || current is null || seen == current)
        {
            return current ?? seen;
        }

        return (current, seen) switch
        {
            (DType.Int64 or DType.Float64, DType.Int64 or DType.Float64) => DType.Float64,
            (DType.Date or DType.Timestamp, DType.Date or DType.Timestamp) => DType.Timestamp,
            _ => DType.String,
        };
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private static InvalidDataException Bad(string path, long lineBase, int line, string message, Exception inner)
    {
        long absolute = line + (lineBase == 0 ? 0 : CountLines(path, lineBase));
        return new InvalidDataException($"read_json: file '{path}', line {absolute}: {message}.", inner);
    }

    /// <summary>Newlines in the first <paramref name="length"/> bytes of a file (for error messages only).</summary>
    private static long CountLines(string path, long length)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var buffer = new byte[1 << 16];
        long count = 0;
        long left = length;
        int n;
        while (left > 0 && (n = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, left))) > 0)
        {
            count += buffer.AsSpan(0, n).Count((byte)'\n');
            left -= n;
        }

        return count;
    }

    private static LineEnumerable Lines(byte[] bytes) => new(bytes);

    private readonly struct LineEnumerable(byte[] bytes)
    {
        public LineEnumerator GetEnumerator() => new(bytes);
    }

    private ref struct LineEnumerator(byte[] bytes)
    {
        private int _next;

        public ReadOnlySpan<byte> Current { get; private set; }

        public bool MoveNext()
        {
            if (_next >= bytes.Length)
            {
                return false;
            }

            ReadOnlySpan<byte> rest = bytes.AsSpan(_next);
            int nl = rest.IndexOf((byte)'\n');
            Current = nl < 0 ? rest : rest[..nl];
            _next += nl < 0 ? rest.Length : nl + 1;
            return true;
        }
    }
}

/// <summary>Accumulates JSON values into an Arrow array of one dtype.</summary>
internal abstract class JsonColumn
{
    public static JsonColumn Create(DType type, int capacity) => type switch
    {
        DType.String => new Strings(capacity),
        DType.Bool => new Bools(capacity),
        _ when type.IsTemporal() => new Temporals(capacity, type),
        _ when type.IsFloat() => new Doubles(capacity, type),
        _ when type.IsInteger() => new Longs(capacity, type),
        _ => throw new NotSupportedException($"read_json cannot produce {type.Name()} columns."),
    };

    /// <summary>The dtype a string suggests: an ISO date (<c>yyyy-MM-dd</c>, as DuckDB writes dates), an ISO date and time, or text.</summary>
    public static DType InferString(string text)
    {
        if (text.Length < 8 || text[4] != '-')
        {
            return DType.String;
        }

        if (text.Length == 10 && Temporal.Parse(text, DType.Date) is not null)
        {
            return DType.Date;
        }

        return Temporal.Parse(text, DType.Timestamp) is not null ? DType.Timestamp : DType.String;
    }

    /// <summary>Appends the value the reader stands on (its first token; nested values are consumed whole); <paramref name="line"/> is the reader's input.</summary>
    public abstract void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line);

    public abstract void AppendNull();

    /// <summary>Takes back the last value appended (a line found bad after some of its values were read).</summary>
    public abstract void RemoveLast();

    public abstract IArrowArray Build();

    /// <summary>Clears slot <paramref name="index"/> of a validity bitmap; 1 when it was a missing value (to count off the nulls), else 0.</summary>
    private static int ClearValidity(byte[] valid, int index)
    {
        int bit = 1 << (index & 7);
        int missing = (valid[index >> 3] & bit) == 0 ? 1 : 0;
        valid[index >> 3] &= (byte)~bit;
        return missing;
    }

    private static FormatException Mismatch(ref Utf8JsonReader reader, string type) =>
        new($"expected {type}, found {reader.TokenType} {Encoding.UTF8.GetString(reader.ValueSpan)}");

    /// <summary>A column of fixed-width values read as <typeparamref name="T"/> and cast to the column's dtype when built.</summary>
    private abstract class Fixed<T>(int capacity, DType storage, DType type, string expected) : JsonColumn
        where T : unmanaged
    {
        private T[] _values = new T[capacity];
        private byte[] _valid = new byte[(capacity + 7) >> 3];
        private int _count;
        private int _nulls;

        /// <summary>Gets the column's dtype.</summary>
        protected DType Type { get; } = type;

        public sealed override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                AppendNull();
            }
            else if (TryRead(ref reader, out T value))
            {
                Add(value, true);
            }
            else
            {
                throw Mismatch(ref reader, expected);
            }
        }

        public override void AppendNull() => Add(default, false);

        public override void RemoveLast() => _nulls -= ClearValidity(_valid, --_count);

        public override IArrowArray Build() =>
            Kernels.Compute.Cast(Arrays.Primitive<T>(storage, _values.AsSpan(0, _count), _nulls == 0 ? null : _valid, _nulls), Type);

        /// <summary>Reads the (non-null) value the reader stands on; false when it is not one of this column's.</summary>
        protected abstract bool TryRead(ref Utf8JsonReader reader, out T value);

        private void Add(T value, bool valid)
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
                _nulls++;
            }

            _count++;
        }
    }

    private sealed class Longs(int capacity, DType type) : Fixed<long>(capacity, DType.Int64, type, "an integer")
    {
        protected override bool TryRead(ref Utf8JsonReader reader, out long value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
        }
    }

    private sealed class Doubles(int capacity, DType type) : Fixed<double>(capacity, DType.Float64, type, "a number")
    {
        protected override bool TryRead(ref Utf8JsonReader reader, out double value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
        }
    }

    /// <summary>Timestamps, dates and durations from their text (ISO 8601; durations as <c>[d.]hh:mm:ss[.ffffff]</c>), or timestamps and durations from numbers of milliseconds, as pandas' <c>to_json</c> writes them.</summary>
    private sealed class Temporals(int capacity, DType type) : Fixed<long>(capacity, DType.Int64, type, "a " + type.Name())
    {
        protected override bool TryRead(ref Utf8JsonReader reader, out long value)
        {
            value = 0;
            if (reader.TokenType == JsonTokenType.String && Temporal.Parse(reader.GetString()!, Type) is { } parsed)
            {
                value = Temporal.ToStorage(parsed, Type);
                return true;
            }

            if (reader.TokenType == JsonTokenType.Number && Type != DType.Date && reader.TryGetInt64(out long ms))
            {
                value = ms * 1000;
                return true;
            }

            return false;
        }
    }

    private sealed class Bools(int capacity) : JsonColumn
    {
        private byte[] _bits = new byte[(capacity + 7) >> 3];
        private byte[] _valid = new byte[(capacity + 7) >> 3];
        private int _count;
        private int _nulls;

        public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    AppendNull();
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    Grow();
                    _valid[_count >> 3] |= (byte)(1 << (_count & 7));
                    if (reader.TokenType == JsonTokenType.True)
                    {
                        _bits[_count >> 3] |= (byte)(1 << (_count & 7));
                    }

                    _count++;
                    break;
                default:
                    throw Mismatch(ref reader, "true or false");
            }
        }

        public override void AppendNull()
        {
            Grow();
            _nulls++;
            _count++;
        }

        public override void RemoveLast()
        {
            _nulls -= ClearValidity(_valid, --_count);
            _bits[_count >> 3] &= (byte)~(1 << (_count & 7));
        }

        public override IArrowArray Build() => Arrays.Bool(_bits, _count, _nulls == 0 ? null : _valid, _nulls);

        private void Grow()
        {
            if (_count == _bits.Length * 8)
            {
                System.Array.Resize(ref _bits, _bits.Length * 2);
                System.Array.Resize(ref _valid, _bits.Length);
            }
        }
    }

    /// <summary>Strings as their UTF-8 bytes (unescaped only when they hold escapes); numbers, booleans and nested values as their JSON text.</summary>
    private sealed class Strings(int capacity) : JsonColumn
    {
        private readonly StringArrayBuilder _builder = new(capacity, capacity * 8);
        private byte[] _scratch = new byte[256];

        public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    _builder.AppendNull();
                    break;
                case JsonTokenType.String when !reader.ValueIsEscaped:
                    _builder.Append(reader.ValueSpan);
                    break;
                case JsonTokenType.String:
                    if (_scratch.Length < reader.ValueSpan.Length)
                    {
                        _scratch = new byte[reader.ValueSpan.Length];
                    }

                    _builder.Append(_scratch.AsSpan(0, reader.CopyString(_scratch)));
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    long from = reader.TokenStartIndex;
                    reader.Skip();
                    _builder.Append(line[(int)from..(int)reader.BytesConsumed]);
                    break;
                default:
                    _builder.Append(reader.ValueSpan);
                    break;
            }
        }

        public override void AppendNull() => _builder.AppendNull();

        public override void RemoveLast() => _builder.RemoveLast();

        public override IArrowArray Build() => _builder.Build();
    }
}
