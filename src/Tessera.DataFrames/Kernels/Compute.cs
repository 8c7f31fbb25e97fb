using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>Binary arithmetic operators.</summary>
internal enum ArithOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

/// <summary>Comparison operators.</summary>
internal enum CompareOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>Logical operators on booleans.</summary>
internal enum LogicalOp
{
    And,
    Or,
    Xor,
}

/// <summary>Element-wise kernels over Arrow arrays: arithmetic, comparison, logic, null handling, casts.</summary>
internal static class Compute
{
    public static string Symbol(this ArithOp op) => op switch
    {
        ArithOp.Add => "+",
        ArithOp.Subtract => "-",
        ArithOp.Multiply => "*",
        ArithOp.Divide => "/",
        _ => "%",
    };

    public static string Symbol(this CompareOp op) => op switch
    {
        CompareOp.Equal => "==",
        CompareOp.NotEqual => "!=",
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        _ => ">=",
    };

    /// <summary>The dtype of <c>a op b</c>, or an error naming both dtypes.</summary>
    public static DType ArithType(ArithOp op, DType a, DType b)
    {
        if (Temporal.ArithType(op, a, b) is { } temporal)
        {
            return temporal;
        }

        if (!(a.IsNumeric() || a == DType.Bool) || !(b.IsNumeric() || b == DType.Bool))
        {
            throw new ArgumentException($"Operator '{op.Symbol()}' is not defined between {a.Name()} and {b.Name()}; it needs numeric operands (use AsType to convert).");
        }

        DType t = DTypes.Promote(a, b);
        if (op == ArithOp.Divide)
        {
            return t == DType.Float32 ? DType.Float32 : DType.Float64;
        }

        return t;
    }

    /// <summary>The dtype in which <paramref name="a"/> and <paramref name="b"/> are compared, or an error naming both.</summary>
    public static DType CompareType(CompareOp op, DType a, DType b)
    {
        // Categoricals compare as their string values.
        a = a == DType.Category ? DType.String : a;
        b = b == DType.Category ? DType.String : b;
        if (a.IsNumeric() && b.IsNumeric())
        {
            return a == b ? a : (a.IsFloat() || b.IsFloat() ? DType.Float64 : DTypes.Promote(a, b));
        }

        if (a == b)
        {
            return a;
        }

        throw new ArgumentException($"Comparison '{op.Symbol()}' is not defined between {a.Name()} and {b.Name()}; convert one side with AsType.");
    }

    /// <summary>The dtype of a scalar operand for checks at graph-build time.</summary>
    public static DType ScalarType(object value) => value switch
    {
        double => DType.Float64,
        float => DType.Float32,
        long or int or short or sbyte => DType.Int64,
        ulong or uint or ushort or byte => DType.UInt64,
        bool => DType.Bool,
        string => DType.String,
        DateTime or DateTimeOffset => DType.Timestamp,
        DateOnly => DType.Date,
        TimeSpan => DType.Duration,
        _ => throw new ArgumentException($"Scalar operand of type {value.GetType()} is not supported; use a number, bool, string, DateTime, DateOnly or TimeSpan."),
    };

    /// <summary>The type of <c>array op scalar</c>: a scalar adapts to the array's type where it can (pandas' weak scalars).</summary>
    public static DType ArithTypeWithScalar(ArithOp op, DType array, DType scalar)
    {
        DType t = ArithType(op, array, scalar);
        if (array.IsTemporal() || scalar.IsTemporal())
        {
            return t;
        }

        if (op == ArithOp.Divide)
        {
            return array == DType.Float32 ? DType.Float32 : DType.Float64;
        }

        if (scalar.IsInteger() && array.IsNumeric())
        {
            return array;
        }

        if (scalar.IsFloat() && array.IsFloat())
        {
            return array;
        }

        return t;
    }

