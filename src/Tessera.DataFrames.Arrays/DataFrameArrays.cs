using System.Numerics;
using Apache.Arrow;
using Tessera.Arrays;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// Numeric frames and series as chunked arrays (Dask's <c>to_dask_array</c>): one block of rows per
/// partition. Numeric and bool columns convert to the element type; a missing value becomes NaN
/// (floating-point elements) or fails (integer elements: fill it first).
/// </summary>
public static class DataFrameArrays
{
    /// <summary>The frame's data columns as a two-dimensional array of shape (rows, columns), every column in one block.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="frame">The frame.</param>
    /// <param name="lengths">Compute the partitions' lengths now, so the row chunks are known; by default they are unknown (-1), as Dask's.</param>
    /// <returns>The lazy array.</returns>
    /// <exception cref="ArgumentException">A column is not numeric or bool; the message names it.</exception>
    public static DArray<T> ToDArray<T>(this DataFrame frame, bool lengths = false)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Build<T>(frame.Graph, frame.Layer, frame.NPartitions, frame.Meta, [.. frame.Columns], matrix: true, lengths);
    }

    /// <summary>The series as a one-dimensional array.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="series">The series.</param>
    /// <param name="lengths">Compute the partitions' lengths now, so the chunks are known; by default they are unknown (-1).</param>
    /// <returns>The lazy array.</returns>
    /// <exception cref="ArgumentException">The series is not numeric or bool.</exception>
    public static DArray<T> ToDArray<T>(this Series series, bool lengths = false)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(series);
        return Build<T>(series.Graph, series.Layer, series.NPartitions, series.Meta, [series.Name], matrix: false, lengths);
    }

    private static DArray<T> Build<T>(LayeredGraph graph, string layer, int npartitions, Table meta, string[] columns, bool matrix, bool lengths)
        where T : unmanaged, INumber<T>
    {
        foreach (string c in columns)
        {
            DataFrames.DType t = meta.DTypeOf(c);
            if (!(t.IsNumeric() || t == DataFrames.DType.Bool))
            {
                throw new ArgumentException($"to_dask_array: column '{c}' is {t.Name()}; only numeric and bool columns convert to an array (select or AsType them first).");
            }
        }

        string name = Plan.Name("to-dask-array", layer, typeof(T).Name, columns, matrix);
        int[] rows = [.. Enumerable.Repeat(-1, npartitions)];
        int[][] chunks = matrix ? [rows, [columns.Length]] : [rows];
        DArray<T> array = DArray<T>.Build<T>(name, chunks, graph, [layer], index =>
            Node.Call(Blocks<T>.Convert, Node.Ref(new Key(layer, index[0])), Node.Literal(columns), Node.Literal(matrix)), fusable: false);
        return lengths ? array.ComputeChunkSizes() : array;
    }

    private static class Blocks<T>
        where T : unmanaged, INumber<T>
    {
        public static readonly TaskFunction Convert = TaskFunction.Create<Table, string[], bool, NDArray<T>>(ToBlock, "to-dask-array");

        private static NDArray<T> ToBlock(Table part, string[] columns, bool matrix)
        {
            int rows = part.RowCount;
            var data = new T[rows * columns.Length];
            T missing = T.CreateTruncating(double.NaN);
            for (int c = 0; c < columns.Length; c++)
            {
                IArrowArray a = part[columns[c]];
                ReadOnlySpan<T> values = Numeric.As<T>(a, out _);
                var valid = new Validity(a);
                for (int r = 0; r < rows; r++)
                {
                    if (!valid[r] && !T.IsNaN(missing))
                    {
                        throw new InvalidOperationException($"to_dask_array: column '{columns[c]}' has a missing value (row {r} of a partition) and {typeof(T).Name} has no NaN; FillNa first or convert to double.");
                    }

                    data[(r * columns.Length) + c] = valid[r] ? values[r] : missing;
                }
            }

            return new NDArray<T>(data, matrix ? [rows, columns.Length] : [rows]);
        }
    }
}
