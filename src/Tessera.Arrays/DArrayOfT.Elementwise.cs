using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <content>Elementwise operations with broadcasting and chunk unification.</content>
public sealed partial class DArray<TElement> : IDArray
{
    int[][] IDArray.ChunksArray => _chunks;

    long[] IDArray.ShapeArray => ShapeArray;

    IDArray IDArray.RechunkTo(int[][] chunks) => Rechunk(chunks);

    IDArray IDArray.SliceBy(Ix[] index) => Slice(index);

    Key IDArray.BlockKey(int[] index) => BlockKey(index);

    /// <summary>Applies a function blockwise to aligned inputs (broadcast, chunks unified).</summary>
    internal static DArray<TOut> Elementwise<TOut>(string op, TaskFunction function, IDArray[] inputs, Node[] extra, params object?[] tokenParts)
        where TOut : unmanaged
    {
        long[] shape = inputs[0].ShapeArray;
        for (int i = 1; i < inputs.Length; i++)
        {
            shape = Shapes.Broadcast(op, shape, inputs[i].ShapeArray);
        }

        int n = shape.Length;
        var outChunks = new int[n][];
        for (int a = 0; a < n; a++)
        {
            var participating = new List<int[]>();
            foreach (IDArray x in inputs)
            {
                int j = a - (n - x.NDim);
                if (j >= 0 && !(x.ShapeArray[j] == 1 && shape[a] != 1))
                {
                    participating.Add(x.ChunksArray[j]);
                }
            }

            outChunks[a] = participating.Count == 0 ? [1] : Chunking.Common(op, participating);
        }

        var aligned = new IDArray[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            IDArray x = inputs[i];
            var target = new int[x.NDim][];
            bool same = true;
            for (int j = 0; j < x.NDim; j++)
            {
                int a = j + (n - x.NDim);
                bool broadcast = x.ShapeArray[j] == 1 && shape[a] != 1;
                target[j] = broadcast ? x.ChunksArray[j] : outChunks[a];
                same &= target[j].AsSpan().SequenceEqual(x.ChunksArray[j]);
            }

            aligned[i] = same ? x : x.RechunkTo(target);
        }

        object?[] token = [.. tokenParts, .. aligned.Select(x => x.Name), function.Name];
        string name = NewName(op, token);
        LayeredGraph graph = LayeredGraph.Merge(aligned.Select(x => x.Graph));
        DArray<TOut> result = Build<TOut>(name, outChunks, graph, aligned.Select(x => x.Name), index =>
        {
            var args = new Node[aligned.Length + extra.Length];
            for (int i = 0; i < aligned.Length; i++)
            {
                IDArray x = aligned[i];
                var bi = new int[x.NDim];
                for (int j = 0; j < x.NDim; j++)
                {
                    int a = j + (n - x.NDim);
                    bi[j] = x.ShapeArray[j] == 1 && shape[a] != 1 ? 0 : index[a];
                }

                args[i] = Node.Ref(x.BlockKey(bi));
            }

            extra.CopyTo(args, aligned.Length);
            return Node.Call(function, args);
        }, fusable: true);

        // A selection from the result is the same operation on the matching selection from each
        // input (see BroadcastIndex): Slice then builds tasks for the selected blocks only and
        // computes the operation on the selected elements only.
        result._sliceThrough = index => Elementwise<TOut>(op, function, [.. inputs.Select(x => x.SliceBy(BroadcastIndex(index, shape, x.ShapeArray)))], extra, tokenParts);
        return result;
    }

    /// <summary>
    /// The selection from an input that an elementwise result's basic index <paramref name="full"/>
    /// (one item per output axis, plus new axes) reads: the items of the input's (trailing) axes,
    /// where an axis that the input broadcasts (length 1) keeps its one element (<c>0</c> for an
    /// integer, <c>:</c> for a slice); new axes before the input's first axis are left to broadcasting.
    /// </summary>
    internal static Ix[] BroadcastIndex(Ix[] full, long[] outShape, long[] inShape)
    {
        int lead = outShape.Length - inShape.Length;
        var result = new List<Ix>(full.Length);
        int a = 0;
        foreach (Ix ix in full)
        {
            if (ix.Kind == IxKind.NewAxis)
            {
                if (a >= lead)
                {
                    result.Add(ix);
                }

                continue;
            }

            if (a >= lead)
            {
                bool broadcast = inShape[a - lead] == 1 && outShape[a] != 1;
                result.Add(!broadcast ? ix : ix.Kind == IxKind.Index ? Ix.At(0) : Ix.All);
            }

            a++;
        }

        return [.. result];
    }

