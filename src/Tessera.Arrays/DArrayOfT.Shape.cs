using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Arrays;

/// <content>Transpose, slicing, rechunk, reshape and chunk sizes.</content>
public sealed partial class DArray<TElement>
{
    /// <summary>Permutes the axes lazily (reversed when <paramref name="axes"/> is empty).</summary>
    /// <param name="axes">The new order of the axes.</param>
    /// <returns>The lazy result; blocks are transposed views.</returns>
    public DArray<TElement> Transpose(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int[] p = NDArray.PermutationOrReverse("transpose", axes, NDim);
        if (p.Select((v, i) => v == i).All(b => b))
        {
            return this;
        }

        int[][] chunks = [.. p.Select(a => _chunks[a])];
        Node axesNode = Node.Literal(p);
        DArray<TElement> result = Build<TElement>(NewName("transpose", Name, p), chunks, Graph, [Name], index =>
        {
            var src = new int[NDim];
            for (int i = 0; i < p.Length; i++)
            {
                src[p[i]] = index[i];
            }

            return Node.Call(BlockFunctions<TElement>.Transpose, Node.Ref(BlockKey(src)), axesNode);
        }, fusable: true);

        // x.Transpose(p)[s] is x[s'].Transpose(q): s' puts item k of s on input axis p[k]; q orders
        // the axes that the integers leave. With new axes in s, the plain selection is built.
        result._sliceThrough = full =>
        {
            if (full.Any(ix => ix.Kind == IxKind.NewAxis))
            {
                return null;
            }

            var inner = new Ix[p.Length];
            for (int k = 0; k < p.Length; k++)
            {
                inner[p[k]] = full[k];
            }

            int[] kept = [.. Enumerable.Range(0, p.Length).Where(a => inner[a].Kind != IxKind.Index)];
            int[] q = [.. Enumerable.Range(0, p.Length).Where(k => full[k].Kind != IxKind.Index).Select(k => Array.IndexOf(kept, p[k]))];
            return Slice(inner).Transpose(q);
        };
        return result;
    }

    /// <summary>Indexes the array like NumPy (lazily): integers, slices with steps (negative ones too), new axes, an ellipsis, and one integer array or boolean mask.</summary>
    /// <param name="index">The index items.</param>
    /// <returns>The lazy selection.</returns>
    public DArray<TElement> this[params Ix[] index] => Slice(index);

    /// <summary>
    /// Selects by a lazy boolean mask (NumPy's <c>x[mask]</c>): with a mask of the array's shape, the
    /// elements where it is true as a 1-D array in row-major order; with a 1-D mask as long as axis 0,
    /// those rows. The result's chunk lengths are unknown until computed (see <see cref="ComputeChunkSizes"/>).
    /// </summary>
    /// <param name="mask">The mask.</param>
    /// <returns>The lazy selection.</returns>
    public DArray<TElement> this[DArray<bool> mask] => SelectByMask(mask);

    private DArray<TElement> SelectByMask(DArray<bool> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        bool rows = mask.NDim == 1 && NDim > 1;
        if (!(rows ? mask.Shape[0] == Shape[0] : mask.Shape.SequenceEqual(Shape)) || NDim == 0)
        {
            throw new ArgumentException(
                $"getitem: a boolean mask of shape {Shapes.Format(mask.ShapeArray)} does not fit an array of shape {Shapes.Format(ShapeArray)}; it needs the array's shape, or one axis as long as axis 0.", nameof(mask));
        }

        RequireKnownChunks("getitem");
        mask.RequireKnownChunks("getitem");

        // One block along every axis but the first, so that the blocks' selections, one after
        // another, are in row-major order; the mask follows the array's blocks.
        int[][] target = [.. _chunks.Select((c, a) => a == 0 ? c : [(int)Shape[a]])];
        DArray<TElement> x = target.Skip(1).Select((c, a) => c.AsSpan().SequenceEqual(_chunks[a + 1])).All(same => same) ? this : Rechunk(target);
        int[][] maskTarget = rows ? [x._chunks[0]] : x._chunks;
        DArray<bool> m = maskTarget.Select((c, a) => c.AsSpan().SequenceEqual(mask._chunks[a])).All(same => same) ? mask : mask.Rechunk(maskTarget);

        int blocks = x._chunks[0].Length;
        int[][] outChunks = rows ? [[.. Enumerable.Repeat(-1, blocks)], .. x._chunks.Skip(1)] : [[.. Enumerable.Repeat(-1, blocks)]];
        string name = NewName("getitem-mask", x.Name, m.Name);
        LayeredGraph graph = LayeredGraph.Merge([x.Graph, m.Graph]);
        return Build<TElement>(name, outChunks, graph, [x.Name, m.Name], index =>
        {
            int[] block = new int[x.NDim];
            block[0] = index[0];
            int[] maskBlock = rows ? [index[0]] : block;
            return Node.Call(BlockFunctions<TElement>.SelectWhere, Node.Ref(x.BlockKey(block)), Node.Ref(m.BlockKey(maskBlock)));
        }, fusable: false);
    }

