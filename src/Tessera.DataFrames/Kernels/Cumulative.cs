using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>
/// Cumulative sums across partitions (Dask's <c>cumsum</c>): each partition's running sum, then the
/// totals of all earlier partitions carried in. Missing values are skipped (pandas' <c>skipna</c>) and
/// stay missing; integers and bools sum as int64, floating point as float64.
/// </summary>
internal static class Cumulative
{
    public static DType ResultType(DType t) => t.IsFloat() ? DType.Float64 : DType.Int64;

    /// <summary>The running sum of one array.</summary>
    public static IArrowArray Local(IArrowArray a)
    {
        DType t = DTypes.Of(a);
        var valid = new Validity(a);
        byte[]? validity = null;
        int nulls = a.NullCount;
        if (nulls > 0)
        {
            var bb = new BitmapBuilder(a.Length);
            for (int i = 0; i < a.Length; i++)
            {
                if (valid[i])
                {
                    bb.Set(i);
                }
            }

            validity = bb.Bits;
        }

        if (t.IsFloat())
        {
            ReadOnlySpan<double> x = Numeric.AsDouble(a);
            byte[] bytes = Arrays.Alloc<double>(x.Length, out Span<double> dst);
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                if (valid[i] && !double.IsNaN(x[i]))
                {
                    sum += x[i];
                    dst[i] = sum;
                }
                else
                {
                    dst[i] = double.NaN;
                }
            }

            return Arrays.Primitive(DType.Float64.ToArrow(), bytes, x.Length, validity, nulls);
        }

        ReadOnlySpan<long> l = Numeric.As<long>(a, out _);
        byte[] lb = Arrays.Alloc<long>(l.Length, out Span<long> ld);
        long total = 0;
        for (int i = 0; i < l.Length; i++)
        {
            if (valid[i])
            {
                total += l[i];
            }

            ld[i] = total;
        }

        return Arrays.Primitive(DType.Int64.ToArrow(), lb, l.Length, validity, nulls);
    }

    /// <summary>The carry into the next partition: this carry plus the partition's total (its last present running sum).</summary>
    public static IArrowArray NextCarry(IArrowArray carry, IArrowArray local)
    {
        var valid = new Validity(local);
        if (local is DoubleArray d)
        {
            double total = 0;
            for (int i = d.Length - 1; i >= 0; i--)
            {
                if (valid[i] && !double.IsNaN(d.Values[i]))
                {
                    total = d.Values[i];
                    break;
                }
            }

            return Arrays.Primitive<double>(DType.Float64, [Numeric.AsDouble(carry)[0] + total]);
        }

        ReadOnlySpan<long> l = Numeric.As<long>(local, out _);
        long last = l.Length == 0 ? 0 : l[^1];
        return Arrays.Primitive<long>(DType.Int64, [Numeric.As<long>(carry, out _)[0] + last]);
    }

    /// <summary>Adds the carry to every present value.</summary>
    public static IArrowArray AddCarry(IArrowArray local, IArrowArray carry)
    {
        if (local is DoubleArray)
        {
            double c = Numeric.AsDouble(carry)[0];
            return c == 0 ? local : Compute.ArithScalar(ArithOp.Add, local, c, scalarOnLeft: false, DType.Float64);
        }

        long k = Numeric.As<long>(carry, out _)[0];
        return k == 0 ? local : Compute.ArithScalar(ArithOp.Add, local, k, scalarOnLeft: false, DType.Int64);
    }

    public static IArrowArray Zero(DType resultType) =>
        resultType == DType.Float64 ? Arrays.Primitive<double>(DType.Float64, [0.0]) : Arrays.Primitive<long>(DType.Int64, [0L]);
}
