using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <content>Tree reductions (chunk → combine in groups of <c>split_every</c> → aggregate).</content>
public sealed partial class DArray<TElement>
{
    private DArray<TOut> TreeReduce<TPart, TOut>(
        string op, int[] axes, bool keepDims, int? splitEvery,
        Func<int[], Node, Node> chunk, TaskFunction combine, Node[] combineArgs, Func<Node, Node> finish, object?[] token, int[][]? outChunksOverride = null, string[]? chunkSources = null)
        where TOut : unmanaged
    {
        int ndim = NDim;
        int[] nb = NumBlocksArray;
        int split = splitEvery ?? TesseraConfig.Get("array.split-every", 4);
        if (split < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(splitEvery), splitEvery, $"{op}: split_every must be at least 2.");
        }

        int multi = axes.Count(a => nb[a] > 1);
        int factor = Math.Max(2, (int)Math.Floor(Math.Pow(split, 1.0 / Math.Max(1, multi)) + 1e-9));
        string baseToken = Tokenizer.Tokenize([op, Name, .. axes.Cast<object?>(), keepDims, split, .. token]);

        // Chunk stage: one partial per block, same grid.
        string chunkName = op + "-chunk-" + baseToken;
        var tasks = new TaskGraph(NPartitions);
        foreach (int[] index in BlockIndices(nb))
        {
            tasks.TryAdd(new Key(chunkName, index), chunk(index, Node.Ref(BlockKey(index))));
        }

        if (ndim == 0)
        {
            tasks.TryAdd(new Key(chunkName), chunk([], Node.Ref(BlockKey([]))));
        }

        LayeredGraph graph = Graph.With(new BlockLayer(chunkName, tasks, fusable: true), chunkSources ?? [Name]);
        string previous = chunkName;
        int[] grid = nb;
        int level = 0;
        while (axes.Any(a => grid[a] > 1))
        {
            int[] newGrid = (int[])grid.Clone();
            foreach (int a in axes)
            {
                newGrid[a] = (grid[a] + factor - 1) / factor;
            }

            string name = op + "-combine" + level.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + baseToken;
            var combined = new TaskGraph();
            foreach (int[] index in BlockIndices(newGrid))
            {
                var members = new List<Node>();
                var lo = new int[ndim];
                var hi = new int[ndim];
                for (int a = 0; a < ndim; a++)
                {
                    bool reduced = Array.IndexOf(axes, a) >= 0;
                    lo[a] = reduced ? index[a] * factor : index[a];
                    hi[a] = reduced ? Math.Min(grid[a], lo[a] + factor) : index[a] + 1;
                }

                foreach (int[] member in BlockIndices([.. hi.Select((h, a) => h - lo[a])]))
                {
                    int[] src = [.. member.Select((m, a) => m + lo[a])];
                    members.Add(Node.Ref(new Key(previous, src)));
                }

                combined.TryAdd(new Key(name, index), Node.Call(combine, [Node.List<TPart>([.. members]), .. combineArgs]));
            }

            graph = graph.With(new BlockLayer(name, combined, fusable: false), previous);
            previous = name;
            grid = newGrid;
            level++;
        }

        // Aggregate: one block per kept block.
        var outChunks = new List<int[]>();
        for (int a = 0; a < ndim; a++)
        {
            if (Array.IndexOf(axes, a) < 0)
            {
                outChunks.Add(_chunks[a]);
            }
            else if (keepDims)
            {
                outChunks.Add([1]);
            }
        }

        string finalName = op + "-" + baseToken;
        string source = previous;
        if (outChunksOverride is not null)
        {
            // A whole-array reduction to an array of another shape (a histogram, unique values).
            Key rootKey = ndim == 0 ? new Key(source) : new Key(source, new int[ndim]);
            return Build<TOut>(finalName, outChunksOverride, graph, [source], _ => finish(Node.Ref(rootKey)), fusable: false);
        }

