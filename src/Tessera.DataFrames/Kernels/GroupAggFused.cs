using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

// The one-pass chunk step for float64 columns: every aggregated column's count, sum, min, max and
// m2 are updated in one pass over the rows, block by block, so each row's key and values are read
// from memory once and the group codes of a block stay in the L1 cache.
// Each column keeps one slot per group of count, sum[, min, max][, shift, s1, s2] (a group's
// state shares a cache line). m2 comes from sums shifted by the group's first value in the
// partition (s1 = Σ(x − shift), s2 = Σ(x − shift)², m2 = s2 − s1²/n), which is exact to rounding
// unless a group's first value lies many standard deviations away from its mean. A single
// non-null int64 key whose values span a small range indexes the slots directly (no factorize
// pass; groups come out in key order); other keys are factorized first.
internal static partial class GroupAgg
{
    private const int Block = 2048;

    /// <summary>The states the one-pass kernel computes.</summary>
    private const int FusableStates = CountState | SumState | M2State | MinState | MaxState;

    private interface IFlag
    {
        static abstract bool On { get; }
    }

    /// <summary>Tells whether <see cref="FusedChunk"/> handles the columns: all float64, only count/sum/m2/min/max asked for.</summary>
    private static bool CanFuse(Table part, string[] columns, int[] states)
    {
        for (int c = 0; c < columns.Length; c++)
        {
            if (part[columns[c]] is not DoubleArray || (states[c] & ~FusableStates) != 0)
            {
                return false;
            }
        }

        return columns.Length > 0;
    }

    private static Table FusedChunk(Table part, string[] keys, string[] columns, int[] states, bool size)
    {
        IArrowArray[] keyArrays = [.. keys.Select(k => part[k])];
        int n = part.RowCount;
        long min = 0;
        int span = 0;
        bool direct = keyArrays.Length == 1 && keyArrays[0] is Int64Array { NullCount: 0 } && DTypes.Of(keyArrays[0]) == DType.Int64 && n > 0
            && DirectRange(((Int64Array)keyArrays[0]).Values, n, out min, out span);
        Factorization? f = direct ? null : Hashing.Factorize(keyArrays);
        ReadOnlySpan<long> keyValues = direct ? ((Int64Array)keyArrays[0]).Values : default;

        // Slots: the groups (direct: key - min), then one for rows that belong to no group.
        int groups = direct ? span : f!.Count;
        int trash = groups;
        var sizes = new long[groups + 1];
        var accs = new double[columns.Length][];
        var strides = new int[columns.Length];
        var arrays = new DoubleArray[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            arrays[c] = (DoubleArray)part[columns[c]];
            accs[c] = NewSlots(groups, states[c], out strides[c]);
        }

        int[] codes = new int[Block];
        int[] columnCodes = new int[Block];

        // Rows without a group (code -1) come from missing keys, and NaN in floating-point keys.
        bool nullKeys = !direct && keyArrays.Any(a => a.NullCount > 0 || a is DoubleArray or FloatArray);
        for (int start = 0; start < n; start += Block)
        {
            int len = Math.Min(Block, n - start);
            ReadOnlySpan<int> block;
            if (direct)
            {
                ReadOnlySpan<long> k = keyValues.Slice(start, len);
                Span<int> own = codes.AsSpan(0, len);
                for (int j = 0; j < own.Length; j++)
                {
                    own[j] = (int)(k[j] - min);
                }

                block = own;
            }
            else if (nullKeys)
            {
                // A null key (-1) goes to the trash slot.
                ReadOnlySpan<int> fc = f!.Codes.AsSpan(start, len);
                Span<int> own = codes.AsSpan(0, len);
                for (int j = 0; j < own.Length; j++)
                {
                    own[j] = (int)Math.Min((uint)fc[j], (uint)trash);
                }

                block = own;
            }
            else
            {
                block = f!.Codes.AsSpan(start, len);
            }

            if (direct || size)
            {
                foreach (int g in block)
                {
                    sizes[g]++;
                }
            }

            for (int c = 0; c < columns.Length; c++)
            {
                AccumulateBlock(block, arrays[c], start, trash, columnCodes, accs[c], states[c]);
            }
        }

        // The groups that have rows, in slot order (direct: key order; factorized: first appearance).
        int[] present = direct ? [.. Enumerable.Range(0, groups).Where(g => sizes[g] > 0)] : [.. Enumerable.Range(0, groups)];
        var output = new List<(string, IArrowArray)>();
        if (direct)
        {
            output.Add((keys[0], Arrays.Primitive<long>(DType.Int64, [.. present.Select(g => g + min)])));
        }
        else
        {
            for (int k = 0; k < keys.Length; k++)
            {
                output.Add((keys[k], Arrays.Take(keyArrays[k], f!.FirstRows)));
            }
        }

        for (int c = 0; c < columns.Length; c++)
        {
            AddFusedStates(output, columns[c], states[c], accs[c], strides[c], present);
        }

        if (size)
        {
            output.Add((Sep + "size", Arrays.Primitive<long>(DType.Int64, [.. present.Select(g => sizes[g])])));
        }

        return Table.Create([], output);
    }

