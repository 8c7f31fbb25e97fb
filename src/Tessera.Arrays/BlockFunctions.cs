using System.Numerics;
using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>
/// The functions blocks are computed with: static methods (no captured state), so tasks are pure
/// data that tokenizes deterministically and travels to worker processes by method identity.
/// </summary>
internal static class BlockFunctions<T>
    where T : unmanaged
{
    public static readonly TaskFunction Binary = TaskFunction.Create<NDArray<T>, NDArray<T>, BinaryOp, NDArray<T>>(BinaryBlock, "elemwise").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction CheckShape = TaskFunction.Create<NDArray<T>, int[], string, NDArray<T>>(CheckShapeBlock, "check-shape");
    public static readonly TaskFunction SelectWhere = TaskFunction.Create<NDArray<T>, NDArray<bool>, NDArray<T>>(SelectWhereBlock, "getitem-mask");
    public static readonly TaskFunction BinaryScalarRight = TaskFunction.Create<NDArray<T>, T, BinaryOp, NDArray<T>>(BinaryScalarRightBlock, "elemwise").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction BinaryScalarLeft = TaskFunction.Create<T, NDArray<T>, BinaryOp, NDArray<T>>(BinaryScalarLeftBlock, "elemwise").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction Compare = TaskFunction.Create<NDArray<T>, NDArray<T>, CompareOp, NDArray<bool>>(CompareBlock, "compare").Declare(ArgumentUse.Released);
    public static readonly TaskFunction CompareScalar = TaskFunction.Create<NDArray<T>, T, CompareOp, NDArray<bool>>(CompareScalarBlock, "compare").Declare(ArgumentUse.Released);
    public static readonly TaskFunction Unary = TaskFunction.Create<NDArray<T>, UnaryOp, NDArray<T>>(UnaryBlock, "elemwise").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction IsNaN = TaskFunction.Create<NDArray<T>, NDArray<bool>>(IsNaNBlock, "isnan").Declare(ArgumentUse.Released);
    public static readonly TaskFunction Where = TaskFunction.Create<NDArray<bool>, NDArray<T>, NDArray<T>, NDArray<T>>(WhereBlock, "where").Declare(ArgumentUse.Released);
    public static readonly TaskFunction Transpose = TaskFunction.Create<NDArray<T>, int[], NDArray<T>>(TransposeBlock, "transpose").Declare(ArgumentUse.InResult);
    public static readonly TaskFunction GetItem = TaskFunction.Create<NDArray<T>, Ix[], NDArray<T>>(GetItemBlock, "getitem").Declare(ArgumentUse.InResult);
    public static readonly TaskFunction Reshape = TaskFunction.Create<NDArray<T>, int[], NDArray<T>>(ReshapeBlock, "reshape").Declare(ArgumentUse.InResult);
    public static readonly TaskFunction ExpandDims = TaskFunction.Create<NDArray<T>, int, NDArray<T>>(ExpandDimsBlock, "expand-dims").Declare(ArgumentUse.InResult);
    /// <summary>A piece of a block as a compact copy: a view would keep (and, between workers, send) the whole block.</summary>
    public static readonly TaskFunction SplitPiece = TaskFunction.Create<NDArray<T>, Ix[], NDArray<T>>(SplitPieceBlock, "rechunk-split").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction Merge = TaskFunction.Create<NDArray<T>[], int[], NDArray<T>>(BlockGrid.Assemble, "rechunk-merge");
    public static readonly TaskFunction Full = TaskFunction.Create<T, int[], NDArray<T>>(FullBlock, "full");
    public static readonly TaskFunction Shape = TaskFunction.Create<NDArray<T>, int[]>(ShapeBlock, "shape");
    public static readonly TaskFunction Reduce = TaskFunction.Create<NDArray<T>, ReduceOp, int[], NDArray<T>>(ReduceBlock, "reduce-chunk").Declare(ArgumentUse.Released);
    public static readonly TaskFunction ReduceCombine = TaskFunction.Create<NDArray<T>[], ReduceOp, NDArray<T>>(ReduceCombineBlock, "reduce-combine");
    public static readonly TaskFunction ReduceFinish = TaskFunction.Create<NDArray<T>, ReduceOp, int[], bool, NDArray<T>>(ReduceFinishBlock, "reduce-agg");
    public static readonly TaskFunction MeanChunk = TaskFunction.Create<NDArray<T>, int[], bool, NDArray<double>>(MeanChunkBlock, "mean-chunk").Declare(ArgumentUse.Released);

    /// <summary>The partial reduction of (a op b), tile by tile or (linear, set only for a sum) as the sums of a and b combined: the elementwise block is never materialized.</summary>
    public static readonly TaskFunction ReduceOfBinary = TaskFunction.Create<NDArray<T>, NDArray<T>, BinaryOp, ReduceOp, int[], bool, NDArray<T>>(ReduceOfBinaryBlock, "reduce-chunk").Declare(ArgumentUse.Released);

    /// <summary>The mean partial (count, sum) of (a op b), tile by tile or (linear, set only where NaNs are not skipped) from the partials of a and b.</summary>
    public static readonly TaskFunction MeanOfBinary = TaskFunction.Create<NDArray<T>, NDArray<T>, BinaryOp, int[], bool, bool, NDArray<double>>(MeanOfBinaryBlock, "mean-chunk").Declare(ArgumentUse.Released);
    public static readonly TaskFunction MomentChunk = TaskFunction.Create<NDArray<T>, int[], bool, NDArray<double>>(MomentChunkBlock, "moment-chunk");
    public static readonly TaskFunction ArgChunk = TaskFunction.Create<NDArray<T>, int, bool, bool, long, long[], long[], ArgPartial<T>>(ArgChunkBlock, "arg-chunk");
    public static readonly TaskFunction ArgCombine = TaskFunction.Create<ArgPartial<T>[], bool, bool, ArgPartial<T>>(ArgCombineBlock, "arg-combine");
    public static readonly TaskFunction ArgFinish = TaskFunction.Create<ArgPartial<T>, int, bool, NDArray<long>>(ArgFinishBlock, "arg-agg");
    public static readonly TaskFunction FromSource = TaskFunction.Create<NDArray<T>, Ix[], NDArray<T>>(GetItemBlock, "array");
    public static readonly TaskFunction Take = TaskFunction.Create<NDArray<T>, long[], int, NDArray<T>>(TakeBlock, "take");

    private static NDArray<T> BinaryBlock(NDArray<T> a, NDArray<T> b, BinaryOp op) => ArrayKernels.Binary(op, a, b);

    private static NDArray<T> BinaryScalarRightBlock(NDArray<T> a, T b, BinaryOp op) => ArrayKernels.Binary(op, a, NDArray<T>.Scalar(b));

    private static NDArray<T> BinaryScalarLeftBlock(T a, NDArray<T> b, BinaryOp op) => ArrayKernels.Binary(op, NDArray<T>.Scalar(a), b);

    private static NDArray<bool> CompareBlock(NDArray<T> a, NDArray<T> b, CompareOp op) => ArrayKernels.Compare(op, a, b);

    private static NDArray<bool> CompareScalarBlock(NDArray<T> a, T b, CompareOp op) => ArrayKernels.Compare(op, a, NDArray<T>.Scalar(b));

    private static NDArray<T> UnaryBlock(NDArray<T> a, UnaryOp op) => ArrayKernels.Unary(op, a);

    private static NDArray<bool> IsNaNBlock(NDArray<T> a) => ArrayKernels.IsNaN(a);

    private static NDArray<T> WhereBlock(NDArray<bool> c, NDArray<T> x, NDArray<T> y) => ArrayKernels.Where(c, x, y);

    private static NDArray<T> TransposeBlock(NDArray<T> a, int[] axes) => a.Transpose(axes);

    private static NDArray<T> GetItemBlock(NDArray<T> a, Ix[] index) => a.Slice(index);

    private static NDArray<T> SplitPieceBlock(NDArray<T> a, Ix[] index) => a.Slice(index).Copy();

    private static NDArray<T> TakeBlock(NDArray<T> a, long[] indices, int axis) => a.Take(indices, axis);

    private static NDArray<T> ReshapeBlock(NDArray<T> a, int[] shape) => a.Reshape(shape);

    private static NDArray<T> ExpandDimsBlock(NDArray<T> a, int axis) => a.ExpandDims(axis);

    private static NDArray<T> FullBlock(T value, int[] shape) => NDArray<T>.Scalar(value).BroadcastTo(shape);

    private static int[] ShapeBlock(NDArray<T> a) => (int[])a.ShapeArray.Clone();

    private static NDArray<T> ReduceBlock(NDArray<T> a, ReduceOp op, int[] axes) => Reductions.Reduce(a, op, axes, keepdims: true);

    private static NDArray<T> ReduceCombineBlock(NDArray<T>[] parts, ReduceOp op)
    {
        if (parts.Length == 1)
        {
            return parts[0];
        }

        ElementOps<T> ops = ElementOps<T>.Instance;
        NDArray<T> acc = parts[0].Copy();
        for (int i = 1; i < parts.Length; i++)
        {
            NDArray<T> p = parts[i].Contiguous();
            ops.Accumulate(op, acc.AsSpan(), p.AsSpan());
        }

        return acc;
    }

    private static NDArray<T> ReduceFinishBlock(NDArray<T> p, ReduceOp op, int[] axes, bool keepdims)
    {
        if (keepdims)
        {
            return p;
        }

        return p.Reshape(Reductions.OutShape(p.ShapeArray, axes, keepdims: false));
    }

    private static NDArray<double> MeanChunkBlock(NDArray<T> a, int[] axes, bool skipNaN) => Reductions.MeanPartial(a, axes, skipNaN);

    private static NDArray<T> ReduceOfBinaryBlock(NDArray<T> a, NDArray<T> b, BinaryOp op, ReduceOp reduce, int[] axes, bool linear) =>
        (linear ? FusedReductions.LinearSum(op, a, b, axes) : null) ?? FusedReductions.LeadingAxes(op, a, b, reduce, axes) ?? FusedReductions.OfBinary(op, a, b, axes, t => Reductions.Reduce(t, reduce, axes, keepdims: true), (total, p) => ElementOps<T>.Instance.Accumulate(reduce, total.AsSpan(), p.Contiguous().AsSpan()));

    private static NDArray<double> MeanOfBinaryBlock(NDArray<T> a, NDArray<T> b, BinaryOp op, int[] axes, bool skipNaN, bool linear) =>
        (linear ? FusedReductions.LinearMean(op, a, b, axes) : null) ?? (skipNaN ? null : FusedReductions.LeadingAxesMean(op, a, b, axes)) ?? FusedReductions.OfBinary(op, a, b, axes, t => Reductions.MeanPartial(t, axes, skipNaN), (total, p) => ElementOps<double>.Instance.Accumulate(ReduceOp.Sum, total.AsSpan(), p.Contiguous().AsSpan()));

    private static NDArray<double> MomentChunkBlock(NDArray<T> a, int[] axes, bool skipNaN) => Reductions.MomentPartial(a, axes, skipNaN);

    private static ArgPartial<T> ArgChunkBlock(NDArray<T> a, int axis, bool max, bool skipNaN, long offset, long[] shape, long[] blockOffsets) =>
        Reductions.ArgPartial(a, axis, max, skipNaN, offset, shape, blockOffsets);

    private static ArgPartial<T> ArgCombineBlock(ArgPartial<T>[] parts, bool max, bool skipNaN)
    {
        ArgPartial<T> acc = parts[0];
        for (int i = 1; i < parts.Length; i++)
        {
            acc = Reductions.CombineArg(acc, parts[i], max, skipNaN);
        }

        return acc;
    }

    private static NDArray<long> ArgFinishBlock(ArgPartial<T> p, int axis, bool keepdims) => Reductions.FinishArg(p, axis, keepdims);

    // The elements (with the mask's shape) or rows (with a 1-D mask along axis 0) where the mask is
    // true, in row-major order.
    private static NDArray<T> SelectWhereBlock(NDArray<T> block, NDArray<bool> mask)
    {
        T[] values = block.ToArray();
        bool[] keep = mask.ToArray();
        int row = values.Length / Math.Max(1, keep.Length);
        int kept = 0;
        foreach (bool k in keep)
        {
            kept += k ? 1 : 0;
        }

        var selected = BlockMemory.Allocate<T>((long)kept * row);
        for (int i = 0, at = 0; i < keep.Length; i++)
        {
            if (keep[i])
            {
                values.AsSpan(i * row, row).CopyTo(selected.AsSpan(at));
                at += row;
            }
        }

        int[] shape = [.. block.Shape];
        shape[0] = kept;
        return new NDArray<T>(selected, mask.NDim == block.NDim ? [selected.Length] : shape);
    }

    private static NDArray<T> CheckShapeBlock(NDArray<T> block, int[] expected, string op) =>
        block.Shape.AsSpan().SequenceEqual(expected)
            ? block
            : throw new InvalidOperationException($"{op}: the function returned a block of shape {Shapes.Format(block.Shape.AsSpan())} where the output block has shape {Shapes.Format(expected)}.");
}

