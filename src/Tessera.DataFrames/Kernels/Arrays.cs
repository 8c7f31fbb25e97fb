using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Tessera.DataFrames.Kernels;

/// <summary>Reads which slots of an Arrow array hold values (not nulls), honouring the array's offset.</summary>
internal readonly ref struct Validity
{
    private readonly ReadOnlySpan<byte> _bits;
    private readonly int _offset;

    public Validity(IArrowArray array)
    {
        ArrayData data = array.Data;
        if (data.NullCount == 0 || data.Buffers[0].IsEmpty)
        {
            AllValid = true;
        }
        else
        {
            _bits = data.Buffers[0].Span;
            _offset = data.Offset;
        }
    }

    public bool AllValid { get; }

    public bool this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (AllValid)
            {
                return true;
            }

            int j = i + _offset;
            return ((_bits[j >> 3] >> (j & 7)) & 1) != 0;
        }
    }
}

/// <summary>Builds a bit-packed bitmap (validity or boolean values) one bit at a time.</summary>
internal struct BitmapBuilder
{
    private readonly byte[] _bits;
    private int _ones;

    public BitmapBuilder(int length)
    {
        _bits = new byte[Math.Max(1, (length + 7) >> 3)];
        _ones = 0;
    }

    public readonly byte[] Bits => _bits;

    public readonly int Ones => _ones;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i)
    {
        _bits[i >> 3] |= (byte)(1 << (i & 7));
        _ones++;
    }
}

/// <summary>Builds a UTF-8 string array.</summary>
internal sealed class StringArrayBuilder
{
    private byte[] _data;
    private int[] _offsets;
    private byte[]? _validity;
    private int _count;
    private int _length;
    private int _nulls;

    public StringArrayBuilder(int capacity, int byteCapacity = 0)
    {
        _offsets = new int[Math.Max(1, capacity) + 1];
        _data = new byte[Math.Max(16, byteCapacity)];
    }

    public int Count => _count;

    public void Append(ReadOnlySpan<byte> utf8)
    {
        EnsureRows();
        if (_length + utf8.Length > _data.Length)
        {
            System.Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + utf8.Length));
        }

        utf8.CopyTo(_data.AsSpan(_length));
        _length += utf8.Length;
        _offsets[++_count] = _length;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        EnsureRows();
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_length + max > _data.Length)
        {
            System.Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + max));
        }

        _length += Encoding.UTF8.GetBytes(text, _data.AsSpan(_length));
        _offsets[++_count] = _length;
    }

    public void AppendNull()
    {
        EnsureRows();
        _validity ??= CreateValidity();

        // EnsureRows marked the slot valid once a validity bitmap exists.
        _validity[_count >> 3] &= (byte)~(1 << (_count & 7));
        _nulls++;
        _offsets[_count + 1] = _length;
        _count++;
    }

    /// <summary>Takes back the last value appended.</summary>
    public void RemoveLast()
    {
        _count--;
        if (_validity is not null && (_validity[_count >> 3] & (1 << (_count & 7))) == 0)
        {
            _nulls--;
        }

        _length = _offsets[_count];
    }

    public StringArray Build()
    {
        byte[]? validity = null;
        if (_nulls > 0)
        {
            validity = _validity!;
        }

        var offsets = new byte[(_count + 1) * sizeof(int)];
        MemoryMarshal.AsBytes(_offsets.AsSpan(0, _count + 1)).CopyTo(offsets);
        return new StringArray(
            _count,
            new ArrowBuffer(offsets),
            new ArrowBuffer(_data.AsMemory(0, _length)),
            validity is null ? ArrowBuffer.Empty : new ArrowBuffer(validity),
            _nulls,
            0);
    }

    private void EnsureRows()
    {
        if (_count + 2 > _offsets.Length)
        {
            System.Array.Resize(ref _offsets, _offsets.Length * 2);
        }

        if (_validity is not null)
        {
            if ((_count >> 3) >= _validity.Length)
            {
                System.Array.Resize(ref _validity, _validity.Length * 2);
            }

            _validity[_count >> 3] |= (byte)(1 << (_count & 7));
        }
    }

    private byte[] CreateValidity()
    {
        // Everything appended so far was valid.
        var v = new byte[Math.Max(8, (_offsets.Length + 7) >> 3)];
        for (int i = 0; i < _count; i++)
        {
            v[i >> 3] |= (byte)(1 << (i & 7));
        }

        return v;
    }
}

