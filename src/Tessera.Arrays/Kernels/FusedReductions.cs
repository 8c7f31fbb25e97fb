using System.Buffers;
using System.Runtime.CompilerServices;

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

    /// <summary>Columns of one tile of <see cref="LeadingAxes"/>.</summary>
    private const int TileCols = 256;

    /// <summary>Bytes of one tile of <see cref="LeadingAxes"/> (it stays in the L1 cache while its transposed operand is copied in).</summary>
    private const int TransposeTileBytes = 32 << 10;

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

        // Both partials are new contiguous blocks (counts, then sums): a's sums take b's in place.
        NDArray<double> pa = Reductions.MeanPartial(a, axes, skipNaN: false), pb = Reductions.MeanPartial(b, axes, skipNaN: false);
        Span<double> sums = pa.AsSpan()[(int)(pa.Size / 2)..];
        ElementOps<double>.Instance.Binary(op, sums, pb.AsSpan()[(int)(pb.Size / 2)..], sums);
        return pa;
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

    /// <summary>
    /// The reduction over the leading axes <paramref name="axes"/> (0 to k - 1, k below the rank) of
    /// <paramref name="a"/> op <paramref name="b"/>, with keepdims, computed without materializing
    /// <c>a op b</c> and bit for bit what reducing the materialized block gives: that reduction
    /// combines whole rows of the kept elements in row order (the first row copied, or the identity
    /// first), and so does this one, a tile of rows and columns at a time, each column's rows still in
    /// order. A transposed operand is read a tile at a time along its own rows, so its cache lines are
    /// used whole. Null where that does not hold: other axes, operations whose vectorized and scalar
    /// results might differ (only the correctly rounded <c>+ - * /</c> and the exact maximum and minimum
    /// qualify), Any/All, and empty blocks.
    /// </summary>
    public static NDArray<T>? LeadingAxes<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, ReduceOp reduce, int[] axes)
        where T : unmanaged
    {
        if (!ReducesLeadingAxes(op, a, b, reduce, axes))
        {
            return null;
        }

        T[] result = GC.AllocateUninitializedArray<T>((int)Shapes.Product(a.ShapeArray.AsSpan(axes.Length)));
        ReduceLeadingAxes(op, a, b, reduce, axes.Length, result);
        return new NDArray<T>(result, Reductions.OutShape(a.ShapeArray, axes, keepdims: true));
    }

    /// <summary>The mean partial (counts, then sums) of a op b over the leading axes, bit for bit the materialized block's (see <see cref="LeadingAxes"/>); doubles only (other types are summed as doubles after the operation).</summary>
    public static NDArray<double>? LeadingAxesMean<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, int[] axes)
        where T : unmanaged
    {
        if (a is not NDArray<double> da || b is not NDArray<double> db || !ReducesLeadingAxes(op, da, db, ReduceOp.Sum, axes))
        {
            return null;
        }

        // The sums go straight into the partial, after the counts.
        int n = (int)Shapes.Product(a.ShapeArray.AsSpan(axes.Length));
        var result = new double[2 * n];
        result.AsSpan(0, n).Fill(Shapes.Product(a.ShapeArray.AsSpan(0, axes.Length)));
        ReduceLeadingAxes(op, da, db, ReduceOp.Sum, axes.Length, result.AsSpan(n));
        return new NDArray<double>(result, [2, .. Reductions.OutShape(a.ShapeArray, axes, keepdims: true)]);
    }

    // Whether LeadingAxes applies (see there).
    private static bool ReducesLeadingAxes<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, ReduceOp reduce, int[] axes)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        int[] shape = a.ShapeArray;
        int k = axes.Length;
        if (op is not (BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide or BinaryOp.Maximum or BinaryOp.Minimum)
            || reduce is ReduceOp.Any or ReduceOp.All || !ops.Supports(op) || !ops.Supports(reduce)
            || k == 0 || k >= shape.Length || !shape.AsSpan().SequenceEqual(b.ShapeArray) || Shapes.Product(shape) == 0)
        {
            return false;
        }

        for (int i = 0; i < k; i++)
        {
            if (axes[i] != i)
            {
                return false;
            }
        }

        return true;
    }

    // Writes the reduction of a op b over its first k axes into acc (one element per column).
    private static void ReduceLeadingAxes<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, ReduceOp reduce, int k, Span<T> acc)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        var ma = new StridedMatrix<T>(a, k);
        var mb = new StridedMatrix<T>(b, k);
        int rows = ma.Rows, cols = ma.Cols;
        bool fromFirstRow = reduce is not (ReduceOp.Sum or ReduceOp.NanSum or ReduceOp.Product or ReduceOp.NanProduct);
        if (!fromFirstRow)
        {
            acc.Fill(reduce is ReduceOp.Sum or ReduceOp.NanSum ? ops.Zero : ops.One);
        }

        if (reduce == ReduceOp.Sum && TransposedSums.TryAccumulate(op, ma, mb, acc))
        {
            return;
        }

        int tileCols = Math.Min(cols, TileCols);
        int tileRows = Math.Clamp(TransposeTileBytes / (tileCols * Unsafe.SizeOf<T>()), 1, rows);
        T[] tile = ArrayPool<T>.Shared.Rent(tileRows * tileCols);
        T[]? aTile = ma.HasRowSpans ? null : ArrayPool<T>.Shared.Rent(tileRows * tileCols);
        try
        {
            for (int r0 = 0; r0 < rows; r0 += tileRows)
            {
                int nr = Math.Min(tileRows, rows - r0);
                for (int c0 = 0; c0 < cols; c0 += tileCols)
                {
                    int nc = Math.Min(tileCols, cols - c0);
                    mb.CopyTile(r0, nr, c0, nc, tile);
                    if (aTile is not null)
                    {
                        ma.CopyTile(r0, nr, c0, nc, aTile);
                    }

                    for (int i = 0; i < nr; i++)
                    {
                        Span<T> row = tile.AsSpan(i * nc, nc);
                        ReadOnlySpan<T> left = aTile is null ? ma.Row(r0 + i, c0, nc) : aTile.AsSpan(i * nc, nc);
                        ops.Binary(op, left, row, row);
                        if (fromFirstRow && r0 + i == 0)
                        {
                            row.CopyTo(acc.Slice(c0, nc));
                        }
                        else
                        {
                            ops.Accumulate(reduce, acc.Slice(c0, nc), row);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(tile);
            if (aTile is not null)
            {
                ArrayPool<T>.Shared.Return(aTile);
            }
        }
    }
}
