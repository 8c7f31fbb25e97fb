using Tessera.Graphs;

namespace Tessera.Arrays.Kernels;

/// <summary>Cumulative sums and products along an axis, in memory and blockwise (with carries).</summary>
internal static class Cumulative<T>
    where T : unmanaged
{
    public static readonly TaskFunction Block = TaskFunction.Create<NDArray<T>, int, bool, NDArray<T>>(Scan, "cumulative");
    public static readonly TaskFunction CarryStep = TaskFunction.Create<NDArray<T>?, NDArray<T>, int, bool, NDArray<T>?>(Step, "cumulative-carry");
    public static readonly TaskFunction Apply = TaskFunction.Create<NDArray<T>, NDArray<T>?, bool, NDArray<T>>(ApplyCarry, "cumulative-apply");

    /// <summary>Running sums (or products) along <paramref name="axis"/>.</summary>
    public static NDArray<T> Scan(NDArray<T> a, int axis, bool product)
    {
        ElementOps<T> ops = ElementOps<T>.Instance;
        if (!ops.SupportsArithmetic)
        {
            throw new NotSupportedException($"{(product ? "cumprod" : "cumsum")} does not support dtype bool; use AsType<long>() first.");
        }

        int n = a.NDim;
        int[] order = [.. Enumerable.Range(0, n).Where(i => i != axis), axis];
        NDArray<T> c = a.Transpose(order).Copy();
        int len = a.ShapeArray[axis];
        Span<T> data = c.AsSpan();
        BinaryOp op = product ? BinaryOp.Multiply : BinaryOp.Add;
        for (int start = 0; start + len <= data.Length && len > 0; start += len)
        {
            Span<T> row = data.Slice(start, len);
            for (int i = 1; i < len; i++)
            {
                ops.Binary(op, row.Slice(i, 1), row.Slice(i - 1, 1), row.Slice(i, 1));
            }
        }

        var back = new int[n];
        for (int i = 0; i < n; i++)
        {
            back[order[i]] = i;
        }

        return c.Transpose(back).Copy();
    }

    private static NDArray<T>? Step(NDArray<T>? carry, NDArray<T> previous, int axis, bool product)
    {
        int len = previous.ShapeArray[axis];
        if (len == 0)
        {
            return carry;
        }

        var index = Enumerable.Repeat(Ix.All, previous.NDim).ToArray();
        index[axis] = Ix.S(len - 1, len);
        NDArray<T> last = previous.Slice(index);
        return carry is null ? last.Copy() : ArrayKernels.Binary(product ? BinaryOp.Multiply : BinaryOp.Add, carry, last);
    }

    private static NDArray<T> ApplyCarry(NDArray<T> block, NDArray<T>? carry, bool product) =>
        carry is null ? block : ArrayKernels.Binary(product ? BinaryOp.Multiply : BinaryOp.Add, block, carry);
}
