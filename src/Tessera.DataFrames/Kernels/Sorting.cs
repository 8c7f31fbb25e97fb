using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>Sorting rows by key columns (stable; nulls last).</summary>
internal static class Sorting
{
    public static int[] ArgSort(IReadOnlyList<IArrowArray> keys, IReadOnlyList<bool> ascending)
    {
        keys = [.. keys.Select(Categorical.SortKey)];
        int n = keys[0].Length;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        if (keys.Count == 1 && keys[0].NullCount == 0 && keys[0] is not StringArray && keys[0] is not BooleanArray)
        {
            // One numeric key without missing values: sort a copy of the keys with the positions.
            IArrowArray k = keys[0];
            if (k is DoubleArray or FloatArray)
            {
                ReadOnlySpan<double> values = Numeric.AsDouble(k);
                if (!HasNaN(values))
                {
                    return RadixArgSort(values, ascending[0]);
                }
            }
            else
            {
                return RadixArgSort(Numeric.As<long>(k, out _), ascending[0]);
            }
        }

        var comparers = new Comparison<int>[keys.Count];
        for (int k = 0; k < keys.Count; k++)
        {
            comparers[k] = RowComparer(keys[k], ascending[k]);
        }

        System.Array.Sort(order, (x, y) =>
        {
            foreach (Comparison<int> c in comparers)
            {
                int r = c(x, y);
                if (r != 0)
                {
                    return r;
                }
            }

            return x.CompareTo(y);
        });
        return order;
    }

    private static bool HasNaN(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A stable arg-sort of doubles without NaN: their bits mapped to order-preserving unsigned keys, then radix-sorted.</summary>
    public static int[] RadixArgSort(ReadOnlySpan<double> values, bool ascending)
    {
        var keys = new ulong[values.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            double v = values[i] == 0 ? 0 : values[i];
            ulong bits = (ulong)BitConverter.DoubleToInt64Bits(v);
            keys[i] = (bits & (1UL << 63)) != 0 ? ~bits : bits | (1UL << 63);
        }

        return RadixArgSort(keys, ascending);
    }

    /// <summary>A stable arg-sort of 64-bit integers.</summary>
    public static int[] RadixArgSort(ReadOnlySpan<long> values, bool ascending)
    {
        var keys = new ulong[values.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = (ulong)values[i] ^ (1UL << 63);
        }

        return RadixArgSort(keys, ascending);
    }

    /// <summary>
    /// A stable least-significant-digit radix arg-sort (11-bit digits; digits every key shares are
    /// skipped). Descending order complements the keys, so equal keys keep their row order.
    /// </summary>
    private static int[] RadixArgSort(ulong[] keys, bool ascending)
    {
        int n = keys.Length;
        if (!ascending)
        {
            for (int i = 0; i < n; i++)
            {
                keys[i] = ~keys[i];
            }
        }

        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        if (n < 2048)
        {
            // Small inputs: a comparison sort with the positions as the tie-break.
            System.Array.Sort(order, (x, y) => keys[x] != keys[y] ? keys[x].CompareTo(keys[y]) : x.CompareTo(y));
            return order;
        }

        const int Bits = 11;
        const int Buckets = 1 << Bits;
        var sortedKeys = new ulong[n];
        var nextOrder = new int[n];
        var counts = new int[Buckets];
        ulong differing = 0;
        ulong first = keys[0];
        foreach (ulong k in keys)
        {
            differing |= k ^ first;
        }

        for (int shift = 0; shift < 64; shift += Bits)
        {
            if (((differing >> shift) & (Buckets - 1)) == 0)
            {
                continue;
            }

            System.Array.Clear(counts);
            foreach (ulong k in keys)
            {
                counts[(int)((k >> shift) & (Buckets - 1))]++;
            }

            int sum = 0;
            for (int b = 0; b < Buckets; b++)
            {
                int c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            for (int i = 0; i < n; i++)
            {
                ulong k = keys[i];
                int at = counts[(int)((k >> shift) & (Buckets - 1))]++;
                sortedKeys[at] = k;
                nextOrder[at] = order[i];
            }

            (keys, sortedKeys) = (sortedKeys, keys);
            (order, nextOrder) = (nextOrder, order);
        }

        return order;
    }

    private static Comparison<int> RowComparer(IArrowArray a, bool ascending)
    {
        int sign = ascending ? 1 : -1;
        switch (a)
        {
            case StringArray s:
                return (x, y) =>
                {
                    bool nx = s.IsNull(x);
                    bool ny = s.IsNull(y);
                    if (nx || ny)
                    {
                        return nx == ny ? 0 : (nx ? 1 : -1);
                    }

                    return sign * s.GetBytes(x).SequenceCompareTo(s.GetBytes(y));
                };
            default:
            {
                double[] d = a is DoubleArray or FloatArray ? Numeric.AsDouble(a).ToArray() : [];
                long[] l = d.Length == 0 && a.Length > 0 ? Numeric.As<long>(a, out _).ToArray() : [];
                IArrowArray array = a;
                return (x, y) =>
                {
                    bool nx = array.IsNull(x) || (d.Length > 0 && double.IsNaN(d[x]));
                    bool ny = array.IsNull(y) || (d.Length > 0 && double.IsNaN(d[y]));
                    if (nx || ny)
                    {
                        return nx == ny ? 0 : (nx ? 1 : -1);
                    }

                    return sign * (d.Length > 0 ? d[x].CompareTo(d[y]) : l[x].CompareTo(l[y]));
                };
            }
        }
    }
}
