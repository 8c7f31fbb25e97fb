using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Tessera.Bags;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Turns bags of records into dataframes (Dask's <c>Bag.to_dataframe</c>).</summary>
public static class BagConversion
{
    /// <summary>
    /// Makes a dataframe of a bag of records, one partition per bag partition, with one column per
    /// public readable property of <typeparamref name="T"/> (in declaration order). Properties must be
    /// integers, floats, bool, string or DateTime (nullable or not).
    /// </summary>
    /// <typeparam name="T">The record type: a class, record or struct with properties.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <returns>The lazy dataframe, with unknown divisions.</returns>
    /// <exception cref="NotSupportedException">A property's type cannot be a column; the message names it.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no properties, or is an untyped record (JSON, a dictionary): pass <c>meta</c>.</exception>
    public static DataFrame ToDataFrame<T>(this Bag<T> bag)
    {
        ArgumentNullException.ThrowIfNull(bag);
        if (IsUntyped(typeof(T)))
        {
            throw new ArgumentException(
                $"ToDataFrame: records of type {typeof(T).Name} have no fixed columns; pass meta, the columns and their types, e.g. ToDataFrame([(\"name\", DType.String), (\"age\", DType.Int64)]).",
                nameof(bag));
        }

        (string Name, DType Type)[] meta = RecordMeta<T>("ToDataFrame");
        return Build(bag, meta);
    }

    /// <summary>
    /// Makes a dataframe of a bag of records with the given columns (Dask's <c>meta</c>), one partition
    /// per bag partition. Each column is read from each record by name: a property of a <see cref="JsonObject"/>
    /// or of a <see cref="JsonElement"/> object, an entry of a dictionary with string keys, or a public
    /// property of a typed record. A missing member or a JSON null is a null; values are converted to
    /// the column's type (a JSON number to an integer column must be a whole number in range).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="bag">The bag.</param>
    /// <param name="meta">The columns, in order, and their types.</param>
    /// <returns>The lazy dataframe, with unknown divisions. Computing it fails with <see cref="InvalidCastException"/> (naming the column, the partition and the row) where a value does not fit its column.</returns>
    /// <exception cref="ArgumentException">No columns, a repeated column, or a typed record without a property of a column's name.</exception>
    public static DataFrame ToDataFrame<T>(this Bag<T> bag, IReadOnlyList<(string Name, DType Type)> meta)
    {
        ArgumentNullException.ThrowIfNull(bag);
        ArgumentNullException.ThrowIfNull(meta);
        if (meta.Count == 0)
        {
            throw new ArgumentException("ToDataFrame: meta names no columns.", nameof(meta));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, DType type) in meta)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(meta));
            if (!seen.Add(name))
            {
                throw new ArgumentException($"ToDataFrame: meta names column '{name}' twice.", nameof(meta));
            }

            if (!Enum.IsDefined(type))
            {
                throw new ArgumentOutOfRangeException(nameof(meta), type, $"ToDataFrame: column '{name}' has an unknown dtype.");
            }

            if (!IsUntyped(typeof(T)) && typeof(T).GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is null)
            {
                throw new ArgumentException(
                    $"ToDataFrame: {typeof(T).Name} has no public property '{name}'; its properties are {string.Join(", ", Properties(typeof(T)).Select(p => p.Name))}.",
                    nameof(meta));
            }
        }

        return Build(bag, [.. meta]);
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> s_properties = new();

    /// <summary>The columns of a record type: its public readable properties, in declaration order, and their dtypes.</summary>
    internal static (string Name, DType Type)[] RecordMeta<T>(string operation)
    {
        PropertyInfo[] properties = Properties(typeof(T));
        if (properties.Length == 0)
        {
            throw new ArgumentException($"{operation}: {typeof(T).Name} has no public readable properties to make columns of; Select the elements into a record type first.");
        }

        var meta = new (string, DType)[properties.Length];
        for (int i = 0; i < properties.Length; i++)
        {
            PropertyInfo p = properties[i];
            try
            {
                meta[i] = (p.Name, DTypes.FromClr(p.PropertyType));
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException(
                    $"{operation}: property {typeof(T).Name}.{p.Name} of type {p.PropertyType.Name} cannot be a column; columns hold integers, floats, bool, string, DateTime, DateOnly or TimeSpan. Select the records into a type without it, or pass meta to choose the columns.",
                    e);
            }
        }

        return meta;
    }

    /// <summary>Records in memory as one table of the record type's columns.</summary>
    internal static Table RecordsToTable<T>(string operation, IEnumerable<T> records, (string Name, DType Type)[] meta, string origin) =>
        ToTable(operation, [.. meta.Select(static c => c.Name)], [.. meta.Select(static c => (int)c.Type)], origin, records);

    private static DataFrame Build<T>(Bag<T> bag, (string Name, DType Type)[] meta)
    {
        string[] names = [.. meta.Select(static c => c.Name)];
        int[] types = [.. meta.Select(static c => (int)c.Type)];
        string name = "to-dataframe-" + Tokenizer.Tokenize(bag.Name, names, types);
        TaskFunction convert = ToTableFn<T>.Function;

        // The conversion runs inside the task that produces each partition (after its fused element-wise
        // operations), so the records themselves never cross a process boundary: only the tables do.
        ReadOnlySpan<Node> parts = bag.Parts;
        var tasks = new TaskGraph(parts.Length);
        for (int i = 0; i < parts.Length; i++)
        {
            tasks.Add(new Key(name, i), Node.Call(convert, Node.Literal(names), Node.Literal(types), Node.Literal(bag.Origins[i]), parts[i]));
        }

        LayeredGraph graph = bag.Dependencies;
        graph = graph.With(new MaterializedLayer(name, tasks), graph.Layers.Select(static l => l.Name));
        Table empty = Table.Create([], [.. meta.Select(static c => (c.Name, Arrays.FromValues(c.Type, [])))]);
        return new DataFrame(graph, name, parts.Length, empty, Plan.UnknownDivisions(parts.Length));
    }

    private static bool IsUntyped(Type type) =>
        type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement) ||
        typeof(IDictionary).IsAssignableFrom(type) || type.GetInterfaces().Append(type).Any(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));

    private static PropertyInfo[] Properties(Type type) =>
        s_properties.GetOrAdd(type, static t => [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(static p => p.CanRead && p.GetMethod!.IsPublic && p.GetIndexParameters().Length == 0)]);

    /// <summary>The kernel: one partition's records to a table of the meta's columns.</summary>
    private static Table ToTable<T>(string operation, string[] names, int[] types, string origin, IEnumerable<T> records)
    {
        T[] rows = records as T[] ?? [.. records];
        var columns = new (string, IArrowArray)[names.Length];
        var values = new object?[rows.Length];
        for (int c = 0; c < names.Length; c++)
        {
            var type = (DType)types[c];
            PropertyInfo? property = IsUntyped(typeof(T)) ? null : typeof(T).GetProperty(names[c], BindingFlags.Public | BindingFlags.Instance);
            for (int r = 0; r < rows.Length; r++)
            {
                var at = new RowAt(operation, r, origin);
                object? raw = property is not null
                    ? property.GetValue(rows[r] ?? throw at.IsNull())
                    : Member(rows[r], names[c], at);
                values[r] = Convert(raw, type, names[c], at);
            }

            columns[c] = (names[c], Arrays.FromValues(type, values));
        }

        return Table.Create([], columns);
    }

    private static object? Member(object? row, string name, RowAt at)
    {
        switch (row)
        {
            case null:
                throw at.IsNull();
            case JsonObject o:
                return o.TryGetPropertyValue(name, out JsonNode? node) ? node : null;
            case JsonElement { ValueKind: JsonValueKind.Object } e:
                return e.TryGetProperty(name, out JsonElement value) ? value : null;
            case IDictionary d:
                return d.Contains(name) ? d[name] : null;
            case IReadOnlyDictionary<string, object?> d:
                return d.TryGetValue(name, out object? v) ? v : null;
            default:
                throw new InvalidCastException($"{at.Operation}: {at} is a {row.GetType().Name}, not a JSON object or a dictionary with string keys, so it has no column '{name}'.");
        }
    }

    /// <summary>A member's value as the CLR value of its column's type, or null.</summary>
    private static object? Convert(object? raw, DType type, string column, RowAt at)
    {
        object? value = raw switch
        {
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => v.GetValue<string>(),
                JsonValueKind.Number => v.TryGetValue(out long l) ? l : v.GetValue<double>(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                JsonValueKind kind => throw Mismatch(kind.ToString(), type, column, at),
            },
            JsonNode n => throw Mismatch(n.GetValueKind().ToString(), type, column, at),
            JsonElement e => e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.Number => e.TryGetInt64(out long l) ? l : e.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => throw Mismatch(e.ValueKind.ToString(), type, column, at),
            },
            _ => raw,
        };

        if (value is null)
        {
            return null;
        }

        try
        {
            return type switch
            {
                DType.String => value as string ?? throw Mismatch(value.GetType().Name, type, column, at),
                DType.Bool => value as bool? ?? throw Mismatch(value.GetType().Name, type, column, at),
                DType.Timestamp => value switch
                {
                    DateTime or DateTimeOffset => value,
                    string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    _ => throw Mismatch(value.GetType().Name, type, column, at),
                },
                DType.Date => value switch
                {
                    DateOnly or DateTime => value,
                    string s => DateOnly.Parse(s, CultureInfo.InvariantCulture),
                    _ => throw Mismatch(value.GetType().Name, type, column, at),
                },
                DType.Duration => value as TimeSpan? ?? throw Mismatch(value.GetType().Name, type, column, at),
                DType.Float32 or DType.Float64 => value is string or bool or DateTime
                    ? throw Mismatch(value.GetType().Name, type, column, at)
                    : type == DType.Float32 ? System.Convert.ToSingle(value, CultureInfo.InvariantCulture) : System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
                _ => ToInteger(value, type, column, at),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidCastException($"{at.Operation}: column '{column}' ({type.Name()}) cannot hold the value {value} of {at}: {e.Message}", e);
        }
    }

    private static object ToInteger(object value, DType type, string column, RowAt at)
    {
        if (value is double or float or decimal && System.Convert.ToDecimal(value, CultureInfo.InvariantCulture) is decimal d && d != decimal.Truncate(d))
        {
            throw new InvalidCastException($"{at.Operation}: column '{column}' ({type.Name()}) cannot hold the fraction {value} of {at}.");
        }

        if (value is string or bool or DateTime or DateTimeOffset)
        {
            throw Mismatch(value.GetType().Name, type, column, at);
        }

        return type switch
        {
            DType.Int8 => System.Convert.ToSByte(value, CultureInfo.InvariantCulture),
            DType.Int16 => System.Convert.ToInt16(value, CultureInfo.InvariantCulture),
            DType.Int32 => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
            DType.Int64 => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
            DType.UInt8 => System.Convert.ToByte(value, CultureInfo.InvariantCulture),
            DType.UInt16 => System.Convert.ToUInt16(value, CultureInfo.InvariantCulture),
            DType.UInt32 => System.Convert.ToUInt32(value, CultureInfo.InvariantCulture),
            _ => System.Convert.ToUInt64(value, CultureInfo.InvariantCulture),
        };
    }

    private static InvalidCastException Mismatch(string found, DType type, string column, RowAt at) =>
        new($"{at.Operation}: column '{column}' is {type.Name()}, but {at} holds a {found} there.");

    /// <summary>The row being converted, for error messages: the operation that converts it, and its place ("row 3 of partition 1").</summary>
    private readonly record struct RowAt(string Operation, int Row, string Origin)
    {
        public InvalidOperationException IsNull() => new($"{Operation}: {this} is null.");

        public override string ToString() => $"row {Row} of {Origin}";
    }

    private static class ToTableFn<T>
    {
        public static readonly TaskFunction Function = TaskFunction.Create<string[], int[], string, IEnumerable<T>, Table>(Convert, "to-dataframe");

        // A static method, not a lambda: a lambda's delegate targets its closure class's instance,
        // which worker processes cannot be sent.
        private static Table Convert(string[] names, int[] types, string origin, IEnumerable<T> records) =>
            ToTable("ToDataFrame", names, types, origin, records);
    }
}
