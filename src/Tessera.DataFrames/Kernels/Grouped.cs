using System.Numerics;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>Per-group kernels: given each row's group code (-1 = skip), reduce a column to one value per group.</summary>
internal static class Grouped
{
    /// <summary>Non-missing values per group (nulls and NaN are not counted).</summary>
    public static long[] Count(IArrowArray a, int[] codes, int groups)
    {
        var counts = new long[groups];
        var v = new Validity(a);
        ReadOnlySpan<double> d = a is DoubleArray da ? da.Values : default;
        for (int i = 0; i < codes.Length; i++)
        {
            int g = codes[i];
            if (g >= 0 && v[i] && (d.IsEmpty || !double.IsNaN(d[i])))
            {
                counts[g]++;
            }
        }

        return counts;
    }

    /// <summary>Rows per group.</summary>
    public static long[] Size(int[] codes, int groups)
    {
        var counts = new long[groups];
        foreach (int g in codes)
        {
            if (g >= 0)
            {
                counts[g]++;
            }
        }

        return counts;
    }

    /// <summary>Sums per group: integers and bools as Int64, floating point as Float64; missing values skipped.</summary>
    public static IArrowArray Sum(IArrowArray a, int[] codes, int groups)
    {
        DType t = DTypes.Of(a);
        if (t.IsFloat())
        {
            return Arrays.Primitive(DType.Float64, SumDouble(a, codes, groups));
        }

        ReadOnlySpan<long> x = Numeric.As<long>(a, out _);
        var sums = new long[groups];
        var v = new Validity(a);
        for (int i = 0; i < codes.Length; i++)
        {
            int g = codes[i];
            if (g >= 0 && v[i])
            {
                sums[g] += x[i];
            }
        }

        return Arrays.Primitive<long>(DType.Int64, sums);
    }

    private static double[] SumDouble(IArrowArray a, int[] codes, int groups)
    {
        ReadOnlySpan<double> x = Numeric.AsDouble(a);
        var sums = new double[groups];
        var v = new Validity(a);
        if (v.AllValid)
        {
            for (int i = 0; i < codes.Length; i++)
            {
                int g = codes[i];
                double value = x[i];
                if (g >= 0 && !double.IsNaN(value))
                {
                    sums[g] += value;
                }
            }
        }
        else
        {
            for (int i = 0; i < codes.Length; i++)
            {
                int g = codes[i];
                double value = x[i];
                if (g >= 0 && v[i] && !double.IsNaN(value))
                {
                    sums[g] += value;
                }
            }
        }

        return sums;
    }

    /// <summary>Per-group minima or maxima as a float64 array, null where a group has no value.</summary>
    public static IArrowArray DoublesWithCounts(double[] values, long[] count)
    {
        var valid = new BitmapBuilder(values.Length);
        for (int g = 0; g < values.Length; g++)
        {
            if (count[g] > 0)
            {
                valid.Set(g);
            }
        }

        int nulls = values.Length - valid.Ones;
        return Arrays.Primitive<double>(DType.Float64, values, nulls == 0 ? null : valid.Bits, nulls);
    }

    /// <summary>Sum of squared deviations from each group's mean (<paramref name="means"/>).</summary>
    public static double[] M2(IArrowArray a, int[] codes, double[] means)
    {
        ReadOnlySpan<double> x = Numeric.AsDouble(a);
        var m2 = new double[means.Length];
        var v = new Validity(a);
        for (int i = 0; i < codes.Length; i++)
        {
            int g = codes[i];
            double value = x[i];
            if (g >= 0 && v[i] && !double.IsNaN(value))
            {
                double d = value - means[g];
                m2[g] += d * d;
            }
        }

        return m2;
    }

