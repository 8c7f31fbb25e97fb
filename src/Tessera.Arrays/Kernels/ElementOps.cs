using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Tessera.Arrays.Kernels;

/// <summary>
/// The elementwise and span-reduction kernels for one element type, chosen once per type so that
/// generic array code without numeric constraints can call constrained, vectorized kernels.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal abstract class ElementOps<T>
    where T : unmanaged
{
    /// <summary>Gets the kernels for <typeparamref name="T"/>.</summary>
    public static ElementOps<T> Instance { get; } = Create();

    public abstract DType DType { get; }

    public abstract T Zero { get; }

    public abstract T One { get; }

    public abstract bool Supports(BinaryOp op);

    public abstract bool Supports(UnaryOp op);

    public abstract bool Supports(ReduceOp op);

    public virtual bool SupportsArithmetic => true;

    public abstract void Binary(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d);

    public abstract void Binary(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d);

    public abstract void Binary(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d);

    public abstract void Unary(UnaryOp op, ReadOnlySpan<T> x, Span<T> d);

    public abstract void Compare(CompareOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<bool> d);

    public abstract void Compare(CompareOp op, ReadOnlySpan<T> x, T y, Span<bool> d);

    public abstract void Compare(CompareOp op, T x, ReadOnlySpan<T> y, Span<bool> d);

    public abstract void IsNaN(ReadOnlySpan<T> x, Span<bool> d);

    public abstract bool IsNaN(T x);

    /// <summary>Reduces a span to one value (<see cref="ReduceOp.Any"/>/<see cref="ReduceOp.All"/> give 0 or 1).</summary>
    public abstract T Reduce(ReduceOp op, ReadOnlySpan<T> x);

    /// <summary>Combines <paramref name="x"/> into the accumulator <paramref name="acc"/> elementwise.</summary>
    public abstract void Accumulate(ReduceOp op, Span<T> acc, ReadOnlySpan<T> x);

    /// <summary>Index of the smallest (or largest) element; NaN wins unless skipped; -1 when all are skipped NaN.</summary>
    public abstract int IndexOfExtreme(ReadOnlySpan<T> x, bool max, bool skipNaN);

    /// <summary>Whether a is better than b for arg-extreme search (strictly), NaN rules as NumPy.</summary>
    public abstract bool Better(T a, T b, bool max, bool skipNaN);

    public abstract double ToDouble(T x);

    public abstract T FromDouble(double x);

    public abstract void ToDouble(ReadOnlySpan<T> x, Span<double> d);

    /// <summary>Converts to another element type (truncating, like NumPy's <c>astype</c>).</summary>
    public abstract void ConvertTo<TOut>(ReadOnlySpan<T> x, Span<TOut> d)
        where TOut : unmanaged;

    public abstract void ConvertFromNumber<TIn>(ReadOnlySpan<TIn> x, Span<T> d)
        where TIn : unmanaged, INumberBase<TIn>;

    public abstract void ConvertFromBool(ReadOnlySpan<bool> x, Span<T> d);

    public abstract string Format(T x);

    private static ElementOps<T> Create()
    {
        DType dtype = DTypes.Of<T>();
        Type impl = dtype switch
        {
            DType.Bool => typeof(BoolOps),
            DType.Float32 or DType.Float64 => typeof(FloatOps<>).MakeGenericType(typeof(T)),
            _ => typeof(IntegerOps<>).MakeGenericType(typeof(T)),
        };
        return (ElementOps<T>)Activator.CreateInstance(impl)!;
    }
}

/// <summary>Kernels shared by integer and floating-point types.</summary>
internal abstract class NumberOps<T> : ElementOps<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>, IBitwiseOperators<T, T, T>
{
    public override DType DType { get; } = DTypes.Of<T>();

    public override T Zero => T.Zero;

    public override T One => T.One;

    public override bool Supports(ReduceOp op) => true;

