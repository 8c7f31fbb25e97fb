using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Tessera.DataFrames.Kernels;

/// <summary>
/// Splitting a table's rows into partitions (the split step of a shuffle), keeping their order: a
/// counting sort by target partition, one sequential pass over each column that writes every value
/// straight to its partition's place in one shared buffer. Gathering each partition's rows with a
/// take instead reads every column once per partition.
/// </summary>
internal static class Scatter
{
    /// <summary>The rows of <paramref name="t"/> whose target is p, in row order, for each p below <paramref name="parts"/>.</summary>
    /// <param name="t">The table.</param>
    /// <param name="targets">Each row's partition, in [0, parts).</param>
    /// <param name="parts">The number of partitions.</param>
    /// <returns>One table per partition (the input itself where one partition gets every row).</returns>
    public static Table[] Split(Table t, int[] targets, int parts)
    {
        int n = t.RowCount;
        var counts = new int[parts];
        foreach (int p in targets)
        {
            counts[p]++;
        }

        var tables = new Table[parts];
        int whole = System.Array.IndexOf(counts, n);
        if (whole >= 0)
        {
            for (int p = 0; p < parts; p++)
            {
                tables[p] = p == whole ? t : t.Empty();
            }

            return tables;
        }

        var starts = new int[parts + 1];
        for (int p = 0; p < parts; p++)
        {
            starts[p + 1] = starts[p] + counts[p];
        }

        int width = t.Batch.ColumnCount;
        var pieces = new IArrowArray[width][];
        for (int c = 0; c < width; c++)
        {
            pieces[c] = Column(t.ColumnAt(c), targets, starts, counts);
        }

        for (int p = 0; p < parts; p++)
        {
            var columns = new IArrowArray[width];
            for (int c = 0; c < width; c++)
            {
                columns[c] = pieces[c][p];
            }

            tables[p] = new Table(new RecordBatch(t.Schema, columns, counts[p]), t.IndexCount);
        }

        return tables;
    }

    private static IArrowArray[] Column(IArrowArray a, int[] targets, int[] starts, int[] counts)
    {
        IArrowType type = a.Data.DataType;
        byte[]?[] validity = PartValidity(a, targets, counts, out int[] nulls);
        if (type is StringType)
        {
            return Strings((StringArray)a, targets, counts, validity, nulls);
        }

        if (type is FixedWidthType f && type.TypeId != ArrowTypeId.Boolean)
        {
            return (f.BitWidth / 8) switch
            {
                1 => Fixed<byte>(a, targets, starts, counts, validity, nulls),
                2 => Fixed<short>(a, targets, starts, counts, validity, nulls),
                4 => Fixed<int>(a, targets, starts, counts, validity, nulls),
                8 => Fixed<long>(a, targets, starts, counts, validity, nulls),
                _ => ByTake(a, targets, counts),
            };
        }

        return ByTake(a, targets, counts);
    }

    /// <summary>Per-partition validity bitmaps (null for a partition without missing values).</summary>
    private static byte[]?[] PartValidity(IArrowArray a, int[] targets, int[] counts, out int[] nulls)
    {
        int parts = counts.Length;
        var bitmaps = new byte[]?[parts];
        nulls = new int[parts];
        if (a.NullCount == 0)
        {
            return bitmaps;
        }

        var valid = new Validity(a);
        var builders = new BitmapBuilder[parts];
        for (int p = 0; p < parts; p++)
        {
            builders[p] = new BitmapBuilder(counts[p]);
        }

        var fill = new int[parts];
        for (int i = 0; i < targets.Length; i++)
        {
            int p = targets[i];
            int k = fill[p]++;
            if (valid[i])
            {
                builders[p].Set(k);
            }
        }

        for (int p = 0; p < parts; p++)
        {
            nulls[p] = counts[p] - builders[p].Ones;
            bitmaps[p] = nulls[p] == 0 ? null : builders[p].Bits;
        }

        return bitmaps;
    }