    public static IArrowArray Arith(ArithOp op, IArrowArray a, IArrowArray b, DType result)
    {
        CheckLengths(a, b, op.Symbol());
        byte[]? validity = CombineValidity(a, b, out int nulls);
        return Numeric.Dispatch(result, new ArithArrays(op, a, b, validity, nulls, result));
    }

    public static IArrowArray ArithScalar(ArithOp op, IArrowArray a, object scalar, bool scalarOnLeft, DType result)
    {
        byte[]? validity = CopyValidity(a, out int nulls);
        return Numeric.Dispatch(result, new ArithWithScalar(op, a, scalar, scalarOnLeft, validity, nulls, result));
    }

    public static IArrowArray Negate(IArrowArray a)
    {
        DType t = DTypes.Of(a);
        if (!t.IsNumeric())
        {
            throw new ArgumentException($"Negation is not defined for {t.Name()}.");
        }

        return ArithScalar(ArithOp.Subtract, a, 0L, scalarOnLeft: true, t is >= DType.UInt8 and <= DType.UInt64 ? DType.Int64 : t);
    }

    public static IArrowArray Compare(CompareOp op, IArrowArray a, IArrowArray b)
    {
        a = Categorical.Plain(a);
        b = Categorical.Plain(b);
        CheckLengths(a, b, op.Symbol());
        DType t = CompareType(op, DTypes.Of(a), DTypes.Of(b));
        byte[]? validity = CombineValidity(a, b, out int nulls);
        byte[] bits = t switch
        {
            DType.String => CompareStrings(op, (StringArray)a, (StringArray)b, null),
            DType.Bool => CompareBools(op, (BooleanArray)a, (BooleanArray)b),
            _ => Numeric.Dispatch<CompareArrays, byte[]>(t, new CompareArrays(op, a, b)),
        };
        return Arrays.Bool(bits, a.Length, validity, nulls);
    }

    public static IArrowArray CompareScalar(CompareOp op, IArrowArray a, object scalar)
    {
        a = Categorical.Plain(a);
        DType at = DTypes.Of(a);
        DType st = ScalarType(scalar);
        DType t = at == DType.Timestamp && st == DType.Timestamp ? DType.Timestamp : CompareType(op, at, st);
        byte[]? validity = CopyValidity(a, out int nulls);
        byte[] bits;
        if (t == DType.String)
        {
            bits = CompareStrings(op, (StringArray)a, null, System.Text.Encoding.UTF8.GetBytes((string)scalar));
        }
        else if (t == DType.Bool)
        {
            bool s = (bool)scalar;
            var bb = new BitmapBuilder(a.Length);
            var ba = (BooleanArray)a;
            for (int i = 0; i < a.Length; i++)
            {
                if (CompareScalar(op, Arrays.BoolAt(ba, i) ? 1 : 0, s ? 1 : 0))
                {
                    bb.Set(i);
                }
            }

            bits = bb.Bits;
        }
        else
        {
            object s = scalar switch
            {
                DateTime d => Arrays.ToMicros(d),
                DateTimeOffset o => Arrays.ToMicros(o.UtcDateTime),
                _ => scalar,
            };
            bits = Numeric.Dispatch<CompareWithScalar, byte[]>(t.Physical(), new CompareWithScalar(op, a, s));
        }

        return Arrays.Bool(bits, a.Length, validity, nulls);
    }

    public static IArrowArray Logical(LogicalOp op, IArrowArray a, IArrowArray b)
    {
        CheckLengths(a, b, op.ToString());
        if (a is not BooleanArray ba || b is not BooleanArray bb)
        {
            throw new ArgumentException($"Logical '{op}' needs bool operands, not {DTypes.Of(a).Name()} and {DTypes.Of(b).Name()}.");
        }

        byte[] x = NormalizedBits(ba);
        byte[] y = NormalizedBits(bb);
        var r = new byte[x.Length];
        Span<byte> rs = r;
        switch (op)
        {
            case LogicalOp.And: TensorPrimitives.BitwiseAnd<byte>(x, y, rs); break;
            case LogicalOp.Or: TensorPrimitives.BitwiseOr<byte>(x, y, rs); break;
            default: TensorPrimitives.Xor<byte>(x, y, rs); break;
        }

        byte[]? validity = CombineValidity(a, b, out int nulls);
        return Arrays.Bool(r, a.Length, validity, nulls);
    }