    public override void Binary(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(x, y, d); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Remainder: TensorPrimitives.Remainder(x, y, d); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(x, y, d); break;
            case BinaryOp.Minimum: TensorPrimitives.Min(x, y, d); break;
            case BinaryOp.And: TensorPrimitives.BitwiseAnd(x, y, d); break;
            case BinaryOp.Or: TensorPrimitives.BitwiseOr(x, y, d); break;
            case BinaryOp.Xor: TensorPrimitives.Xor(x, y, d); break;
            default: BinaryOther(op, x, y, d); break;
        }
    }

    public override void Binary(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(x, y, d); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Remainder: TensorPrimitives.Remainder(x, y, d); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(x, y, d); break;
            case BinaryOp.Minimum: TensorPrimitives.Min(x, y, d); break;
            case BinaryOp.And: TensorPrimitives.BitwiseAnd(x, y, d); break;
            case BinaryOp.Or: TensorPrimitives.BitwiseOr(x, y, d); break;
            case BinaryOp.Xor: TensorPrimitives.Xor(x, y, d); break;
            default: BinaryOther(op, x, y, d); break;
        }
    }

    public override void Binary(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(y, x, d); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(y, x, d); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Remainder: TensorPrimitives.Remainder(x, y, d); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(y, x, d); break;
            case BinaryOp.Minimum: TensorPrimitives.Min(y, x, d); break;
            case BinaryOp.And: TensorPrimitives.BitwiseAnd(y, x, d); break;
            case BinaryOp.Or: TensorPrimitives.BitwiseOr(y, x, d); break;
            case BinaryOp.Xor: TensorPrimitives.Xor(y, x, d); break;
            default: BinaryOther(op, x, y, d); break;
        }
    }

    protected abstract void BinaryOther(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d);

    protected abstract void BinaryOther(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d);

    protected abstract void BinaryOther(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d);

    public override void Compare(CompareOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<bool> d)
    {
        switch (op)
        {
            case CompareOp.Equal: for (int i = 0; i < d.Length; i++) { d[i] = x[i] == y[i]; } break;
            case CompareOp.NotEqual: for (int i = 0; i < d.Length; i++) { d[i] = x[i] != y[i]; } break;
            case CompareOp.Less: for (int i = 0; i < d.Length; i++) { d[i] = x[i] < y[i]; } break;
            case CompareOp.LessOrEqual: for (int i = 0; i < d.Length; i++) { d[i] = x[i] <= y[i]; } break;
            case CompareOp.Greater: for (int i = 0; i < d.Length; i++) { d[i] = x[i] > y[i]; } break;
            default: for (int i = 0; i < d.Length; i++) { d[i] = x[i] >= y[i]; } break;
        }
    }

    public override void Compare(CompareOp op, ReadOnlySpan<T> x, T y, Span<bool> d)
    {
        switch (op)
        {
            case CompareOp.Equal: for (int i = 0; i < d.Length; i++) { d[i] = x[i] == y; } break;
            case CompareOp.NotEqual: for (int i = 0; i < d.Length; i++) { d[i] = x[i] != y; } break;
            case CompareOp.Less: for (int i = 0; i < d.Length; i++) { d[i] = x[i] < y; } break;
            case CompareOp.LessOrEqual: for (int i = 0; i < d.Length; i++) { d[i] = x[i] <= y; } break;
            case CompareOp.Greater: for (int i = 0; i < d.Length; i++) { d[i] = x[i] > y; } break;
            default: for (int i = 0; i < d.Length; i++) { d[i] = x[i] >= y; } break;
        }
    }

    public override void Compare(CompareOp op, T x, ReadOnlySpan<T> y, Span<bool> d)
    {
        switch (op)
        {
            case CompareOp.Equal: for (int i = 0; i < d.Length; i++) { d[i] = x == y[i]; } break;
            case CompareOp.NotEqual: for (int i = 0; i < d.Length; i++) { d[i] = x != y[i]; } break;
            case CompareOp.Less: for (int i = 0; i < d.Length; i++) { d[i] = x < y[i]; } break;
            case CompareOp.LessOrEqual: for (int i = 0; i < d.Length; i++) { d[i] = x <= y[i]; } break;
            case CompareOp.Greater: for (int i = 0; i < d.Length; i++) { d[i] = x > y[i]; } break;
            default: for (int i = 0; i < d.Length; i++) { d[i] = x >= y[i]; } break;
        }
    }

    public override void IsNaN(ReadOnlySpan<T> x, Span<bool> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = T.IsNaN(x[i]);
        }
    }

    public override bool IsNaN(T x) => T.IsNaN(x);

    public override T Reduce(ReduceOp op, ReadOnlySpan<T> x)
    {
        switch (op)
        {
            case ReduceOp.Sum:
                return TensorPrimitives.Sum(x);
            case ReduceOp.Product:
                return x.IsEmpty ? T.One : TensorPrimitives.Product(x);
            case ReduceOp.Min:
                return x.IsEmpty ? ThrowEmpty("min") : TensorPrimitives.Min(x);
            case ReduceOp.Max:
                return x.IsEmpty ? ThrowEmpty("max") : TensorPrimitives.Max(x);
            case ReduceOp.Any:
                return x.IndexOfAnyExcept(T.Zero) >= 0 ? T.One : T.Zero;
            case ReduceOp.All:
                return x.IndexOf(T.Zero) >= 0 ? T.Zero : T.One;
            default:
                return NanReduce(op, x);
        }
    }

    protected virtual T NanReduce(ReduceOp op, ReadOnlySpan<T> x) => Reduce(op switch
    {
        ReduceOp.NanSum => ReduceOp.Sum,
        ReduceOp.NanProduct => ReduceOp.Product,
        ReduceOp.NanMin => ReduceOp.Min,
        _ => ReduceOp.Max,
    }, x);

    public override void Accumulate(ReduceOp op, Span<T> acc, ReadOnlySpan<T> x)
    {
        switch (op)
        {
            case ReduceOp.Sum: TensorPrimitives.Add(acc, x, acc); break;
            case ReduceOp.Product: TensorPrimitives.Multiply(acc, x, acc); break;
            case ReduceOp.Min: TensorPrimitives.Min(acc, x, acc); break;
            case ReduceOp.Max: TensorPrimitives.Max(acc, x, acc); break;
            case ReduceOp.Any:
                for (int i = 0; i < acc.Length; i++)
                {
                    acc[i] = acc[i] != T.Zero || x[i] != T.Zero ? T.One : T.Zero;
                }

                break;
            case ReduceOp.All:
                for (int i = 0; i < acc.Length; i++)
                {
                    acc[i] = acc[i] != T.Zero && x[i] != T.Zero ? T.One : T.Zero;
                }

                break;
            default: NanAccumulate(op, acc, x); break;
        }
    }

    protected virtual void NanAccumulate(ReduceOp op, Span<T> acc, ReadOnlySpan<T> x) => Accumulate(op switch
    {
        ReduceOp.NanSum => ReduceOp.Sum,
        ReduceOp.NanProduct => ReduceOp.Product,
        ReduceOp.NanMin => ReduceOp.Min,
        _ => ReduceOp.Max,
    }, acc, x);

    public override int IndexOfExtreme(ReadOnlySpan<T> x, bool max, bool skipNaN)
    {
        if (x.IsEmpty)
        {
            return -1;
        }

        if (!skipNaN)
        {
            return max ? TensorPrimitives.IndexOfMax(x) : TensorPrimitives.IndexOfMin(x);
        }

        int best = -1;
        for (int i = 0; i < x.Length; i++)
        {
            if (T.IsNaN(x[i]))
            {
                continue;
            }

            if (best < 0 || (max ? x[i] > x[best] : x[i] < x[best]))
            {
                best = i;
            }
        }

        return best;
    }

    public override bool Better(T a, T b, bool max, bool skipNaN)
    {
        if (T.IsNaN(b))
        {
            return skipNaN && !T.IsNaN(a);
        }

        if (T.IsNaN(a))
        {
            return !skipNaN;
        }

        return max ? a > b : a < b;
    }

    public override double ToDouble(T x) => double.CreateTruncating(x);

    public override T FromDouble(double x) => T.CreateTruncating(x);

    public override void ToDouble(ReadOnlySpan<T> x, Span<double> d) => TensorPrimitives.ConvertTruncating(x, d);

    public override void ConvertTo<TOut>(ReadOnlySpan<T> x, Span<TOut> d) => ElementOps<TOut>.Instance.ConvertFromNumber(x, d);

    public override void ConvertFromNumber<TIn>(ReadOnlySpan<TIn> x, Span<T> d)
    {
        if (typeof(TIn) == typeof(T))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<TIn, T>(x).CopyTo(d);
            return;
        }

        for (int i = 0; i < d.Length; i++)
        {
            d[i] = T.CreateTruncating(x[i]);
        }
    }

    public override void ConvertFromBool(ReadOnlySpan<bool> x, Span<T> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] ? T.One : T.Zero;
        }
    }

    public override string Format(T x) => x.ToString(null, System.Globalization.CultureInfo.InvariantCulture);

    private static T ThrowEmpty(string op) =>
        throw new ArgumentException($"zero-size array to reduction operation {op} which has no identity.");
}

