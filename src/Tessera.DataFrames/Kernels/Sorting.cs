using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>Sorting rows by key columns (stable; nulls last).</summary>
internal static class Sorting
{
    public static int[] ArgSort(IReadOnlyList<IArrowArray> keys, IReadOnlyList<bool> ascending)
    {
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
                double[] copy = Numeric.AsDouble(k).ToArray();
                if (!System.Array.Exists(copy, double.IsNaN))
                {
                    System.Array.Sort(copy, order);
                    Finish(copy, order, ascending[0]);
                    return order;
                }
            }
            else
            {
                long[] copy = Numeric.As<long>(k, out _).ToArray();
                System.Array.Sort(copy, order);
                Finish(copy, order, ascending[0]);
                return order;
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

    private static void Finish<T>(T[] sortedKeys, int[] order, bool ascending)
        where T : IEquatable<T>
    {
        if (!ascending)
        {
            System.Array.Reverse(sortedKeys);
            System.Array.Reverse(order);
        }

        FixTies(sortedKeys, order);
    }

    /// <summary>Makes runs of equal keys list their positions in ascending order (stability).</summary>
    private static void FixTies<T>(T[] sortedKeys, int[] order)
        where T : IEquatable<T>
    {
        int start = 0;
        for (int i = 1; i <= sortedKeys.Length; i++)
        {
            if (i == sortedKeys.Length || !sortedKeys[i].Equals(sortedKeys[start]))
            {
                if (i - start > 1)
                {
                    System.Array.Sort(order, start, i - start);
                }

                start = i;
            }
        }
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
