using System.Numerics;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>Creating and combining chunked arrays (Dask's <c>dask.array</c> module functions).</summary>
public static partial class DArray
{
    private static int[] ToIntShape(string op, long[] shape)
    {
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"{op}: negative dimensions are not allowed in shape {Shapes.Format(shape)}.", nameof(shape));
            }
        }

        return [.. shape.Select(d => (int)Math.Min(d, int.MaxValue))];
    }

    /// <summary>Wraps an in-memory array as a chunked array; each block is a view of it.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The array.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> FromArray<T>(NDArray<T> source, ChunkSpec? chunks = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        long[] shape = Shapes.ToLong(source.ShapeArray);
        int[][] c = Chunking.Normalize("from_array", chunks ?? ChunkSpec.Auto, shape, source.ItemSize);
        string token = Tokenizer.Tokenize(source, c.Select(x => string.Join(",", x)).ToArray());
        string original = "array-original-" + token;
        var tasks = new TaskGraph { [original] = Node.Literal(source) };
        LayeredGraph graph = LayeredGraph.FromLayer(new MaterializedLayer(original, tasks));
        long[][] starts = [.. c.Select(Chunking.Starts)];
        return DArray<T>.Build<T>("array-" + token, c, graph, [original], index =>
        {
            var ix = new Ix[index.Length];
            for (int a = 0; a < index.Length; a++)
            {
                int s = (int)starts[a][index[a]];
                ix[a] = Ix.S(s, s + c[a][index[a]]);
            }

            return Node.Call(BlockFunctions<T>.FromSource, Node.Ref(original), Node.Literal(ix));
        }, fusable: true);
    }

    /// <summary>Wraps a C-ordered buffer of the given shape as a chunked array.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">The elements in C order.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> FromArray<T>(T[] data, int[] shape, ChunkSpec? chunks = null)
        where T : unmanaged => FromArray(NDArray<T>.FromArray(data, shape), chunks);

    /// <summary>A chunked array with every element equal to <paramref name="value"/> (blocks are broadcast views, no memory per element).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> Full<T>(T value, long[] shape, ChunkSpec? chunks = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        ToIntShape("full", shape);
        int[][] c = Chunking.Normalize("full", chunks ?? ChunkSpec.Auto, shape, DTypes.Of<T>().ItemSize());
        string name = DArray<T>.NewName("full", value, shape, c.Select(x => string.Join(",", x)).ToArray(), DTypes.Of<T>());
        return DArray<T>.Build<T>(name, c, LayeredGraph.Empty, [], index =>
            Node.Call(BlockFunctions<T>.Full, Node.Literal<T>(value), Node.Literal(index.Select((b, a) => c[a][b]).ToArray())), fusable: true);
    }

    /// <summary>A chunked array of ones.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> Ones<T>(long[] shape, ChunkSpec? chunks = null)
        where T : unmanaged => Full(Kernels.ElementOps<T>.Instance.One, shape, chunks);

    /// <summary>A chunked array of zeros.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> Zeros<T>(long[] shape, ChunkSpec? chunks = null)
        where T : unmanaged => Full(default(T), shape, chunks);

    /// <summary>A chunked array whose contents do not matter (zeros here, like a fresh NumPy buffer).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> Empty<T>(long[] shape, ChunkSpec? chunks = null)
        where T : unmanaged => Zeros<T>(shape, chunks);

    /// <summary>Evenly spaced values in [start, stop), computed per block.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="start">The first value.</param>
    /// <param name="stop">The end (exclusive).</param>
    /// <param name="step">The spacing.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> Arange<T>(double start, double stop, double step = 1, ChunkSpec? chunks = null)
        where T : unmanaged
    {
        long n = NDArray.ArangeLength(start, stop, step);
        int[][] c = Chunking.Normalize("arange", chunks ?? ChunkSpec.Auto, [n], DTypes.Of<T>().ItemSize());
        long[] starts = Chunking.Starts(c[0]);
        string name = DArray<T>.NewName("arange", start, stop, step, string.Join(",", c[0]), DTypes.Of<T>());
        return DArray<T>.Build<T>(name, c, LayeredGraph.Empty, [], index =>
            Node.Call(CreationFunctions<T>.Arange, Node.Literal(start), Node.Literal(step), Node.Literal(starts[index[0]]), Node.Literal(c[0][index[0]])), fusable: true);
    }

    /// <summary><paramref name="num"/> evenly spaced values over [start, stop], computed per block.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="stop">The last value (included when <paramref name="endpoint"/>).</param>
    /// <param name="num">How many values.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <param name="endpoint">Whether <paramref name="stop"/> is included.</param>
    /// <returns>The chunked array.</returns>
    public static DArray<double> Linspace(double start, double stop, int num = 50, ChunkSpec? chunks = null, bool endpoint = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        int[][] c = Chunking.Normalize("linspace", chunks ?? ChunkSpec.Auto, [num], sizeof(double));
        double div = endpoint ? num - 1 : num;
        double step = div > 0 ? (stop - start) / div : 0;
        long[] starts = Chunking.Starts(c[0]);
        string name = DArray<double>.NewName("linspace", start, stop, num, endpoint, string.Join(",", c[0]));
        DArray<double> r = DArray<double>.Build<double>(name, c, LayeredGraph.Empty, [], index =>
            Node.Call(CreationFunctions<double>.Linspace, Node.Literal(start), Node.Literal(step), Node.Literal(starts[index[0]]), Node.Literal(c[0][index[0]])), fusable: true);
        return r;
    }

    /// <summary>A 2-D chunked array with ones on a diagonal.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="n">Rows.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <param name="m">Columns (default <paramref name="n"/>).</param>
    /// <param name="k">The diagonal: 0 the main one, positive above.</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> Eye<T>(long n, ChunkSpec? chunks = null, long? m = null, long k = 0)
        where T : unmanaged
    {
        long cols = m ?? n;
        int[][] c = Chunking.Normalize("eye", chunks ?? ChunkSpec.Auto, [n, cols], DTypes.Of<T>().ItemSize());
        long[][] starts = [.. c.Select(Chunking.Starts)];
        string name = DArray<T>.NewName("eye", n, cols, k, c.Select(x => string.Join(",", x)).ToArray(), DTypes.Of<T>());
        return DArray<T>.Build<T>(name, c, LayeredGraph.Empty, [], index =>
            Node.Call(CreationFunctions<T>.Eye, Node.Literal(starts[0][index[0]]), Node.Literal(starts[1][index[1]]),
                Node.Literal(c[0][index[0]]), Node.Literal(c[1][index[1]]), Node.Literal(k)), fusable: true);
    }

    /// <summary>A chunked array whose elements are computed from their (global) index.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="function">Computes the element at an index; pure.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="chunks">The chunks (default "auto").</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> FromFunction<T>(Func<long[], T> function, long[] shape, ChunkSpec? chunks = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(shape);
        ToIntShape("fromfunction", shape);
        int[][] c = Chunking.Normalize("fromfunction", chunks ?? ChunkSpec.Auto, shape, DTypes.Of<T>().ItemSize());
        long[][] starts = [.. c.Select(Chunking.Starts)];
        string name = DArray<T>.NewName("fromfunction", Tokenizer.Tokenize(function), shape, c.Select(x => string.Join(",", x)).ToArray());
        return DArray<T>.Build<T>(name, c, LayeredGraph.Empty, [], index =>
            Node.Call(CreationFunctions<T>.FromFunction, Node.Literal(function),
                Node.Literal(index.Select((b, a) => starts[a][b]).ToArray()), Node.Literal(index.Select((b, a) => c[a][b]).ToArray())), fusable: true);
    }

    /// <summary>A one-block chunked array computed by a lazy value (Dask's <c>from_delayed</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="value">The lazy block.</param>
    /// <param name="shape">Its shape; -1 marks a length not known in advance (see <see cref="DArray{TElement}.ComputeChunkSizes"/>).</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> FromDelayed<T>(Delayed<NDArray<T>> value, long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(shape);
        TaskGraph g = value.ToGraph();
        string source = "from-delayed-source-" + Tokenizer.Tokenize(value.Key);
        LayeredGraph graph = LayeredGraph.FromLayer(new MaterializedLayer(source, g));
        int[][] chunks = [.. shape.Select(d => new[] { (int)d })];
        string name = "from-delayed-" + Tokenizer.Tokenize(value.Key, shape);
        return DArray<T>.Build<T>(name, chunks, graph, [source], _ =>
            Node.Call(BlockFunctions<T>.GetItem, Node.Ref(value.Key), Node.Literal(Array.Empty<Ix>())), fusable: false);
    }

    /// <summary>
    /// A chunked array read block by block from an array stored elsewhere (Dask's <c>from_array</c>
    /// over an array-like, such as an HDF5 dataset). By default the blocks are "auto" sized and
    /// aligned with the storage's own chunks.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The stored array.</param>
    /// <param name="chunks">The chunks (default "auto", in multiples of <see cref="IArraySource{T}.StorageChunks"/>).</param>
    /// <returns>The chunked array.</returns>
    public static DArray<T> FromSource<T>(IArraySource<T> source, ChunkSpec? chunks = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        long[] shape = [.. source.Shape];
        ToIntShape("from_array", shape);
        int[][]? previous = source.StorageChunks is { } sc && sc.Count == shape.Length
            ? [.. shape.Select((n, a) => Chunking.BlockDims(n, Math.Max(1, sc[a])))]
            : null;
        int[][] c = Chunking.Normalize("from_array", chunks ?? ChunkSpec.Auto, shape, DTypes.Of<T>().ItemSize(), previous);
        long[][] starts = [.. c.Select(Chunking.Starts)];
        string name = DArray<T>.NewName("from-array", source.Token, shape, c.Select(x => string.Join(",", x)).ToArray());
        return DArray<T>.Build<T>(name, c, LayeredGraph.Empty, [], index =>
            Node.Call(CreationFunctions<T>.FromSource, Node.Literal(source),
                Node.Literal(index.Select((b, a) => starts[a][b]).ToArray()), Node.Literal(index.Select((b, a) => c[a][b]).ToArray())), fusable: false);
    }

    /// <summary>Opens a Zarr v2 or v3 directory store as a chunked array (one block per Zarr chunk); missing chunks read as the fill value.</summary>
    /// <typeparam name="T">The element type; it must match the store's dtype.</typeparam>
    /// <param name="path">The store's directory.</param>
    /// <returns>The chunked array.</returns>
    /// <exception cref="InvalidDataException">The metadata is malformed (the message names the file); a corrupt chunk fails its task, naming the chunk file.</exception>
    public static DArray<T> FromZarr<T>(string path)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        Zarr.Meta meta = Zarr.ReadMeta(full);
        if (meta.DType != DTypes.Of<T>())
        {
            throw new ArgumentException($"from_zarr: {full} holds {meta.DType.NumPyName()}, not {DTypes.Of<T>().NumPyName()}; open it as DArray.FromZarr<{meta.DType.ClrType().Name}>.", nameof(path));
        }

        int[][] chunks = [.. meta.Shape.Select((n, a) => Chunking.BlockDims(n, meta.Chunks[a]))];
        // The name follows the data: the store's files with their sizes and times (see Zarr.StoreToken).
        string name = DArray<T>.NewName("from-zarr", full, meta.Format, meta.Shape, meta.Chunks, meta.Codec?.Spec, Zarr.StoreToken(full));
        return DArray<T>.Build<T>(name, chunks, LayeredGraph.Empty, [], index =>
            Node.Call(ZarrFunctions<T>.Read, Node.Literal(full), Node.Literal(Zarr.ChunkKey(meta, index)), Node.Literal(meta.Chunks),
                Node.Literal(index.Select((b, a) => chunks[a][b]).ToArray()), Node.Literal(meta.Codec?.Spec), Node.Literal(meta.Fill)), fusable: false);
    }

    /// <summary>Chooses elementwise between two arrays (NumPy's <c>where</c>), with broadcasting.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="condition">Where true, take <paramref name="x"/>.</param>
    /// <param name="x">Values where the condition holds.</param>
    /// <param name="y">Values elsewhere.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<T> Where<T>(DArray<bool> condition, DArray<T> x, DArray<T> y)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return DArray<T>.Elementwise<T>("where", BlockFunctions<T>.Where, [condition, x, y], []);
    }

    /// <summary>Joins arrays along an existing axis; chunks along the other axes are unified.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="arrays">The arrays.</param>
    /// <param name="axis">The axis.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<T> Concatenate<T>(IReadOnlyList<DArray<T>> arrays, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count == 0)
        {
            throw new ArgumentException("concatenate: need at least one array to concatenate.", nameof(arrays));
        }

        int ndim = arrays[0].NDim;
        int ax = Shapes.NormalizeAxis("concatenate", axis, ndim);
        foreach (DArray<T> a in arrays)
        {
            for (int d = 0; d < ndim; d++)
            {
                if (a.NDim != ndim || (d != ax && a.ShapeArray[d] != arrays[0].ShapeArray[d]))
                {
                    throw new ArgumentException(
                        $"concatenate: all the input array dimensions except for the concatenation axis must match exactly; got {Shapes.Format(arrays[0].ShapeArray)} and {Shapes.Format(a.ShapeArray)} (axis {ax}).",
                        nameof(arrays));
                }
            }
        }

        var target = new int[ndim][];
        for (int d = 0; d < ndim; d++)
        {
            if (d != ax)
            {
                target[d] = Chunking.Common("concatenate", [.. arrays.Select(a => a.ChunksArray[d])]);
            }
        }

        var aligned = arrays.Select(a =>
        {
            int[][] t = [.. target.Select((c, d) => d == ax ? a.ChunksArray[ax] : c)];
            return t.Select((c, d) => c.AsSpan().SequenceEqual(a.ChunksArray[d])).All(b => b) ? a : a.Rechunk(t);
        }).ToList();
        target[ax] = [.. aligned.SelectMany(a => a.ChunksArray[ax])];
        var owner = new List<(int Array, int Block)>();
        for (int i = 0; i < aligned.Count; i++)
        {
            for (int b = 0; b < aligned[i].ChunksArray[ax].Length; b++)
            {
                owner.Add((i, b));
            }
        }

        string name = DArray<T>.NewName("concatenate", ax, aligned.Select(a => a.Name).ToArray());
        return DArray<T>.Build<T>(name, target, LayeredGraph.Merge(aligned.Select(a => a.Graph)), aligned.Select(a => a.Name), index =>
        {
            (int array, int block) = owner[index[ax]];
            int[] src = (int[])index.Clone();
            src[ax] = block;
            return Node.Ref(aligned[array].BlockKey(src));
        }, fusable: false);
    }

    /// <summary>Joins arrays of one shape along a new axis.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="arrays">The arrays.</param>
    /// <param name="axis">Where the new axis goes.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<T> Stack<T>(IReadOnlyList<DArray<T>> arrays, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arrays);
        int ax = Shapes.StackAxis([.. arrays.Select(a => a.ShapeArray)], axis);
        return Concatenate([.. arrays.Select(a => a.ExpandDims(ax))], ax);
    }

    /// <summary>Matrix product of two 2-D chunked arrays (Dask's <c>a @ b</c>): block (i, j) multiplies row i of a's blocks by column j of b's with OpenBLAS (or the managed kernel) and sums.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">An (m, k) array.</param>
    /// <param name="b">A (k, n) array.</param>
    /// <returns>The lazy (m, n) product.</returns>
    public static DArray<T> MatMul<T>(DArray<T> a, DArray<T> b)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.NDim != 2 || b.NDim != 2)
        {
            throw new ArgumentException($"matmul: both operands must be 2-D; got shapes {Shapes.Format(a.ShapeArray)} and {Shapes.Format(b.ShapeArray)}.");
        }

        if (a.ShapeArray[1] != b.ShapeArray[0])
        {
            throw new ArgumentException($"matmul: shapes {Shapes.Format(a.ShapeArray)} and {Shapes.Format(b.ShapeArray)} are not aligned: {a.ShapeArray[1]} (dim 1) != {b.ShapeArray[0]} (dim 0).");
        }

        int[] inner = Chunking.Common("matmul", [a.ChunksArray[1], b.ChunksArray[0]]);
        DArray<T> ar = a.ChunksArray[1].AsSpan().SequenceEqual(inner) ? a : a.Rechunk(new[] { a.ChunksArray[0], inner });
        DArray<T> br = b.ChunksArray[0].AsSpan().SequenceEqual(inner) ? b : b.Rechunk(new[] { inner, b.ChunksArray[1] });
        int kb = inner.Length;
        string name = DArray<T>.NewName("matmul", ar.Name, br.Name);
        return DArray<T>.Build<T>(name, [ar.ChunksArray[0], br.ChunksArray[1]], LayeredGraph.Merge(ar.Graph, br.Graph), [ar.Name, br.Name], index =>
        {
            Node[] row = [.. Enumerable.Range(0, kb).Select(k => (Node)Node.Ref(ar.BlockKey([index[0], k])))];
            Node[] col = [.. Enumerable.Range(0, kb).Select(k => (Node)Node.Ref(br.BlockKey([k, index[1]])))];
            return Node.Call(MatMulFunctions<T>.Dot, Node.List<NDArray<T>>(row), Node.List<NDArray<T>>(col));
        }, fusable: false);
    }

    /// <summary>Sums products over pairs of axes (NumPy's <c>tensordot</c>): block (i…, j…) adds the tensordots of every pair of blocks along the contracted axes.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">The first array.</param>
    /// <param name="b">The second array.</param>
    /// <param name="axesA">The contracted axes of <paramref name="a"/>.</param>
    /// <param name="axesB">The matching axes of <paramref name="b"/>.</param>
    /// <returns>The lazy contraction: the free axes of <paramref name="a"/>, then those of <paramref name="b"/>.</returns>
    public static DArray<T> TensorDot<T>(DArray<T> a, DArray<T> b, int[] axesA, int[] axesB)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a.RequireKnownChunks("tensordot");
        b.RequireKnownChunks("tensordot");
        (int[] ca, int[] cb) = NDArray.TensorDotAxes("tensordot", a.ShapeArray, b.ShapeArray, axesA, axesB);
        int[][] ta = [.. a.ChunksArray], tb = [.. b.ChunksArray];
        for (int i = 0; i < ca.Length; i++)
        {
            int[] common = Chunking.Common("tensordot", [a.ChunksArray[ca[i]], b.ChunksArray[cb[i]]]);
            ta[ca[i]] = common;
            tb[cb[i]] = common;
        }

        DArray<T> ar = a.Rechunk(ta), br = b.Rechunk(tb);
        int[] fa = [.. Enumerable.Range(0, a.NDim).Where(i => !ca.Contains(i))];
        int[] fb = [.. Enumerable.Range(0, b.NDim).Where(i => !cb.Contains(i))];
        int[] contractedGrid = [.. ca.Select(i => ar.ChunksArray[i].Length)];
        int[][] outChunks = [.. fa.Select(i => ar.ChunksArray[i]), .. fb.Select(i => br.ChunksArray[i])];
        Node axesANode = Node.Literal(ca), axesBNode = Node.Literal(cb);
        string name = DArray<T>.NewName("tensordot", ar.Name, br.Name, ca, cb);
        return DArray<T>.Build<T>(name, outChunks, LayeredGraph.Merge(ar.Graph, br.Graph), [ar.Name, br.Name], index =>
        {
            var left = new List<Node>();
            var right = new List<Node>();
            foreach (int[] k in DArray<T>.BlockIndices(contractedGrid).DefaultIfEmpty([]))
            {
                var ia = new int[a.NDim];
                var ib = new int[b.NDim];
                for (int i = 0; i < fa.Length; i++)
                {
                    ia[fa[i]] = index[i];
                }

                for (int i = 0; i < fb.Length; i++)
                {
                    ib[fb[i]] = index[fa.Length + i];
                }

                for (int i = 0; i < ca.Length; i++)
                {
                    ia[ca[i]] = k[i];
                    ib[cb[i]] = k[i];
                }

                left.Add(Node.Ref(ar.BlockKey(ia)));
                right.Add(Node.Ref(br.BlockKey(ib)));
            }

            return Node.Call(MatMulFunctions<T>.TensorDotBlocks, Node.List<NDArray<T>>([.. left]), Node.List<NDArray<T>>([.. right]), axesANode, axesBNode);
        }, fusable: false);
    }

    /// <summary>Same as <see cref="MatMul{T}(DArray{T}, DArray{T})"/> (NumPy's <c>dot</c> for 2-D arrays).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">An (m, k) array.</param>
    /// <param name="b">A (k, n) array.</param>
    /// <returns>The lazy product.</returns>
    public static DArray<T> Dot<T>(DArray<T> a, DArray<T> b)
        where T : unmanaged, INumber<T> => MatMul(a, b);

    /// <summary>Random arrays with a seed: each block has its own reproducible stream (xoshiro256** seeded from the seed and the block's number), so results depend on the chunking, as in Dask.</summary>
    public static class Random
    {
        private static DArray<TOut> Build<TOut>(string op, long[] shape, ChunkSpec? chunks, ulong seed, TaskFunction fn, Node a, Node b, object?[] token)
            where TOut : unmanaged
        {
            ArgumentNullException.ThrowIfNull(shape);
            ToIntShape(op, shape);
            int[][] c = Chunking.Normalize(op, chunks ?? ChunkSpec.Auto, shape, DTypes.Of<TOut>().ItemSize());
            int[] nb = [.. c.Select(x => x.Length)];
            int[] strides = Shapes.CStrides(nb);
            string name = DArray<TOut>.NewName(op, [seed, shape, c.Select(x => string.Join(",", x)).ToArray(), .. token]);
            return DArray<TOut>.Build<TOut>(name, c, LayeredGraph.Empty, [], index =>
            {
                long block = 0;
                for (int d = 0; d < index.Length; d++)
                {
                    block += (long)index[d] * strides[d];
                }

                return Node.Call(fn, Node.Literal(seed), Node.Literal(block), Node.Literal(index.Select((bi, d) => c[d][bi]).ToArray()), a, b);
            }, fusable: true);
        }

        /// <summary>Uniform doubles in [<paramref name="low"/>, <paramref name="high"/>).</summary>
        /// <param name="shape">The shape.</param>
        /// <param name="chunks">The chunks (default "auto").</param>
        /// <param name="seed">The seed.</param>
        /// <param name="low">The lower bound.</param>
        /// <param name="high">The upper bound (exclusive).</param>
        /// <returns>The chunked array.</returns>
        public static DArray<double> Uniform(long[] shape, ChunkSpec? chunks = null, ulong seed = 0, double low = 0, double high = 1) =>
            Build<double>("uniform", shape, chunks, seed, RandomFunctions.Uniform, Node.Literal(low), Node.Literal(high), [low, high]);

        /// <summary>Uniform doubles in [0, 1) (Dask's <c>random_sample</c>).</summary>
        /// <param name="shape">The shape.</param>
        /// <param name="chunks">The chunks (default "auto").</param>
        /// <param name="seed">The seed.</param>
        /// <returns>The chunked array.</returns>
        public static DArray<double> RandomSample(long[] shape, ChunkSpec? chunks = null, ulong seed = 0) => Uniform(shape, chunks, seed);

        /// <summary>Normally distributed doubles.</summary>
        /// <param name="shape">The shape.</param>
        /// <param name="chunks">The chunks (default "auto").</param>
        /// <param name="seed">The seed.</param>
        /// <param name="loc">The mean.</param>
        /// <param name="scale">The standard deviation.</param>
        /// <returns>The chunked array.</returns>
        public static DArray<double> Normal(long[] shape, ChunkSpec? chunks = null, ulong seed = 0, double loc = 0, double scale = 1) =>
            Build<double>("normal", shape, chunks, seed, RandomFunctions.Normal, Node.Literal(loc), Node.Literal(scale), [loc, scale]);

        /// <summary>Uniform integers in [<paramref name="low"/>, <paramref name="high"/>).</summary>
        /// <param name="low">The lower bound.</param>
        /// <param name="high">The upper bound (exclusive).</param>
        /// <param name="shape">The shape.</param>
        /// <param name="chunks">The chunks (default "auto").</param>
        /// <param name="seed">The seed.</param>
        /// <returns>The chunked array.</returns>
        public static DArray<long> Integers(long low, long high, long[] shape, ChunkSpec? chunks = null, ulong seed = 0)
        {
            if (high <= low)
            {
                throw new ArgumentException($"integers: high ({high}) must be greater than low ({low}).", nameof(high));
            }

            return Build<long>("integers", shape, chunks, seed, RandomFunctions.Integers, Node.Literal(low), Node.Literal(high), [low, high]);
        }
    }
}