    /// <summary>
    /// The states of one float64 column of a chunk that does not fuse all its columns, from the
    /// factorized group codes (-1: no group): count, sum, m2, min and max as asked, in one pass with
    /// the fused chunk's kernel, so a column's states are the same whichever path its chunk takes.
    /// </summary>
    private static void AddDoubleStates(List<(string, IArrowArray)> output, string column, DoubleArray a, int[] codes, int groups, int states)
    {
        double[] acc = NewSlots(groups, states, out int stride);
        int[] block = new int[Math.Min(Block, codes.Length)];
        int[] scratch = new int[block.Length];
        for (int start = 0; start < codes.Length; start += Block)
        {
            int len = Math.Min(Block, codes.Length - start);
            for (int j = 0; j < len; j++)
            {
                // Rows without a group go to the trash slot.
                block[j] = (int)Math.Min((uint)codes[start + j], (uint)groups);
            }

            AccumulateBlock(block.AsSpan(0, len), a, start, groups, scratch, acc, states);
        }

        AddFusedStates(output, column, states, acc, stride, [.. Enumerable.Range(0, groups)]);
    }

    /// <summary>
    /// Adds one block of a column's rows (from <paramref name="start"/>, slots in <paramref name="block"/>) to
    /// its states; rows without a value go to the trash slot, through <paramref name="scratch"/>.
    /// </summary>
    private static void AccumulateBlock(ReadOnlySpan<int> block, DoubleArray a, int start, int trash, int[] scratch, double[] acc, int states)
    {
        ReadOnlySpan<int> use = block;
        var valid = new Validity(a);
        if (!valid.AllValid)
        {
            Span<int> own = scratch.AsSpan(0, block.Length);
            for (int j = 0; j < own.Length; j++)
            {
                own[j] = valid[start + j] ? block[j] : trash;
            }

            use = own;
        }

        Accumulate(use, a.Values.Slice(start, block.Length), acc, states);
    }

    /// <summary>One slot per group, then one for rows without a group: count, sum[, min, max][, shift, s1, s2].</summary>
    private static double[] NewSlots(int groups, int states, out int stride)
    {
        bool minMax = (states & (MinState | MaxState)) != 0;
        stride = 2 + (minMax ? 2 : 0) + ((states & M2State) != 0 ? 3 : 0);
        var acc = new double[(groups + 1) * stride];
        if (minMax)
        {
            for (int g = 0; g <= groups; g++)
            {
                acc[(g * stride) + 2] = double.PositiveInfinity;
                acc[(g * stride) + 3] = double.NegativeInfinity;
            }
        }

        return acc;
    }

    /// <summary>Whether the key's values span a range small enough to index slots directly: its minimum and the number of slots.</summary>
    private static bool DirectRange(ReadOnlySpan<long> values, int n, out long min, out int slots)
    {
        min = TensorPrimitives.Min(values);
        ulong range = (ulong)(TensorPrimitives.Max(values) - min);
        bool small = range < (ulong)Math.Min(1 << 16, 2 * n);
        slots = small ? (int)range + 1 : 0;
        return small;
    }