/// <summary>Functions on double partials shared by every element type.</summary>
internal static class DoubleBlockFunctions
{
    public static readonly TaskFunction MeanCombine = TaskFunction.Create<NDArray<double>[], NDArray<double>>(MeanCombineBlock, "mean-combine");
    public static readonly TaskFunction MeanFinish = TaskFunction.Create<NDArray<double>, int[], bool, NDArray<double>>(Reductions.FinishMean, "mean-agg");
    public static readonly TaskFunction MomentCombine = TaskFunction.Create<NDArray<double>[], NDArray<double>>(MomentCombineBlock, "moment-combine");
    public static readonly TaskFunction VarFinish = TaskFunction.Create<NDArray<double>, int[], bool, double, bool, NDArray<double>>(Reductions.FinishVar, "var-agg");

    private static NDArray<double> MeanCombineBlock(NDArray<double>[] parts)
    {
        NDArray<double> acc = parts[0];
        for (int i = 1; i < parts.Length; i++)
        {
            acc = Reductions.CombineMean(acc, parts[i]);
        }

        return acc;
    }

    private static NDArray<double> MomentCombineBlock(NDArray<double>[] parts)
    {
        NDArray<double> acc = parts[0];
        for (int i = 1; i < parts.Length; i++)
        {
            acc = Reductions.CombineMoments(acc, parts[i]);
        }

        return acc;
    }
}

