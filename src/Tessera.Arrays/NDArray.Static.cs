using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Tessera.Arrays.Kernels;

namespace Tessera.Arrays;

/// <content>Creation, joining, selection and .npy files.</content>
public abstract partial class NDArray
{
    /// <summary>Creates evenly spaced values in [<paramref name="start"/>, <paramref name="stop"/>) (NumPy's <c>arange</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="start">The first value.</param>
    /// <param name="stop">The end (exclusive).</param>
    /// <param name="step">The spacing (not zero).</param>
    /// <returns>A one-dimensional array.</returns>
    public static NDArray<T> Arange<T>(double start, double stop, double step = 1)
        where T : unmanaged
    {
        long n = ArangeLength(start, stop, step);
        var data = BlockMemory.AllocateZeroed<T>(n);
        ElementOps<T> ops = ElementOps<T>.Instance;
        for (long i = 0; i < n; i++)
        {
            data[i] = ops.FromDouble(start + (i * step));
        }

        return new NDArray<T>(data, [(int)n]);
    }

    internal static long ArangeLength(double start, double stop, double step)
    {
        if (step == 0 || double.IsNaN(step))
        {
            throw new ArgumentException($"arange: step must be a non-zero number, not {step}.", nameof(step));
        }

        return Math.Max(0, (long)Math.Ceiling((stop - start) / step));
    }

    /// <summary>Creates <paramref name="num"/> evenly spaced values over [start, stop] (NumPy's <c>linspace</c>).</summary>
    /// <param name="start">The first value.</param>
    /// <param name="stop">The last value (included when <paramref name="endpoint"/>).</param>
    /// <param name="num">How many values.</param>
    /// <param name="endpoint">Whether <paramref name="stop"/> is the last value.</param>
    /// <returns>A one-dimensional array.</returns>
    public static NDArray<double> Linspace(double start, double stop, int num = 50, bool endpoint = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        var data = new double[num];
        double div = endpoint ? num - 1 : num;
        double step = div > 0 ? (stop - start) / div : 0;
        for (int i = 0; i < num; i++)
        {
            data[i] = start + (i * step);
        }

        if (endpoint && num > 1)
        {
            data[^1] = stop;
        }

        return new NDArray<double>(data, [num]);
    }

    /// <summary>Creates a 2-D array with ones on a diagonal (NumPy's <c>eye</c>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="n">Rows.</param>
    /// <param name="m">Columns (default <paramref name="n"/>).</param>
    /// <param name="k">The diagonal: 0 the main one, positive above.</param>
    /// <returns>The array.</returns>
    public static NDArray<T> Eye<T>(int n, int? m = null, int k = 0)
        where T : unmanaged
    {
        int cols = m ?? n;
        NDArray<T> r = NDArray<T>.Zeros(n, cols);
        for (int i = 0; i < n; i++)
        {
            int j = i + k;
            if (j >= 0 && j < cols)
            {
                r.Data[(i * cols) + j] = ElementOps<T>.Instance.One;
            }
        }

        return r;
    }

