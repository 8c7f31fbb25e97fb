using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>
/// One n-dimensional block in memory, without its element type in the signature (NumPy's
/// <c>ndarray</c>): a buffer plus a shape, strides (in elements) and an offset. Schedulers, spill
/// stores and serializers handle blocks through this type; <see cref="NDArray{T}"/> holds the data.
/// </summary>
[TesseraData]
public abstract partial class NDArray : ITokenizable, ICompactData
{
    private protected readonly int[] _shape;
    private protected readonly int[] _strides;
    private protected readonly int _offset;

    private protected NDArray(int[] shape, int[] strides, int offset)
    {
        _shape = shape;
        _strides = strides;
        _offset = offset;
    }

    /// <summary>Gets the element type.</summary>
    public abstract DType DType { get; }

    /// <summary>Gets the length of each axis.</summary>
    public ImmutableArray<int> Shape => ImmutableCollectionsMarshal.AsImmutableArray(_shape);

    /// <summary>Gets the distance, in elements, between neighbours along each axis (0 for broadcast axes).</summary>
    public ImmutableArray<int> Strides => ImmutableCollectionsMarshal.AsImmutableArray(_strides);

    /// <summary>Gets the position of the first element in the buffer.</summary>
    public int Offset => _offset;

    /// <summary>Gets the number of axes.</summary>
    public int NDim => _shape.Length;

    /// <summary>Gets the number of elements.</summary>
    public long Size => Shapes.Product(_shape);

    /// <summary>Gets the size of one element in bytes.</summary>
    public int ItemSize => DType.ItemSize();

    /// <summary>Gets the number of bytes the elements take (not counting a larger shared buffer).</summary>
    public long NBytes => Size * ItemSize;

    /// <summary>Gets whether the elements lie in C (row-major) order without gaps.</summary>
    public bool IsCContiguous
    {
        get
        {
            int s = 1;
            for (int i = _shape.Length - 1; i >= 0; i--)
            {
                if (_shape[i] != 1 && _strides[i] != s)
                {
                    return _shape[i] == 0;
                }

                s *= _shape[i];
            }

            return true;
        }
    }

    /// <summary>Gets the bytes of the distinct elements: a broadcast axis (stride 0) counts once (Dask's <c>sizeof</c> of a NumPy array).</summary>
    public long SizeInBytes => OwnElements * ItemSize;

    /// <summary>Gets the number of distinct elements the array views: the product of the lengths of its axes that are not broadcast.</summary>
    private protected long OwnElements
    {
        get
        {
            long n = 1;
            for (int i = 0; i < _shape.Length; i++)
            {
                n *= _strides[i] == 0 ? Math.Min(_shape[i], 1) : _shape[i];
            }

            return n;
        }
    }

    internal int[] ShapeArray => _shape;

    internal int[] StridesArray => _strides;

    /// <summary>Returns a C-ordered copy with its own buffer.</summary>
    /// <returns>The copy.</returns>
    public abstract NDArray CopyArray();

    /// <summary>
    /// Returns this array when its buffer holds only its own elements, otherwise an equal array
    /// with a buffer of just those elements (broadcast axes stay broadcast). This is what a block
    /// sends to another process.
    /// </summary>
    /// <returns>The array to send.</returns>
    public abstract object Compact();

    /// <summary>Returns a view with the axes permuted (all reversed when <paramref name="axes"/> is empty).</summary>
    /// <param name="axes">The new order of the axes.</param>
    /// <returns>The view.</returns>
    public abstract NDArray TransposeArray(params int[] axes);

    /// <inheritdoc/>
    public abstract void WriteToken(TokenWriter writer);

    /// <summary>Formats the array like NumPy's <c>repr</c> (small arrays in full).</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("array(");
        AppendValues(sb);
        sb.Append(", shape=").Append(Shapes.Format(_shape)).Append(", dtype=").Append(DType.NumPyName()).Append(')');
        return sb.ToString();
    }

    private protected abstract void AppendValues(StringBuilder sb);

    internal static int[] PermutationOrReverse(string op, int[] axes, int ndim)
    {
        if (axes.Length == 0)
        {
            var r = new int[ndim];
            for (int i = 0; i < ndim; i++)
            {
                r[i] = ndim - 1 - i;
            }

            return r;
        }

        if (axes.Length != ndim)
        {
            throw new ArgumentException($"{op}: axes ({string.Join(", ", axes)}) don't match an array of dimension {ndim}.", nameof(axes));
        }

        var seen = new bool[ndim];
        var p = new int[ndim];
        for (int i = 0; i < ndim; i++)
        {
            int a = Shapes.NormalizeAxis(op, axes[i], ndim);
            if (seen[a])
            {
                throw new ArgumentException($"{op}: repeated axis {axes[i]} in ({string.Join(", ", axes)}).", nameof(axes));
            }

            seen[a] = true;
            p[i] = a;
        }

        return p;
    }
}
