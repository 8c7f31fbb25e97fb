using Apache.Arrow;
using Tessera.Collections;
using Tessera.DataFrames.Kernels;
using Mda = Microsoft.Data.Analysis;

namespace Tessera.DataFrames;

/// <summary>
/// Conversions between Tessera frames and <see cref="Mda.DataFrame"/> (Microsoft.Data.Analysis, ML.NET's
/// in-memory data frame). Column for column: integers, floats, bool, strings and timestamps
/// (<see cref="DateTime"/>) map to the matching Microsoft.Data.Analysis column; categoricals become
/// strings and dates midnight timestamps. Missing values stay missing. Index columns become ordinary
/// columns first (Microsoft.Data.Analysis has no index).
/// </summary>
public static class DataAnalysisConversion
{
    /// <summary>Converts a partition (or any computed table) to a Microsoft.Data.Analysis frame.</summary>
    /// <param name="table">The table.</param>
    /// <returns>A new in-memory frame.</returns>
    /// <exception cref="NotSupportedException">A column is a duration, which Microsoft.Data.Analysis has no column for.</exception>
    public static Mda.DataFrame ToDataAnalysis(this Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        RecordBatch batch = table.ToArrow();
        var columns = new List<Mda.DataFrameColumn>(batch.ColumnCount);
        for (int c = 0; c < batch.ColumnCount; c++)
        {
            string name = batch.Schema.FieldsList[c].Name;
            object?[] values = table.GetValues(name);
            columns.Add(DTypes.Of(batch.Column(c)) switch
            {
                DType.Int8 => Column<sbyte>(name, values),
                DType.Int16 => Column<short>(name, values),
                DType.Int32 => Column<int>(name, values),
                DType.Int64 => Column<long>(name, values),
                DType.UInt8 => Column<byte>(name, values),
                DType.UInt16 => Column<ushort>(name, values),
                DType.UInt32 => Column<uint>(name, values),
                DType.UInt64 => Column<ulong>(name, values),
                DType.Float32 => Column<float>(name, values),
                DType.Float64 => Column<double>(name, values),
                DType.Bool => new Mda.BooleanDataFrameColumn(name, values.Select(v => (bool?)v)),
                DType.String or DType.Category => new Mda.StringDataFrameColumn(name, values.Cast<string?>()),
                DType.Timestamp => new Mda.DateTimeDataFrameColumn(name, values.Select(v => (DateTime?)v)),
                DType.Date => new Mda.DateTimeDataFrameColumn(name, values.Select(v => ((DateOnly?)v)?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc))),
                DType t => throw new NotSupportedException($"to Microsoft.Data.Analysis: column '{name}' is {t.Name()}, which it has no column for; convert it with AsType first."),
            });
        }

        return new Mda.DataFrame(columns);
    }

    /// <summary>Computes the frame now and converts the result to a Microsoft.Data.Analysis frame.</summary>
    /// <param name="frame">The lazy frame.</param>
    /// <returns>A new in-memory frame.</returns>
    public static Mda.DataFrame ToDataAnalysis(this DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return frame.Compute().ToDataAnalysis();
    }

    /// <summary>Converts a Microsoft.Data.Analysis frame to a table (copies the values into Arrow columns); named apart from its own <c>ToTable</c>, which gives a <c>System.Data.DataTable</c>.</summary>
    /// <param name="frame">The frame.</param>
    /// <returns>The table, without an index.</returns>
    /// <exception cref="NotSupportedException">A column's type has no dtype here (decimal, char, …); the message names it.</exception>
    public static Table ToTesseraTable(this Mda.DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var columns = new List<(string, IArrowArray)>(frame.Columns.Count);
        foreach (Mda.DataFrameColumn column in frame.Columns)
        {
            DType type;
            try
            {
                type = column is Mda.StringDataFrameColumn or Mda.ArrowStringDataFrameColumn ? DType.String : DTypes.FromClr(column.DataType);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"from Microsoft.Data.Analysis: column '{column.Name}' holds {column.DataType.Name} values, which have no dtype here.", e);
            }

            var values = new object?[column.Length];
            for (long i = 0; i < column.Length; i++)
            {
                values[i] = column[i];
            }

            columns.Add((column.Name, Arrays.FromValues(type, values)));
        }

        return Table.Create([], columns, (int)frame.Rows.Count);
    }

    /// <summary>A lazy frame over the rows of a Microsoft.Data.Analysis frame, split into partitions of about equal size.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="npartitions">The number of partitions.</param>
    /// <returns>The lazy frame.</returns>
    public static DataFrame FromDataAnalysis(Mda.DataFrame frame, int npartitions = 1) => DataFrame.FromTable(frame.ToTesseraTable(), npartitions);

    private static Mda.PrimitiveDataFrameColumn<T> Column<T>(string name, object?[] values)
        where T : unmanaged => new(name, values.Select(v => (T?)v));
}