    private static IArrowArray[] Fixed<T>(IArrowArray a, int[] targets, int[] starts, int[] counts, byte[]?[] validity, int[] nulls)
        where T : unmanaged
    {
        int n = targets.Length;
        int size = Unsafe.SizeOf<T>();
        ReadOnlySpan<T> src = MemoryMarshal.Cast<byte, T>(a.Data.Buffers[1].Span).Slice(a.Data.Offset, n);
        byte[] buffer = GC.AllocateUninitializedArray<byte>(Math.Max(8, n * size));
        Span<T> dst = MemoryMarshal.Cast<byte, T>(buffer.AsSpan());
        int[] cursor = starts[..^1];
        for (int i = 0; i < n; i++)
        {
            dst[cursor[targets[i]]++] = src[i];
        }

        var result = new IArrowArray[counts.Length];
        for (int p = 0; p < result.Length; p++)
        {
            var values = new ArrowBuffer(buffer.AsMemory(starts[p] * size, counts[p] * size));
            ArrowBuffer bits = validity[p] is { } v ? new ArrowBuffer(v) : ArrowBuffer.Empty;
            // A dictionary-encoded (category) column scatters its indices and keeps its dictionary.
            result[p] = ArrowArrayFactory.BuildArray(new ArrayData(a.Data.DataType, counts[p], nulls[p], 0, [bits, values], dictionary: a.Data.Dictionary));
        }

        return result;
    }

    private static StringArray[] Strings(StringArray a, int[] targets, int[] counts, byte[]?[] validity, int[] nulls)
    {
        int n = targets.Length;
        int parts = counts.Length;
        ReadOnlySpan<int> offsets = a.ValueOffsets;
        ReadOnlySpan<byte> data = a.Values;

        // Each partition's bytes get a region of the shared buffer, with 16 bytes of slack after it
        // so that short strings can be moved 16 bytes at a time.
        var bytes = new long[parts];
        for (int i = 0; i < n; i++)
        {
            bytes[targets[i]] += offsets[i + 1] - offsets[i];
        }

        var dataStart = new int[parts + 1];
        long total = 0;
        for (int p = 0; p < parts; p++)
        {
            dataStart[p] = (int)Math.Min(total, int.MaxValue);
            total += bytes[p] + 16;
        }

        if (total > int.MaxValue)
        {
            throw new InvalidOperationException($"A string column of {total} bytes does not fit one Arrow utf8 array (2 GiB); use more partitions.");
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)total);

        // Partition p's n_p + 1 offsets (relative to its region) start at row start_p + p.
        byte[] offsetBytes = GC.AllocateUninitializedArray<byte>((n + parts) * sizeof(int));
        Span<int> outOffsets = MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        var rowAt = new int[parts];
        var byteAt = new int[parts];
        int firstRow = 0;
        for (int p = 0; p < parts; p++)
        {
            rowAt[p] = firstRow + p;
            outOffsets[rowAt[p]] = 0;
            byteAt[p] = dataStart[p];
            firstRow += counts[p];
        }

        ref byte dst = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref byte src = ref MemoryMarshal.GetReference(data);
        int safeEnd = data.Length - 16;
        for (int i = 0; i < n; i++)
        {
            int p = targets[i];
            int from = offsets[i];
            int length = offsets[i + 1] - from;
            int at = byteAt[p];
            if (length <= 16 && from <= safeEnd)
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, at), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, from)));
            }
            else
            {
                data.Slice(from, length).CopyTo(buffer.AsSpan(at));
            }

            byteAt[p] = at + length;
            outOffsets[++rowAt[p]] = at + length - dataStart[p];
        }

        var result = new StringArray[parts];
        firstRow = 0;
        for (int p = 0; p < parts; p++)
        {
            var offsetBuffer = new ArrowBuffer(offsetBytes.AsMemory((firstRow + p) * sizeof(int), (counts[p] + 1) * sizeof(int)));
            var values = new ArrowBuffer(buffer.AsMemory(dataStart[p], (int)bytes[p]));
            result[p] = new StringArray(counts[p], offsetBuffer, values, validity[p] is { } v ? new ArrowBuffer(v) : ArrowBuffer.Empty, nulls[p], 0);
            firstRow += counts[p];
        }

        return result;
    }

    /// <summary>Other types (bool and anything without a scatter of its own): each partition's rows gathered by <see cref="Arrays.Take"/>.</summary>
    private static IArrowArray[] ByTake(IArrowArray a, int[] targets, int[] counts)
    {
        var rows = new int[counts.Length][];
        for (int p = 0; p < rows.Length; p++)
        {
            rows[p] = new int[counts[p]];
        }

        var fill = new int[counts.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            int p = targets[i];
            rows[p][fill[p]++] = i;
        }

        return [.. rows.Select(r => Arrays.Take(a, r))];
    }
}
