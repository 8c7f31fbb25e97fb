using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>Group codes of rows: equal keys get equal codes, numbered in order of first appearance; rows with a null key get -1.</summary>
internal sealed class Factorization(int[] codes, int count, int[] firstRows)
{
    public int[] Codes { get; } = codes;

    public int Count { get; } = count;

    /// <summary>For each code, the first row that has it.</summary>
    public int[] FirstRows { get; } = firstRows;
}

/// <summary>Factorizing key columns and hashing rows; deterministic across processes.</summary>
internal static class Hashing
{
    public static Factorization Factorize(IReadOnlyList<IArrowArray> keys)
    {
        Factorization f = FactorizeOne(keys[0]);
        for (int k = 1; k < keys.Count; k++)
        {
            Factorization g = FactorizeOne(keys[k]);
            f = Combine(f, g);
        }

        return f;
    }

    /// <summary>
    /// The rows to keep when dropping duplicates of the key columns (missing values count as equal):
    /// each distinct key's first (or last) row, in ascending row order.
    /// </summary>
    public static int[] KeepRows(IReadOnlyList<IArrowArray> keys, bool keepLast)
    {
        int n = keys[0].Length;
        var combined = new long[n];
        long count = 1;
        foreach (IArrowArray key in keys)
        {
            Factorization f = FactorizeOne(key);
            int width = f.Count + 1;
            if (count * width > 1L << 40)
            {
                // Renumber densely before the product of the widths overflows.
                Factorization g = FactorizeLongs(combined, null);
                for (int i = 0; i < n; i++)
                {
                    combined[i] = g.Codes[i];
                }

                count = g.Count;
            }

            for (int i = 0; i < n; i++)
            {
                int code = f.Codes[i] < 0 ? f.Count : f.Codes[i];
                combined[i] = (combined[i] * width) + code;
            }

            count *= width;
        }

        Factorization all = FactorizeLongs(combined, null);
        if (!keepLast)
        {
            return all.FirstRows;
        }

        var last = new int[all.Count];
        for (int i = 0; i < n; i++)
        {
            last[all.Codes[i]] = i;
        }

        System.Array.Sort(last);
        return last;
    }

    private static Factorization Combine(Factorization a, Factorization b)
    {
        int n = a.Codes.Length;
        var combined = new long[n];
        var nulls = new bool[n];
        for (int i = 0; i < n; i++)
        {
            int x = a.Codes[i];
            int y = b.Codes[i];
            if (x < 0 || y < 0)
            {
                nulls[i] = true;
            }
            else
            {
                combined[i] = ((long)x * b.Count) + y;
            }
        }

        return FactorizeLongs(combined, nulls);
    }

    private static Factorization FactorizeOne(IArrowArray key)
    {
        var v = new Validity(key);
        bool[]? nulls = null;
        if (!v.AllValid)
        {
            nulls = new bool[key.Length];
            for (int i = 0; i < nulls.Length; i++)
            {
                nulls[i] = !v[i];
            }
        }

        switch (key)
        {
            case StringArray s:
                return FactorizeStrings(s, nulls);
            case DictionaryArray d:
                return FactorizeLongs(Numeric.As<long>(d.Indices, out _), nulls);
            case DoubleArray d:
                return FactorizeLongs(DoubleBits(d.Values, ref nulls), nulls);
            case FloatArray f:
            {
                var tmp = new double[f.Length];
                TensorPrimitives.ConvertTruncating(f.Values, tmp.AsSpan());
                return FactorizeLongs(DoubleBits(tmp, ref nulls), nulls);
            }

            default:
                return FactorizeLongs(Numeric.As<long>(key, out _), nulls);
        }
    }

    private static long[] DoubleBits(ReadOnlySpan<double> values, ref bool[]? nulls)
    {
        var bits = new long[values.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            double x = values[i];
            if (double.IsNaN(x))
            {
                nulls ??= new bool[values.Length];
                nulls[i] = true;
            }

            bits[i] = x == 0 ? 0 : BitConverter.DoubleToInt64Bits(x);
        }

        return bits;
    }

    public static Factorization FactorizeLongs(ReadOnlySpan<long> values, bool[]? nulls)
    {
        int n = values.Length;
        var codes = new int[n];
        var first = new List<int>();
        if (n == 0)
        {
            return new Factorization(codes, 0, []);
        }

        long min = TensorPrimitives.Min(values);
        long max = TensorPrimitives.Max(values);
        ulong range = (ulong)(max - min);
        if (range < (ulong)Math.Max(1 << 16, 2 * n))
        {
            // Dense keys: a direct lookup table (slot = code + 1), no per-row allocation.
            var table = new int[(int)range + 1];
            var firstRows = new int[Math.Min(n, table.Length)];
            int count = 0;
            for (int i = 0; i < n; i++)
            {
                if (nulls is not null && nulls[i])
                {
                    codes[i] = -1;
                    continue;
                }

                ref int slot = ref table[(int)(values[i] - min)];
                if (slot == 0)
                {
                    firstRows[count++] = i;
                    slot = count;
                }

                codes[i] = slot - 1;
            }

            return new Factorization(codes, count, count == firstRows.Length ? firstRows : firstRows[..count]);
        }

        var map = new LongMap(Math.Min(n, 1 << 16));
        for (int i = 0; i < n; i++)
        {
            if (nulls is not null && nulls[i])
            {
                codes[i] = -1;
                continue;
            }

            int code = map.GetOrAdd(values[i], first.Count);
            if (code == first.Count)
            {
                first.Add(i);
            }

            codes[i] = code;
        }

        return new Factorization(codes, first.Count, [.. first]);
    }