/// <summary>Kernels for the integer types.</summary>
internal sealed class IntegerOps<T> : NumberOps<T>
    where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    public override bool Supports(BinaryOp op) => op != BinaryOp.Power;

    public override bool Supports(UnaryOp op) => op is UnaryOp.Negate or UnaryOp.Abs or UnaryOp.Square or UnaryOp.Not;

    public override void Unary(UnaryOp op, ReadOnlySpan<T> x, Span<T> d)
    {
        switch (op)
        {
            case UnaryOp.Negate: TensorPrimitives.Negate(x, d); break;
            case UnaryOp.Abs:
                for (int i = 0; i < d.Length; i++)
                {
                    T v = x[i];
                    d[i] = v < T.Zero ? -v : v;
                }

                break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, d); break;
            case UnaryOp.Not: TensorPrimitives.OnesComplement(x, d); break;
            default: throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");
        }
    }

    protected override void BinaryOther(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) =>
        throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");

    protected override void BinaryOther(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d) =>
        throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");

    protected override void BinaryOther(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d) =>
        throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");
}

/// <summary>Kernels for float and double.</summary>
internal sealed class FloatOps<T> : NumberOps<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>, IMinMaxValue<T>
{
    /// <summary>Sums pairwise, NaN-skipping sums too (see <see cref="Summation"/>), min and max with several accumulators (<see cref="Extremes"/>); the other reductions as for any number.</summary>
    public override T Reduce(ReduceOp op, ReadOnlySpan<T> x)
    {
        if (typeof(T) == typeof(double) || typeof(T) == typeof(float))
        {
            if (op == ReduceOp.Sum)
            {
                return Summation.Sum(x);
            }

            if (op == ReduceOp.NanSum)
            {
                return Summation.NanSum(x);
            }

            if (op is ReduceOp.Max or ReduceOp.Min && !x.IsEmpty)
            {
                return op == ReduceOp.Max ? Extremes.Max(x) : Extremes.Min(x);
            }
        }

        return base.Reduce(op, x);
    }