    public static IArrowArray Not(IArrowArray a)
    {
        if (a is not BooleanArray ba)
        {
            throw new ArgumentException($"Logical not needs a bool operand, not {DTypes.Of(a).Name()}.");
        }

        byte[] x = NormalizedBits(ba);
        var r = new byte[x.Length];
        TensorPrimitives.OnesComplement<byte>(x, r);
        byte[]? validity = CopyValidity(a, out int nulls);
        return Arrays.Bool(r, a.Length, validity, nulls);
    }

    /// <summary>True where a value is missing: null, or NaN in a floating-point column (pandas' isna).</summary>
    public static IArrowArray IsNa(IArrowArray a)
    {
        var v = new Validity(a);
        var bb = new BitmapBuilder(a.Length);
        ReadOnlySpan<double> d = a is DoubleArray da ? da.Values : default;
        ReadOnlySpan<float> f = a is FloatArray fa ? fa.Values : default;
        for (int i = 0; i < a.Length; i++)
        {
            if (!v[i] || (!d.IsEmpty && double.IsNaN(d[i])) || (!f.IsEmpty && float.IsNaN(f[i])))
            {
                bb.Set(i);
            }
        }

        return Arrays.Bool(bb.Bits, a.Length, null, 0);
    }

    /// <summary>Rows where the value is present (not null, not NaN).</summary>
    public static bool HasMissing(IArrowArray a)
    {
        if (a.NullCount > 0)
        {
            return true;
        }

        return a switch
        {
            DoubleArray d => TensorPrimitives.IndexOfMax(d.Values) >= 0 && ContainsNaN(d.Values),
            FloatArray f => ContainsNaN(f.Values),
            _ => false,
        };
    }