/// <summary>Creating, slicing, gathering and concatenating Arrow arrays.</summary>
internal static class Arrays
{
    /// <summary>Allocates an uninitialized byte buffer for <paramref name="length"/> values of <typeparamref name="T"/>.</summary>
    public static byte[] Alloc<T>(int length, out Span<T> values)
        where T : unmanaged
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>(Math.Max(8, length * Unsafe.SizeOf<T>()));
        values = MemoryMarshal.Cast<byte, T>(bytes.AsSpan()).Slice(0, length);
        return bytes;
    }

    public static IArrowArray Primitive(IArrowType type, byte[] values, int length, byte[]? validity, int nullCount) =>
        ArrowArrayFactory.BuildArray(new ArrayData(
            type,
            length,
            nullCount,
            0,
            [nullCount == 0 || validity is null ? ArrowBuffer.Empty : new ArrowBuffer(validity), new ArrowBuffer(values)]));

    public static IArrowArray Primitive<T>(DType type, ReadOnlySpan<T> values, byte[]? validity = null, int nullCount = 0)
        where T : unmanaged
    {
        byte[] bytes = Alloc<T>(values.Length, out Span<T> dst);
        values.CopyTo(dst);
        return Primitive(type.ToArrow(), bytes, values.Length, validity, nullCount);
    }

    public static IArrowArray Bool(byte[] bits, int length, byte[]? validity, int nullCount) =>
        new BooleanArray(new ArrowBuffer(bits), nullCount == 0 || validity is null ? ArrowBuffer.Empty : new ArrowBuffer(validity), length, nullCount, 0);

    public static ReadOnlySpan<T> Values<T>(IArrowArray array)
        where T : unmanaged, IEquatable<T> => ((PrimitiveArray<T>)array).Values;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BoolAt(BooleanArray array, int i)
    {
        int j = i + array.Offset;
        return ((array.ValueBuffer.Span[j >> 3] >> (j & 7)) & 1) != 0;
    }

    /// <summary>An array of <paramref name="length"/> nulls of the given type.</summary>
    public static IArrowArray Nulls(IArrowType type, int length)
    {
        if (type is DictionaryType dictionary)
        {
            return Categorical.Nulls(dictionary, length);
        }

        var validity = new byte[Math.Max(1, (length + 7) >> 3)];
        DType d = DTypes.FromArrow(type);
        if (d == DType.String)
        {
            return new StringArray(length, new ArrowBuffer(new byte[(length + 1) * 4]), ArrowBuffer.Empty, new ArrowBuffer(validity), length, 0);
        }

        if (d == DType.Bool)
        {
            return Bool(new byte[validity.Length], length, validity, length);
        }

        int width = ((FixedWidthType)type).BitWidth / 8;
        return Primitive(type, new byte[Math.Max(8, length * width)], length, validity, length);
    }

    /// <summary>Gathers <paramref name="indices"/> of <paramref name="array"/>; index -1 gives null.</summary>
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> indices)
    {
        if (array is DictionaryArray dictionary)
        {
            return Categorical.Take(dictionary, indices);
        }

        IArrowType type = array.Data.DataType;
        switch (type.TypeId)
        {
            case ArrowTypeId.String:
                return TakeStrings((StringArray)array, indices);
            case ArrowTypeId.Boolean:
                return TakeBools((BooleanArray)array, indices);
        }

        var validity = new Validity(array);
        int n = indices.Length;
        byte[]? outValidity = null;
        int nulls = 0;
        bool anyMissing = !validity.AllValid || indices.Contains(-1);
        if (anyMissing)
        {
            var bb = new BitmapBuilder(n);
            for (int i = 0; i < n; i++)
            {
                int j = indices[i];
                if (j >= 0 && validity[j])
                {
                    bb.Set(i);
                }
            }

            outValidity = bb.Bits;
            nulls = n - bb.Ones;
        }

        int width = ((FixedWidthType)type).BitWidth / 8;
        ReadOnlySpan<byte> src = array.Data.Buffers[1].Span.Slice(array.Data.Offset * width);
        byte[] bytes = width switch
        {
            1 => TakeFixed<byte>(src, indices),
            2 => TakeFixed<short>(src, indices),
            4 => TakeFixed<int>(src, indices),
            8 => TakeFixed<long>(src, indices),
            _ => throw new NotSupportedException($"Take of {type.Name}."),
        };
        return Primitive(type, bytes, n, outValidity, nulls);
    }

    private static byte[] TakeFixed<T>(ReadOnlySpan<byte> src, ReadOnlySpan<int> indices)
        where T : unmanaged
    {
        ReadOnlySpan<T> s = MemoryMarshal.Cast<byte, T>(src);
        byte[] bytes = Alloc<T>(indices.Length, out Span<T> dst);
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            dst[i] = j >= 0 ? s[j] : default;
        }

        return bytes;
    }

    private static BooleanArray TakeBools(BooleanArray array, ReadOnlySpan<int> indices)
    {
        var validity = new Validity(array);
        int n = indices.Length;
        var values = new BitmapBuilder(n);
        var valid = new BitmapBuilder(n);
        for (int i = 0; i < n; i++)
        {
            int j = indices[i];
            if (j >= 0 && validity[j])
            {
                valid.Set(i);
                if (BoolAt(array, j))
                {
                    values.Set(i);
                }
            }
        }

        int nulls = n - valid.Ones;
        return (BooleanArray)Bool(values.Bits, n, nulls == 0 ? null : valid.Bits, nulls);
    }

    private static StringArray TakeStrings(StringArray array, ReadOnlySpan<int> indices)
    {
        var validity = new Validity(array);
        ReadOnlySpan<int> offsets = array.ValueOffsets;
        ReadOnlySpan<byte> data = array.Values;
        int n = indices.Length;
        byte[] offsetBytes = GC.AllocateUninitializedArray<byte>((n + 1) * sizeof(int));
        Span<int> outOffsets = MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());

        // Pass 1: the output offsets (a missing row is empty), and each row's source start.
        int[] starts = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        BitmapBuilder valid = default;
        bool anyNull = !validity.AllValid || indices.Contains(-1);
        if (anyNull)
        {
            valid = new BitmapBuilder(n);
        }

        long total = 0;
        outOffsets[0] = 0;
        for (int i = 0; i < n; i++)
        {
            int j = indices[i];
            if (j >= 0 && (!anyNull || validity[j]))
            {
                int from = offsets[j];
                starts[i] = from;
                total += offsets[j + 1] - from;
                if (anyNull)
                {
                    valid.Set(i);
                }
            }

            if (total > int.MaxValue)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(starts);
                throw new InvalidOperationException($"A string column of more than {int.MaxValue} bytes does not fit one Arrow utf8 array (2 GiB); use more partitions.");
            }

            outOffsets[i + 1] = (int)total;
        }

        // Pass 2: copy the bytes; strings of up to 16 bytes (most) as one 16-byte move into the
        // slack at the end of the buffer instead of a memmove call each.
        byte[] bytes = GC.AllocateUninitializedArray<byte>((int)total + 16);
        ref byte dst = ref MemoryMarshal.GetArrayDataReference(bytes);
        ref byte src = ref MemoryMarshal.GetReference(data);
        int safeEnd = data.Length - 16;
        for (int i = 0; i < n; i++)
        {
            int at = outOffsets[i];
            int length = outOffsets[i + 1] - at;
            if (length == 0)
            {
                continue;
            }

            int from = starts[i];
            if (length <= 16 && from <= safeEnd)
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, at), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, from)));
            }
            else
            {
                data.Slice(from, length).CopyTo(bytes.AsSpan(at));
            }
        }

        System.Buffers.ArrayPool<int>.Shared.Return(starts);
        int nulls = anyNull ? n - valid.Ones : 0;
        return new StringArray(n, new ArrowBuffer(offsetBytes), new ArrowBuffer(bytes.AsMemory(0, (int)total)), nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(valid.Bits), nulls, 0);
    }

    /// <summary>Concatenates arrays of one type.</summary>
    public static IArrowArray Concat(IReadOnlyList<IArrowArray> arrays, IArrowType type)
    {
        if (arrays.Count == 1)
        {
            return arrays[0];
        }

        if (type is DictionaryType)
        {
            return Categorical.Concat(arrays);
        }

        int n = 0;
        int nulls = 0;
        foreach (IArrowArray a in arrays)
        {
            n += a.Length;
            nulls += a.NullCount;
        }

        if (type.TypeId == ArrowTypeId.String)
        {
            return ConcatStrings(arrays, n, nulls);
        }

        byte[]? validity = null;
        if (nulls > 0 || type.TypeId == ArrowTypeId.Boolean)
        {
            var vb = new BitmapBuilder(n);
            var bits = new BitmapBuilder(n);
            int at = 0;
            foreach (IArrowArray a in arrays)
            {
                var v = new Validity(a);
                var ba = a as BooleanArray;
                for (int i = 0; i < a.Length; i++, at++)
                {
                    if (v[i])
                    {
                        vb.Set(at);
                        if (ba is not null && BoolAt(ba, i))
                        {
                            bits.Set(at);
                        }
                    }
                }
            }

            validity = vb.Bits;
            if (type.TypeId == ArrowTypeId.Boolean)
            {
                return Bool(bits.Bits, n, validity, nulls);
            }
        }

        int width = ((FixedWidthType)type).BitWidth / 8;
        byte[] values = GC.AllocateUninitializedArray<byte>(Math.Max(8, n * width));
        int pos = 0;
        foreach (IArrowArray a in arrays)
        {
            ReadOnlySpan<byte> src = a.Data.Buffers[1].Span.Slice(a.Data.Offset * width, a.Length * width);
            src.CopyTo(values.AsSpan(pos));
            pos += src.Length;
        }

        return Primitive(type, values, n, validity, nulls);
    }

    /// <summary>Concatenates string arrays: each one's bytes in one copy, its offsets shifted in one vectorized pass.</summary>
    private static StringArray ConcatStrings(IReadOnlyList<IArrowArray> arrays, int n, int nulls)
    {
        long total = 0;
        foreach (IArrowArray a in arrays)
        {
            var s = (StringArray)a;
            total += s.Length == 0 ? 0 : s.ValueOffsets[s.Length] - s.ValueOffsets[0];
        }

        if (total > int.MaxValue)
        {
            throw new InvalidOperationException($"A string column of {total} bytes does not fit one Arrow utf8 array (2 GiB); use more partitions.");
        }

        byte[] bytes = GC.AllocateUninitializedArray<byte>(Math.Max(1, (int)total));
        byte[] offsetBytes = GC.AllocateUninitializedArray<byte>((n + 1) * sizeof(int));
        Span<int> offsets = MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        BitmapBuilder valid = nulls > 0 ? new BitmapBuilder(n) : default;
        int row = 0;
        int at = 0;
        offsets[0] = 0;
        foreach (IArrowArray a in arrays)
        {
            var s = (StringArray)a;
            if (s.Length == 0)
            {
                continue;
            }

            ReadOnlySpan<int> from = s.ValueOffsets;
            int first = from[0];
            int length = from[s.Length] - first;
            s.Values.Slice(first, length).CopyTo(bytes.AsSpan(at));
            System.Numerics.Tensors.TensorPrimitives.Add(from.Slice(1, s.Length), at - first, offsets.Slice(row + 1, s.Length));
            if (nulls > 0)
            {
                var v = new Validity(s);
                for (int i = 0; i < s.Length; i++)
                {
                    if (v[i])
                    {
                        valid.Set(row + i);
                    }
                }
            }

            row += s.Length;
            at += length;
        }

        return new StringArray(n, new ArrowBuffer(offsetBytes), new ArrowBuffer(bytes.AsMemory(0, at)), nulls > 0 ? new ArrowBuffer(valid.Bits) : ArrowBuffer.Empty, nulls, 0);
    }

    /// <summary>Reads one value as a boxed .NET value (null for a null slot); for display and tests.</summary>
    public static object? GetValue(IArrowArray array, int i)
    {
        if (array.IsNull(i))
        {
            return null;
        }

        return array switch
        {
            Int8Array a => a.GetValue(i),
            Int16Array a => a.GetValue(i),
            Int32Array a => a.GetValue(i),
            Int64Array a => a.GetValue(i),
            UInt8Array a => a.GetValue(i),
            UInt16Array a => a.GetValue(i),
            UInt32Array a => a.GetValue(i),
            UInt64Array a => a.GetValue(i),
            FloatArray a => a.GetValue(i),
            DoubleArray a => a.GetValue(i),
            BooleanArray a => BoolAt(a, i),
            StringArray a => a.GetString(i),
            TimestampArray a => a.GetTimestampUnchecked(i).UtcDateTime,
            Date32Array a => DateOnly.FromDayNumber(UnixDay + a.Values[i]),
            DurationArray a => TimeSpan.FromTicks(a.Values[i] * 10),
            DictionaryArray a => GetValue(a.Dictionary, Convert.ToInt32(GetValue(a.Indices, i), System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new NotSupportedException($"Arrow type {array.Data.DataType.Name}."),
        };
    }

    /// <summary>Builds an array from boxed .NET values (nulls allowed).</summary>
    public static IArrowArray FromValues(DType type, IReadOnlyList<object?> values)
    {
        int n = values.Count;
        var valid = new BitmapBuilder(n);
        for (int i = 0; i < n; i++)
        {
            if (values[i] is not null)
            {
                valid.Set(i);
            }
        }

        int nulls = n - valid.Ones;
        byte[]? validity = nulls == 0 ? null : valid.Bits;
        switch (type)
        {
            case DType.String:
            {
                var b = new StringArrayBuilder(n);
                foreach (object? v in values)
                {
                    if (v is null)
                    {
                        b.AppendNull();
                    }
                    else
                    {
                        b.Append(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture).AsSpan());
                    }
                }

                return b.Build();
            }

            case DType.Bool:
            {
                var bits = new BitmapBuilder(n);
                for (int i = 0; i < n; i++)
                {
                    if (values[i] is bool and true)
                    {
                        bits.Set(i);
                    }
                }

                return Bool(bits.Bits, n, validity, nulls);
            }

            case DType.Timestamp:
            {
                byte[] bytes = Alloc<long>(n, out Span<long> dst);
                for (int i = 0; i < n; i++)
                {
                    dst[i] = values[i] switch
                    {
                        null => 0,
                        DateTime d => ToMicros(d),
                        DateTimeOffset o => ToMicros(o.UtcDateTime),
                        object o => Convert.ToInt64(o, System.Globalization.CultureInfo.InvariantCulture),
                    };
                }

                return Primitive(type.ToArrow(), bytes, n, validity, nulls);
            }

            case DType.Category:
                return Categorical.Encode((StringArray)FromValues(DType.String, values), null);

            case DType.Date or DType.Duration:
            {
                byte[] bytes = Alloc<long>(n, out Span<long> dst);
                for (int i = 0; i < n; i++)
                {
                    dst[i] = values[i] is { } v ? Temporal.ToStorage(v, type) : 0;
                }

                return Compute.Cast(Primitive(DType.Int64.ToArrow(), bytes, n, validity, nulls), type);
            }

            default:
                return Numeric.Dispatch(type, new FromBoxed(values, validity, nulls, type));
        }
    }

    /// <summary>The day number (<see cref="DateOnly.DayNumber"/>) of 1970-01-01, day 0 of date32.</summary>
    internal static readonly int UnixDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    internal static long ToMicros(DateTime d)
    {
        DateTime utc = d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d;
        return (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    }

    private readonly struct FromBoxed(IReadOnlyList<object?> values, byte[]? validity, int nulls, DType type) : INumericFunc<IArrowArray>
    {
        public IArrowArray Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            byte[] bytes = Alloc<T>(values.Count, out Span<T> dst);
            for (int i = 0; i < dst.Length; i++)
            {
                dst[i] = values[i] switch
                {
                    null => T.Zero,
                    T t => t,
                    bool b => b ? T.One : T.Zero,
                    object o => T.CreateTruncating(Convert.ToDouble(o, System.Globalization.CultureInfo.InvariantCulture)),
                };
            }

            return Primitive(type.ToArrow(), bytes, values.Count, validity, nulls);
        }
    }
}