    public override bool Supports(BinaryOp op) => op is not (BinaryOp.And or BinaryOp.Or or BinaryOp.Xor);

    public override bool Supports(UnaryOp op) => op != UnaryOp.Not;

    public override void Unary(UnaryOp op, ReadOnlySpan<T> x, Span<T> d)
    {
        switch (op)
        {
            case UnaryOp.Negate: TensorPrimitives.Negate(x, d); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, d); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, d); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, d); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, d); break;
            case UnaryOp.Sin: TensorPrimitives.Sin(x, d); break;
            case UnaryOp.Cos: TensorPrimitives.Cos(x, d); break;
            case UnaryOp.Tan: TensorPrimitives.Tan(x, d); break;
            case UnaryOp.Floor: TensorPrimitives.Floor(x, d); break;
            case UnaryOp.Ceiling: TensorPrimitives.Ceiling(x, d); break;
            case UnaryOp.Round: TensorPrimitives.Round(x, MidpointRounding.ToEven, d); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, d); break;
            default: throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");
        }
    }

    protected override void BinaryOther(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
    {
        if (op == BinaryOp.Power)
        {
            TensorPrimitives.Pow(x, y, d);
            return;
        }

        throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");
    }

    protected override void BinaryOther(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d)
    {
        if (op == BinaryOp.Power)
        {
            TensorPrimitives.Pow(x, y, d);
            return;
        }

        throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");
    }

    protected override void BinaryOther(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d)
    {
        if (op == BinaryOp.Power)
        {
            TensorPrimitives.Pow(x, y, d);
            return;
        }

        throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype {DType.NumPyName()}.");
    }

    protected override T NanReduce(ReduceOp op, ReadOnlySpan<T> x)
    {
        if (!NaNs.Any(x))
        {
            // No NaN: the plain vectorized kernel.
            return base.NanReduce(op, x);
        }

        // NanSum never comes here: Reduce sums it pairwise (Summation.NanSum).
        System.Diagnostics.Debug.Assert(op is not ReduceOp.NanSum, "NanSum is summed pairwise by Reduce.");
        T acc = op == ReduceOp.NanProduct ? T.One : T.NaN;
        foreach (T v in x)
        {
            if (T.IsNaN(v))
            {
                continue;
            }

            acc = op switch
            {
                ReduceOp.NanProduct => acc * v,
                ReduceOp.NanMin => T.IsNaN(acc) || v < acc ? v : acc,
                _ => T.IsNaN(acc) || v > acc ? v : acc,
            };
        }

        return acc;
    }

    protected override void NanAccumulate(ReduceOp op, Span<T> acc, ReadOnlySpan<T> x)
    {
        for (int i = 0; i < acc.Length; i++)
        {
            T a = acc[i], v = x[i];
            if (T.IsNaN(v))
            {
                continue;
            }

            acc[i] = op switch
            {
                ReduceOp.NanSum => a + v,
                ReduceOp.NanProduct => a * v,
                ReduceOp.NanMin => T.IsNaN(a) || v < a ? v : a,
                _ => T.IsNaN(a) || v > a ? v : a,
            };
        }
    }

    public override string Format(T x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Kernels for bool: logical operations, comparisons and any/all.</summary>
internal sealed class BoolOps : ElementOps<bool>
{
    public override DType DType => DType.Bool;

    public override bool Zero => false;

    public override bool One => true;

    public override bool SupportsArithmetic => false;

    public override bool Supports(BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Xor or BinaryOp.Maximum or BinaryOp.Minimum;

    public override bool Supports(UnaryOp op) => op == UnaryOp.Not;

    public override bool Supports(ReduceOp op) => op is ReduceOp.Any or ReduceOp.All or ReduceOp.Min or ReduceOp.Max;

    // bool is one byte holding 0 or 1, so the logical ops are the bytes' bitwise ops (vectorized).
    public override void Binary(BinaryOp op, ReadOnlySpan<bool> x, ReadOnlySpan<bool> y, Span<bool> d)
    {
        ReadOnlySpan<byte> a = MemoryMarshal.AsBytes(x), b = MemoryMarshal.AsBytes(y);
        Span<byte> r = MemoryMarshal.AsBytes(d);
        switch (op)
        {
            case BinaryOp.And or BinaryOp.Minimum: TensorPrimitives.BitwiseAnd(a, b, r); break;
            case BinaryOp.Or or BinaryOp.Maximum: TensorPrimitives.BitwiseOr(a, b, r); break;
            case BinaryOp.Xor: TensorPrimitives.Xor(a, b, r); break;
            default: throw Unsupported(op);
        }
    }

    public override void Binary(BinaryOp op, ReadOnlySpan<bool> x, bool y, Span<bool> d)
    {
        ReadOnlySpan<byte> a = MemoryMarshal.AsBytes(x);
        Span<byte> r = MemoryMarshal.AsBytes(d);
        byte b = y ? (byte)1 : (byte)0;
        switch (op)
        {
            case BinaryOp.And or BinaryOp.Minimum: TensorPrimitives.BitwiseAnd(a, b, r); break;
            case BinaryOp.Or or BinaryOp.Maximum: TensorPrimitives.BitwiseOr(a, b, r); break;
            case BinaryOp.Xor: TensorPrimitives.Xor(a, b, r); break;
            default: throw Unsupported(op);
        }
    }

    // The logical ops commute.
    public override void Binary(BinaryOp op, bool x, ReadOnlySpan<bool> y, Span<bool> d) => Binary(op, y, x, d);

    private static NotSupportedException Unsupported(BinaryOp op) => new($"{OpNames.Name(op)} does not support dtype bool.");

    public override void Unary(UnaryOp op, ReadOnlySpan<bool> x, Span<bool> d)
    {
        if (op != UnaryOp.Not)
        {
            throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype bool.");
        }

        for (int i = 0; i < d.Length; i++)
        {
            d[i] = !x[i];
        }
    }

    public override void Compare(CompareOp op, ReadOnlySpan<bool> x, ReadOnlySpan<bool> y, Span<bool> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = Cmp(op, x[i], y[i]);
        }
    }

    public override void Compare(CompareOp op, ReadOnlySpan<bool> x, bool y, Span<bool> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = Cmp(op, x[i], y);
        }
    }

    public override void Compare(CompareOp op, bool x, ReadOnlySpan<bool> y, Span<bool> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = Cmp(op, x, y[i]);
        }
    }

    private static bool Cmp(CompareOp op, bool a, bool b)
    {
        int c = a.CompareTo(b);
        return op switch
        {
            CompareOp.Equal => c == 0,
            CompareOp.NotEqual => c != 0,
            CompareOp.Less => c < 0,
            CompareOp.LessOrEqual => c <= 0,
            CompareOp.Greater => c > 0,
            _ => c >= 0,
        };
    }

    public override void IsNaN(ReadOnlySpan<bool> x, Span<bool> d) => d.Clear();

    public override bool IsNaN(bool x) => false;

    public override bool Reduce(ReduceOp op, ReadOnlySpan<bool> x) => op switch
    {
        ReduceOp.Any or ReduceOp.Max or ReduceOp.NanMax => x.Contains(true),
        ReduceOp.All or ReduceOp.Min or ReduceOp.NanMin => !x.Contains(false),
        _ => throw new NotSupportedException($"{OpNames.Name(op)} does not support dtype bool; use AsType<long>() first."),
    };

    public override void Accumulate(ReduceOp op, Span<bool> acc, ReadOnlySpan<bool> x)
    {
        bool any = op is ReduceOp.Any or ReduceOp.Max or ReduceOp.NanMax;
        for (int i = 0; i < acc.Length; i++)
        {
            acc[i] = any ? acc[i] | x[i] : acc[i] & x[i];
        }
    }

    public override int IndexOfExtreme(ReadOnlySpan<bool> x, bool max, bool skipNaN)
    {
        if (x.IsEmpty)
        {
            return -1;
        }

        int i = x.IndexOf(max);
        return i < 0 ? 0 : i;
    }

    public override bool Better(bool a, bool b, bool max, bool skipNaN) => max ? a && !b : !a && b;

    public override double ToDouble(bool x) => x ? 1 : 0;

    public override bool FromDouble(double x) => x != 0;

    public override void ToDouble(ReadOnlySpan<bool> x, Span<double> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] ? 1 : 0;
        }
    }

    public override void ConvertTo<TOut>(ReadOnlySpan<bool> x, Span<TOut> d) => ElementOps<TOut>.Instance.ConvertFromBool(x, d);

    public override void ConvertFromNumber<TIn>(ReadOnlySpan<TIn> x, Span<bool> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] != TIn.Zero;
        }
    }

    public override void ConvertFromBool(ReadOnlySpan<bool> x, Span<bool> d) => x.CopyTo(d);

    public override string Format(bool x) => x ? "True" : "False";
}
