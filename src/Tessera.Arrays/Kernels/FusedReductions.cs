using System.Buffers;

namespace Tessera.Arrays.Kernels;

/// <summary>
/// The partial reduction of an elementwise result, <c>reduce(a op b)</c>, computed row tile by row
/// tile so that <c>a op b</c> is never materialized whole: each tile (about
/// <see cref="TileBytes"/>) is written to a pooled buffer that stays in cache, reduced, and the
/// tile partials accumulated. Valid where the reduction covers axis 0 (the tiles' axis), so that
/// the partial of the whole block is the accumulation of the tiles' partials.
/// </summary>
internal static class FusedReductions
{
    /// <summary>Bytes of one tile of <c>a op b</c>.</summary>
    public const int TileBytes = 256 << 10;

    /// <summary>Whether <see cref="OfBinary"/> tiles blocks of this shape (else it reduces the materialized block).</summary>
    public static bool Tiles(int[] shape, int[] axes, int itemSize, int tileBytes = TileBytes)
    {
        if (shape.Length == 0 || Array.IndexOf(axes, 0) < 0 || shape[0] < 2)
        {
            return false;
        }

        long rowBytes = Shapes.Product(shape.AsSpan(1)) * itemSize;
        return rowBytes > 0 && rowBytes * shape[0] >= 2L * tileBytes;
    }

    /// <summary>
    /// The sum over <paramref name="axes"/> of a ± b as the sums of a and b combined: each operand is
    /// read once in its own layout (a transposed block's sums are the original's row sums), nothing
    /// is gathered or materialized. Null for other operations.
    /// </summary>
    public static NDArray<T>? LinearSum<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, int[] axes)
        where T : unmanaged
    {
        if (op is not (BinaryOp.Add or BinaryOp.Subtract) || !a.ShapeArray.AsSpan().SequenceEqual(b.ShapeArray))
        {
            return null;
        }

        return ArrayKernels.Binary(op, Reductions.Reduce(a, ReduceOp.Sum, axes, keepdims: true), Reductions.Reduce(b, ReduceOp.Sum, axes, keepdims: true));
    }

    /// <summary>The mean partial (counts, then sums) of a ± b from the partials of a and b (see <see cref="LinearSum"/>). Null for other operations.</summary>
    public static NDArray<double>? LinearMean<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, int[] axes)
        where T : unmanaged
    {
        if (op is not (BinaryOp.Add or BinaryOp.Subtract) || !a.ShapeArray.AsSpan().SequenceEqual(b.ShapeArray) || !ElementOps<T>.Instance.DType.IsFloatingPoint())
        {
            return null;
        }

        NDArray<double> pa = Reductions.MeanPartial(a, axes, skipNaN: false), pb = Reductions.MeanPartial(b, axes, skipNaN: false);
        double[] result = pa.ToArray();
        int half = result.Length / 2;
        ReadOnlySpan<double> sb = pb.ToArray().AsSpan(half);
        ElementOps<double>.Instance.Binary(op, result.AsSpan(half), sb, result.AsSpan(half));
        return new NDArray<double>(result, pa.ShapeArray);
    }

    /// <summary>The partial <paramref name="partial"/> of <paramref name="a"/> op <paramref name="b"/> (same shapes), its tile partials combined by <paramref name="accumulate"/>(total, tile).</summary>
    public static NDArray<TPart> OfBinary<T, TPart>(
        BinaryOp op, NDArray<T> a, NDArray<T> b, int[] axes, Func<NDArray<T>, NDArray<TPart>> partial, Action<NDArray<TPart>, NDArray<TPart>> accumulate, int tileBytes = TileBytes)
        where T : unmanaged
        where TPart : unmanaged
    {
        int[] shape = a.ShapeArray;
        int itemSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (!shape.AsSpan().SequenceEqual(b.ShapeArray) || !Tiles(shape, axes, itemSize, tileBytes))
        {
            return partial(ArrayKernels.Binary(op, a, b));
        }

        ArrayKernels.CheckSupported(ElementOps<T>.Instance, op);
        int rowLength = (int)Shapes.Product(shape.AsSpan(1));
        int tileRows = (int)Math.Clamp(tileBytes / ((long)rowLength * itemSize), 1, shape[0]);
        T[] buffer = ArrayPool<T>.Shared.Rent(tileRows * rowLength);
        try
        {
            NDArray<TPart>? total = null;
            for (int start = 0; start < shape[0]; start += tileRows)
            {
                int stop = Math.Min(shape[0], start + tileRows);
                int[] tileShape = [stop - start, .. shape.AsSpan(1)];
                ArrayKernels.BinaryInto(op, a.Slice(Ix.S(start, stop)), b.Slice(Ix.S(start, stop)), tileShape, buffer);
                NDArray<TPart> p = partial(new NDArray<T>(buffer, tileShape));

                // The first partial is copied: a reduction may return a view of the reused buffer.
                if (total is null)
                {
                    total = p.Copy();
                }
                else
                {
                    accumulate(total, p);
                }
            }

            return total!;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }
}