    /// <summary>Indexes the array like NumPy (lazily); see the indexer.</summary>
    /// <param name="index">The index items.</param>
    /// <returns>The lazy selection.</returns>
    public DArray<TElement> Slice(params Ix[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        Ix[] full = Shapes.ExpandIndex("getitem", index, NDim);
        int fancy = Array.FindIndex(full, ix => ix.Kind is IxKind.Array or IxKind.Mask);
        if (fancy >= 0)
        {
            if (Array.FindLastIndex(full, ix => ix.Kind is IxKind.Array or IxKind.Mask) != fancy)
            {
                throw new NotSupportedException("getitem: only one integer-array or boolean index per indexing operation is supported; index in two steps.");
            }

            Ix f = full[fancy];
            full[fancy] = Ix.All;
            DArray<TElement> basic = Slice(full);
            int outAxis = full.Take(fancy).Count(ix => ix.Kind != IxKind.Index);
            return basic.TakeAxis(f, outAxis);
        }

        if (full.All(ix => ix.Kind == IxKind.Slice && ix.Start is null && ix.Stop is null && ix.Step == 1))
        {
            return this;
        }

        RequireKnownChunks("getitem");
        if (_sliceThrough is not null && TesseraConfig.Get("array.slice-through", true) && _sliceThrough(full) is { } pushed)
        {
            return pushed;
        }

        long[] shape = ShapeArray;

        // Per index item: the pieces (input block, local index, output length); integers drop the axis.
        var plans = new List<(int InputAxis, List<(int Block, Ix Local, int Length)> Pieces, bool Output)>();
        int axis = 0;
        foreach (Ix ix in full)
        {
            switch (ix.Kind)
            {
                case IxKind.NewAxis:
                    plans.Add((-1, [(0, Ix.NewAxis, 1)], true));
                    break;
                case IxKind.Index:
                {
                    long k = Shapes.CheckInteger("getitem", ix.Start!.Value, shape[axis], axis);
                    long[] starts = Chunking.Starts(_chunks[axis]);
                    int b = Array.FindLastIndex(starts, s => s <= k);
                    while (_chunks[axis][b] == 0 || k >= starts[b] + _chunks[axis][b])
                    {
                        b--;
                    }

                    plans.Add((axis, [(b, Ix.At((int)(k - starts[b])), 0)], false));
                    axis++;
                    break;
                }

                default:
                    plans.Add((axis, SlicePieces(_chunks[axis], ix), true));
                    axis++;
                    break;
            }
        }

        int[][] outChunks = [.. plans.Where(p => p.Output).Select(p => p.Pieces.Select(x => x.Length).ToArray())];
        string name = NewName("getitem", Name, full.Select(i => i.ToString()).ToArray());
        var outputPlans = plans.Select((p, i) => (p, i)).Where(t => t.p.Output).ToList();
        return Build<TElement>(name, outChunks, Graph, [Name], outIndex =>
        {
            var src = new int[NDim];
            var local = new Ix[plans.Count];
            int o = 0;
            for (int i = 0; i < plans.Count; i++)
            {
                (int inputAxis, List<(int Block, Ix Local, int Length)> pieces, bool output) = plans[i];
                (int block, Ix l, _) = output ? pieces[outIndex[o++]] : pieces[0];
                local[i] = l;
                if (inputAxis >= 0)
                {
                    src[inputAxis] = block;
                }
            }

            return Node.Call(BlockFunctions<TElement>.GetItem, Node.Ref(BlockKey(src)), Node.Literal(local));
        }, fusable: true);
    }

    private static List<(int Block, Ix Local, int Length)> SlicePieces(int[] chunks, Ix ix)
    {
        long length = chunks.Sum(c => (long)c);
        (long start, long step, long count) = ix.Resolve(length);
        long[] starts = Chunking.Starts(chunks);
        var pieces = new List<(int, Ix, int)>();
        if (count == 0)
        {
            pieces.Add((0, Ix.S(0, 0), 0));
            return pieces;
        }

        IEnumerable<int> blocks = step > 0 ? Enumerable.Range(0, chunks.Length) : Enumerable.Range(0, chunks.Length).Reverse();
        foreach (int b in blocks)
        {
            long s = starts[b], e = starts[b] + chunks[b];
            long m0, m1;
            if (step > 0)
            {
                m0 = Math.Max(0, CeilDiv(s - start, step));
                m1 = Math.Min(count - 1, FloorDiv(e - 1 - start, step));
            }
            else
            {
                long st = -step;
                m0 = Math.Max(0, CeilDiv(start - (e - 1), st));
                m1 = Math.Min(count - 1, FloorDiv(start - s, st));
            }

            if (m1 < m0)
            {
                continue;
            }

            int n = (int)(m1 - m0 + 1);
            long localStart = start + (m0 * step) - s;
            long localLast = localStart + ((n - 1) * step);
            long stop = step > 0 ? localLast + 1 : localLast - 1;
            pieces.Add((b, Ix.S((int)localStart, stop < 0 ? null : (int)stop, (int)step), n));
        }

        return pieces;
    }

    private static long CeilDiv(long a, long b) => a >= 0 ? (a + b - 1) / b : -(-a / b);

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private DArray<TElement> TakeAxis(Ix ix, int axis)
    {
        RequireKnownChunks("getitem");
        long length = ShapeArray[axis];
        long[] indices;
        if (ix.Kind == IxKind.Mask)
        {
            if (ix.Mask.Length != length)
            {
                throw new ArgumentException($"getitem: boolean index of length {ix.Mask.Length} does not match axis {axis} of length {length} (shape {Shapes.Format(ShapeArray)}).");
            }

            indices = [.. Enumerable.Range(0, ix.Mask.Length).Where(i => ix.Mask[i]).Select(i => (long)i)];
        }
        else
        {
            indices = [.. ix.Indices.Select(i => Shapes.CheckInteger("getitem", i, length, axis))];
        }

        // Runs of consecutive indices that fall in one input block become one output block.
        long[] starts = Chunking.Starts(_chunks[axis]);
        var runs = new List<(int Block, List<long> Local)>();
        foreach (long i in indices)
        {
            int b = Array.FindLastIndex(starts, s => s <= i);
            while (_chunks[axis][b] == 0)
            {
                b--;
            }

            if (runs.Count == 0 || runs[^1].Block != b)
            {
                runs.Add((b, []));
            }

            runs[^1].Local.Add(i - starts[b]);
        }

        if (runs.Count == 0)
        {
            runs.Add((0, []));
        }

        int[][] chunks = [.. _chunks.Select((c, a) => a == axis ? runs.Select(r => r.Local.Count).ToArray() : c)];
        string name = NewName("take", Name, axis, indices);
        return Build<TElement>(name, chunks, Graph, [Name], index =>
        {
            int[] src = (int[])index.Clone();
            (int block, List<long> local) = runs[index[axis]];
            src[axis] = block;
            return Node.Call(BlockFunctions<TElement>.Take, Node.Ref(BlockKey(src)), Node.Literal(local.ToArray()), Node.Literal(axis));
        }, fusable: true);
    }

    /// <summary>Changes the block lengths (Dask's <c>rechunk</c>); axes a dictionary spec leaves out keep their chunks.</summary>
    /// <param name="chunks">The new chunks, in any form <see cref="ChunkSpec"/> accepts.</param>
    /// <returns>The lazy result (this array when nothing changes).</returns>
    public DArray<TElement> Rechunk(ChunkSpec chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        long[] shape = ShapeArray;
        int[][] target = Chunking.Normalize("rechunk", chunks, shape, DType.ItemSize(), _chunks);
        if (target.Length != NDim)
        {
            throw new ArgumentException($"rechunk: chunks {chunks} have {target.Length} dimensions but the array has {NDim}.", nameof(chunks));
        }

        if (target.Select((c, a) => c.AsSpan().SequenceEqual(_chunks[a])).All(b => b))
        {
            return this;
        }

        RequireKnownChunks("rechunk");
        CheckSums(target);
        bool split = RechunkPlan.SplitPieces();
        DArray<TElement> result = this;
        foreach (int[][] stage in split ? RechunkPlan.PlanStaged(_chunks, target, DType.ItemSize()) : RechunkPlan.Plan(_chunks, target, DType.ItemSize()))
        {
            result = result.RechunkDirect(stage, split);
        }

        result._rechunkOf = _rechunkOf ?? this;
        return result;
    }

    private void CheckSums(int[][] target)
    {
        for (int a = 0; a < NDim; a++)
        {
            if (target[a].Sum(x => (long)x) != ShapeArray[a])
            {
                throw new ArgumentException($"rechunk: chunks {ChunkSpec.Describe(target[a])} on axis {a} do not add up to the axis length {ShapeArray[a]}.");
            }
        }
    }

    /// <summary>
    /// One stage: each output block gathers the intersecting pieces of the input blocks it overlaps.
    /// A piece is cut inside the merge task, or, with <paramref name="split"/>, by a task of its own
    /// that returns a compact copy (Dask's <c>rechunk-split</c>): then a merge task's inputs are its
    /// output block's bytes, not the whole input blocks, which is what travels between workers.
    /// </summary>
    private DArray<TElement> RechunkDirect(int[][] target, bool split)
    {
        List<(int Block, int Start, int Stop)>[][] pieces = [.. Enumerable.Range(0, NDim).Select(a => Chunking.Intersect(_chunks[a], target[a]))];
        string name = NewName("rechunk-merge", Name, target.Select(c => string.Join(",", c)).ToArray(), split);
        string splitName = NewName("rechunk-split", Name, target.Select(c => string.Join(",", c)).ToArray());
        var splits = new TaskGraph();
        DArray<TElement> merged = Build<TElement>(name, target, Graph, split ? [Name, splitName] : [Name], index =>
        {
            int[] grid = [.. index.Select((b, a) => pieces[a][b].Count)];
            var nodes = new List<Node>();
            foreach (int[] p in BlockIndices(grid))
            {
                var src = new int[NDim];
                var local = new Ix[NDim];
                bool whole = true;
                for (int a = 0; a < NDim; a++)
                {
                    (int block, int start, int stop) = pieces[a][index[a]][p[a]];
                    src[a] = block;
                    local[a] = Ix.S(start, stop);
                    whole &= start == 0 && stop == _chunks[a][block];
                }

                if (whole)
                {
                    nodes.Add(Node.Ref(BlockKey(src)));
                }
                else if (split)
                {
                    var pieceKey = new Key(splitName, [.. index, .. p]);
                    splits.TryAdd(pieceKey, Node.Call(BlockFunctions<TElement>.SplitPiece, Node.Ref(BlockKey(src)), Node.Literal(local)));
                    nodes.Add(Node.Ref(pieceKey));
                }
                else
                {
                    nodes.Add(Node.Call(BlockFunctions<TElement>.GetItem, Node.Ref(BlockKey(src)), Node.Literal(local)));
                }
            }

            if (nodes.Count == 1 && nodes[0] is RefNode)
            {
                return Node.Call(BlockFunctions<TElement>.GetItem, nodes[0], Node.Literal(Array.Empty<Ix>()));
            }

            return Node.Call(BlockFunctions<TElement>.Merge, Node.List<NDArray<TElement>>([.. nodes]), Node.Literal(grid));
        }, fusable: false);
        if (splits.Count == 0)
        {
            return merged;
        }

        // The merge layer was built first (its blocks name the pieces); the pieces' layer goes below it.
        LayeredGraph graph = Graph.With(new BlockLayer(splitName, splits, fusable: false), Name)
            .With(merged.Graph[name], [Name, splitName]);
        return new DArray<TElement>(graph, name, target);
    }

    /// <summary>Gives the array another shape with the same elements in C order (Dask's rules: blocks are rechunked so that each holds whole rows of the result).</summary>
    /// <param name="shape">The new shape; one entry may be -1.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Reshape(params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        RequireKnownChunks("reshape");
        long[] target = Shapes.ResolveReshape("reshape", ShapeArray, shape);
        if (target.AsSpan().SequenceEqual(ShapeArray))
        {
            return this;
        }

        long inInner = NDim <= 1 ? 1 : ShapeArray[1..].Aggregate(1L, (p, d) => p * d);
        long outInner = target.Length <= 1 ? 1 : target[1..].Aggregate(1L, (p, d) => p * d);
        if (NDim == 0 || target.Length == 0 || inInner == 0 || outInner == 0)
        {
            DArray<TElement> one = Rechunk(-1);
            int[] s = [.. target.Select(d => (int)d)];
            return Build<TElement>(NewName("reshape", one.Name, target), [.. s.Select(d => new[] { d })], one.Graph, [one.Name],
                _ => Node.Call(BlockFunctions<TElement>.Reshape, Node.Ref(one.BlockKey(new int[one.NDim])), Node.Literal(s)), fusable: true);
        }

        long lcm = inInner / Gcd(inInner, outInner) * outInner;
        long unit = lcm / inInner;
        long rows = ShapeArray[0];
        long preferred = Math.Max(unit, _chunks[0].Max() / unit * unit);
        int[] axis0 = Chunking.BlockDims(rows, preferred);
        foreach (int c in axis0[..^1])
        {
            if (c % unit != 0)
            {
                throw new ArgumentException($"reshape: cannot reshape {Shapes.Format(ShapeArray)} into {Shapes.Format(target)} blockwise.");
            }
        }

        int[][] inChunks = [axis0, .. ShapeArray[1..].Select(d => new[] { (int)d })];
        DArray<TElement> aligned = Rechunk(inChunks);
        int[] outAxis0 = [.. axis0.Select(c => (int)(c * inInner / outInner))];
        int[][] outChunks = [outAxis0, .. target[1..].Select(d => new[] { (int)d })];
        string name = NewName("reshape", aligned.Name, target);
        return Build<TElement>(name, outChunks, aligned.Graph, [aligned.Name], index =>
        {
            int[] blockShape = [outAxis0[index[0]], .. target[1..].Select(d => (int)d)];
            var src = new int[NDim];
            src[0] = index[0];
            return Node.Call(BlockFunctions<TElement>.Reshape, Node.Ref(aligned.BlockKey(src)), Node.Literal(blockShape));
        }, fusable: true);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>Flattens to one dimension in C order.</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Ravel() => Reshape(-1);

    /// <summary>Inserts an axis of length 1.</summary>
    /// <param name="axis">Where the new axis goes.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> ExpandDims(int axis)
    {
        int a = Shapes.NormalizeAxis("expand_dims", axis, NDim + 1);
        var index = new Ix[NDim + 1];
        Array.Fill(index, Ix.All);
        index[a] = Ix.NewAxis;
        return Slice(index);
    }

    /// <summary>Removes axes of length 1.</summary>
    /// <param name="axes">The axes; empty removes every axis of length 1.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Squeeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        long[] shape = ShapeArray;
        int[] drop = axes.Length == 0 ? [.. Enumerable.Range(0, NDim).Where(i => shape[i] == 1)] : Shapes.NormalizeAxes("squeeze", axes, NDim);
        var index = new Ix[NDim];
        for (int i = 0; i < NDim; i++)
        {
            if (Array.IndexOf(drop, i) >= 0)
            {
                if (shape[i] != 1)
                {
                    throw new ArgumentException($"squeeze: cannot select axis {i} of shape {Shapes.Format(shape)}: its length is not 1.", nameof(axes));
                }

                index[i] = 0;
            }
            else
            {
                index[i] = Ix.All;
            }
        }

        return drop.Length == 0 ? this : Slice(index);
    }

