using System.Globalization;

namespace Tessera.Arrays;

/// <summary>Shape arithmetic shared by in-memory and chunked arrays.</summary>
internal static class Shapes
{
    public static string Format(ReadOnlySpan<int> shape) => Format(ToLong(shape));

    public static string Format(ReadOnlySpan<long> shape)
    {
        if (shape.Length == 1)
        {
            return "(" + Dim(shape[0]) + ",)";
        }

        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = Dim(shape[i]);
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    private static string Dim(long d) => d < 0 ? "nan" : d.ToString(CultureInfo.InvariantCulture);

    public static long[] ToLong(ReadOnlySpan<int> shape)
    {
        var r = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            r[i] = shape[i];
        }

        return r;
    }

    public static long Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape)
        {
            p *= d;
        }

        return p;
    }

    public static int[] CStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }

        return strides;
    }

    /// <summary>NumPy's broadcasting of two shapes (-1 = unknown stays unknown against unknown or 1).</summary>
    public static long[] Broadcast(string op, ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new long[n];
        for (int i = 0; i < n; i++)
        {
            long da = i - (n - a.Length) >= 0 ? a[i - (n - a.Length)] : 1;
            long db = i - (n - b.Length) >= 0 ? b[i - (n - b.Length)] : 1;
            if (da == db || db == 1)
            {
                r[i] = da;
            }
            else if (da == 1)
            {
                r[i] = db;
            }
            else if (da < 0 || db < 0)
            {
                r[i] = da < 0 ? db : da;
            }
            else
            {
                throw new ArgumentException(
                    $"{op}: operands could not be broadcast together with shapes {Format(a)} {Format(b)} (axis {i}: {da} vs {db}).");
            }
        }

        return r;
    }

    public static int[] Broadcast(string op, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        long[] r = Broadcast(op, ToLong(a), ToLong(b));
        return Array.ConvertAll(r, checked(x => (int)x));
    }

    /// <summary>Normalizes axes (negative count from the end), sorted and unique; null means every axis.</summary>
    public static int[] NormalizeAxes(string op, int[]? axes, int ndim)
    {
        if (axes is null)
        {
            var all = new int[ndim];
            for (int i = 0; i < ndim; i++)
            {
                all[i] = i;
            }

            return all;
        }

        var seen = new SortedSet<int>();
        foreach (int a in axes)
        {
            int n = NormalizeAxis(op, a, ndim);
            if (!seen.Add(n))
            {
                throw new ArgumentException($"{op}: axis {a} is repeated in ({string.Join(", ", axes)}).", nameof(axes));
            }
        }

        return [.. seen];
    }

    public static int NormalizeAxis(string op, int axis, int ndim)
    {
        int n = axis < 0 ? axis + ndim : axis;
        if (n < 0 || n >= ndim)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of bounds for an array of dimension {ndim}.");
        }

        return n;
    }

    /// <summary>Resolves one -1 entry of a reshape and checks the element count.</summary>
    public static long[] ResolveReshape(string op, ReadOnlySpan<long> from, ReadOnlySpan<long> to)
    {
        long size = 1;
        foreach (long d in from)
        {
            size *= d;
        }

        var r = to.ToArray();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (unknown >= 0)
                {
                    throw new ArgumentException($"{op}: can only specify one unknown dimension (-1) in ({string.Join(", ", to.ToArray())}).");
                }

                unknown = i;
            }
            else if (r[i] < 0)
            {
                throw new ArgumentException($"{op}: negative dimension {r[i]} in ({string.Join(", ", to.ToArray())}).");
            }
            else
            {
                known *= r[i];
            }
        }

        if (unknown >= 0)
        {
            if (known == 0 || size % known != 0)
            {
                throw new ArgumentException($"{op}: cannot reshape array of size {size} (shape {Format(from)}) into shape ({string.Join(", ", to.ToArray())}).");
            }

            r[unknown] = size / known;
        }
        else if (known != size)
        {
            throw new ArgumentException($"{op}: cannot reshape array of size {size} (shape {Format(from)}) into shape ({string.Join(", ", to.ToArray())}).");
        }

        return r;
    }

    /// <summary>Expands an ellipsis and pads with whole slices; checks the number of indexed axes.</summary>
    public static Ix[] ExpandIndex(string op, ReadOnlySpan<Ix> index, int ndim)
    {
        int consumed = 0, ellipses = 0;
        foreach (Ix ix in index)
        {
            if (ix.Kind == IxKind.Ellipsis)
            {
                ellipses++;
            }
            else if (ix.Kind != IxKind.NewAxis)
            {
                consumed++;
            }
        }

        if (ellipses > 1)
        {
            throw new ArgumentException($"{op}: an index can only have a single ellipsis ('...').");
        }

        if (consumed > ndim)
        {
            throw new ArgumentException($"{op}: too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed.");
        }

        var result = new List<Ix>(ndim + index.Length);
        bool expanded = false;
        foreach (Ix ix in index)
        {
            if (ix.Kind == IxKind.Ellipsis)
            {
                for (int i = 0; i < ndim - consumed; i++)
                {
                    result.Add(Ix.All);
                }

                expanded = true;
            }
            else
            {
                result.Add(ix);
            }
        }

        if (!expanded)
        {
            for (int i = 0; i < ndim - consumed; i++)
            {
                result.Add(Ix.All);
            }
        }

        return [.. result];
    }

    public static long CheckInteger(string op, long index, long length, int axis)
    {
        long n = index < 0 ? index + length : index;
        if (n < 0 || n >= length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{op}: index {index} is out of bounds for axis {axis} with size {length}.");
        }

        return n;
    }

    /// <summary>Checks that arrays to be stacked have one shape and returns the new axis's position.</summary>
    public static int StackAxis(IReadOnlyList<long[]> arrays, int axis)
    {
        if (arrays.Count == 0)
        {
            throw new ArgumentException("stack: need at least one array to stack.", nameof(arrays));
        }

        foreach (long[] shape in arrays)
        {
            if (!shape.AsSpan().SequenceEqual(arrays[0]))
            {
                throw new ArgumentException($"stack: all input arrays must have the same shape; got {Format(arrays[0])} and {Format(shape)}.", nameof(arrays));
            }
        }

        return NormalizeAxis("stack", axis, arrays[0].Length + 1);
    }
}