    private static bool ContainsNaN<T>(ReadOnlySpan<T> values)
        where T : IFloatingPointIeee754<T>
    {
        foreach (T v in values)
        {
            if (T.IsNaN(v))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces missing values (nulls, and NaN in floating-point columns) with <paramref name="value"/>.</summary>
    public static IArrowArray FillNa(IArrowArray a, object value)
    {
        if (!HasMissing(a))
        {
            return a;
        }

        DType t = DTypes.Of(a);
        var v = new Validity(a);
        IArrowArray isna = IsNa(a);
        var mask = (BooleanArray)isna;
        if (t == DType.String)
        {
            if (value is not string s)
            {
                throw new ArgumentException($"FillNa: a string column needs a string fill value, not {value.GetType()}.");
            }

            var sa = (StringArray)a;
            var b = new StringArrayBuilder(a.Length);
            for (int i = 0; i < a.Length; i++)
            {
                if (v[i])
                {
                    b.Append(sa.GetBytes(i));
                }
                else
                {
                    b.Append(s.AsSpan());
                }
            }

            return b.Build();
        }

        if (t == DType.Bool)
        {
            if (value is not bool fill)
            {
                throw new ArgumentException($"FillNa: a bool column needs a bool fill value, not {value.GetType()}.");
            }

            var ba = (BooleanArray)a;
            var bits = new BitmapBuilder(a.Length);
            for (int i = 0; i < a.Length; i++)
            {
                if (v[i] ? Arrays.BoolAt(ba, i) : fill)
                {
                    bits.Set(i);
                }
            }

            return Arrays.Bool(bits.Bits, a.Length, null, 0);
        }

        if (!t.IsNumeric() && !t.IsTemporal())
        {
            throw new ArgumentException($"FillNa is not supported for {t.Name()}.");
        }

        _ = ScalarType(value);
        return Numeric.Dispatch(t, new FillNumeric(a, mask, value, t));
    }

    /// <summary>Converts a column to another dtype.</summary>
    public static IArrowArray Cast(IArrowArray a, DType to)
    {
        DType from = DTypes.Of(a);
        if (from == to)
        {
            return a;
        }

        if (Temporal.Cast(a, from, to) is { } temporal)
        {
            return temporal;
        }

        if (a is DictionaryArray categories)
        {
            return Cast(Categorical.Decode(categories), to);
        }

        if (to == DType.Category)
        {
            return Categorical.Encode((StringArray)Cast(a, DType.String), null);
        }

        byte[]? validity = CopyValidity(a, out int nulls);
        if (to == DType.String)
        {
            var b = new StringArrayBuilder(a.Length);
            var v = new Validity(a);
            for (int i = 0; i < a.Length; i++)
            {
                if (!v[i])
                {
                    b.AppendNull();
                    continue;
                }

                object? o = Arrays.GetValue(a, i);
                string text = o switch
                {
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    float f => f.ToString("R", CultureInfo.InvariantCulture),
                    bool x => x ? "True" : "False",
                    DateTime or DateOnly or TimeSpan => Temporal.Format(o)!,
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => o?.ToString() ?? string.Empty,
                };
                b.Append(text.AsSpan());
            }

            return b.Build();
        }

        if (from == DType.String)
        {
            var s = (StringArray)a;
            var values = new object?[a.Length];
            for (int i = 0; i < a.Length; i++)
            {
                if (s.IsNull(i))
                {
                    continue;
                }

                string text = s.GetString(i);
                values[i] = ParseScalar(text, to) ?? throw new FormatException($"AsType({to.Name()}): cannot parse '{text}' (row {i}) as {to.Name()}.");
            }

            return Arrays.FromValues(to, values);
        }

        if (to == DType.Bool)
        {
            ReadOnlySpan<double> d = Numeric.AsDouble(a);
            var bits = new BitmapBuilder(a.Length);
            for (int i = 0; i < d.Length; i++)
            {
                if (d[i] != 0)
                {
                    bits.Set(i);
                }
            }

            return Arrays.Bool(bits.Bits, a.Length, validity, nulls);
        }

        if (!to.IsNumeric() && !to.IsTemporal())
        {
            throw new ArgumentException($"AsType: cannot convert {from.Name()} to {to.Name()}.");
        }

        if (!(from.IsNumeric() || from == DType.Bool || from.IsTemporal()))
        {
            throw new ArgumentException($"AsType: cannot convert {from.Name()} to {to.Name()}.");
        }

        return Numeric.Dispatch(to, new CastNumeric(a, validity, nulls, to));
    }

    public static object? ParseScalar(string text, DType to)
    {
        var ci = CultureInfo.InvariantCulture;
        switch (to)
        {
            case DType.String:
                return text;
            case DType.Bool:
                if (bool.TryParse(text, out bool b))
                {
                    return b;
                }

                return text switch
                {
                    "1" => true,
                    "0" => false,
                    _ => null,
                };
            case DType.Timestamp or DType.Date or DType.Duration:
                return Temporal.Parse(text, to);
            case DType.Float32 or DType.Float64:
                return double.TryParse(text, NumberStyles.Float, ci, out double d) ? d : null;
            case DType.UInt64:
                return ulong.TryParse(text, NumberStyles.Integer, ci, out ulong u) ? u : null;
            default:
                return long.TryParse(text, NumberStyles.Integer, ci, out long l) ? l : null;
        }
    }

    /// <summary>
    /// <c>condition ? a : other</c> per row (with <paramref name="invert"/>: <c>condition ? other : a</c>);
    /// a missing condition selects <paramref name="other"/> (or, inverted, keeps <paramref name="a"/>), as pandas does;
    /// <paramref name="other"/> null gives missing values.
    /// </summary>
    public static IArrowArray Where(IArrowArray a, IArrowArray condition, object? other, bool invert, string column)
    {
        if (condition is not BooleanArray cond)
        {
            throw new ArgumentException($"where: the condition must be bool, not {DTypes.Of(condition).Name()}.");
        }

        if (cond.Length != a.Length)
        {
            throw new InvalidOperationException($"where: the condition has {cond.Length} rows but column '{column}' has {a.Length}.");
        }

        DType t = DTypes.Of(a);
        if (other is not null)
        {
            DType ot = ScalarType(other);
            bool fits = t == ot || (t.IsNumeric() && ot.IsNumeric() && !(t.IsInteger() && ot.IsFloat())) || (t == DType.Timestamp && ot == DType.Timestamp);
            if (!fits)
            {
                throw new ArgumentException($"where: the replacement {other} ({ot.Name()}) does not suit column '{column}' ({t.Name()}).");
            }
        }

        // keep[i]: the row keeps its own value.
        byte[] bits = NormalizedBits(cond);
        if (cond.NullCount > 0)
        {
            // A missing condition is false: where replaces the value, mask keeps it.
            byte[] valid = NormalizeBitmap(cond.NullBitmapBuffer.Span, cond.Offset, cond.Length);
            TensorPrimitives.BitwiseAnd<byte>(bits, valid, bits);
        }

        if (invert)
        {
            TensorPrimitives.OnesComplement<byte>(bits, bits);
        }

        var rows = new int[a.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = ((bits[i >> 3] >> (i & 7)) & 1) != 0 ? i : -1;
        }

        // Kept rows are gathered; the others are null, then filled with the replacement.
        IArrowArray kept = Arrays.Take(a, rows);
        if (other is null)
        {
            return kept;
        }

        if (!rows.AsSpan().Contains(-1))
        {
            return kept;
        }

        var values = new object?[a.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            values[i] = rows[i] < 0 ? other : Arrays.GetValue(kept, i);
        }

        return Arrays.FromValues(t, values);
    }

    /// <summary>Row positions where the mask is true (null counts as false).</summary>
    public static int[] MaskToIndices(IArrowArray mask)
    {
        if (mask is not BooleanArray b)
        {
            throw new ArgumentException($"A filter mask must be bool, not {DTypes.Of(mask).Name()}.");
        }

        byte[] bits = NormalizedBits(b);
        if (b.NullCount > 0)
        {
            byte[] valid = NormalizeBitmap(b.NullBitmapBuffer.Span, b.Offset, b.Length);
            TensorPrimitives.BitwiseAnd<byte>(bits, valid, bits);
        }

        int n = b.Length;
        int full = n >> 3;
        int count = 0;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bits.AsSpan(0, (n >> 6) << 3));
        foreach (ulong w in words)
        {
            count += BitOperations.PopCount(w);
        }

        for (int i = words.Length << 6; i < n; i++)
        {
            count += (bits[i >> 3] >> (i & 7)) & 1;
        }

        var result = new int[count];
        int at = 0;
        for (int w = 0; w < words.Length; w++)
        {
            ulong word = words[w];
            while (word != 0)
            {
                result[at++] = (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }

        for (int i = words.Length << 6; i < n; i++)
        {
            if (((bits[i >> 3] >> (i & 7)) & 1) != 0)
            {
                result[at++] = i;
            }
        }

        _ = full;
        return result;
    }

    /// <summary>The values bitmap of a boolean array, starting at bit 0, with bits past the length cleared.</summary>
    public static byte[] NormalizedBits(BooleanArray a) => NormalizeBitmap(a.ValueBuffer.Span, a.Offset, a.Length);

    private static byte[] NormalizeBitmap(ReadOnlySpan<byte> bits, int offset, int length)
    {
        int bytes = Math.Max(8, ((length + 63) >> 6) << 3);
        var r = new byte[bytes];
        if ((offset & 7) == 0)
        {
            bits.Slice(offset >> 3, (length + 7) >> 3).CopyTo(r);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                int j = i + offset;
                if (((bits[j >> 3] >> (j & 7)) & 1) != 0)
                {
                    r[i >> 3] |= (byte)(1 << (i & 7));
                }
            }
        }

        int rem = length & 7;
        if (rem != 0)
        {
            r[length >> 3] &= (byte)((1 << rem) - 1);
        }

        return r;
    }

    private static void CheckLengths(IArrowArray a, IArrowArray b, string op)
    {
        if (a.Length != b.Length)
        {
            throw new InvalidOperationException($"Operator '{op}': the operands' partitions have {a.Length} and {b.Length} rows; element-wise operations need aligned partitions (same source, or Repartition both alike).");
        }
    }

    internal static byte[]? CopyValidity(IArrowArray a, out int nulls)
    {
        nulls = a.NullCount;
        return nulls == 0 ? null : NormalizeBitmap(a.Data.Buffers[0].Span, a.Data.Offset, a.Length);
    }

    private static byte[]? CombineValidity(IArrowArray a, IArrowArray b, out int nulls)
    {
        if (a.NullCount == 0)
        {
            return CopyValidity(b, out nulls);
        }

        if (b.NullCount == 0)
        {
            return CopyValidity(a, out nulls);
        }

        byte[] x = NormalizeBitmap(a.Data.Buffers[0].Span, a.Data.Offset, a.Length);
        byte[] y = NormalizeBitmap(b.Data.Buffers[0].Span, b.Data.Offset, b.Length);
        TensorPrimitives.BitwiseAnd<byte>(x, y, x);
        int ones = 0;
        foreach (ulong w in MemoryMarshal.Cast<byte, ulong>(x.AsSpan(0, x.Length & ~7)))
        {
            ones += BitOperations.PopCount(w);
        }

        nulls = a.Length - ones;
        return x;
    }

    private static byte[] CompareStrings(CompareOp op, StringArray a, StringArray? b, byte[]? scalar)
    {
        var bb = new BitmapBuilder(a.Length);
        ReadOnlySpan<int> ao = a.ValueOffsets;
        ReadOnlySpan<byte> ad = a.Values;
        for (int i = 0; i < a.Length; i++)
        {
            ReadOnlySpan<byte> x = ad.Slice(ao[i], ao[i + 1] - ao[i]);
            ReadOnlySpan<byte> y = scalar ?? b!.GetBytes(i);
            int c = op is CompareOp.Equal or CompareOp.NotEqual ? (x.SequenceEqual(y) ? 0 : 1) : x.SequenceCompareTo(y);
            if (CompareScalar(op, c, 0))
            {
                bb.Set(i);
            }
        }

        return bb.Bits;
    }

    private static byte[] CompareBools(CompareOp op, BooleanArray a, BooleanArray b)
    {
        var bb = new BitmapBuilder(a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            if (CompareScalar(op, Arrays.BoolAt(a, i) ? 1 : 0, Arrays.BoolAt(b, i) ? 1 : 0))
            {
                bb.Set(i);
            }
        }

        return bb.Bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CompareScalar<T>(CompareOp op, T x, T y)
        where T : IComparisonOperators<T, T, bool> => op switch
        {
            CompareOp.Equal => x == y,
            CompareOp.NotEqual => x != y,
            CompareOp.Less => x < y,
            CompareOp.LessOrEqual => x <= y,
            CompareOp.Greater => x > y,
            _ => x >= y,
        };

    private static byte[] CompareKernel<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T scalar)
        where T : unmanaged, INumber<T>
        where TOp : struct, ICompareKernel
    {
        int n = a.Length;
        byte[] bytes = new byte[Math.Max(8, ((n + 63) >> 6) << 3)];
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan());
        int i = 0;
        bool hasB = !b.IsEmpty || n == 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int c = Vector256<T>.Count;
            ref T ra = ref MemoryMarshal.GetReference(a);
            ref T rb = ref MemoryMarshal.GetReference(b);
            Vector256<T> vs = Vector256.Create(scalar);
            for (; i <= n - c; i += c)
            {
                Vector256<T> x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                Vector256<T> y = hasB ? Vector256.LoadUnsafe(ref rb, (nuint)i) : vs;
                ulong m = TOp.Vector(x, y).ExtractMostSignificantBits();
                words[i >> 6] |= m << (i & 63);
            }
        }

        for (; i < n; i++)
        {
            if (TOp.Scalar(a[i], hasB ? b[i] : scalar))
            {
                words[i >> 6] |= 1UL << (i & 63);
            }
        }

        return bytes;
    }