    /// <summary>Chooses elementwise between two arrays (NumPy's <c>where</c>), with broadcasting.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="condition">Where true, take <paramref name="x"/>.</param>
    /// <param name="x">The values where the condition holds.</param>
    /// <param name="y">The values elsewhere.</param>
    /// <returns>A new array.</returns>
    public static NDArray<T> Where<T>(NDArray<bool> condition, NDArray<T> x, NDArray<T> y)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return ArrayKernels.Where(condition, x, y);
    }

    /// <summary>Joins arrays along an existing axis.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="arrays">The arrays; equal shapes except along <paramref name="axis"/>.</param>
    /// <param name="axis">The axis.</param>
    /// <returns>A new array.</returns>
    public static NDArray<T> Concatenate<T>(IReadOnlyList<NDArray<T>> arrays, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count == 0)
        {
            throw new ArgumentException("concatenate: need at least one array to concatenate.", nameof(arrays));
        }

        int ndim = arrays[0].NDim;
        int ax = Shapes.NormalizeAxis("concatenate", axis, ndim);
        int[] shape = (int[])arrays[0].ShapeArray.Clone();
        shape[ax] = 0;
        foreach (NDArray<T> a in arrays)
        {
            for (int d = 0; d < ndim; d++)
            {
                if (a.NDim != ndim || (d != ax && a.ShapeArray[d] != shape[d]))
                {
                    throw new ArgumentException(
                        $"concatenate: all the input array dimensions except for the concatenation axis must match exactly; got {Shapes.Format(arrays[0].ShapeArray)} and {Shapes.Format(a.ShapeArray)} along axis {ax}.",
                        nameof(arrays));
                }
            }

            shape[ax] += a.ShapeArray[ax];
        }

        if (arrays.Count == 1)
        {
            return arrays[0];
        }

        NDArray<T> r = NDArray<T>.Zeros(shape);
        var index = new Ix[ndim];
        Array.Fill(index, Ix.All);
        int at = 0;
        foreach (NDArray<T> a in arrays)
        {
            int len = a.ShapeArray[ax];
            index[ax] = Ix.S(at, at + len);
            r.Slice(index).Assign(a);
            at += len;
        }

        return r;
    }

    /// <summary>Joins arrays of one shape along a new axis.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="arrays">The arrays.</param>
    /// <param name="axis">Where the new axis goes.</param>
    /// <returns>A new array.</returns>
    public static NDArray<T> Stack<T>(IReadOnlyList<NDArray<T>> arrays, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arrays);
        int ax = Shapes.StackAxis([.. arrays.Select(a => Shapes.ToLong(a.ShapeArray))], axis);
        return Concatenate([.. arrays.Select(a => a.ExpandDims(ax))], ax);
    }

    /// <summary>Matrix product of two 2-D arrays (OpenBLAS <c>dgemm</c>/<c>sgemm</c> when present for double/float).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">An (m, k) array.</param>
    /// <param name="b">A (k, n) array.</param>
    /// <returns>The (m, n) product.</returns>
    public static NDArray<T> MatMul<T>(NDArray<T> a, NDArray<T> b)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Blas.MatMul(a, b);
    }

    /// <summary>Sums products over pairs of axes (NumPy's <c>tensordot</c>): the free axes of <paramref name="a"/>, then those of <paramref name="b"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="a">The first array.</param>
    /// <param name="b">The second array.</param>
    /// <param name="axesA">The contracted axes of <paramref name="a"/>.</param>
    /// <param name="axesB">The matching axes of <paramref name="b"/> (same lengths).</param>
    /// <returns>The contraction.</returns>
    public static NDArray<T> TensorDot<T>(NDArray<T> a, NDArray<T> b, int[] axesA, int[] axesB)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (NDArray<T> a2, NDArray<T> b2, int[] shape) = TensorDotOperands(a, b, axesA, axesB);
        return Blas.MatMul(a2, b2).Reshape(shape);
    }

    /// <summary>The 2-D operands whose product is <c>tensordot(a, b, axesA, axesB)</c> reshaped to the returned shape.</summary>
    internal static (NDArray<T> A, NDArray<T> B, int[] Shape) TensorDotOperands<T>(NDArray<T> a, NDArray<T> b, int[] axesA, int[] axesB)
        where T : unmanaged
    {
        (int[] ca, int[] cb) = TensorDotAxes("tensordot", Shapes.ToLong(a.ShapeArray), Shapes.ToLong(b.ShapeArray), axesA, axesB);
        int[] fa = [.. Enumerable.Range(0, a.NDim).Where(i => !ca.Contains(i))];
        int[] fb = [.. Enumerable.Range(0, b.NDim).Where(i => !cb.Contains(i))];
        int m = fa.Aggregate(1, (p, i) => p * a.ShapeArray[i]);
        int n = fb.Aggregate(1, (p, i) => p * b.ShapeArray[i]);
        int k = ca.Aggregate(1, (p, i) => p * a.ShapeArray[i]);
        NDArray<T> a2 = a.Transpose([.. fa, .. ca]).Contiguous().Reshape(m, k);
        NDArray<T> b2 = b.Transpose([.. cb, .. fb]).Contiguous().Reshape(k, n);
        return (a2, b2, [.. fa.Select(i => a.ShapeArray[i]), .. fb.Select(i => b.ShapeArray[i])]);
    }

    internal static (int[] A, int[] B) TensorDotAxes(string op, long[] shapeA, long[] shapeB, int[] axesA, int[] axesB)
    {
        ArgumentNullException.ThrowIfNull(axesA);
        ArgumentNullException.ThrowIfNull(axesB);
        if (axesA.Length != axesB.Length)
        {
            throw new ArgumentException($"{op}: {axesA.Length} axes of the first array but {axesB.Length} of the second; they are contracted in pairs.");
        }

        int[] ca = [.. axesA.Select(x => Shapes.NormalizeAxis(op, x, shapeA.Length))];
        int[] cb = [.. axesB.Select(x => Shapes.NormalizeAxis(op, x, shapeB.Length))];
        if (ca.Distinct().Count() != ca.Length || cb.Distinct().Count() != cb.Length)
        {
            throw new ArgumentException($"{op}: repeated axis in ({string.Join(", ", axesA)}) or ({string.Join(", ", axesB)}).");
        }

        for (int i = 0; i < ca.Length; i++)
        {
            if (shapeA[ca[i]] != shapeB[cb[i]])
            {
                throw new ArgumentException($"{op}: shape mismatch for sum: axis {ca[i]} of {Shapes.Format(shapeA)} has length {shapeA[ca[i]]}, axis {cb[i]} of {Shapes.Format(shapeB)} has {shapeB[cb[i]]}.");
            }
        }

        return (ca, cb);
    }

    /// <summary>Writes an array in NumPy's .npy format (version 1.0, C order, little-endian).</summary>
    /// <param name="array">The array.</param>
    /// <param name="stream">The stream.</param>
    public static void WriteNpy(NDArray array, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(stream);
        string shape = array.NDim == 1
            ? $"({array.ShapeArray[0]},)"
            : "(" + string.Join(", ", array.ShapeArray.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        string header = $"{{'descr': '{array.DType.NpyDescr()}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - (total % 64)) % 64;
        header = header + new string(' ', pad) + "\n";
        Span<byte> prefix = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0, 0];
        prefix[8] = (byte)(header.Length & 0xff);
        prefix[9] = (byte)(header.Length >> 8);
        stream.Write(prefix);
        stream.Write(Encoding.ASCII.GetBytes(header));
        array.WriteRawBytes(stream);
    }

    /// <summary>Writes an array to a .npy file (through a temporary name, then renamed).</summary>
    /// <param name="array">The array.</param>
    /// <param name="path">The file.</param>
    public static void SaveNpy(NDArray array, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using (FileStream f = File.Create(temp))
        {
            WriteNpy(array, f);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a .npy file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The array (its dtype is in <see cref="DType"/>).</returns>
    /// <exception cref="InvalidDataException">The file is not a supported .npy file; the message names the file and byte offset.</exception>
    public static NDArray LoadNpy(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream f = File.OpenRead(path);
        return ReadNpy(f, path);
    }

    /// <summary>Reads an array in NumPy's .npy format.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>The array.</returns>
    public static NDArray ReadNpy(Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[8];
        ReadExactly(stream, magic, name, 0, "the magic string");
        if (magic[0] != 0x93 || magic[1] != 'N' || magic[2] != 'U' || magic[3] != 'M' || magic[4] != 'P' || magic[5] != 'Y')
        {
            throw new InvalidDataException($"{name}: not a .npy file (bad magic string at byte 0).");
        }

        int major = magic[6];
        int headerLength;
        int offset;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, name, 8, "the header length");
            headerLength = len[0] | (len[1] << 8);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, name, 8, "the header length");
            headerLength = BitConverter.ToInt32(len);
            offset = 12;
        }
        else
        {
            throw new InvalidDataException($"{name}: unsupported .npy version {major} at byte 6.");
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, name, offset, "the header");
        string header = Encoding.Latin1.GetString(headerBytes);
        string descr = HeaderValue(header, "descr", name, offset).Trim('\'', '"');
        string fortran = HeaderValue(header, "fortran_order", name, offset);
        string shapeText = HeaderValue(header, "shape", name, offset);
        DType dtype = DTypes.FromNpyDescr(descr)
            ?? throw new InvalidDataException($"{name}: unsupported dtype '{descr}' in the header at byte {offset} (little-endian bool, integers, float32 and float64 are supported).");
        int[] shape = [.. shapeText.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        bool isFortran = fortran.StartsWith("True", StringComparison.Ordinal);
        NDArray a = CreateFromStream(dtype, isFortran ? [.. shape.Reverse()] : shape, stream, name, offset + headerLength);
        return isFortran ? a.TransposeArray() : a;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name, long offset, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"{name}: truncated .npy file: {what} at byte {offset + read} needs {buffer.Length} bytes, only {read} remain.");
        }
    }

    private static string HeaderValue(string header, string key, string name, int offset)
    {
        int k = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
        if (k < 0)
        {
            throw new InvalidDataException($"{name}: the .npy header at byte {offset} has no '{key}'.");
        }

        int colon = header.IndexOf(':', k);
        int start = colon + 1;
        int end;
        if (key == "shape")
        {
            end = header.IndexOf(')', start) + 1;
        }
        else
        {
            end = header.IndexOf(',', start);
        }

        if (colon < 0 || end <= start)
        {
            throw new InvalidDataException($"{name}: malformed '{key}' in the .npy header at byte {offset}.");
        }

        return header[start..end].Trim();
    }

    private static NDArray CreateFromStream(DType dtype, int[] shape, Stream stream, string name, long offset) => dtype switch
    {
        DType.Bool => NDArray<bool>.ReadRaw(shape, stream, name, offset),
        DType.Int8 => NDArray<sbyte>.ReadRaw(shape, stream, name, offset),
        DType.UInt8 => NDArray<byte>.ReadRaw(shape, stream, name, offset),
        DType.Int16 => NDArray<short>.ReadRaw(shape, stream, name, offset),
        DType.UInt16 => NDArray<ushort>.ReadRaw(shape, stream, name, offset),
        DType.Int32 => NDArray<int>.ReadRaw(shape, stream, name, offset),
        DType.UInt32 => NDArray<uint>.ReadRaw(shape, stream, name, offset),
        DType.Int64 => NDArray<long>.ReadRaw(shape, stream, name, offset),
        DType.UInt64 => NDArray<ulong>.ReadRaw(shape, stream, name, offset),
        DType.Float32 => NDArray<float>.ReadRaw(shape, stream, name, offset),
        _ => NDArray<double>.ReadRaw(shape, stream, name, offset),
    };

    private protected abstract void WriteRawBytes(Stream stream);
}

/// <content>Raw buffer input and output.</content>
public sealed partial class NDArray<TElement>
{
    private protected override void WriteRawBytes(Stream stream)
    {
        NDArray<TElement> c = Contiguous();
        stream.Write(MemoryMarshal.AsBytes(c.Data.AsSpan(c.Offset, (int)c.Size)));
    }

    internal static NDArray<TElement> ReadRaw(int[] shape, Stream stream, string name, long offset)
    {
        var data = BlockMemory.Allocate<TElement>(Shapes.Product(shape));
        Span<byte> bytes = MemoryMarshal.AsBytes(data.AsSpan());
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length)
        {
            throw new InvalidDataException($"{name}: truncated .npy data: shape {Shapes.Format(shape)} needs {bytes.Length} bytes from byte {offset}, only {read} remain.");
        }

        return new NDArray<TElement>(data, shape);
    }
}