/// <summary>Conversions and products between element types.</summary>
internal static class ConvertFunctions<TIn, TOut>
    where TIn : unmanaged
    where TOut : unmanaged
{
    public static readonly TaskFunction AsType = TaskFunction.Create<NDArray<TIn>, NDArray<TOut>>(AsTypeBlock, "astype");

    private static NDArray<TOut> AsTypeBlock(NDArray<TIn> a) => a.AsType<TOut>();
}

/// <summary>Matrix-product blocks.</summary>
internal static class MatMulFunctions<T>
    where T : unmanaged, INumber<T>
{
    public static readonly TaskFunction Dot = TaskFunction.Create<NDArray<T>[], NDArray<T>[], NDArray<T>>(DotBlock, "matmul").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction TensorDotBlocks = TaskFunction.Create<NDArray<T>[], NDArray<T>[], int[], int[], NDArray<T>>(TensorDotBlock, "tensordot").Declare(ArgumentUse.Released);
    public static readonly TaskFunction Gram = TaskFunction.Create<NDArray<T>[], NDArray<T>>(GramBlock, "matmul-syrk").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction DotTransposed = TaskFunction.Create<NDArray<T>[], NDArray<T>[], NDArray<T>>(DotTransposedBlock, "matmul").Declare(ArgumentUse.Released, returnsFreshMemory: true);

    private static NDArray<T> TensorDotBlock(NDArray<T>[] left, NDArray<T>[] right, int[] axesA, int[] axesB)
    {
        var a2 = new NDArray<T>[left.Length];
        var b2 = new NDArray<T>[left.Length];
        int[] shape = [];
        for (int i = 0; i < left.Length; i++)
        {
            (a2[i], b2[i], shape) = NDArray.TensorDotOperands(left[i], right[i], axesA, axesB);
        }

        Blas.LimitThreadsForBlocks();
        return Blas.SumOfProducts(a2, b2).Reshape(shape);
    }

    private static NDArray<T> DotBlock(NDArray<T>[] row, NDArray<T>[] column)
    {
        Blas.LimitThreadsForBlocks();
        return Blas.SumOfProducts(row, column);
    }

    // Block (i, i) of x @ x.T from row i of x's blocks.
    private static NDArray<T> GramBlock(NDArray<T>[] row)
    {
        Blas.LimitThreadsForBlocks();
        return Blas.SumOfGrams(row);
    }

    // Block (i, j) of x @ x.T from rows i and j of x's blocks: row j's blocks go to gemm transposed, as views.
    private static NDArray<T> DotTransposedBlock(NDArray<T>[] row, NDArray<T>[] other)
    {
        Blas.LimitThreadsForBlocks();
        return Blas.SumOfTransposedProducts(row, other);
    }
}
