using System.Globalization;
using System.Text;
using Apache.Arrow;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames;

/// <summary>
/// An immutable in-memory table over one Apache Arrow record batch: named, typed columns with nulls,
/// and optionally one or more index columns (pandas' index). It is one partition of a
/// <see cref="DataFrame"/> and the value a computed <see cref="DataFrame"/> or <see cref="Series"/> returns.
/// </summary>
/// <remarks>
/// The index columns are the batch's first <see cref="IndexNames"/>.Count fields; the schema
/// metadata key <c>tessera.index</c> records how many there are, so a table survives Arrow IPC
/// unchanged. A computed <see cref="Series"/> is a table with one data column.
/// </remarks>
public sealed class Table
{
    internal const string IndexMetadataKey = "tessera.index";
    private readonly RecordBatch _batch;
    private readonly int _indexCount;
    private readonly Dictionary<string, int> _byName;
    private readonly string[] _columns;
    private readonly string[] _index;

    internal Table(RecordBatch batch, int indexCount)
    {
        _batch = batch;
        _indexCount = indexCount;
        int n = batch.ColumnCount;
        _byName = new Dictionary<string, int>(n, StringComparer.Ordinal);
        _index = new string[indexCount];
        _columns = new string[n - indexCount];
        for (int i = 0; i < n; i++)
        {
            string name = batch.Schema.FieldsList[i].Name;
            if (!_byName.TryAdd(name, i))
            {
                throw new ArgumentException($"Column '{name}' appears twice; column names must be unique.");
            }

            if (i < indexCount)
            {
                _index[i] = name;
            }
            else
            {
                _columns[i - indexCount] = name;
            }
        }
    }

    /// <summary>Gets the number of rows.</summary>
    public int RowCount => _batch.Length;

    /// <summary>Gets the names of the data columns, in order.</summary>
    public IReadOnlyList<string> ColumnNames => _columns;

    /// <summary>Gets the names of the index columns (empty when the table has no index: rows are numbered by position).</summary>
    public IReadOnlyList<string> IndexNames => _index;

    /// <summary>Gets the Arrow schema, index columns first.</summary>
    public Schema Schema => _batch.Schema;

    internal RecordBatch Batch => _batch;

    internal int IndexCount => _indexCount;

    /// <summary>Gets a data or index column by name.</summary>
    /// <param name="name">The column's name.</param>
    /// <returns>The Arrow array.</returns>
    /// <exception cref="ArgumentException">No column has that name; the message lists the columns.</exception>
    public IArrowArray this[string name] => _batch.Column(Find(name, "Table[]"));

    /// <summary>Creates a table from columns of .NET values: <c>long[]</c>, <c>double[]</c>, <c>int?[]</c>, <c>string?[]</c>, <c>bool[]</c>, <c>DateTime[]</c>, ….</summary>
    /// <param name="columns">The columns by name, in order; all of the same length.</param>
    /// <returns>The table (without an index).</returns>
    public static Table FromColumns(params IEnumerable<(string Name, System.Array Values)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var arrays = new List<(string, IArrowArray)>();
        foreach ((string name, System.Array values) in columns)
        {
            ArgumentNullException.ThrowIfNull(values, name);
            DType type = DTypes.FromClr(values.GetType().GetElementType()!);
            arrays.Add((name, ColumnFromArray(type, values)));
        }

        return Create([], arrays);
    }

    /// <summary>Wraps an Arrow record batch; the named columns become the index.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="indexColumns">Columns of the batch to use as the index, in order.</param>
    /// <returns>The table.</returns>
    public static Table FromArrow(RecordBatch batch, params string[] indexColumns)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(indexColumns);
        var all = new List<(string, IArrowArray)>();
        for (int i = 0; i < batch.ColumnCount; i++)
        {
            IArrowArray a = batch.Column(i);
            _ = DTypes.Of(a);
            all.Add((batch.Schema.FieldsList[i].Name, a));
        }

        var index = new List<(string, IArrowArray)>();
        foreach (string name in indexColumns)
        {
            int at = all.FindIndex(c => c.Item1 == name);
            if (at < 0)
            {
                throw new ArgumentException($"FromArrow: unknown index column '{name}'; the batch has columns {string.Join(", ", all.Select(c => c.Item1))}.", nameof(indexColumns));
            }

            index.Add(all[at]);
            all.RemoveAt(at);
        }