    private static void Accumulate(ReadOnlySpan<int> codes, ReadOnlySpan<double> x, double[] acc, int states)
    {
        bool minMax = (states & (MinState | MaxState)) != 0;
        bool m2 = (states & M2State) != 0;
        switch (minMax, m2)
        {
            case (false, false): Accumulate<No, No>(codes, x, acc); break;
            case (true, false): Accumulate<Yes, No>(codes, x, acc); break;
            case (false, true): Accumulate<No, Yes>(codes, x, acc); break;
            default: Accumulate<Yes, Yes>(codes, x, acc); break;
        }
    }

    /// <summary>The inner loop, specialized by the JIT for each combination of states (the flags are constants).</summary>
    /// <remarks>Optimized from its first call: tier-0 code of this loop made a computation's first runs 2x slower.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TMinMax, TM2>(ReadOnlySpan<int> codes, ReadOnlySpan<double> x, double[] acc)
        where TMinMax : struct, IFlag
        where TM2 : struct, IFlag
    {
        int stride = 2 + (TMinMax.On ? 2 : 0) + (TM2.On ? 3 : 0);
        int shiftAt = TMinMax.On ? 4 : 2;
        ref double state = ref MemoryMarshal.GetArrayDataReference(acc);
        ref int code = ref MemoryMarshal.GetReference(codes);
        ref double value = ref MemoryMarshal.GetReference(x);
        for (int j = 0; j < codes.Length; j++)
        {
            double v = Unsafe.Add(ref value, j);
            if (double.IsNaN(v))
            {
                continue;
            }

            ref double slot = ref Unsafe.Add(ref state, Unsafe.Add(ref code, j) * stride);
            double count = slot;
            slot = count + 1;
            Unsafe.Add(ref slot, 1) += v;
            if (TMinMax.On)
            {
                ref double lo = ref Unsafe.Add(ref slot, 2);
                ref double hi = ref Unsafe.Add(ref slot, 3);
                if (v < lo)
                {
                    lo = v;
                }

                if (v > hi)
                {
                    hi = v;
                }
            }

            if (TM2.On)
            {
                ref double shift = ref Unsafe.Add(ref slot, shiftAt);
                if (count == 0)
                {
                    shift = v;
                }

                double d = v - shift;
                Unsafe.Add(ref slot, shiftAt + 1) += d;
                Unsafe.Add(ref slot, shiftAt + 2) += d * d;
            }
        }
    }

    /// <summary>Turns one column's slots into its state columns, in the order <see cref="Chunk"/> writes them.</summary>
    private static void AddFusedStates(List<(string, IArrowArray)> output, string column, int states, double[] acc, int stride, int[] present)
    {
        int groups = present.Length;
        var count = new long[groups];
        var sum = new double[groups];
        for (int i = 0; i < groups; i++)
        {
            int at = present[i] * stride;
            count[i] = (long)acc[at];
            sum[i] = acc[at + 1];
        }

        if ((states & CountState) != 0)
        {
            output.Add((Name(column, CountState), Arrays.Primitive<long>(DType.Int64, count)));
        }

        if ((states & SumState) != 0)
        {
            output.Add((Name(column, SumState), Arrays.Primitive<double>(DType.Float64, sum)));
        }

        bool minMax = (states & (MinState | MaxState)) != 0;
        if ((states & M2State) != 0)
        {
            int shiftAt = minMax ? 4 : 2;
            var m2 = new double[groups];
            for (int i = 0; i < groups; i++)
            {
                int at = present[i] * stride;
                double s1 = acc[at + shiftAt + 1];
                double s2 = acc[at + shiftAt + 2];
                m2[i] = count[i] == 0 ? 0 : Math.Max(0, s2 - (s1 * s1 / count[i]));
            }

            output.Add((Name(column, M2State), Arrays.Primitive<double>(DType.Float64, m2)));
        }

        for (int which = 0; which < 2 && minMax; which++)
        {
            int flag = which == 0 ? MinState : MaxState;
            if ((states & flag) == 0)
            {
                continue;
            }

            var values = new double[groups];
            for (int i = 0; i < groups; i++)
            {
                values[i] = acc[(present[i] * stride) + 2 + which];
            }

            output.Add((Name(column, flag), Grouped.DoublesWithCounts(values, count)));
        }
    }

    private readonly struct Yes : IFlag
    {
        public static bool On => true;
    }

    private readonly struct No : IFlag
    {
        public static bool On => false;
    }
}
