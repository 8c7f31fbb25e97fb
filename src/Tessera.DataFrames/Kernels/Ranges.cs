using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>
/// Range partitioning (for SetIndex and SortValues): sampling a column, choosing divisions from the
/// weighted samples' quantiles, and assigning each row to the partition whose division range holds it.
/// Missing values (null, NaN) sort last and go to the last partition.
/// </summary>
internal static class Ranges
{
    /// <summary>Tells whether values of the dtype can be range-partitioned (ordered).</summary>
    public static bool IsOrdered(DType t) => t.IsNumeric() || t.IsTemporal() || t is DType.String or DType.Bool;

    /// <summary>
    /// A sample of a column's non-missing values: up to <paramref name="size"/> rows chosen at random
    /// (seeded), plus the exact minimum and maximum; column <c>w</c> weights each sampled row by how
    /// many rows it stands for (0 for the added extremes).
    /// </summary>
    public static Table Sample(IArrowArray column, int size, int seed)
    {
        int[] present = PresentRows(column);
        int n = present.Length;
        var rows = new List<int>(Math.Min(n, size) + 2);
        var weights = new List<double>(rows.Capacity);
        if (n <= size)
        {
            rows.AddRange(present);
            weights.AddRange(Enumerable.Repeat(1.0, n));
        }
        else
        {
            // Reservoir-free: a seeded partial Fisher-Yates over the present rows.
            var rng = new Random(seed);
            for (int i = 0; i < size; i++)
            {
                int j = rng.Next(i, n);
                (present[i], present[j]) = (present[j], present[i]);
                rows.Add(present[i]);
                weights.Add((double)n / size);
            }
        }

        if (n > 0)
        {
            (int min, int max) = MinMaxRows(column);
            rows.Add(min);
            weights.Add(0);
            rows.Add(max);
            weights.Add(0);
        }

        return Table.Create([], [("v", Arrays.Take(column, rows.ToArray())), ("w", Arrays.Primitive<double>(DType.Float64, weights.ToArray()))]);
    }

    /// <summary>
    /// Divisions from concatenated samples: <paramref name="npartitions"/> + 1 values at the weighted
    /// quantiles 0, 1/n, …, 1 (the first and last are the exact extremes), duplicates removed.
    /// </summary>
    public static IArrowArray Divisions(Table samples, int npartitions)
    {
        IArrowArray v = samples["v"];
        if (v.Length == 0)
        {
            return v;
        }

        ReadOnlySpan<double> w = Numeric.AsDouble(samples["w"]);
        int[] order = Sorting.ArgSort([v], [true]);
        double total = 0;
        foreach (double x in w)
        {
            total += x;
        }

        var picks = new List<int>(npartitions + 1) { order[0] };
        double cumulative = 0;
        int at = 0;
        for (int q = 1; q < npartitions; q++)
        {
            double target = total * q / npartitions;
            while (at < order.Length - 1 && cumulative + w[order[at]] < target)
            {
                cumulative += w[order[at]];
                at++;
            }

            picks.Add(order[at]);
        }

        picks.Add(order[^1]);

        // Drop repeated values: a value never spans two partitions.
        var distinct = new List<int>(picks.Count) { picks[0] };
        for (int i = 1; i < picks.Count; i++)
        {
            if (Compare(v, distinct[^1], v, picks[i]) < 0)
            {
                distinct.Add(picks[i]);
            }
        }

        if (distinct.Count == 1)
        {
            distinct.Add(distinct[0]);
        }

        return Arrays.Take(v, distinct.ToArray());
    }

    /// <summary>
    /// The partition of each row for divisions d[0..n]: partition i holds [d[i], d[i+1]), the last one
    /// also d[n]; values below d[0] go to the first partition, above d[n] and missing ones to the last.
    /// With <paramref name="ascending"/> false the partitions are numbered the other way round (missing values still last).
    /// </summary>
    public static int[] Targets(IArrowArray key, IArrowArray divisions, bool ascending = true)
    {
        int[] targets = AscendingTargets(key, divisions);
        if (!ascending)
        {
            int last = Math.Max(0, divisions.Length - 2);
            var valid = new Validity(key);
            ReadOnlySpan<double> x = key is DoubleArray or FloatArray ? Numeric.AsDouble(key) : default;
            for (int i = 0; i < targets.Length; i++)
            {
                if (valid[i] && (x.IsEmpty || !double.IsNaN(x[i])))
                {
                    targets[i] = last - targets[i];
                }
            }
        }

        return targets;
    }