    private static byte[] CompareDispatch<T>(CompareOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, T scalar)
        where T : unmanaged, INumber<T> => op switch
        {
            CompareOp.Equal => CompareKernel<T, EqOp>(a, b, scalar),
            CompareOp.NotEqual => CompareKernel<T, NeOp>(a, b, scalar),
            CompareOp.Less => CompareKernel<T, LtOp>(a, b, scalar),
            CompareOp.LessOrEqual => CompareKernel<T, LeOp>(a, b, scalar),
            CompareOp.Greater => CompareKernel<T, GtOp>(a, b, scalar),
            _ => CompareKernel<T, GeOp>(a, b, scalar),
        };

    private interface ICompareKernel
    {
        static abstract Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T>;

        static abstract bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T>;
    }

    private readonly struct EqOp : ICompareKernel
    {
        public static Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T> => Vector256.Equals(x, y);

        public static bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T> => x == y;
    }

    private readonly struct NeOp : ICompareKernel
    {
        public static Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T> => ~Vector256.Equals(x, y);

        public static bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T> => x != y;
    }

    private readonly struct LtOp : ICompareKernel
    {
        public static Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T> => Vector256.LessThan(x, y);

        public static bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T> => x < y;
    }

    private readonly struct LeOp : ICompareKernel
    {
        public static Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T> => Vector256.LessThanOrEqual(x, y);

        public static bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T> => x <= y;
    }