    /// <summary>Computes the length of every block and returns the same array with known chunks (needed after operations with data-dependent sizes).</summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <returns>The array with known chunks.</returns>
    public DArray<TElement> ComputeChunkSizes(IScheduler? scheduler = null)
    {
        if (!HasUnknownChunks)
        {
            return this;
        }

        string name = NewName("chunk-shape", Name);
        var tasks = new TaskGraph();
        var keys = new List<Key>();
        foreach (int[] index in BlockIndices(NumBlocksArray))
        {
            var k = new Key(name, index);
            tasks.TryAdd(k, Node.Call(BlockFunctions<TElement>.Shape, Node.Ref(BlockKey(index))));
            keys.Add(k);
        }

        TaskGraph graph = Graph.ToTaskGraph();
        foreach (KeyValuePair<Key, Node> kv in tasks)
        {
            graph.TryAdd(kv.Key, kv.Value);
        }

        object?[] shapes = (scheduler ?? Schedulers.Default).Get(graph, keys);
        int[] nb = NumBlocksArray;
        int[] strides = Shapes.CStrides(nb);
        int[][] chunks = new int[NDim][];
        for (int a = 0; a < NDim; a++)
        {
            chunks[a] = new int[nb[a]];
            for (int i = 0; i < nb[a]; i++)
            {
                chunks[a][i] = ((int[])shapes[i * strides[a]]!)[a];
            }
        }

        return new DArray<TElement>(Graph, Name, chunks);
    }
}