    /// <summary>
    /// Codes of strings by an open-addressing table of 32-byte entries. Strings of up to 16 bytes
    /// (most keys) are compared and hashed as two 64-bit words read straight from the column's bytes,
    /// so a probe touches one entry and no earlier row; longer strings hash with XxHash3 and compare
    /// their bytes with the first row that had the code.
    /// </summary>
    private static Factorization FactorizeStrings(StringArray s, bool[]? nulls)
    {
        int n = s.Length;
        var codes = new int[n];
        var first = new List<int>();
        ReadOnlySpan<int> offsets = s.ValueOffsets;
        ReadOnlySpan<byte> data = s.Values;
        var entries = new StringEntry[1024];
        int mask = entries.Length - 1;

        // Rows whose 16-byte window would run past the buffer (or any, on a big-endian machine) are copied first.
        int safeEnd = BitConverter.IsLittleEndian ? data.Length - 16 : -1;
        ref byte bytes = ref MemoryMarshal.GetReference(data);
        for (int i = 0; i < n; i++)
        {
            if (nulls is not null && nulls[i])
            {
                codes[i] = -1;
                continue;
            }

            int start = offsets[i];
            int length = offsets[i + 1] - start;
            ulong lo = 0;
            ulong hi = 0;
            ulong h;
            bool inline = length <= 16;
            if (inline)
            {
                if (start <= safeEnd)
                {
                    ref byte at = ref Unsafe.Add(ref bytes, start);
                    (lo, hi) = KeepBytes(Unsafe.ReadUnaligned<ulong>(ref at), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, 8)), length);
                }
                else
                {
                    (lo, hi) = TailKey(data.Slice(start, length));
                }

                h = ShortHash(lo, hi, length);
            }
            else
            {
                h = XxHash3.HashToUInt64(data.Slice(start, length));
            }

            int slot = (int)h & mask;
            int code;
            while (true)
            {
                ref StringEntry e = ref entries[slot];
                if (e.Code == 0)
                {
                    code = first.Count;
                    first.Add(i);
                    e = new StringEntry { Lo = lo, Hi = hi, Hash = h, Length = inline ? length : -length - 1, Code = code + 1 };
                    if (first.Count * 2 > entries.Length)
                    {
                        entries = Grow(entries);
                        mask = entries.Length - 1;
                    }

                    break;
                }

                if (inline
                    ? e.Lo == lo && e.Hi == hi && e.Length == length
                    : e.Hash == h && e.Length == -length - 1 && SameBytes(data, offsets, first[e.Code - 1], start, length))
                {
                    code = e.Code - 1;
                    break;
                }

                slot = (slot + 1) & mask;
            }