    /// <summary>Combines per-part (count, sum, m2) states into per-group m2 (Chan et al.'s parallel variance).</summary>
    public static double[] CombineM2(ReadOnlySpan<long> count, ReadOnlySpan<double> sum, ReadOnlySpan<double> m2, int[] codes, long[] totalCount, double[] totalSum)
    {
        var result = new double[totalCount.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            int g = codes[i];
            if (g < 0 || count[i] == 0)
            {
                continue;
            }

            double mean = totalSum[g] / totalCount[g];
            double partMean = sum[i] / count[i];
            double d = partMean - mean;
            result[g] += m2[i] + (count[i] * d * d);
        }

        return result;
    }

    /// <summary>Minimum or maximum per group, in the column's dtype; null for groups without values.</summary>
    public static IArrowArray MinMax(IArrowArray a, int[] codes, int groups, bool max)
    {
        DType t = DTypes.Of(a);
        if (t == DType.String)
        {
            return MinMaxStrings((StringArray)a, codes, groups, max);
        }

        if (!(t.IsNumeric() || t.IsTemporal()))
        {
            throw new ArgumentException($"{(max ? "Max" : "Min")} is not supported for {t.Name()} columns.");
        }

        IArrowArray result = Numeric.Dispatch(t.Physical(), new MinMaxFunc(a, codes, groups, max, t));
        return result;
    }

    private static IArrowArray MinMaxStrings(StringArray a, int[] codes, int groups, bool max)
    {
        var best = new int[groups];
        System.Array.Fill(best, -1);
        var v = new Validity(a);
        for (int i = 0; i < codes.Length; i++)
        {
            int g = codes[i];
            if (g < 0 || !v[i])
            {
                continue;
            }

            int b = best[g];
            if (b < 0)
            {
                best[g] = i;
                continue;
            }

            int c = a.GetBytes(i).SequenceCompareTo(a.GetBytes(b));
            if (max ? c > 0 : c < 0)
            {
                best[g] = i;
            }
        }

        return Arrays.Take(a, best);
    }

    /// <summary>The first (or last) non-missing value per group; null for groups without values.</summary>
    public static IArrowArray FirstLast(IArrowArray a, int[] codes, int groups, bool last)
    {
        var rows = new int[groups];
        System.Array.Fill(rows, -1);
        var v = new Validity(a);
        ReadOnlySpan<double> d = a is DoubleArray da ? da.Values : default;
        for (int i = 0; i < codes.Length; i++)
        {
            int g = codes[i];
            if (g < 0 || !v[i] || (!d.IsEmpty && double.IsNaN(d[i])))
            {
                continue;
            }

            if (last || rows[g] < 0)
            {
                rows[g] = i;
            }
        }

        return Arrays.Take(a, rows);
    }

    private readonly struct MinMaxFunc(IArrowArray a, int[] codes, int groups, bool max, DType type) : INumericFunc<IArrowArray>
    {
        public IArrowArray Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            ReadOnlySpan<T> x = Numeric.As<T>(a, out _);
            byte[] bytes = Arrays.Alloc<T>(groups, out Span<T> best);
            // Floating point starts from the infinities, so a group of only infinite values keeps them.
            bool floating = typeof(T) == typeof(double) || typeof(T) == typeof(float);
            best.Fill(floating ? T.CreateTruncating(max ? double.NegativeInfinity : double.PositiveInfinity) : max ? T.MinValue : T.MaxValue);
            var seen = new bool[groups];
            var v = new Validity(a);
            for (int i = 0; i < codes.Length; i++)
            {
                int g = codes[i];
                if (g < 0 || !v[i])
                {
                    continue;
                }

                T value = x[i];
                if (T.IsNaN(value))
                {
                    continue;
                }

                seen[g] = true;
                if (max ? value > best[g] : value < best[g])
                {
                    best[g] = value;
                }
            }

            var valid = new BitmapBuilder(groups);
            for (int g = 0; g < groups; g++)
            {
                if (seen[g])
                {
                    valid.Set(g);
                }
            }

            int nulls = groups - valid.Ones;
            return Arrays.Primitive(type.ToArrow(), bytes, groups, nulls == 0 ? null : valid.Bits, nulls);
        }
    }
}

