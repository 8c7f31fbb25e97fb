namespace Tessera.Arrays.Kernels;

/// <summary>Elementwise kernels over whole arrays with NumPy broadcasting.</summary>
internal static class ArrayKernels
{
    public static NDArray<T> Binary<T>(BinaryOp op, NDArray<T> a, NDArray<T> b)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        CheckSupported(ops, op);
        int[] shape = Shapes.Broadcast(OpNames.Name(op), a.ShapeArray, b.ShapeArray);
        var result = BlockMemory.Allocate<T>(Shapes.Product(shape));
        BinaryInto(op, a, b, shape, result);
        return new NDArray<T>(result, shape);
    }

    /// <summary>Writes <paramref name="a"/> op <paramref name="b"/>, broadcast to <paramref name="shape"/>, to the start of <paramref name="result"/> in C order.</summary>
    public static void BinaryInto<T>(BinaryOp op, NDArray<T> a, NDArray<T> b, int[] shape, T[] result)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        if (IsTransposed(b) && a.IsCContiguous && a.ShapeArray.AsSpan().SequenceEqual(b.ShapeArray))
        {
            TiledTransposed(ops, op, a, b, result, swap: false);
            return;
        }

        if (IsTransposed(a) && b.IsCContiguous && a.ShapeArray.AsSpan().SequenceEqual(b.ShapeArray))
        {
            TiledTransposed(ops, op, b, a, result, swap: true);
            return;
        }

        NDArray<T> av = Gatherable(a).BroadcastTo(shape), bv = Gatherable(b).BroadcastTo(shape);
        T[] da = av.Data, db = bv.Data;
        T[]? sa = null, sb = null;
        Strided.ForEachRow(shape, [av.StridesArray, bv.StridesArray, Shapes.CStrides(shape)], [av.Offset, bv.Offset, 0], (len, offs, st) =>
        {
            Span<T> d = result.AsSpan(offs[2], len);
            if (st[0] == 0 && len > 1 && st[1] != 0)
            {
                ops.Binary(op, da[offs[0]], Strided.Row(db, offs[1], len, st[1], sb ??= new T[len]), d);
            }
            else if (st[1] == 0 && len > 1 && st[0] != 0)
            {
                ops.Binary(op, Strided.Row(da, offs[0], len, st[0], sa ??= new T[len]), db[offs[1]], d);
            }
            else
            {
                ops.Binary(op, Strided.Row(da, offs[0], len, st[0], sa ??= new T[len]), Strided.Row(db, offs[1], len, st[1], sb ??= new T[len]), d);
            }
        });
    }

    private static bool IsTransposed<T>(NDArray<T> a)
        where T : unmanaged => a.NDim == 2 && a.Size >= 4096 && a.StridesArray[1] != 1 && a.StridesArray[1] != 0 && a.StridesArray[0] != 0;

    /// <summary>
    /// <paramref name="c"/> (contiguous) op <paramref name="t"/> (a transposed view) without copying
    /// <paramref name="t"/> whole: tile by tile, each tile row of <paramref name="t"/> gathered into a
    /// small buffer that stays in cache, then the vectorized kernel.
    /// </summary>
    private static void TiledTransposed<T>(ElementOps<T> ops, BinaryOp op, NDArray<T> c, NDArray<T> t, T[] result, bool swap)
        where T : unmanaged
    {
        const int Tile = 64;
        int rows = c.ShapeArray[0], cols = c.ShapeArray[1];
        int s0 = t.StridesArray[0], s1 = t.StridesArray[1];
        T[] cd = c.Data, td = t.Data;
        int co = c.Offset, to = t.Offset;
        Span<T> row = stackalloc T[Tile];
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int width = Math.Min(cols, j0 + Tile) - j0;
                Span<T> g = row[..width];
                for (int i = i0; i < i1; i++)
                {
                    int at = to + (i * s0) + (j0 * s1);
                    for (int j = 0; j < width; j++, at += s1)
                    {
                        g[j] = td[at];
                    }

                    ReadOnlySpan<T> cs = cd.AsSpan(co + (i * cols) + j0, width);
                    Span<T> d = result.AsSpan((i * cols) + j0, width);
                    if (swap)
                    {
                        ops.Binary(op, g, cs, d);
                    }
                    else
                    {
                        ops.Binary(op, cs, g, d);
                    }
                }
            }
        }
    }

    /// <summary>Large views whose rows are strided (a transpose) are copied tile by tile first: much faster than gathering each row.</summary>
    private static NDArray<T> Gatherable<T>(NDArray<T> a)
        where T : unmanaged
    {
        int[] st = a.StridesArray;
        return a.NDim == 2 && a.Size >= 4096 && st[1] != 1 && st[1] != 0 && st[0] != 0 ? a.Copy() : a;
    }

    public static NDArray<bool> Compare<T>(CompareOp op, NDArray<T> a, NDArray<T> b)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        int[] shape = Shapes.Broadcast(OpNames.Name(op), a.ShapeArray, b.ShapeArray);
        NDArray<T> av = a.BroadcastTo(shape), bv = b.BroadcastTo(shape);
        var result = new bool[checked((int)Shapes.Product(shape))];
        T[] da = av.Data, db = bv.Data;
        T[]? sa = null, sb = null;
        Strided.ForEachRow(shape, [av.StridesArray, bv.StridesArray, Shapes.CStrides(shape)], [av.Offset, bv.Offset, 0], (len, offs, st) =>
        {
            Span<bool> d = result.AsSpan(offs[2], len);
            if (st[0] == 0 && len > 1 && st[1] != 0)
            {
                ops.Compare(op, da[offs[0]], Strided.Row(db, offs[1], len, st[1], sb ??= new T[len]), d);
            }
            else if (st[1] == 0 && len > 1 && st[0] != 0)
            {
                ops.Compare(op, Strided.Row(da, offs[0], len, st[0], sa ??= new T[len]), db[offs[1]], d);
            }
            else
            {
                ops.Compare(op, Strided.Row(da, offs[0], len, st[0], sa ??= new T[len]), Strided.Row(db, offs[1], len, st[1], sb ??= new T[len]), d);
            }
        });
        return new NDArray<bool>(result, shape);
    }

    public static NDArray<T> Unary<T>(UnaryOp op, NDArray<T> a)
        where T : unmanaged
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        if (!ops.Supports(op))
        {
            throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {ops.DType.NumPyName()}{(ops.DType.IsFloatingPoint() ? string.Empty : "; use AsType<double>() first")}.");
        }

        NDArray<T> c = a.Contiguous();
        var result = BlockMemory.Allocate<T>(c.Size);
        ops.Unary(op, c.Data.AsSpan(c.Offset, result.Length), result);
        return new NDArray<T>(result, (int[])a.ShapeArray.Clone());
    }

    public static NDArray<bool> IsNaN<T>(NDArray<T> a)
        where T : unmanaged
    {
        NDArray<T> c = a.Contiguous();
        var result = BlockMemory.Allocate<bool>(c.Size);
        ElementOps<T>.Instance.IsNaN(c.Data.AsSpan(c.Offset, result.Length), result);
        return new NDArray<bool>(result, (int[])a.ShapeArray.Clone());
    }

    public static NDArray<T> Where<T>(NDArray<bool> condition, NDArray<T> x, NDArray<T> y)
        where T : unmanaged
    {
        int[] shape = Shapes.Broadcast("where", Shapes.Broadcast("where", condition.ShapeArray, x.ShapeArray), y.ShapeArray);
        NDArray<bool> c = condition.BroadcastTo(shape);
        NDArray<T> xv = x.BroadcastTo(shape), yv = y.BroadcastTo(shape);
        var result = BlockMemory.Allocate<T>(Shapes.Product(shape));
        bool[] dc = c.Data;
        T[] dx = xv.Data, dy = yv.Data;
        Strided.ForEachRow(shape, [c.StridesArray, xv.StridesArray, yv.StridesArray, Shapes.CStrides(shape)], [c.Offset, xv.Offset, yv.Offset, 0], (len, offs, st) =>
        {
            int pc = offs[0], px = offs[1], py = offs[2], po = offs[3];
            for (int i = 0; i < len; i++, pc += st[0], px += st[1], py += st[2])
            {
                result[po + i] = dc[pc] ? dx[px] : dy[py];
            }
        });
        return new NDArray<T>(result, shape);
    }

    public static void CheckSupported<T>(ElementOps<T> ops, BinaryOp op)
        where T : unmanaged
    {
        if (!ops.Supports(op))
        {
            throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {ops.DType.NumPyName()}.");
        }
    }

    /// <summary>Contiguous double copy (no copy for contiguous double input).</summary>
    public static ReadOnlySpan<double> AsDoubles<T>(NDArray<T> a)
        where T : unmanaged
    {
        if (a is NDArray<double> d && d.IsCContiguous)
        {
            return d.Data.AsSpan(d.Offset, (int)d.Size);
        }

        return a.AsType<double>().Contiguous().AsSpan();
    }

    public static void Fill(Span<double> d, double v) => d.Fill(v);
}
