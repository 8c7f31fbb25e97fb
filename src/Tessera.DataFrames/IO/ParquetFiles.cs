using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Tessera.DataFrames.Expressions;
using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames;

/// <summary>Reads one Parquet file's columns, skipping the row groups that statistics rule out.</summary>
internal static class ParquetFiles
{
    /// <summary>Reads <paramref name="columns"/> (index columns first) of <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read; partition columns among them are filled with the file's values.</param>
    /// <param name="filters">Triples (column, <see cref="CompareOp"/>, value): a row group is skipped when its min/max show no row can satisfy one of them, the whole file when its partition values do.</param>
    /// <param name="hive">The file's partition columns (see <see cref="HivePartitions.Literal"/>).</param>
    /// <returns>The rows of the row groups kept (not yet filtered row by row).</returns>
    public static Table Read(string path, string[] columns, object[] filters, object[] hive)
    {
        string[] hiveNames = (string[])hive[0];
        int[] hiveTypes = (int[])hive[1];
        object?[] hiveValues = (object?[])hive[2];
        using var reader = new ParquetSharp.Arrow.FileReader(path);
        Schema schema = reader.Schema;
        int indexCount = schema.HasMetadata && schema.Metadata.TryGetValue(Table.IndexMetadataKey, out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        string[] fileColumns = [.. columns.Where(c => System.Array.IndexOf(hiveNames, c) < 0)];
        int[] indices = [.. fileColumns.Select(c => schema.GetFieldIndex(c, StringComparer.Ordinal))];
        int[]? rowGroups = !HivePartitions.Matches(filters, hiveNames, hiveValues) ? []
            : filters.Length == 0 ? null
            : KeptRowGroups(reader, schema, filters);
        var batches = new List<Table>();
        if (rowGroups is not { Length: 0 })
        {
            using IArrowArrayStream stream = reader.GetRecordBatchReader(rowGroups: rowGroups, columns: indices);
            while (stream.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
            {
                batches.Add(ToTable(batch, fileColumns, Math.Min(indexCount, fileColumns.Length)));
            }
        }

        int n = Math.Min(indexCount, fileColumns.Length);
        Table read = batches.Count > 0 ? Table.Concat(batches) : Table.Create(
            [.. fileColumns[..n].Select(c => (c, Arrays.Nulls(schema.GetFieldByName(c).DataType, 0)))],
            [.. fileColumns[n..].Select(c => (c, Arrays.Nulls(schema.GetFieldByName(c).DataType, 0)))]);
        if (hiveNames.Length == 0)
        {
            return read;
        }

        IArrowArray Data(string c)
        {
            int h = System.Array.IndexOf(hiveNames, c);
            return h < 0 ? read[c] : Arrays.FromValues((DType)hiveTypes[h], [.. Enumerable.Repeat(hiveValues[h], read.RowCount)]);
        }

        return Table.Create([.. read.IndexColumns()], [.. columns[n..].Select(c => (c, Data(c)))], read.RowCount);
    }

    private static int[] KeptRowGroups(ParquetSharp.Arrow.FileReader reader, Schema schema, object[] filters)
    {
        ParquetSharp.ParquetFileReader file = reader.ParquetReader;
        var kept = new List<int>(reader.NumRowGroups);
        for (int g = 0; g < reader.NumRowGroups; g++)
        {
            using ParquetSharp.RowGroupReader group = file.RowGroup(g);
            bool keep = true;
            for (int f = 0; f < filters.Length && keep; f += 3)
            {
                int column = schema.GetFieldIndex((string)filters[f], StringComparer.Ordinal);
                if (column < 0 || filters[f + 2] is string)
                {
                    continue;
                }

                ParquetSharp.ColumnChunkMetaData chunk = group.MetaData.GetColumnChunkMetaData(column);
                if (chunk.Statistics is { HasMinMax: true } stats)
                {
                    double min = Convert.ToDouble(stats.MinUntyped, CultureInfo.InvariantCulture);
                    double max = Convert.ToDouble(stats.MaxUntyped, CultureInfo.InvariantCulture);
                    keep = RowGroupFilter.MayMatch((CompareOp)(int)filters[f + 1], min, max, Convert.ToDouble(filters[f + 2], CultureInfo.InvariantCulture));
                }
            }

            if (keep)
            {
                kept.Add(g);
            }
        }

        return [.. kept];
    }

    private static Table ToTable(RecordBatch batch, string[] columns, int indexCount)
    {
        var arrays = new List<(string, IArrowArray)>(columns.Length);
        for (int i = 0; i < columns.Length; i++)
        {
            arrays.Add((columns[i], batch.Column(i)));
        }

        return Table.Create(arrays[..indexCount], arrays[indexCount..]);
    }
}
