using System.Numerics;
using System.Numerics.Tensors;
using Apache.Arrow;

namespace Tessera.DataFrames.Kernels;

/// <summary>A generic operation over one numeric element type, chosen at run time by <c>Numeric.Dispatch</c>.</summary>
/// <typeparam name="TResult">The result.</typeparam>
internal interface INumericFunc<out TResult>
{
    TResult Invoke<T>()
        where T : unmanaged, INumber<T>, IMinMaxValue<T>;
}

/// <summary>Dispatch from a <see cref="DType"/> to the matching .NET number type, and numeric conversions.</summary>
internal static class Numeric
{
    public static TResult Dispatch<TFunc, TResult>(DType type, TFunc func)
        where TFunc : INumericFunc<TResult> => type switch
        {
            DType.Int8 => func.Invoke<sbyte>(),
            DType.Int16 => func.Invoke<short>(),
            DType.Int32 or DType.Date => func.Invoke<int>(),
            DType.Int64 or DType.Timestamp or DType.Duration => func.Invoke<long>(),
            DType.UInt8 => func.Invoke<byte>(),
            DType.UInt16 => func.Invoke<ushort>(),
            DType.UInt32 => func.Invoke<uint>(),
            DType.UInt64 => func.Invoke<ulong>(),
            DType.Float32 => func.Invoke<float>(),
            DType.Float64 => func.Invoke<double>(),
            _ => throw new NotSupportedException($"dtype {type.Name()} is not numeric."),
        };

    public static IArrowArray Dispatch<TFunc>(DType type, TFunc func)
        where TFunc : INumericFunc<IArrowArray> => Dispatch<TFunc, IArrowArray>(type, func);

    /// <summary>The values of a numeric (or bool) array as <typeparamref name="TTo"/>, without copying when the type already matches.</summary>
    public static ReadOnlySpan<TTo> As<TTo>(IArrowArray array, out TTo[]? owner)
        where TTo : unmanaged, INumber<TTo>
    {
        owner = null;
        if (array is PrimitiveArray<TTo> same)
        {
            return same.Values;
        }

        owner = GC.AllocateUninitializedArray<TTo>(array.Length);
        Span<TTo> dst = owner;
        switch (array)
        {
            case Int8Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case Int16Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case Int32Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case Int64Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case UInt8Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case UInt16Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case UInt32Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case UInt64Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case FloatArray a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case DoubleArray a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case TimestampArray a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case Date32Array a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case DurationArray a: TensorPrimitives.ConvertTruncating(a.Values, dst); break;
            case BooleanArray a:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = Arrays.BoolAt(a, i) ? TTo.One : TTo.Zero;
                }

                break;
            default:
                throw new NotSupportedException($"dtype {array.Data.DataType.Name} is not numeric.");
        }

        return owner;
    }

    /// <summary>A numeric array's values as doubles (copied unless already double).</summary>
    public static ReadOnlySpan<double> AsDouble(IArrowArray array) => As<double>(array, out _);
}