    private static void CheckBinary(BinaryOp op)
    {
        if (!ElementOps<TElement>.Instance.Supports(op))
        {
            throw new NotSupportedException($"{OpNames.Name(op)}: dtype {DTypes.Of<TElement>().NumPyName()} is not supported by this operation.");
        }
    }

    private static void CheckUnary(UnaryOp op)
    {
        if (!ElementOps<TElement>.Instance.Supports(op))
        {
            DType d = DTypes.Of<TElement>();
            throw new NotSupportedException($"{OpNames.Name(op)}: dtype {d.NumPyName()} is not supported by this operation{(d.IsFloatingPoint() ? string.Empty : "; use AsType<double>() first")}.");
        }
    }

    internal static DArray<TElement> Binary(BinaryOp op, DArray<TElement> a, DArray<TElement> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        CheckBinary(op);
        DArray<TElement> result = Elementwise<TElement>(OpNames.Name(op), BlockFunctions<TElement>.Binary, [a, b], [Node.Literal(op)], op);
        if (a.NDim > 0 && a.ShapeArray.AsSpan().SequenceEqual(b.ShapeArray) && a._chunks.Zip(b._chunks).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
        {
            result._binaryOf = (op, a, b);
        }

        return result;
    }

    internal static DArray<TElement> Binary(BinaryOp op, DArray<TElement> a, TElement b)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckBinary(op);
        return Elementwise<TElement>(OpNames.Name(op), BlockFunctions<TElement>.BinaryScalarRight, [a], [Node.Literal<TElement>(b), Node.Literal(op)], op, b, "right");
    }