            codes[i] = code;
        }

        return new Factorization(codes, first.Count, [.. first]);
    }

    /// <summary>Zeroes the bytes of two little-endian words past the first <paramref name="length"/> (at most 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (ulong Lo, ulong Hi) KeepBytes(ulong lo, ulong hi, int length)
    {
        if (Bmi2.X64.IsSupported)
        {
            // BZHI keeps the bits below the index (all of them from 64 on): no branch on the length.
            return (Bmi2.X64.ZeroHighBits(lo, (ulong)(length * 8)), Bmi2.X64.ZeroHighBits(hi, (ulong)Math.Max(0, (length * 8) - 64)));
        }

        return KeepBytesWithShifts(lo, hi, length);
    }

    /// <summary><see cref="KeepBytes"/> where BMI2 is missing: masks by shifts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (ulong Lo, ulong Hi) KeepBytesWithShifts(ulong lo, ulong hi, int length) => length >= 8
        ? (lo, length == 8 ? 0 : hi & (ulong.MaxValue >> (128 - (8 * length))))
        : (length == 0 ? 0 : lo & (ulong.MaxValue >> (64 - (8 * length))), 0);

    /// <summary>A key of at most 16 bytes as <see cref="KeepBytes"/> gives it, from a copy (the end of the buffer).</summary>
    private static (ulong Lo, ulong Hi) TailKey(ReadOnlySpan<byte> key)
    {
        Span<byte> copy = stackalloc byte[16];
        copy.Clear();
        key.CopyTo(copy);
        return (BinaryPrimitives.ReadUInt64LittleEndian(copy), BinaryPrimitives.ReadUInt64LittleEndian(copy[8..]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ShortHash(ulong lo, ulong hi, int length)
    {
        ulong h = (lo * 0x9e3779b97f4a7c15UL) ^ (hi * 0xc2b2ae3d27d4eb4fUL) ^ (ulong)length;
        return h ^ (h >> 31) ^ (h >> 47);
    }

    private static bool SameBytes(ReadOnlySpan<byte> data, ReadOnlySpan<int> offsets, int row, int start, int length) =>
        data.Slice(offsets[row], offsets[row + 1] - offsets[row]).SequenceEqual(data.Slice(start, length));

    private static StringEntry[] Grow(StringEntry[] old)
    {
        var entries = new StringEntry[old.Length * 2];
        int mask = entries.Length - 1;
        foreach (StringEntry e in old)
        {
            if (e.Code != 0)
            {
                int at = (int)e.Hash & mask;
                while (entries[at].Code != 0)
                {
                    at = (at + 1) & mask;
                }

                entries[at] = e;
            }
        }

        return entries;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong x)
    {
        // splitmix64's finalizer.
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }

    /// <summary>A deterministic hash of each row's keys (the same in every process); null keys hash alike.</summary>
    public static ulong[] HashRows(IReadOnlyList<IArrowArray> keys, int length)
    {
        var h = new ulong[length];
        foreach (IArrowArray key in keys.Select(Categorical.Plain))
        {
            var v = new Validity(key);
            switch (key)
            {
                case StringArray s:
                {
                    ReadOnlySpan<int> offsets = s.ValueOffsets;
                    ReadOnlySpan<byte> data = s.Values;
                    for (int i = 0; i < length; i++)
                    {
                        ulong x = v[i] ? XxHash3.HashToUInt64(data.Slice(offsets[i], offsets[i + 1] - offsets[i])) : 0x9e3779b97f4a7c15UL;
                        h[i] = Mix((h[i] * 31) + x);
                    }

                    break;
                }

                case DoubleArray or FloatArray:
                {
                    ReadOnlySpan<double> d = Numeric.AsDouble(key);
                    for (int i = 0; i < length; i++)
                    {
                        ulong x = v[i] && !double.IsNaN(d[i]) ? (ulong)(d[i] == 0 ? 0 : BitConverter.DoubleToInt64Bits(d[i])) : 0x9e3779b97f4a7c15UL;
                        h[i] = Mix((h[i] * 31) + x);
                    }

                    break;
                }

                default:
                {
                    ReadOnlySpan<long> l = Numeric.As<long>(key, out _);
                    for (int i = 0; i < length; i++)
                    {
                        ulong x = v[i] ? (ulong)l[i] : 0x9e3779b97f4a7c15UL;
                        h[i] = Mix((h[i] * 31) + x);
                    }

                    break;
                }
            }
        }

        return h;
    }

    /// <summary>Each row's partition by hash, for a split into <paramref name="parts"/>.</summary>
    public static int[] Targets(ulong[] hashes, int parts)
    {
        var target = new int[hashes.Length];
        for (int i = 0; i < hashes.Length; i++)
        {
            target[i] = (int)(hashes[i] % (ulong)parts);
        }

        return target;
    }

    /// <summary>
    /// An entry of <see cref="FactorizeStrings"/>' table: a short key's two words and length, or a long
    /// key's hash and -length - 1 (so the two kinds never match), and code + 1 (0: empty).
    /// </summary>
    private struct StringEntry
    {
        public ulong Lo;
        public ulong Hi;
        public ulong Hash;
        public int Length;
        public int Code;
    }

    /// <summary>An open-addressing map from 64-bit keys to small integers.</summary>
    private sealed class LongMap
    {
        private long[] _keys;
        private int[] _values;
        private int _count;
        private int _mask;

        public LongMap(int capacity)
        {
            int c = 16;
            while (c < capacity * 2)
            {
                c <<= 1;
            }

            _keys = new long[c];
            _values = new int[c];
            _mask = c - 1;
        }

        public int GetOrAdd(long key, int value)
        {
            int at = (int)Mix((ulong)key) & _mask;
            while (true)
            {
                int v = _values[at];
                if (v == 0)
                {
                    _keys[at] = key;
                    _values[at] = value + 1;
                    if (++_count * 2 > _keys.Length)
                    {
                        Grow();
                    }

                    return value;
                }

                if (_keys[at] == key)
                {
                    return v - 1;
                }

                at = (at + 1) & _mask;
            }
        }

        private void Grow()
        {
            long[] keys = _keys;
            int[] values = _values;
            _keys = new long[keys.Length * 2];
            _values = new int[keys.Length * 2];
            _mask = _keys.Length - 1;
            for (int i = 0; i < keys.Length; i++)
            {
                if (values[i] != 0)
                {
                    int at = (int)Mix((ulong)keys[i]) & _mask;
                    while (_values[at] != 0)
                    {
                        at = (at + 1) & _mask;
                    }

                    _keys[at] = keys[i];
                    _values[at] = values[i];
                }
            }
        }
    }

    internal static bool IsPowerOfTwo(int x) => BitOperations.IsPow2(x);
}