    private static int[] AscendingTargets(IArrowArray key, IArrowArray divisions)
    {
        int parts = divisions.Length - 1;
        int n = key.Length;
        var targets = new int[n];
        if (parts <= 1)
        {
            return targets;
        }

        var valid = new Validity(key);
        if (key is DoubleArray or FloatArray)
        {
            ReadOnlySpan<double> x = Numeric.AsDouble(key);
            ReadOnlySpan<double> d = Numeric.AsDouble(divisions).Slice(1, parts - 1);
            for (int i = 0; i < n; i++)
            {
                double value = x[i];
                targets[i] = !valid[i] || double.IsNaN(value) ? parts - 1 : UpperBound(d, value);
            }
        }
        else if (key is StringArray)
        {
            for (int i = 0; i < n; i++)
            {
                if (!valid[i])
                {
                    targets[i] = parts - 1;
                    continue;
                }

                int lo = 1;
                int hi = parts;
                while (lo < hi)
                {
                    int mid = (lo + hi) >>> 1;
                    if (Compare(divisions, mid, key, i) <= 0)
                    {
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                targets[i] = lo - 1;
            }
        }
        else
        {
            ReadOnlySpan<long> x = Numeric.As<long>(key, out _);
            ReadOnlySpan<long> d = Numeric.As<long>(divisions, out _).Slice(1, parts - 1);
            for (int i = 0; i < n; i++)
            {
                targets[i] = valid[i] ? UpperBound(d, x[i]) : parts - 1;
            }
        }

        return targets;
    }

    /// <summary>The rows of the smallest and largest non-missing values (-1, -1 when there is none).</summary>
    public static (int Min, int Max) MinMaxRows(IArrowArray a)
    {
        int min = -1;
        int max = -1;
        var valid = new Validity(a);
        if (a is DoubleArray or FloatArray)
        {
            ReadOnlySpan<double> x = Numeric.AsDouble(a);
            for (int i = 0; i < x.Length; i++)
            {
                if (!valid[i] || double.IsNaN(x[i]))
                {
                    continue;
                }

                if (min < 0 || x[i] < x[min])
                {
                    min = i;
                }

                if (max < 0 || x[i] > x[max])
                {
                    max = i;
                }
            }
        }
        else if (a is StringArray)
        {
            for (int i = 0; i < a.Length; i++)
            {
                if (!valid[i])
                {
                    continue;
                }

                if (min < 0 || Compare(a, i, a, min) < 0)
                {
                    min = i;
                }

                if (max < 0 || Compare(a, i, a, max) > 0)
                {
                    max = i;
                }
            }
        }
        else
        {
            ReadOnlySpan<long> x = Numeric.As<long>(a, out _);
            for (int i = 0; i < x.Length; i++)
            {
                if (!valid[i])
                {
                    continue;
                }

                if (min < 0 || x[i] < x[min])
                {
                    min = i;
                }

                if (max < 0 || x[i] > x[max])
                {
                    max = i;
                }
            }
        }

        return (min, max);
    }

    /// <summary>Compares two non-missing values of arrays of the same dtype.</summary>
    public static int Compare(IArrowArray a, int i, IArrowArray b, int j) => (a, b) switch
    {
        (StringArray x, StringArray y) => x.GetBytes(i).SequenceCompareTo(y.GetBytes(j)),
        (DoubleArray or FloatArray, _) => Numeric.AsDouble(a)[i].CompareTo(Numeric.AsDouble(b)[j]),
        _ => Numeric.As<long>(a, out _)[i].CompareTo(Numeric.As<long>(b, out _)[j]),
    };

    private static int UpperBound<T>(ReadOnlySpan<T> sorted, T value)
        where T : IComparable<T>
    {
        int lo = 0;
        int hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].CompareTo(value) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int[] PresentRows(IArrowArray a)
    {
        var valid = new Validity(a);
        ReadOnlySpan<double> d = a is DoubleArray or FloatArray ? Numeric.AsDouble(a) : default;
        var rows = new List<int>(a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            if (valid[i] && (d.IsEmpty || !double.IsNaN(d[i])))
            {
                rows.Add(i);
            }
        }

        return [.. rows];
    }
}
