using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>How <see cref="DArray{TElement}.MapOverlap{TOut}"/> extends the outer blocks of an array.</summary>
public enum Boundary
{
    /// <summary>Mirror including the edge element: <c>1 0 | 0 1 … 8 9 | 9 8</c> (Dask's "reflect").</summary>
    Reflect,

    /// <summary>Wrap around: the other end of the axis.</summary>
    Periodic,

    /// <summary>Repeat the edge element.</summary>
    Nearest,

    /// <summary>A constant value (the <c>constant</c> argument).</summary>
    Constant,

    /// <summary>No extension: outer blocks get a halo on their inner sides only.</summary>
    None,
}

/// <content>Blocks with halos from their neighbours (Dask's <c>map_overlap</c>).</content>
public sealed partial class DArray<TElement>
{
    /// <summary>
    /// Applies <paramref name="function"/> to every block extended by <paramref name="depth"/>
    /// elements from its neighbours along each axis (the array's outer edges extended by
    /// <paramref name="boundary"/>), then trims the halo: stencils and filters that need
    /// neighbouring values see them across block edges.
    /// </summary>
    /// <typeparam name="TOut">The result's element type.</typeparam>
    /// <param name="function">Maps an extended block to a result of the same shape; pure.</param>
    /// <param name="depth">The halo depth per axis (one value for every axis, or one per axis).</param>
    /// <param name="boundary">How the outer edges are extended.</param>
    /// <param name="constant">The value for <see cref="Boundary.Constant"/>.</param>
    /// <returns>The lazy result, chunked like this array.</returns>
    public DArray<TOut> MapOverlap<TOut>(Func<NDArray<TElement>, NDArray<TOut>> function, int[] depth, Boundary boundary = Boundary.Reflect, TElement constant = default)
        where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(depth);
        RequireKnownChunks("map_overlap");
        int[] d = depth.Length == 1 ? [.. Enumerable.Repeat(depth[0], NDim)] : depth;
        if (d.Length != NDim || d.Any(x => x < 0))
        {
            throw new ArgumentException($"map_overlap: depth ({string.Join(", ", depth)}) must give one non-negative value per axis of the {NDim}-D array.", nameof(depth));
        }

        for (int a = 0; a < NDim; a++)
        {
            if (d[a] > 0 && _chunks[a].Any(c => c < d[a]))
            {
                throw new ArgumentException(
                    $"map_overlap: depth {d[a]} on axis {a} is larger than a chunk of ({string.Join(", ", _chunks[a])}); rechunk to chunks of at least {d[a]} first.", nameof(depth));
            }
        }

        // 1. Extend the outer edges (as Dask's boundaries()): concatenate padding slabs, then fold
        //    them into the first and last blocks so the block grid stays the same.
        DArray<TElement> padded = this;
        bool none = boundary == Boundary.None;
        for (int a = 0; a < NDim && !none; a++)
        {
            if (d[a] == 0)
            {
                continue;
            }

            (DArray<TElement> left, DArray<TElement> right) = Pads(padded, a, d[a], boundary, constant);
            padded = DArray.Concatenate([left, padded, right], a);
            int[] folded = (int[])_chunks[a].Clone();
            folded[0] += d[a];
            folded[^1] += d[a];
            padded = padded.Rechunk(padded._chunks.Select((c, i) => i == a ? folded : c).ToArray());
        }

        // 2. Internal overlap: each block gathers the last d of its left neighbour and the first d of its right one.
        int[][] pc = padded._chunks;
        int[] nb = NumBlocksArray;
        int[][] extended = [.. pc.Select((c, a) => c.Select((len, i) => len + (i > 0 ? d[a] : 0) + (i < c.Length - 1 ? d[a] : 0)).ToArray())];
        string overlapName = NewName("overlap", padded.Name, d, boundary.ToString());
        DArray<TElement> overlapped = Build<TElement>(overlapName, extended, padded.Graph, [padded.Name], index =>
        {
            var perAxis = new List<(int Offset, Ix Slice)>[NDim];
            for (int a = 0; a < NDim; a++)
            {
                var pieces = new List<(int, Ix)>();
                if (index[a] > 0 && d[a] > 0)
                {
                    int len = pc[a][index[a] - 1];
                    pieces.Add((-1, Ix.S(len - d[a], len)));
                }

                pieces.Add((0, Ix.All));
                if (index[a] < nb[a] - 1 && d[a] > 0)
                {
                    pieces.Add((1, Ix.S(0, d[a])));
                }

                perAxis[a] = pieces;
            }

            int[] grid = [.. perAxis.Select(p => p.Count)];
            var nodes = new List<Node>();
            foreach (int[] g in BlockIndices(grid))
            {
                var src = new int[NDim];
                var local = new Ix[NDim];
                for (int a = 0; a < NDim; a++)
                {
                    (int offset, Ix slice) = perAxis[a][g[a]];
                    src[a] = index[a] + offset;
                    local[a] = slice;
                }

                nodes.Add(Node.Call(BlockFunctions<TElement>.GetItem, Node.Ref(padded.BlockKey(src)), Node.Literal(local)));
            }

            return Node.Call(BlockFunctions<TElement>.Merge, Node.List<NDArray<TElement>>([.. nodes]), Node.Literal(grid));
        }, fusable: false);

        // 3. Apply, then trim the halo (outer sides carry the boundary padding, except with None).
        DArray<TOut> mapped = overlapped.MapBlocks(function, extended, "map-overlap");
        string trimName = NewName("trim", mapped.Name, d);
        return DArray<TOut>.Build<TOut>(trimName, _chunks, mapped.Graph, [mapped.Name], index =>
        {
            var local = new Ix[NDim];
            for (int a = 0; a < NDim; a++)
            {
                int start = index[a] > 0 || !none ? d[a] : 0;
                local[a] = Ix.S(start, start + _chunks[a][index[a]]);
            }

            return Node.Call(BlockFunctions<TOut>.GetItem, Node.Ref(mapped.BlockKey(index)), Node.Literal(local));
        }, fusable: true);
    }

    private static (DArray<TElement> Left, DArray<TElement> Right) Pads(DArray<TElement> x, int axis, int depth, Boundary boundary, TElement constant)
    {
        long n = x.ShapeArray[axis];
        Ix[] Index(Ix ix)
        {
            var index = Enumerable.Repeat(Ix.All, x.NDim).ToArray();
            index[axis] = ix;
            return index;
        }

        switch (boundary)
        {
            case Boundary.Reflect:
                return (x[Index(Ix.S(depth - 1, null, -1))][Index(Ix.S(0, depth))], x[Index(Ix.S((int)n - 1, (int)n - depth - 1 < 0 ? null : (int)n - depth - 1, -1))]);
            case Boundary.Periodic:
                return (x[Index(Ix.S((int)n - depth, null))], x[Index(Ix.S(0, depth))]);
            case Boundary.Nearest:
                return (x[Index(Ix.Take(Enumerable.Repeat(0L, depth)))], x[Index(Ix.Take(Enumerable.Repeat(n - 1, depth)))]);
            default:
                long[] shape = x.ShapeArray;
                shape[axis] = depth;
                int[][] chunks = [.. x._chunks.Select((c, a) => a == axis ? new[] { depth } : c)];
                DArray<TElement> c = DArray.Full(constant, shape, chunks);
                return (c, c);
        }
    }
}