        return Build<TOut>(finalName, [.. outChunks], graph, [source], outIndex =>
        {
            var src = new int[ndim];
            int k = 0;
            for (int a = 0; a < ndim; a++)
            {
                if (Array.IndexOf(axes, a) < 0)
                {
                    src[a] = outIndex[k++];
                }
                else
                {
                    src[a] = 0;
                    if (keepDims)
                    {
                        k++;
                    }
                }
            }

            return finish(Node.Ref(ndim == 0 ? new Key(source) : new Key(source, src)));
        }, fusable: false);
    }

    private DArray<TElement> Reduce(ReduceOp op, Axes? axis, bool keepDims, int? splitEvery)
    {
        string name = OpNames.Name(op);
        if (!ElementOps<TElement>.Instance.Supports(op))
        {
            throw new NotSupportedException($"{name}: dtype {DType.NumPyName()} is not supported by this reduction; use AsType<long>() first.");
        }

        int[] axes = Shapes.NormalizeAxes(name, Axes.ToArray(axis), NDim);
        if (ReduceThroughRechunk(axes, keepDims, s => s.Reduce(op, axis, keepDims, splitEvery)) is { } pushed)
        {
            return pushed;
        }

        Node opNode = Node.Literal(op);
        Node axesNode = Node.Literal(axes);
        if (FusedOperands(axes, op == ReduceOp.Sum && SumsMayCombine(DType.IsFloatingPoint())) is { } f)
        {
            Node binaryOp = Node.Literal(f.Op), linear = Node.Literal(f.Linear);
            return TreeReduce<NDArray<TElement>, TElement>(
                name, axes, keepDims, splitEvery,
                (index, _) => Node.Call(BlockFunctions<TElement>.ReduceOfBinary, Node.Ref(f.A.BlockKey(index)), Node.Ref(f.B.BlockKey(index)), binaryOp, opNode, axesNode, linear),
                BlockFunctions<TElement>.ReduceCombine, [opNode],
                p => Node.Call(BlockFunctions<TElement>.ReduceFinish, p, opNode, axesNode, Node.Literal(keepDims)),
                ["of-binary"], chunkSources: [f.A.Name, f.B.Name]);
        }

        return TreeReduce<NDArray<TElement>, TElement>(
            name, axes, keepDims, splitEvery,
            (_, block) => Node.Call(BlockFunctions<TElement>.Reduce, block, opNode, axesNode),
            BlockFunctions<TElement>.ReduceCombine, [opNode],
            p => Node.Call(BlockFunctions<TElement>.ReduceFinish, p, opNode, axesNode, Node.Literal(keepDims)),
            []);
    }

    /// <summary>
    /// The operands of this array's elementwise operation, when a reduction over <paramref name="axes"/>
    /// can read them instead of this array's blocks (config <c>array.fuse-reductions</c>, default true):
    /// a ± b summed as the operands' sums combined where <paramref name="sumsMayCombine"/>, otherwise
    /// tile by tile where axis 0 is reduced and the blocks are large enough to tile.
    /// </summary>
    private (BinaryOp Op, DArray<TElement> A, DArray<TElement> B, bool Linear)? FusedOperands(int[] axes, bool sumsMayCombine)
    {
        if (_binaryOf is not { } f || !TesseraConfig.Get("array.fuse-reductions", true))
        {
            return null;
        }

        bool linear = sumsMayCombine && f.Op is BinaryOp.Add or BinaryOp.Subtract;
        int[] largest = [.. _chunks.Select(c => c.Length == 0 ? 0 : c.Max())];
        return linear || FusedReductions.Tiles(largest, axes, DType.ItemSize()) ? (f.Op, f.A, f.B, linear) : null;
    }

    /// <summary>
    /// A reduction of <c>x.Rechunk(c)</c> as the same reduction of <c>x</c>, rechunked to the chunks
    /// the reduction of the rechunked array would have (config <c>array.reduce-through-rechunk</c>,
    /// default true; Dask-expr pushes reductions through rechunks the same way). A rechunk changes
    /// only which block holds an element, so every output element reduces the same elements; the
    /// rechunk then moves the reduced array, which is smaller by the reduced axes, instead of the
    /// input. Floating-point sums follow the input's blocks, as they follow any chunking.
    /// </summary>
    /// <returns>The pushed-down reduction, or null where this array is not a rechunk (or the rule is off).</returns>
    private DArray<TOut>? ReduceThroughRechunk<TOut>(int[] axes, bool keepDims, Func<DArray<TElement>, DArray<TOut>> reduce)
        where TOut : unmanaged
    {
        if (_rechunkOf is not { } source || !TesseraConfig.Get("array.reduce-through-rechunk", true))
        {
            return null;
        }

        int[][] kept = [.. Enumerable.Range(0, NDim)
            .Where(a => keepDims || Array.IndexOf(axes, a) < 0)
            .Select(a => Array.IndexOf(axes, a) < 0 ? _chunks[a] : [1])];
        DArray<TOut> reduced = reduce(source);
        return reduced.ChunksArray.Zip(kept).All(p => p.First.AsSpan().SequenceEqual(p.Second)) ? reduced : reduced.Rechunk(kept);
    }

    // sum(a ± b) as sum(a) ± sum(b): exact for integers (both wrap alike); for floating point it can cancel or
    // overflow where the elementwise sum does not (1e308 + -1e308), so only when array.reassociate-sums allows it.
    private static bool SumsMayCombine(bool floatingPoint) => !floatingPoint || TesseraConfig.Get("array.reassociate-sums", false);

    /// <summary>Sums along axes (the result keeps the element type).</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes (default 4, config <c>array.split-every</c>).</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Sum(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.Sum, axis, keepDims, splitEvery);

    /// <summary>Multiplies along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Prod(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.Product, axis, keepDims, splitEvery);

    /// <summary>Minimum along axes (NaN propagates).</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Min(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.Min, axis, keepDims, splitEvery);

    /// <summary>Maximum along axes (NaN propagates).</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Max(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.Max, axis, keepDims, splitEvery);

    /// <summary>Sums along axes, treating NaN as zero.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> NanSum(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.NanSum, axis, keepDims, splitEvery);

    /// <summary>Multiplies along axes, treating NaN as one.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> NanProd(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.NanProduct, axis, keepDims, splitEvery);

    /// <summary>Minimum along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> NanMin(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.NanMin, axis, keepDims, splitEvery);

    /// <summary>Maximum along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> NanMax(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.NanMax, axis, keepDims, splitEvery);

    /// <summary>Whether any element is non-zero along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>A lazy bool array.</returns>
    public DArray<bool> Any(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.Any, axis, keepDims, splitEvery).AsType<bool>();

    /// <summary>Whether every element is non-zero along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>A lazy bool array.</returns>
    public DArray<bool> All(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => Reduce(ReduceOp.All, axis, keepDims, splitEvery).AsType<bool>();

    private DArray<double> MeanCore(string op, Axes? axis, bool keepDims, int? splitEvery, bool skipNaN)
    {
        int[] axes = Shapes.NormalizeAxes(op, Axes.ToArray(axis), NDim);
        if (ReduceThroughRechunk(axes, keepDims, s => s.MeanCore(op, axis, keepDims, splitEvery, skipNaN)) is { } pushed)
        {
            return pushed;
        }

        Node axesNode = Node.Literal(axes), skip = Node.Literal(skipNaN);
        if (FusedOperands(axes, !skipNaN && DType.IsFloatingPoint() && SumsMayCombine(floatingPoint: true)) is { } f)
        {
            Node binaryOp = Node.Literal(f.Op), linear = Node.Literal(f.Linear);
            return TreeReduce<NDArray<double>, double>(
                op, axes, keepDims, splitEvery,
                (index, _) => Node.Call(BlockFunctions<TElement>.MeanOfBinary, Node.Ref(f.A.BlockKey(index)), Node.Ref(f.B.BlockKey(index)), binaryOp, axesNode, skip, linear),
                DoubleBlockFunctions.MeanCombine, [],
                p => Node.Call(DoubleBlockFunctions.MeanFinish, p, axesNode, Node.Literal(keepDims)),
                [skipNaN, "of-binary"], chunkSources: [f.A.Name, f.B.Name]);
        }

        return TreeReduce<NDArray<double>, double>(
            op, axes, keepDims, splitEvery,
            (_, block) => Node.Call(BlockFunctions<TElement>.MeanChunk, block, axesNode, skip),
            DoubleBlockFunctions.MeanCombine, [],
            p => Node.Call(DoubleBlockFunctions.MeanFinish, p, axesNode, Node.Literal(keepDims)),
            [skipNaN]);
    }

    /// <summary>Averages along axes (in double precision).</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<double> Mean(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => MeanCore("mean", axis, keepDims, splitEvery, skipNaN: false);

    /// <summary>Averages along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<double> NanMean(Axes? axis = null, bool keepDims = false, int? splitEvery = null) => MeanCore("nanmean", axis, keepDims, splitEvery, skipNaN: true);

    private DArray<double> VarCore(string op, Axes? axis, double ddof, bool keepDims, int? splitEvery, bool skipNaN, bool sqrt)
    {
        int[] axes = Shapes.NormalizeAxes(op, Axes.ToArray(axis), NDim);
        if (ReduceThroughRechunk(axes, keepDims, s => s.VarCore(op, axis, ddof, keepDims, splitEvery, skipNaN, sqrt)) is { } pushed)
        {
            return pushed;
        }

        Node axesNode = Node.Literal(axes), skip = Node.Literal(skipNaN);
        return TreeReduce<NDArray<double>, double>(
            op, axes, keepDims, splitEvery,
            (_, block) => Node.Call(BlockFunctions<TElement>.MomentChunk, block, axesNode, skip),
            DoubleBlockFunctions.MomentCombine, [],
            p => Node.Call(DoubleBlockFunctions.VarFinish, p, axesNode, Node.Literal(keepDims), Node.Literal(ddof), Node.Literal(sqrt)),
            [skipNaN, ddof, sqrt]);
    }

    /// <summary>Variance along axes (divisor N - <paramref name="ddof"/>), merged across blocks with Chan's formula.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<double> Var(Axes? axis = null, double ddof = 0, bool keepDims = false, int? splitEvery = null) => VarCore("var", axis, ddof, keepDims, splitEvery, false, false);

    /// <summary>Standard deviation along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<double> Std(Axes? axis = null, double ddof = 0, bool keepDims = false, int? splitEvery = null) => VarCore("std", axis, ddof, keepDims, splitEvery, false, true);

    /// <summary>Variance along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<double> NanVar(Axes? axis = null, double ddof = 0, bool keepDims = false, int? splitEvery = null) => VarCore("nanvar", axis, ddof, keepDims, splitEvery, true, false);

    /// <summary>Standard deviation along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<double> NanStd(Axes? axis = null, double ddof = 0, bool keepDims = false, int? splitEvery = null) => VarCore("nanstd", axis, ddof, keepDims, splitEvery, true, true);

    private DArray<long> ArgCore(string op, int? axis, bool keepDims, int? splitEvery, bool max, bool skipNaN)
    {
        RequireKnownChunks(op);
        int ax = axis is { } a ? Shapes.NormalizeAxis(op, a, NDim) : -1;
        int[] axes = ax < 0 ? [.. Enumerable.Range(0, NDim)] : [ax];
        long[] shape = ShapeArray;
        long[][] starts = [.. _chunks.Select(Chunking.Starts)];
        Node maxNode = Node.Literal(max), skip = Node.Literal(skipNaN), axisNode = Node.Literal(ax), shapeNode = Node.Literal(shape);
        return TreeReduce<ArgPartial<TElement>, long>(
            op, axes, keepDims, splitEvery,
            (index, block) =>
            {
                long[] offsets = [.. index.Select((b, d) => starts[d][b])];
                long offset = ax >= 0 ? offsets[ax] : 0;
                return Node.Call(BlockFunctions<TElement>.ArgChunk, block, axisNode, maxNode, skip, Node.Literal(offset), shapeNode, Node.Literal(offsets));
            },
            BlockFunctions<TElement>.ArgCombine, [maxNode, skip],
            p => Node.Call(BlockFunctions<TElement>.ArgFinish, p, axisNode, Node.Literal(keepDims)),
            [max, skipNaN, ax]);
    }

    /// <summary>Index of the smallest element along one axis, or in the flattened array when <paramref name="axis"/> is null.</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy indices.</returns>
    public DArray<long> ArgMin(int? axis = null, bool keepDims = false, int? splitEvery = null) => ArgCore("argmin", axis, keepDims, splitEvery, max: false, skipNaN: false);

    /// <summary>Index of the largest element along one axis, or in the flattened array when <paramref name="axis"/> is null.</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy indices.</returns>
    public DArray<long> ArgMax(int? axis = null, bool keepDims = false, int? splitEvery = null) => ArgCore("argmax", axis, keepDims, splitEvery, max: true, skipNaN: false);

    /// <summary>Index of the smallest element, skipping NaN.</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy indices.</returns>
    public DArray<long> NanArgMin(int? axis = null, bool keepDims = false, int? splitEvery = null) => ArgCore("nanargmin", axis, keepDims, splitEvery, max: false, skipNaN: true);

    /// <summary>Index of the largest element, skipping NaN.</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <param name="splitEvery">How many partial results one combine task takes.</param>
    /// <returns>The lazy indices.</returns>
    public DArray<long> NanArgMax(int? axis = null, bool keepDims = false, int? splitEvery = null) => ArgCore("nanargmax", axis, keepDims, splitEvery, max: true, skipNaN: true);
}