    private readonly struct GtOp : ICompareKernel
    {
        public static Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T> => Vector256.GreaterThan(x, y);

        public static bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T> => x > y;
    }

    private readonly struct GeOp : ICompareKernel
    {
        public static Vector256<T> Vector<T>(Vector256<T> x, Vector256<T> y)
            where T : unmanaged, INumber<T> => Vector256.GreaterThanOrEqual(x, y);

        public static bool Scalar<T>(T x, T y)
            where T : unmanaged, INumber<T> => x >= y;
    }

    private readonly struct CompareArrays(CompareOp op, IArrowArray a, IArrowArray b) : INumericFunc<byte[]>
    {
        public byte[] Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T> =>
            CompareDispatch(op, Numeric.As<T>(a, out _), Numeric.As<T>(b, out _), T.Zero);
    }

    private readonly struct CompareWithScalar(CompareOp op, IArrowArray a, object scalar) : INumericFunc<byte[]>
    {
        public byte[] Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T> =>
            CompareDispatch(op, Numeric.As<T>(a, out _), default, ToNumber<T>(scalar));
    }

    internal static T ToNumber<T>(object scalar)
        where T : INumber<T> => scalar switch
        {
            T t => t,
            double d => T.CreateSaturating(d),
            float f => T.CreateSaturating(f),
            long l => T.CreateSaturating(l),
            int i => T.CreateSaturating(i),
            ulong u => T.CreateSaturating(u),
            bool b => b ? T.One : T.Zero,
            DateTime dt => T.CreateSaturating(Arrays.ToMicros(dt)),
            DateOnly d => T.CreateSaturating(d.DayNumber - Arrays.UnixDay),
            TimeSpan s => T.CreateSaturating(s.Ticks / 10),
            _ => T.CreateSaturating(Convert.ToDouble(scalar, CultureInfo.InvariantCulture)),
        };

