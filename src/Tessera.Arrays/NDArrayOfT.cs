using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using Tessera.Arrays.Kernels;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Arrays;

/// <summary>
/// One n-dimensional block of <typeparamref name="TElement"/> in memory with NumPy's semantics: a buffer
/// plus shape, strides and offset, so slicing, transposing and broadcasting make views without
/// copying. Operations return new arrays; the contiguous inner loops run on
/// <see cref="TensorPrimitives"/> kernels.
/// </summary>
/// <typeparam name="TElement">The element type: bool, sbyte, byte, short, ushort, int, uint, long, ulong, float or double.</typeparam>
[TesseraData]
public sealed partial class NDArray<TElement> : NDArray, IRecyclable
    where TElement : unmanaged
{
    private readonly TElement[] _data;

    internal NDArray(TElement[] data, int[] shape, int[] strides, int offset)
        : base(shape, strides, offset)
    {
        _data = data;
    }

    internal NDArray(TElement[] data, int[] shape)
        : this(data, shape, Shapes.CStrides(shape), 0)
    {
    }

    /// <inheritdoc/>
    public override DType DType => ElementOps<TElement>.Instance.DType;

    /// <summary>Gets the buffer the array views (shared with other views).</summary>
    internal TElement[] Data => _data;

    /// <summary>Hands a whole buffer that nothing holds any more back to <see cref="BlockMemory"/>.</summary>
    void IRecyclable.Recycle()
    {
        if (Offset == 0 && Size == _data.Length)
        {
            BlockMemory.Recycle(_data);
        }
    }

    internal static ElementOps<TElement> Ops => ElementOps<TElement>.Instance;

    /// <summary>Creates an array of zeros.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The array.</returns>
    public static NDArray<TElement> Zeros(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        CheckShape("zeros", shape);
        return new NDArray<TElement>(BlockMemory.AllocateZeroed<TElement>(Shapes.Product(shape)), (int[])shape.Clone());
    }

    /// <summary>Creates an array filled with one value.</summary>
    /// <param name="value">The value.</param>
    /// <param name="shape">The shape.</param>
    /// <returns>The array.</returns>
    public static NDArray<TElement> Full(TElement value, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        CheckShape("full", shape);
        var data = BlockMemory.Allocate<TElement>(Shapes.Product(shape));
        data.AsSpan().Fill(value);
        return new NDArray<TElement>(data, (int[])shape.Clone());
    }

    /// <summary>Creates an array of ones.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The array.</returns>
    public static NDArray<TElement> Ones(params int[] shape) => Full(Ops.One, shape);

    /// <summary>Creates a zero-dimensional array holding one value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The array.</returns>
    public static NDArray<TElement> Scalar(TElement value) => new([value], []);

    /// <summary>Wraps a buffer without copying it (C order).</summary>
    /// <param name="data">The elements in C order.</param>
    /// <param name="shape">The shape; empty for a one-dimensional array of all of <paramref name="data"/>.</param>
    /// <returns>The array, sharing <paramref name="data"/>.</returns>
    /// <exception cref="ArgumentException">The shape does not hold <paramref name="data"/>'s length.</exception>
    public static NDArray<TElement> FromArray(TElement[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0)
        {
            return new NDArray<TElement>(data, [data.Length]);
        }

        CheckShape("from_array", shape);
        if (Shapes.Product(shape) != data.Length)
        {
            throw new ArgumentException($"from_array: {data.Length} elements do not fill shape {Shapes.Format(shape)}.", nameof(shape));
        }

        return new NDArray<TElement>(data, (int[])shape.Clone());
    }

    /// <summary>Creates an array from values computed from each index (NumPy's <c>fromfunction</c>).</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="function">Computes the element at an index.</param>
    /// <returns>The array.</returns>
    public static NDArray<TElement> FromFunction(int[] shape, Func<int[], TElement> function)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(function);
        NDArray<TElement> r = Zeros(shape);
        var index = new int[shape.Length];
        for (long i = 0; i < r._data.Length; i++)
        {
            r._data[i] = function((int[])index.Clone());
            for (int a = shape.Length - 1; a >= 0; a--)
            {
                if (++index[a] < shape[a])
                {
                    break;
                }

                index[a] = 0;
            }
        }

        return r;
    }

    private static void CheckShape(string op, int[] shape)
    {
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"{op}: negative dimensions are not allowed in shape {Shapes.Format(shape)}.", nameof(shape));
            }
        }
    }

    /// <summary>Gets or sets one element.</summary>
    /// <param name="index">One index per axis; negative ones count from the end.</param>
    /// <returns>The element.</returns>
    public TElement this[params int[] index]
    {
        get => _data[ElementOffset(index)];
        set => _data[ElementOffset(index)] = value;
    }

    private int ElementOffset(int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length != _shape.Length)
        {
            throw new ArgumentException($"element access: {index.Length} indices for an array of dimension {_shape.Length}.", nameof(index));
        }

        int off = _offset;
        for (int i = 0; i < index.Length; i++)
        {
            off += (int)Shapes.CheckInteger("element access", index[i], _shape[i], i) * _strides[i];
        }

        return off;
    }

    /// <summary>Gets the only element of an array of size 1.</summary>
    /// <returns>The element.</returns>
    public TElement ToScalar()
    {
        if (Size != 1)
        {
            throw new InvalidOperationException($"item: can only convert an array of size 1 to a scalar, not shape {Shapes.Format(_shape)}.");
        }

        return _data[_offset];
    }

    /// <summary>Copies the elements, in C order, into a new array.</summary>
    /// <returns>The elements.</returns>
    public TElement[] ToArray()
    {
        var r = BlockMemory.Allocate<TElement>(Size);
        if (IsCContiguous || IsTransposed2D)
        {
            CopyTo(r);
        }
        else
        {
            // A fresh buffer cannot overlap this array's: no temporary copy as in CopyTo.
            CopyStrided(r);
        }

        return r;
    }

    private bool IsTransposed2D => NDim == 2 && _strides[1] != 1 && _strides[1] != 0 && _strides[0] != 0;

    /// <summary>Copies the elements, in C order, into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to copy; at least <see cref="NDArray.Size"/> long.</param>
    public void CopyTo(Span<TElement> destination)
    {
        if (IsCContiguous)
        {
            _data.AsSpan(_offset, (int)Size).CopyTo(destination);
            return;
        }

        if (IsTransposed2D && destination.Length >= Size)
        {
            // A transposed (column-major) view: copy tile by tile so both sides stay in cache.
            const int Tile = 64;
            int rows = _shape[0], cols = _shape[1], s0 = _strides[0], s1 = _strides[1];
            TElement[] data = _data;
            for (int i0 = 0; i0 < rows; i0 += Tile)
            {
                int i1 = Math.Min(rows, i0 + Tile);
                for (int j0 = 0; j0 < cols; j0 += Tile)
                {
                    int j1 = Math.Min(cols, j0 + Tile);
                    for (int i = i0; i < i1; i++)
                    {
                        int at = _offset + (i * s0) + (j0 * s1);
                        Span<TElement> row = destination.Slice((i * cols) + j0, j1 - j0);
                        for (int j = 0; j < row.Length; j++, at += s1)
                        {
                            row[j] = data[at];
                        }
                    }
                }
            }

            return;
        }

        var temp = BlockMemory.Allocate<TElement>(Size);
        CopyStrided(temp);
        temp.CopyTo(destination);
    }

    // The general strided copy into a C-ordered buffer, row by row (a broadcast row is one fill).
    private void CopyStrided(TElement[] target)
    {
        int[] cs = Shapes.CStrides(_shape);
        TElement[] src = _data;
        Strided.ForEachRow(_shape, [_strides, cs], [_offset, 0], (len, offs, strides) =>
        {
            int s = strides[0], p = offs[0];
            Span<TElement> d = target.AsSpan(offs[1], len);
            if (s == 1)
            {
                src.AsSpan(p, len).CopyTo(d);
            }
            else if (s == 0)
            {
                d.Fill(src[p]);
            }
            else
            {
                for (int i = 0; i < len; i++, p += s)
                {
                    d[i] = src[p];
                }
            }
        });
    }

    /// <summary>Gets the elements as a span when the array is C-contiguous.</summary>
    /// <returns>The span over the shared buffer.</returns>
    /// <exception cref="InvalidOperationException">The array is a strided view; call <see cref="Copy"/> first.</exception>
    public Span<TElement> AsSpan()
    {
        if (!IsCContiguous)
        {
            throw new InvalidOperationException($"AsSpan: the array (shape {Shapes.Format(_shape)}, strides {Shapes.Format(_strides)}) is not C-contiguous; call Copy() first.");
        }

        return _data.AsSpan(_offset, (int)Size);
    }

    /// <summary>Gets a zero-copy <see cref="TensorSpan{TElement}"/> over the same elements, for <c>System.Numerics.Tensors</c> interop.</summary>
    /// <returns>The tensor span.</returns>
    public TensorSpan<TElement> AsTensorSpan()
    {
        var lengths = new nint[_shape.Length];
        var strides = new nint[_shape.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = _shape[i];
            strides[i] = _strides[i];
        }

        return new TensorSpan<TElement>(_data, _offset, lengths, strides);
    }

    /// <summary>Returns a C-ordered copy with its own buffer.</summary>
    /// <returns>The copy.</returns>
    public NDArray<TElement> Copy() => new(ToArray(), (int[])_shape.Clone());

    /// <summary>Returns this array when it is C-contiguous, otherwise a C-ordered copy.</summary>
    /// <returns>A contiguous array.</returns>
    public NDArray<TElement> Contiguous() => IsCContiguous ? this : Copy();

    /// <inheritdoc/>
    public override NDArray CopyArray() => Copy();

    /// <inheritdoc/>
    public override object Compact()
    {
        if (_data.Length <= OwnElements)
        {
            return this;
        }

        // Copy the elements of a view with its broadcast axes cut to one, then broadcast them again.
        int[] own = new int[_shape.Length];
        for (int i = 0; i < own.Length; i++)
        {
            own[i] = _strides[i] == 0 ? Math.Min(_shape[i], 1) : _shape[i];
        }

        int[] strides = Shapes.CStrides(own);
        for (int i = 0; i < strides.Length; i++)
        {
            if (_strides[i] == 0)
            {
                strides[i] = 0;
            }
        }

        return new NDArray<TElement>(new NDArray<TElement>(_data, own, _strides, _offset).ToArray(), (int[])_shape.Clone(), strides, 0);
    }

    /// <inheritdoc/>
    public override NDArray TransposeArray(params int[] axes) => Transpose(axes);

    /// <summary>Gets the transpose (axes reversed), a view.</summary>
    public NDArray<TElement> T => Transpose();

    /// <summary>Returns a view with the axes permuted.</summary>
    /// <param name="axes">The new order of the axes; empty reverses them.</param>
    /// <returns>The view.</returns>
    public NDArray<TElement> Transpose(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int[] p = PermutationOrReverse("transpose", axes, NDim);
        var shape = new int[p.Length];
        var strides = new int[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            shape[i] = _shape[p[i]];
            strides[i] = _strides[p[i]];
        }

        return new NDArray<TElement>(_data, shape, strides, _offset);
    }

    /// <summary>Returns an array of another shape with the same elements in C order (a view when contiguous).</summary>
    /// <param name="shape">The new shape; one entry may be -1.</param>
    /// <returns>The reshaped array.</returns>
    public NDArray<TElement> Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long[] r = Shapes.ResolveReshape("reshape", Shapes.ToLong(_shape), Shapes.ToLong(shape));
        int[] newShape = Array.ConvertAll(r, x => (int)x);
        NDArray<TElement> c = Contiguous();
        return new NDArray<TElement>(c._data, newShape, Shapes.CStrides(newShape), c._offset);
    }

    /// <summary>Returns a one-dimensional array of the elements in C order.</summary>
    /// <returns>The flattened array.</returns>
    public NDArray<TElement> Ravel() => Reshape(-1);

    /// <summary>Returns a read-only-intended view broadcast to a larger shape (NumPy's <c>broadcast_to</c>).</summary>
    /// <param name="shape">The target shape.</param>
    /// <returns>The view (stride 0 along broadcast axes).</returns>
    public NDArray<TElement> BroadcastTo(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int n = shape.Length;
        if (n < NDim)
        {
            throw new ArgumentException($"broadcast_to: cannot broadcast shape {Shapes.Format(_shape)} to the smaller rank of {Shapes.Format(shape)}.", nameof(shape));
        }

        var strides = new int[n];
        for (int i = 0; i < n; i++)
        {
            int j = i - (n - NDim);
            if (j < 0)
            {
                strides[i] = 0;
                continue;
            }

            if (_shape[j] == shape[i])
            {
                strides[i] = _strides[j];
            }
            else if (_shape[j] == 1)
            {
                strides[i] = 0;
            }
            else
            {
                throw new ArgumentException($"broadcast_to: cannot broadcast shape {Shapes.Format(_shape)} to {Shapes.Format(shape)}.", nameof(shape));
            }
        }

        return new NDArray<TElement>(_data, (int[])shape.Clone(), strides, _offset);
    }

    /// <summary>Inserts an axis of length 1 (a view).</summary>
    /// <param name="axis">Where the new axis goes (negative counts from the end of the result).</param>
    /// <returns>The view.</returns>
    public NDArray<TElement> ExpandDims(int axis)
    {
        int a = Shapes.NormalizeAxis("expand_dims", axis, NDim + 1);
        var shape = new List<int>(_shape);
        var strides = new List<int>(_strides);
        shape.Insert(a, 1);
        strides.Insert(a, 0);
        return new NDArray<TElement>(_data, [.. shape], [.. strides], _offset);
    }

    /// <summary>Removes axes of length 1 (a view).</summary>
    /// <param name="axes">The axes to remove; empty removes every axis of length 1.</param>
    /// <returns>The view.</returns>
    public NDArray<TElement> Squeeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int[] drop = axes.Length == 0
            ? [.. Enumerable.Range(0, NDim).Where(i => _shape[i] == 1)]
            : Shapes.NormalizeAxes("squeeze", axes, NDim);
        foreach (int a in drop)
        {
            if (_shape[a] != 1)
            {
                throw new ArgumentException($"squeeze: cannot select axis {a} of shape {Shapes.Format(_shape)}: its length is not 1.", nameof(axes));
            }
        }

        var shape = new List<int>();
        var strides = new List<int>();
        for (int i = 0; i < NDim; i++)
        {
            if (Array.IndexOf(drop, i) < 0)
            {
                shape.Add(_shape[i]);
                strides.Add(_strides[i]);
            }
        }

        return new NDArray<TElement>(_data, [.. shape], [.. strides], _offset);
    }

    /// <summary>Indexes the array like NumPy: integers, slices, new axes and an ellipsis give a view; an integer array or a boolean mask (one per index) gives a copy.</summary>
    /// <param name="index">The index items.</param>
    /// <returns>The selected array.</returns>
    public NDArray<TElement> Slice(params Ix[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        Ix[] full = Shapes.ExpandIndex("getitem", index, NDim);
        var shape = new List<int>();
        var strides = new List<int>();
        int offset = _offset;
        int axis = 0;
        int fancyAt = -1;
        Ix fancy = default;
        foreach (Ix ix in full)
        {
            switch (ix.Kind)
            {
                case IxKind.NewAxis:
                    shape.Add(1);
                    strides.Add(0);
                    break;
                case IxKind.Index:
                    offset += (int)Shapes.CheckInteger("getitem", ix.Start!.Value, _shape[axis], axis) * _strides[axis];
                    axis++;
                    break;
                case IxKind.Slice:
                {
                    (long start, long step, long count) = ix.Resolve(_shape[axis]);
                    if (count > 0)
                    {
                        offset += (int)start * _strides[axis];
                    }

                    shape.Add((int)count);
                    strides.Add((int)step * _strides[axis]);
                    axis++;
                    break;
                }

                default:
                    if (fancyAt >= 0)
                    {
                        throw new NotSupportedException("getitem: only one integer-array or boolean index per indexing operation is supported; index in two steps.");
                    }

                    fancyAt = shape.Count;
                    fancy = ix;
                    shape.Add(_shape[axis]);
                    strides.Add(_strides[axis]);
                    axis++;
                    break;
            }
        }

        var view = new NDArray<TElement>(_data, [.. shape], [.. strides], offset);
        return fancyAt < 0 ? view : view.TakeAlong(fancyAt, fancy);
    }

    private NDArray<TElement> TakeAlong(int axis, Ix ix)
    {
        long[] indices;
        if (ix.Kind == IxKind.Mask)
        {
            if (ix.Mask.Length != _shape[axis])
            {
                throw new ArgumentException($"getitem: boolean index of length {ix.Mask.Length} does not match axis {axis} of length {_shape[axis]}.");
            }

            indices = [.. Enumerable.Range(0, ix.Mask.Length).Where(i => ix.Mask[i]).Select(i => (long)i)];
        }
        else
        {
            indices = [.. ix.Indices.Select(i => Shapes.CheckInteger("getitem", i, _shape[axis], axis))];
        }

        return Take(indices, axis);
    }

    /// <summary>Selects elements along an axis by position (NumPy's <c>take</c>).</summary>
    /// <param name="indices">The positions (already non-negative and in range).</param>
    /// <param name="axis">The axis.</param>
    /// <returns>A new array.</returns>
    internal NDArray<TElement> Take(long[] indices, int axis)
    {
        int[] shape = (int[])_shape.Clone();
        shape[axis] = indices.Length;
        NDArray<TElement> r = Zeros(shape);
        var outIdx = new Ix[NDim];
        var inIdx = new Ix[NDim];
        Array.Fill(outIdx, Ix.All);
        Array.Fill(inIdx, Ix.All);
        for (int k = 0; k < indices.Length; k++)
        {
            outIdx[axis] = k;
            inIdx[axis] = (int)indices[k];
            r.Slice(outIdx).Assign(Slice(inIdx));
        }

        return r;
    }

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape) into this array's elements.</summary>
    /// <param name="source">The values.</param>
    public void Assign(NDArray<TElement> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NDArray<TElement> s = source.NDim == NDim && source._shape.AsSpan().SequenceEqual(_shape) ? source : source.BroadcastTo(_shape);
        TElement[] dst = _data, src = s._data;
        Strided.ForEachRow(_shape, [_strides, s._strides], [_offset, s._offset], (len, offs, strides) =>
        {
            int pd = offs[0], ps = offs[1], sd = strides[0], ss = strides[1];
            if (sd == 1 && ss == 1)
            {
                src.AsSpan(ps, len).CopyTo(dst.AsSpan(pd, len));
            }
            else if (sd == 1 && ss == 0)
            {
                dst.AsSpan(pd, len).Fill(src[ps]);
            }
            else
            {
                for (int i = 0; i < len; i++, pd += sd, ps += ss)
                {
                    dst[pd] = src[ps];
                }
            }
        });
    }

    /// <summary>Converts the elements to another type (truncating, like NumPy's <c>astype</c>).</summary>
    /// <typeparam name="TOut">The new element type.</typeparam>
    /// <returns>A new array (or this one when the type is the same).</returns>
    public NDArray<TOut> AsType<TOut>()
        where TOut : unmanaged
    {
        if (typeof(TOut) == typeof(TElement))
        {
            return (NDArray<TOut>)(object)this;
        }

        NDArray<TElement> c = Contiguous();
        var r = BlockMemory.Allocate<TOut>(Size);
        Ops.ConvertTo<TOut>(c._data.AsSpan(c._offset, (int)Size), r);
        return new NDArray<TOut>(r, (int[])_shape.Clone());
    }

    /// <inheritdoc/>
    public override void WriteToken(TokenWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.AppendString("ndarray");
        writer.AppendInt64((long)DType);
        writer.AppendInt64(_shape.Length);
        foreach (int d in _shape)
        {
            writer.AppendInt64(d);
        }

        NDArray<TElement> c = Contiguous();
        writer.AppendBytes(MemoryMarshal.AsBytes(c._data.AsSpan(c._offset, (int)Size)));
    }

    /// <summary>Tells whether two arrays have the same shape and elements (NaN equals NaN).</summary>
    /// <param name="other">The other array.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool ValueEquals(NDArray<TElement> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!_shape.AsSpan().SequenceEqual(other._shape))
        {
            return false;
        }

        TElement[] a = ToArray(), b = other.ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            if (!EqualityComparer<TElement>.Default.Equals(a[i], b[i]) && !(Ops.IsNaN(a[i]) && Ops.IsNaN(b[i])))
            {
                return false;
            }
        }

        return true;
    }

    private protected override void AppendValues(StringBuilder sb)
    {
        TElement[] values = ToArray();
        if (values.Length > 1000)
        {
            sb.Append('[').Append(Ops.Format(values[0])).Append(", …, ").Append(Ops.Format(values[^1])).Append(']');
            return;
        }

        int pos = 0;
        AppendAxis(sb, values, 0, ref pos);
    }

    private void AppendAxis(StringBuilder sb, TElement[] values, int axis, ref int pos)
    {
        if (axis == NDim)
        {
            sb.Append(Ops.Format(values[pos++]));
            return;
        }

        sb.Append('[');
        for (int i = 0; i < _shape[axis]; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            AppendAxis(sb, values, axis + 1, ref pos);
        }

        sb.Append(']');
    }
}