    internal static DArray<TElement> Binary(BinaryOp op, TElement a, DArray<TElement> b)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckBinary(op);
        return Elementwise<TElement>(OpNames.Name(op), BlockFunctions<TElement>.BinaryScalarLeft, [b], [Node.Literal<TElement>(a), Node.Literal(op)], op, a, "left")
            .Reorder();
    }

    // The scalar-left function takes (scalar, block): rebuild the nodes with the block second.
    private DArray<TElement> Reorder()
    {
        var layer = (BlockLayer)Graph[Name];
        var tasks = new TaskGraph(layer.Count);
        foreach (KeyValuePair<Key, Node> kv in layer.Tasks)
        {
            var call = (CallNode)kv.Value;
            ReadOnlySpan<Node> args = call.Arguments;
            tasks.TryAdd(kv.Key, Node.Call(call.Function, args[1], args[0], args[2]));
        }

        LayeredGraph others = LayeredGraph.Empty;
        foreach (Layer l in Graph.Layers)
        {
            if (l.Name != Name)
            {
                others = others.With(l, Graph.Dependencies[l.Name]);
            }
        }

        return new DArray<TElement>(others.With(new BlockLayer(Name, tasks, fusable: true), Graph.Dependencies[Name]), Name, _chunks);
    }

    internal static DArray<bool> Compare(CompareOp op, DArray<TElement> a, DArray<TElement> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Elementwise<bool>(OpNames.Name(op), BlockFunctions<TElement>.Compare, [a, b], [Node.Literal(op)], op);
    }

    internal static DArray<bool> Compare(CompareOp op, DArray<TElement> a, TElement b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Elementwise<bool>(OpNames.Name(op), BlockFunctions<TElement>.CompareScalar, [a], [Node.Literal<TElement>(b), Node.Literal(op)], op, b);
    }

    internal DArray<TElement> Unary(UnaryOp op)
    {
        CheckUnary(op);
        return Elementwise<TElement>(OpNames.Name(op), BlockFunctions<TElement>.Unary, [this], [Node.Literal(op)], op);
    }

    /// <summary>Adds elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator +(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Add, left, right);

    /// <summary>Adds a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator +(DArray<TElement> left, TElement right) => Binary(BinaryOp.Add, left, right);

    /// <summary>Adds a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator +(TElement left, DArray<TElement> right) => Binary(BinaryOp.Add, left, right);

    /// <summary>Subtracts elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator -(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Subtract, left, right);

    /// <summary>Subtracts a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator -(DArray<TElement> left, TElement right) => Binary(BinaryOp.Subtract, left, right);

    /// <summary>Subtracts from a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator -(TElement left, DArray<TElement> right) => Binary(BinaryOp.Subtract, left, right);

    /// <summary>Multiplies elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator *(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Multiply, left, right);

    /// <summary>Multiplies by a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator *(DArray<TElement> left, TElement right) => Binary(BinaryOp.Multiply, left, right);

    /// <summary>Multiplies by a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator *(TElement left, DArray<TElement> right) => Binary(BinaryOp.Multiply, left, right);

    /// <summary>Divides elementwise (C# semantics for integers), with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator /(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Divide, left, right);

    /// <summary>Divides by a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator /(DArray<TElement> left, TElement right) => Binary(BinaryOp.Divide, left, right);

    /// <summary>Divides a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator /(TElement left, DArray<TElement> right) => Binary(BinaryOp.Divide, left, right);

    /// <summary>Takes the remainder elementwise (C# semantics), with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator %(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Remainder, left, right);

    /// <summary>Takes the remainder by a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator %(DArray<TElement> left, TElement right) => Binary(BinaryOp.Remainder, left, right);

    /// <summary>Logical (bool) or bitwise (integer) and, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator &(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.And, left, right);

    /// <summary>Logical (bool) or bitwise (integer) or, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator |(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Or, left, right);

    /// <summary>Logical (bool) or bitwise (integer) exclusive or, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator ^(DArray<TElement> left, DArray<TElement> right) => Binary(BinaryOp.Xor, left, right);

    /// <summary>Negates elementwise.</summary>
    /// <param name="value">The array.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator -(DArray<TElement> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Unary(UnaryOp.Negate);
    }

    /// <summary>Logical (bool) or bitwise (integer) not.</summary>
    /// <param name="value">The array.</param>
    /// <returns>The lazy result.</returns>
    public static DArray<TElement> operator ~(DArray<TElement> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Unary(UnaryOp.Not);
    }

    /// <summary>Compares elementwise (less than).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator <(DArray<TElement> left, DArray<TElement> right) => Compare(CompareOp.Less, left, right);

    /// <summary>Compares elementwise (greater than).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator >(DArray<TElement> left, DArray<TElement> right) => Compare(CompareOp.Greater, left, right);

    /// <summary>Compares elementwise (less than or equal).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator <=(DArray<TElement> left, DArray<TElement> right) => Compare(CompareOp.LessOrEqual, left, right);

    /// <summary>Compares elementwise (greater than or equal).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator >=(DArray<TElement> left, DArray<TElement> right) => Compare(CompareOp.GreaterOrEqual, left, right);

    /// <summary>Compares with a scalar (less than).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator <(DArray<TElement> left, TElement right) => Compare(CompareOp.Less, left, right);

    /// <summary>Compares with a scalar (greater than).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator >(DArray<TElement> left, TElement right) => Compare(CompareOp.Greater, left, right);

    /// <summary>Compares with a scalar (less than or equal).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator <=(DArray<TElement> left, TElement right) => Compare(CompareOp.LessOrEqual, left, right);

    /// <summary>Compares with a scalar (greater than or equal).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A lazy bool array.</returns>
    public static DArray<bool> operator >=(DArray<TElement> left, TElement right) => Compare(CompareOp.GreaterOrEqual, left, right);

    /// <summary>Compares elementwise for equality.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A lazy bool array.</returns>
    public DArray<bool> Equal(DArray<TElement> other) => Compare(CompareOp.Equal, this, other);

    /// <summary>Compares with a scalar for equality.</summary>
    /// <param name="other">The scalar.</param>
    /// <returns>A lazy bool array.</returns>
    public DArray<bool> Equal(TElement other) => Compare(CompareOp.Equal, this, other);

    /// <summary>Compares elementwise for inequality.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A lazy bool array.</returns>
    public DArray<bool> NotEqual(DArray<TElement> other) => Compare(CompareOp.NotEqual, this, other);

    /// <summary>Raises to a power elementwise (float types).</summary>
    /// <param name="exponent">The exponents.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Pow(DArray<TElement> exponent) => Binary(BinaryOp.Power, this, exponent);

    /// <summary>Raises to a scalar power (float types).</summary>
    /// <param name="exponent">The exponent.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Pow(TElement exponent) => Binary(BinaryOp.Power, this, exponent);

    /// <summary>Takes the larger of two arrays elementwise (NaN wins).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Maximum(DArray<TElement> other) => Binary(BinaryOp.Maximum, this, other);

    /// <summary>Takes the smaller of two arrays elementwise (NaN wins).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Minimum(DArray<TElement> other) => Binary(BinaryOp.Minimum, this, other);

    /// <summary>Limits the elements to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Clip(TElement min, TElement max) => Binary(BinaryOp.Minimum, Binary(BinaryOp.Maximum, this, min), max);

    /// <summary>Absolute values.</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Abs() => Unary(UnaryOp.Abs);

    /// <summary>Square roots (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Sqrt() => Unary(UnaryOp.Sqrt);

    /// <summary>Exponentials (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Exp() => Unary(UnaryOp.Exp);

    /// <summary>Natural logarithms (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Log() => Unary(UnaryOp.Log);

    /// <summary>Sines (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Sin() => Unary(UnaryOp.Sin);

    /// <summary>Cosines (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Cos() => Unary(UnaryOp.Cos);

    /// <summary>Tangents (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Tan() => Unary(UnaryOp.Tan);

    /// <summary>Rounds down (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Floor() => Unary(UnaryOp.Floor);

    /// <summary>Rounds up (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Ceil() => Unary(UnaryOp.Ceiling);

    /// <summary>Rounds half to even (float types).</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Round() => Unary(UnaryOp.Round);

    /// <summary>Squares.</summary>
    /// <returns>The lazy result.</returns>
    public DArray<TElement> Square() => Unary(UnaryOp.Square);

    /// <summary>Tells which elements are NaN.</summary>
    /// <returns>A lazy bool array.</returns>
    public DArray<bool> IsNaN() => Elementwise<bool>("isnan", BlockFunctions<TElement>.IsNaN, [this], []);

    /// <summary>Converts the elements to another type (truncating, like NumPy's <c>astype</c>).</summary>
    /// <typeparam name="TOut">The new element type.</typeparam>
    /// <returns>The lazy result.</returns>
    public DArray<TOut> AsType<TOut>()
        where TOut : unmanaged
    {
        if (typeof(TOut) == typeof(TElement))
        {
            return (DArray<TOut>)(object)this;
        }

        return Elementwise<TOut>("astype", ConvertFunctions<TElement, TOut>.AsType, [this], [], DTypes.Of<TOut>());
    }

    /// <summary>Applies a function to every block (Dask's <c>map_blocks</c>); the blocks keep their shapes unless <paramref name="chunks"/> is given.</summary>
    /// <typeparam name="TOut">The result's element type.</typeparam>
    /// <param name="function">Computes one output block from one input block; it must be pure. Static lambdas and methods travel to worker processes best.</param>
    /// <param name="chunks">The output chunks when the function changes block shapes (explicit lengths per axis).</param>
    /// <param name="name">A name prefix for the layer.</param>
    /// <returns>The lazy result.</returns>
    public DArray<TOut> MapBlocks<TOut>(Func<NDArray<TElement>, NDArray<TOut>> function, int[][]? chunks = null, string name = "map-blocks")
        where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction fn = TaskFunction.Create(function, name);
        if (chunks is not null)
        {
            if (chunks.Length == 0 && NPartitions != 1)
            {
                throw new ArgumentException($"map_blocks: chunks for a 0-d result need a single input block, not {NPartitions}.", nameof(chunks));
            }

            int[] nb = NumBlocksArray;
            if (chunks.Length == NDim && !chunks.Select(c => c.Length).SequenceEqual(nb))
            {
                throw new ArgumentException(
                    $"map_blocks: the output chunks give ({string.Join(", ", chunks.Select(c => c.Length))}) blocks per axis but the input has ({string.Join(", ", nb)}).",
                    nameof(chunks));
            }
        }

        int[][] outChunks = chunks ?? _chunks;
        string layer = NewName(name, Name, Tokenizer.Tokenize(function), outChunks.Select(c => string.Join(",", c)).ToArray());
        return Build<TOut>(layer, outChunks, Graph, [Name], index => Node.Call(fn, Node.Ref(BlockKey(index))), fusable: true);
    }
}