        return Create(index, all);
    }

    /// <summary>Returns the table as an Arrow record batch (index columns first; schema metadata <c>tessera.index</c> counts them).</summary>
    /// <returns>The batch; it shares the table's buffers.</returns>
    public RecordBatch ToArrow() => _batch;

    /// <summary>Gets the dtype of a data or index column.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>The dtype.</returns>
    public DType DTypeOf(string column) => DTypes.FromArrow(_batch.Schema.FieldsList[Find(column, "DTypeOf")].DataType);

    /// <summary>Tells whether a data or index column has this name.</summary>
    /// <param name="column">The name.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    public bool HasColumn(string column) => _byName.ContainsKey(column);

    /// <summary>Reads one cell as a .NET value (<c>long</c>, <c>double</c>, <c>bool</c>, <c>string</c>, <c>DateTime</c>, …; null for a missing value).</summary>
    /// <param name="row">The row position.</param>
    /// <param name="column">The column's name (data or index).</param>
    /// <returns>The value.</returns>
    public object? GetValue(int row, string column) => Arrays.GetValue(this[column], row);

    /// <summary>Reads a column as nullable doubles (any numeric or bool column).</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>The values; null where missing.</returns>
    public double?[] GetDoubles(string column)
    {
        IArrowArray a = this[column];
        ReadOnlySpan<double> v = Numeric.AsDouble(a);
        var valid = new Validity(a);
        var result = new double?[a.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = valid[i] ? v[i] : null;
        }

        return result;
    }

    /// <summary>Reads a column as nullable 64-bit integers (any integer or bool column).</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>The values; null where missing.</returns>
    public long?[] GetInt64s(string column)
    {
        IArrowArray a = this[column];
        ReadOnlySpan<long> v = Numeric.As<long>(a, out _);
        var valid = new Validity(a);
        var result = new long?[a.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = valid[i] ? v[i] : null;
        }

        return result;
    }

    /// <summary>Reads a column's values as boxed .NET values.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>The values; null where missing.</returns>
    public object?[] GetValues(string column)
    {
        IArrowArray a = this[column];
        var result = new object?[a.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Arrays.GetValue(a, i);
        }

        return result;
    }

    /// <summary>Reads a string column.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>The values; null where missing.</returns>
    public string?[] GetStrings(string column)
    {
        if (Kernels.Categorical.Plain(this[column]) is not StringArray a)
        {
            throw new ArgumentException($"GetStrings: column '{column}' is {DTypeOf(column).Name()}, not string or category.", nameof(column));
        }

        var result = new string?[a.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = a.IsNull(i) ? null : a.GetString(i);
        }

        return result;
    }

    /// <summary>Concatenates tables with the same columns, in order.</summary>
    /// <param name="tables">The tables (at least one).</param>
    /// <returns>The concatenation.</returns>
    public static Table Concat(IReadOnlyList<Table> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0)
        {
            throw new ArgumentException("Concat needs at least one table.", nameof(tables));
        }

        Table first = tables[0];
        if (tables.Count == 1)
        {
            return first;
        }

        for (int t = 1; t < tables.Count; t++)
        {
            CheckSameSchema(first, tables[t], "Concat");
        }

        var columns = new IArrowArray[first._batch.ColumnCount];
        var parts = new List<IArrowArray>(tables.Count);
        for (int c = 0; c < columns.Length; c++)
        {
            parts.Clear();
            foreach (Table t in tables)
            {
                if (t.RowCount > 0 || parts.Count == 0)
                {
                    parts.Add(t._batch.Column(c));
                }
            }

            columns[c] = Arrays.Concat(parts, first._batch.Schema.FieldsList[c].DataType);
        }

        return new Table(new RecordBatch(first._batch.Schema, columns, columns.Length == 0 ? 0 : columns[0].Length), first._indexCount);
    }

    /// <summary>Returns the rows in order as arrays of .NET values (index columns first); for tests and display.</summary>
    /// <returns>The rows.</returns>
    public IReadOnlyList<object?[]> ToRows()
    {
        var rows = new List<object?[]>(RowCount);
        for (int r = 0; r < RowCount; r++)
        {
            var row = new object?[_batch.ColumnCount];
            for (int c = 0; c < row.Length; c++)
            {
                row[c] = Arrays.GetValue(_batch.Column(c), r);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <inheritdoc/>
    public override string ToString() => ToString(20);

    /// <summary>Formats the first rows as text.</summary>
    /// <param name="maxRows">The most rows to show.</param>
    /// <returns>The text.</returns>
    public string ToString(int maxRows)
    {
        var sb = new StringBuilder();
        int n = _batch.ColumnCount;
        var names = _batch.Schema.FieldsList.Select(f => f.Name).ToArray();
        var cells = new List<string[]> { names, _batch.Schema.FieldsList.Select(f => DTypes.FromArrow(f.DataType).Name()).ToArray() };
        int shown = Math.Min(maxRows, RowCount);
        for (int r = 0; r < shown; r++)
        {
            var row = new string[n];
            for (int c = 0; c < n; c++)
            {
                row[c] = Arrays.GetValue(_batch.Column(c), r) switch
                {
                    null => "<null>",
                    double d => d.ToString("G6", CultureInfo.InvariantCulture),
                    float f => f.ToString("G6", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    object o => o.ToString() ?? string.Empty,
                };
            }

            cells.Add(row);
        }

        var widths = new int[n];
        foreach (string[] row in cells)
        {
            for (int c = 0; c < n; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (string[] row in cells)
        {
            for (int c = 0; c < n; c++)
            {
                sb.Append(row[c].PadLeft(widths[c])).Append(c == _indexCount - 1 ? " | " : "  ");
            }

            sb.AppendLine();
        }

        if (shown < RowCount)
        {
            sb.Append(CultureInfo.InvariantCulture, $"... ({RowCount} rows)").AppendLine();
        }

        return sb.ToString();
    }

    /// <param name="index">The index columns.</param>
    /// <param name="columns">The data columns.</param>
    /// <param name="rows">The row count of a table with no columns at all.</param>
    internal static Table Create(IReadOnlyList<(string Name, IArrowArray Array)> index, IReadOnlyList<(string Name, IArrowArray Array)> columns, int rows = 0)
    {
        var fields = new List<Field>(index.Count + columns.Count);
        var arrays = new List<IArrowArray>(index.Count + columns.Count);
        int length = -1;
        foreach ((string name, IArrowArray array) in index.Concat(columns))
        {
            IArrowArray a = Kernels.Temporal.ToMicroseconds(array);
            if (length >= 0 && a.Length != length)
            {
                throw new ArgumentException($"Column '{name}' has {a.Length} rows but earlier columns have {length}; all columns need the same length.");
            }

            length = a.Length;
            fields.Add(new Field(name, a.Data.DataType, nullable: true));
            arrays.Add(a);
        }

        var schema = new Schema(fields, [new KeyValuePair<string, string>(IndexMetadataKey, index.Count.ToString(CultureInfo.InvariantCulture))]);
        return new Table(new RecordBatch(schema, arrays, length < 0 ? rows : length), index.Count);
    }

    internal static Table FromBatch(RecordBatch batch)
    {
        int indexCount = batch.Schema.HasMetadata && batch.Schema.Metadata.TryGetValue(IndexMetadataKey, out string? text)
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : 0;
        return new Table(batch, indexCount);
    }

    /// <summary>The position of a column (index columns count), or an error naming the operation, the column and the columns there are.</summary>
    internal int Find(string name, string operation)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out int i))
        {
            return i;
        }

        throw UnknownColumn(operation, name, _batch.Schema.FieldsList.Select(f => f.Name));
    }

    internal static ArgumentException UnknownColumn(string operation, string name, IEnumerable<string> columns) =>
        new($"{operation}: unknown column '{name}'; the columns are: {string.Join(", ", columns.Select(c => $"'{c}'"))}.");

    internal IArrowArray ColumnAt(int i) => _batch.Column(i);

    internal IEnumerable<(string Name, IArrowArray Array)> IndexColumns() => _index.Select((n, i) => (n, _batch.Column(i)));

    internal IEnumerable<(string Name, IArrowArray Array)> DataColumns() => _columns.Select((n, i) => (n, _batch.Column(_indexCount + i)));

    internal Table WithColumns(IReadOnlyList<(string Name, IArrowArray Array)> columns) => Create([.. IndexColumns()], columns, RowCount);

    internal Table WithIndex(IReadOnlyList<(string Name, IArrowArray Array)> index) => Create(index, [.. DataColumns()]);

    internal Table Take(ReadOnlySpan<int> rows)
    {
        var columns = new IArrowArray[_batch.ColumnCount];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = Arrays.Take(_batch.Column(c), rows);
        }

        return new Table(new RecordBatch(_batch.Schema, columns, rows.Length), _indexCount);
    }

    internal Table Slice(int offset, int length)
    {
        if (offset == 0 && length == RowCount)
        {
            return this;
        }

        return new Table(_batch.Slice(offset, length), _indexCount);
    }

    internal Table Empty() => Slice(0, 0);

    internal static void CheckSameSchema(Table a, Table b, string operation)
    {
        IReadOnlyList<Field> fa = a.Schema.FieldsList;
        IReadOnlyList<Field> fb = b.Schema.FieldsList;
        bool same = fa.Count == fb.Count && a._indexCount == b._indexCount;
        for (int i = 0; same && i < fa.Count; i++)
        {
            same = fa[i].Name == fb[i].Name && DTypes.FromArrow(fa[i].DataType) == DTypes.FromArrow(fb[i].DataType);
        }

        if (!same)
        {
            throw new ArgumentException(
                $"{operation}: the tables have different columns: [{Describe(a)}] and [{Describe(b)}].");
        }
    }

    internal static string Describe(Table t) =>
        string.Join(", ", t.Schema.FieldsList.Select((f, i) => $"{(i < t._indexCount ? "index " : string.Empty)}{f.Name}: {DTypes.FromArrow(f.DataType).Name()}"));

    private static IArrowArray ColumnFromArray(DType type, System.Array values)
    {
        var boxed = new object?[values.Length];
        for (int i = 0; i < boxed.Length; i++)
        {
            boxed[i] = values.GetValue(i);
        }

        return Arrays.FromValues(type, boxed);
    }
}
