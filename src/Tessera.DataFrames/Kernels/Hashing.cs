using System.IO.Hashing;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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

    private static Factorization FactorizeStrings(StringArray s, bool[]? nulls)
    {
        int n = s.Length;
        var codes = new int[n];
        var first = new List<int>();
        ReadOnlySpan<int> offsets = s.ValueOffsets;
        ReadOnlySpan<byte> data = s.Values;
        int capacity = 64;
        while (capacity < Math.Min(n, 1 << 16) * 2)
        {
            capacity <<= 1;
        }

        var slots = new int[capacity];
        var hashes = new ulong[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < n; i++)
        {
            if (nulls is not null && nulls[i])
            {
                codes[i] = -1;
                continue;
            }

            ReadOnlySpan<byte> key = data.Slice(offsets[i], offsets[i + 1] - offsets[i]);
            ulong h = XxHash3.HashToUInt64(key);
            int at = (int)h & mask;
            while (true)
            {
                int slot = slots[at];
                if (slot == 0)
                {
                    first.Add(i);
                    slots[at] = first.Count;
                    hashes[at] = h;
                    codes[i] = first.Count - 1;
                    if (first.Count * 2 > capacity)
                    {
                        (slots, hashes, capacity) = Grow(slots, hashes, capacity);
                        mask = capacity - 1;
                    }

                    break;
                }

                if (hashes[at] == h)
                {
                    int j = first[slot - 1];
                    if (data.Slice(offsets[j], offsets[j + 1] - offsets[j]).SequenceEqual(key))
                    {
                        codes[i] = slot - 1;
                        break;
                    }
                }

                at = (at + 1) & mask;
            }
        }

        return new Factorization(codes, first.Count, [.. first]);
    }

    private static (int[] Slots, ulong[] Hashes, int Capacity) Grow(int[] slots, ulong[] hashes, int capacity)
    {
        int c = capacity * 2;
        var s = new int[c];
        var h = new ulong[c];
        int mask = c - 1;
        for (int i = 0; i < capacity; i++)
        {
            if (slots[i] != 0)
            {
                int at = (int)hashes[i] & mask;
                while (s[at] != 0)
                {
                    at = (at + 1) & mask;
                }

                s[at] = slots[i];
                h[at] = hashes[i];
            }
        }

        return (s, h, c);
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