    private readonly struct ArithArrays(ArithOp op, IArrowArray a, IArrowArray b, byte[]? validity, int nulls, DType result) : INumericFunc<IArrowArray>
    {
        public IArrowArray Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            ReadOnlySpan<T> x = Numeric.As<T>(a, out _);
            ReadOnlySpan<T> y = Numeric.As<T>(b, out _);
            byte[] bytes = Arrays.Alloc<T>(x.Length, out Span<T> dst);
            switch (op)
            {
                case ArithOp.Add: TensorPrimitives.Add(x, y, dst); break;
                case ArithOp.Subtract: TensorPrimitives.Subtract(x, y, dst); break;
                case ArithOp.Multiply: TensorPrimitives.Multiply(x, y, dst); break;
                case ArithOp.Divide: TensorPrimitives.Divide(x, y, dst); break;
                default:
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = y[i] == T.Zero ? T.Zero : Mod(x[i], y[i]);
                    }

                    break;
            }

            return Arrays.Primitive(result.ToArrow(), bytes, x.Length, validity, nulls);
        }
    }

    private static T Mod<T>(T x, T y)
        where T : INumber<T>
    {
        // Python's modulo: the result has the sign of the divisor.
        T r = x % y;
        return r != T.Zero && (r < T.Zero) != (y < T.Zero) ? r + y : r;
    }

    private readonly struct ArithWithScalar(ArithOp op, IArrowArray a, object scalar, bool scalarOnLeft, byte[]? validity, int nulls, DType result) : INumericFunc<IArrowArray>
    {
        public IArrowArray Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            ReadOnlySpan<T> x = Numeric.As<T>(a, out _);
            T s = ToNumber<T>(scalar);
            byte[] bytes = Arrays.Alloc<T>(x.Length, out Span<T> dst);
            switch (op)
            {
                case ArithOp.Add: TensorPrimitives.Add(x, s, dst); break;
                case ArithOp.Multiply: TensorPrimitives.Multiply(x, s, dst); break;
                case ArithOp.Subtract:
                    if (scalarOnLeft)
                    {
                        TensorPrimitives.Subtract(s, x, dst);
                    }
                    else
                    {
                        TensorPrimitives.Subtract(x, s, dst);
                    }

                    break;
                case ArithOp.Divide:
                    if (scalarOnLeft)
                    {
                        TensorPrimitives.Divide(s, x, dst);
                    }
                    else
                    {
                        TensorPrimitives.Divide(x, s, dst);
                    }

                    break;
                default:
                    for (int i = 0; i < dst.Length; i++)
                    {
                        (T p, T q) = scalarOnLeft ? (s, x[i]) : (x[i], s);
                        dst[i] = q == T.Zero ? T.Zero : Mod(p, q);
                    }

                    break;
            }

            return Arrays.Primitive(result.ToArrow(), bytes, x.Length, validity, nulls);
        }
    }

    private readonly struct FillNumeric(IArrowArray a, BooleanArray isna, object value, DType type) : INumericFunc<IArrowArray>
    {
        public IArrowArray Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            ReadOnlySpan<T> x = Numeric.As<T>(a, out _);
            T fill = ToNumber<T>(value);
            byte[] bytes = Arrays.Alloc<T>(x.Length, out Span<T> dst);
            for (int i = 0; i < x.Length; i++)
            {
                dst[i] = Arrays.BoolAt(isna, i) ? fill : x[i];
            }

            return Arrays.Primitive(type.ToArrow(), bytes, x.Length, null, 0);
        }
    }

    private readonly struct CastNumeric(IArrowArray a, byte[]? validity, int nulls, DType type) : INumericFunc<IArrowArray>
    {
        public IArrowArray Invoke<T>()
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            ReadOnlySpan<T> x = Numeric.As<T>(a, out T[]? owner);
            byte[] bytes = Arrays.Alloc<T>(x.Length, out Span<T> dst);
            x.CopyTo(dst);
            _ = owner;
            return Arrays.Primitive(type.ToArrow(), bytes, x.Length, validity, nulls);
        }
    }
}
