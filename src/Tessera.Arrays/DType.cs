namespace Tessera.Arrays;

/// <summary>The element type of an array, without generics (NumPy's <c>dtype</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "NumPy's dtype names.")]
public enum DType
{
    /// <summary><see cref="bool"/>, one byte (NumPy <c>bool</c>).</summary>
    Bool,

    /// <summary><see cref="sbyte"/> (NumPy <c>int8</c>).</summary>
    Int8,

    /// <summary><see cref="byte"/> (NumPy <c>uint8</c>).</summary>
    UInt8,

    /// <summary><see cref="short"/> (NumPy <c>int16</c>).</summary>
    Int16,

    /// <summary><see cref="ushort"/> (NumPy <c>uint16</c>).</summary>
    UInt16,

    /// <summary><see cref="int"/> (NumPy <c>int32</c>).</summary>
    Int32,

    /// <summary><see cref="uint"/> (NumPy <c>uint32</c>).</summary>
    UInt32,

    /// <summary><see cref="long"/> (NumPy <c>int64</c>).</summary>
    Int64,

    /// <summary><see cref="ulong"/> (NumPy <c>uint64</c>).</summary>
    UInt64,

    /// <summary><see cref="float"/> (NumPy <c>float32</c>).</summary>
    Float32,

    /// <summary><see cref="double"/> (NumPy <c>float64</c>).</summary>
    Float64,
}

/// <summary>Facts about <see cref="DType"/> values and the element types they stand for.</summary>
public static class DTypes
{
    /// <summary>Gets the dtype of an element type.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns>The dtype.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an array element type.</exception>
    public static DType Of<T>()
        where T : unmanaged => Of(typeof(T));

    /// <summary>Gets the dtype of an element type.</summary>
    /// <param name="type">The element type.</param>
    /// <returns>The dtype.</returns>
    /// <exception cref="NotSupportedException"><paramref name="type"/> is not an array element type.</exception>
    public static DType Of(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => DType.Bool,
            TypeCode.SByte => DType.Int8,
            TypeCode.Byte => DType.UInt8,
            TypeCode.Int16 => DType.Int16,
            TypeCode.UInt16 => DType.UInt16,
            TypeCode.Int32 when !type.IsEnum => DType.Int32,
            TypeCode.UInt32 when !type.IsEnum => DType.UInt32,
            TypeCode.Int64 when !type.IsEnum => DType.Int64,
            TypeCode.UInt64 when !type.IsEnum => DType.UInt64,
            TypeCode.Single => DType.Float32,
            TypeCode.Double => DType.Float64,
            _ => throw new NotSupportedException(
                $"Arrays hold bool, sbyte, byte, short, ushort, int, uint, long, ulong, float or double elements, not {type}."),
        };
    }

    /// <summary>Gets the element type of a dtype.</summary>
    /// <param name="dtype">The dtype.</param>
    /// <returns>The CLR type.</returns>
    public static Type ClrType(this DType dtype) => dtype switch
    {
        DType.Bool => typeof(bool),
        DType.Int8 => typeof(sbyte),
        DType.UInt8 => typeof(byte),
        DType.Int16 => typeof(short),
        DType.UInt16 => typeof(ushort),
        DType.Int32 => typeof(int),
        DType.UInt32 => typeof(uint),
        DType.Int64 => typeof(long),
        DType.UInt64 => typeof(ulong),
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Gets the size of one element in bytes.</summary>
    /// <param name="dtype">The dtype.</param>
    /// <returns>The item size.</returns>
    public static int ItemSize(this DType dtype) => dtype switch
    {
        DType.Bool or DType.Int8 or DType.UInt8 => 1,
        DType.Int16 or DType.UInt16 => 2,
        DType.Int32 or DType.UInt32 or DType.Float32 => 4,
        _ => 8,
    };

    /// <summary>Gets NumPy's name of the dtype (<c>float64</c>, <c>int32</c>, …).</summary>
    /// <param name="dtype">The dtype.</param>
    /// <returns>The name.</returns>
    public static string NumPyName(this DType dtype) => dtype switch
    {
        DType.Bool => "bool",
        DType.Int8 => "int8",
        DType.UInt8 => "uint8",
        DType.Int16 => "int16",
        DType.UInt16 => "uint16",
        DType.Int32 => "int32",
        DType.UInt32 => "uint32",
        DType.Int64 => "int64",
        DType.UInt64 => "uint64",
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => dtype.ToString(),
    };

    /// <summary>Gets whether the dtype is a floating-point type.</summary>
    /// <param name="dtype">The dtype.</param>
    /// <returns><see langword="true"/> for float32 and float64.</returns>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>Gets the .npy type descriptor (<c>&lt;f8</c>, <c>|b1</c>, …).</summary>
    internal static string NpyDescr(this DType dtype) => dtype switch
    {
        DType.Bool => "|b1",
        DType.Int8 => "|i1",
        DType.UInt8 => "|u1",
        DType.Int16 => "<i2",
        DType.UInt16 => "<u2",
        DType.Int32 => "<i4",
        DType.UInt32 => "<u4",
        DType.Int64 => "<i8",
        DType.UInt64 => "<u8",
        DType.Float32 => "<f4",
        _ => "<f8",
    };

    internal static DType? FromNpyDescr(string descr)
    {
        if (descr.Length != 3)
        {
            return null;
        }

        char order = descr[0];
        if (order is not ('<' or '|' or '='))
        {
            return null;
        }

        return descr[1..] switch
        {
            "b1" => DType.Bool,
            "i1" => DType.Int8,
            "u1" => DType.UInt8,
            "i2" => DType.Int16,
            "u2" => DType.UInt16,
            "i4" => DType.Int32,
            "u4" => DType.UInt32,
            "i8" => DType.Int64,
            "u8" => DType.UInt64,
            "f4" => DType.Float32,
            "f8" => DType.Float64,
            _ => null,
        };
    }
}
