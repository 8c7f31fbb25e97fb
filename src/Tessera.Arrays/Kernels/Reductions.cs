using System.Numerics;

namespace Tessera.Arrays.Kernels;

/// <summary>Reductions of one in-memory array over axes, and the partial results of blocked reductions.</summary>
internal static class Reductions
{
    public static int[] OutShape(int[] shape, int[] axes, bool keepdims)
    {
        var r = new List<int>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            if (Array.IndexOf(axes, i) >= 0)
            {
                if (keepdims)
                {
                    r.Add(1);
                }
            }
            else
            {
                r.Add(shape[i]);
            }
        }

        return [.. r];
    }

    private static bool IsPrefix(int[] axes)
    {
        for (int i = 0; i < axes.Length; i++)
        {
            if (axes[i] != i)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Arranges the kept axes first and the reduced ones last, contiguous: rows of the reduced elements.</summary>
    private static NDArray<T> KeptThenReduced<T>(NDArray<T> a, int[] axes)
        where T : unmanaged
    {
        var order = new List<int>(a.NDim);
        for (int i = 0; i < a.NDim; i++)
        {
            if (Array.IndexOf(axes, i) < 0)
            {
                order.Add(i);
            }
        }

        order.AddRange(axes);
        return a.Transpose([.. order]).Contiguous();
    }

    private static long ReducedCount(int[] shape, int[] axes)
    {
        long n = 1;
        foreach (int ax in axes)
        {
            n *= shape[ax];
        }

        return n;
    }

    public static NDArray<T> Reduce<T>(NDArray<T> a, ReduceOp op, int[]? axes, bool keepdims)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        string name = OpNames.Name(op);
        if (!ops.Supports(op))
        {
            throw new NotSupportedException($"{name} does not support dtype {ops.DType.NumPyName()}; use AsType<long>() first.");
        }

        int[] ax = Shapes.NormalizeAxes(name, axes, a.NDim);
        int[] outShape = OutShape(a.ShapeArray, ax, keepdims);
        int rows = (int)ReducedCount(a.ShapeArray, ax);
        int outer = (int)Shapes.Product(outShape);
        var result = GC.AllocateUninitializedArray<T>(outer);
        if (outer == 0)
        {
            return new NDArray<T>(result, outShape);
        }

        if (rows > 0 && a.StridesArray.All(st => st == 0) && op is not (ReduceOp.Product or ReduceOp.NanProduct))
        {
            // A broadcast scalar (such as a block of ones): closed forms, nothing materialized.
            T v = a.Data[a.Offset];
            T r = op switch
            {
                ReduceOp.Sum => ops.FromDouble(ops.ToDouble(v) * rows),
                ReduceOp.NanSum => ops.IsNaN(v) ? ops.Zero : ops.FromDouble(ops.ToDouble(v) * rows),
                ReduceOp.Any or ReduceOp.All => ops.Reduce(op, [v]),
                _ => v,
            };
            result.AsSpan().Fill(r);
            return new NDArray<T>(result, outShape);
        }

        if (ax.Length > 0 && ax.Length < a.NDim && IsPrefix(ax) && a.IsCContiguous && rows > 0)
        {
            // Reduce leading axes: combine whole rows with vectorized kernels.
            T[] data = a.Data;
            int off = a.Offset;
            Span<T> acc = result;
            int start;
            switch (op)
            {
                case ReduceOp.Sum or ReduceOp.NanSum:
                    acc.Fill(ops.Zero);
                    start = 0;
                    break;
                case ReduceOp.Product or ReduceOp.NanProduct:
                    acc.Fill(ops.One);
                    start = 0;
                    break;
                default:
                    data.AsSpan(off, outer).CopyTo(acc);
                    start = 1;
                    break;
            }

            for (int r = start; r < rows; r++)
            {
                ops.Accumulate(op, acc, data.AsSpan(off + (r * outer), outer));
            }

            if (op is ReduceOp.Any or ReduceOp.All && rows == 1)
            {
                for (int i = 0; i < outer; i++)
                {
                    acc[i] = ops.Reduce(op, acc.Slice(i, 1));
                }
            }

            return new NDArray<T>(result, outShape);
        }

        NDArray<T> c = KeptThenReduced(a, ax);
        T[] cd = c.Data;
        for (int i = 0; i < outer; i++)
        {
            result[i] = ops.Reduce(op, cd.AsSpan(c.Offset + (i * rows), rows));
        }

        return new NDArray<T>(result, outShape);
    }

    /// <summary>Count and sum per output element, stacked along a new leading axis of length 2 (keepdims shape after it).</summary>
    public static NDArray<double> MeanPartial<T>(NDArray<T> a, int[] axes, bool skipNaN)
        where T : unmanaged
    {
        int[] outShape = OutShape(a.ShapeArray, axes, keepdims: true);
        int outer = (int)Shapes.Product(outShape);
        var result = new double[2 * outer];
        if (outer == 0)
        {
            return new NDArray<double>(result, [2, .. outShape]);
        }

        NDArray<double> d = a as NDArray<double> ?? a.AsType<double>();
        if (!skipNaN)
        {
            NDArray<double> sum = Reduce(d, ReduceOp.Sum, axes, keepdims: true);
            result.AsSpan(0, outer).Fill(ReducedCount(a.ShapeArray, axes));
            sum.CopyTo(result.AsSpan(outer, outer));
            return new NDArray<double>(result, [2, .. outShape]);
        }

        NDArray<double> c = KeptThenReduced(d, axes);
        int rows = (int)ReducedCount(a.ShapeArray, axes);
        for (int i = 0; i < outer; i++)
        {
            // One pass over a row without NaN: its plain sum is then its NaN-skipping sum, bit for bit.
            // A row whose sum is NaN is summed again skipping NaNs, and they are counted.
            ReadOnlySpan<double> row = c.Data.AsSpan(c.Offset + (i * rows), rows);
            double sum = Summation.Sum(row);
            long n = row.Length;
            if (double.IsNaN(sum))
            {
                sum = Summation.NanSum(row);
                n = CountNotNaN(row);
            }

            result[i] = n;
            result[outer + i] = sum;
        }

        return new NDArray<double>(result, [2, .. outShape]);
    }

    // The elements that are not NaN, a vector at a time (a kept lane compares equal to itself: all ones, -1).
    private static long CountNotNaN(ReadOnlySpan<double> x)
    {
        var kept = Vector<long>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var v = new Vector<double>(x[i..]);
            kept -= Vector.Equals(v, v);
        }

        long n = Vector.Sum(kept);
        for (; i < x.Length; i++)
        {
            n += double.IsNaN(x[i]) ? 0 : 1;
        }

        return n;
    }

    /// <summary>Count, mean and sum of squared deviations per output element, stacked along a new leading axis of length 3.</summary>
    public static NDArray<double> MomentPartial<T>(NDArray<T> a, int[] axes, bool skipNaN)
        where T : unmanaged
    {
        int[] outShape = OutShape(a.ShapeArray, axes, keepdims: true);
        int outer = (int)Shapes.Product(outShape);
        var result = new double[3 * outer];
        if (outer == 0)
        {
            return new NDArray<double>(result, [3, .. outShape]);
        }

        NDArray<double> d = a as NDArray<double> ?? a.AsType<double>();
        NDArray<double> c = KeptThenReduced(d, axes);
        int rows = (int)ReducedCount(a.ShapeArray, axes);
        for (int i = 0; i < outer; i++)
        {
            ReadOnlySpan<double> row = c.Data.AsSpan(c.Offset + (i * rows), rows);
            if (skipNaN && NaNs.Any(row))
            {
                int k = 0;
                var kept = new double[rows];
                foreach (double v in row)
                {
                    if (!double.IsNaN(v))
                    {
                        kept[k++] = v;
                    }
                }

                row = kept.AsSpan(0, k);
            }

            int n = row.Length;
            double mean = n == 0 ? 0 : Summation.Sum(row) / n;
            result[i] = n;
            result[outer + i] = mean;
            result[(2 * outer) + i] = n == 0 ? 0 : Summation.SumSquaredDeviations(row, mean);
        }

        return new NDArray<double>(result, [3, .. outShape]);
    }

    /// <summary>Adds two stacked (count, sum) partials.</summary>
    public static NDArray<double> CombineMean(NDArray<double> a, NDArray<double> b) => ArrayKernels.Binary(BinaryOp.Add, a, b);

    /// <summary>Merges two stacked (count, mean, M2) partials (Chan et al.).</summary>
    public static NDArray<double> CombineMoments(NDArray<double> a, NDArray<double> b)
    {
        double[] x = a.Contiguous().ToArray(), y = b.Contiguous().ToArray();
        int outer = x.Length / 3;
        var r = new double[x.Length];
        for (int i = 0; i < outer; i++)
        {
            double na = x[i], nb = y[i];
            double ma = x[outer + i], mb = y[outer + i];
            double n = na + nb;
            double delta = mb - ma;
            r[i] = n;
            r[outer + i] = n == 0 ? 0 : ma + (delta * nb / n);
            r[(2 * outer) + i] = x[(2 * outer) + i] + y[(2 * outer) + i] + (n == 0 ? 0 : delta * delta * na * nb / n);
        }

        return new NDArray<double>(r, (int[])a.ShapeArray.Clone());
    }

    /// <summary>Turns a (count, sum) partial into means, dropping the reduced axes unless <paramref name="keepdims"/>.</summary>
    public static NDArray<double> FinishMean(NDArray<double> p, int[] axes, bool keepdims)
    {
        double[] x = p.Contiguous().ToArray();
        int outer = x.Length / 2;
        var r = new double[outer];
        for (int i = 0; i < outer; i++)
        {
            r[i] = x[outer + i] / x[i];
        }

        int[] keep = p.ShapeArray[1..];
        return new NDArray<double>(r, keepdims ? keep : OutShape(keep, axes, keepdims: false));
    }

    /// <summary>Turns a (count, mean, M2) partial into variances (or standard deviations).</summary>
    public static NDArray<double> FinishVar(NDArray<double> p, int[] axes, bool keepdims, double ddof, bool sqrt)
    {
        double[] x = p.Contiguous().ToArray();
        int outer = x.Length / 3;
        var r = new double[outer];
        for (int i = 0; i < outer; i++)
        {
            double n = x[i] - ddof;
            double v = n <= 0 ? double.NaN : x[(2 * outer) + i] / n;
            r[i] = sqrt ? Math.Sqrt(v) : v;
        }

        int[] keep = p.ShapeArray[1..];
        return new NDArray<double>(r, keepdims ? keep : OutShape(keep, axes, keepdims: false));
    }

    /// <summary>Local arg-extreme of a block along one axis (or all axes flattened when <paramref name="axis"/> is -1), keepdims shape.</summary>
    public static ArgPartial<T> ArgPartial<T>(NDArray<T> a, int axis, bool max, bool skipNaN, long indexOffset, long[]? flatShape, long[]? blockOffsets)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        int[] axes = axis < 0 ? [.. Enumerable.Range(0, a.NDim)] : [axis];
        int[] outShape = OutShape(a.ShapeArray, axes, keepdims: true);
        int outer = (int)Shapes.Product(outShape);
        NDArray<T> c = KeptThenReduced(a, axes);
        int rows = (int)ReducedCount(a.ShapeArray, axes);
        var values = new T[outer];
        var index = new long[outer];
        for (int i = 0; i < outer; i++)
        {
            ReadOnlySpan<T> row = c.Data.AsSpan(c.Offset + (i * rows), rows);
            int k = ops.IndexOfExtreme(row, max, skipNaN);
            if (k < 0)
            {
                index[i] = -1;
                values[i] = rows == 0 ? ops.Zero : row[0];
                continue;
            }

            values[i] = row[k];
            if (axis >= 0)
            {
                index[i] = k + indexOffset;
            }
            else
            {
                // Local flat index → global flat index.
                long flat = 0;
                long rem = k;
                int[] shape = a.ShapeArray;
                var local = new long[shape.Length];
                for (int d = shape.Length - 1; d >= 0; d--)
                {
                    local[d] = rem % shape[d];
                    rem /= shape[d];
                }

                for (int d = 0; d < shape.Length; d++)
                {
                    flat = (flat * flatShape![d]) + local[d] + blockOffsets![d];
                }

                index[i] = flat;
            }
        }

        return new ArgPartial<T>(new NDArray<T>(values, outShape), new NDArray<long>(index, outShape));
    }

    public static ArgPartial<T> CombineArg<T>(ArgPartial<T> a, ArgPartial<T> b, bool max, bool skipNaN)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        T[] va = a.Values.ToArray(), vb = b.Values.ToArray();
        long[] ia = a.Indices.ToArray(), ib = b.Indices.ToArray();
        for (int i = 0; i < va.Length; i++)
        {
            bool tie = !ops.Better(vb[i], va[i], max, skipNaN) && !ops.Better(va[i], vb[i], max, skipNaN);
            if (ia[i] < 0 || (ib[i] >= 0 && (ops.Better(vb[i], va[i], max, skipNaN) || (tie && ib[i] < ia[i]))))
            {
                va[i] = vb[i];
                ia[i] = ib[i];
            }
        }

        int[] shape = a.Values.ShapeArray;
        return new ArgPartial<T>(new NDArray<T>(va, (int[])shape.Clone()), new NDArray<long>(ia, (int[])shape.Clone()));
    }

    public static NDArray<long> FinishArg<T>(ArgPartial<T> p, int axis, bool keepdims)
        where T : unmanaged
    {
        long[] idx = p.Indices.ToArray();
        if (Array.IndexOf(idx, -1L) >= 0)
        {
            throw new ArgumentException("All-NaN slice encountered.");
        }

        int[] shape = p.Indices.ShapeArray;
        int[] axes = axis < 0 ? [.. Enumerable.Range(0, shape.Length)] : [axis];
        return new NDArray<long>(idx, keepdims ? (int[])shape.Clone() : OutShape(shape, axes, keepdims: false));
    }
}

/// <summary>The partial result of an arg-reduction: best values and their global indices.</summary>
/// <typeparam name="T">The element type.</typeparam>
[TesseraData]
internal sealed class ArgPartial<T>
    where T : unmanaged
{
    public ArgPartial(NDArray<T> values, NDArray<long> indices)
    {
        Values = values;
        Indices = indices;
    }

    public NDArray<T> Values { get; }

    public NDArray<long> Indices { get; }
}
