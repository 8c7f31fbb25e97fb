using Apache.Arrow;
using Apache.Arrow.Types;

namespace Tessera.DataFrames;

/// <summary>The type of a column's values (pandas' dtype), stored as the matching Arrow type.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "dtype names are type names, as in pandas and Arrow.")]
public enum DType
{
    /// <summary>Signed 8-bit integers (Arrow int8).</summary>
    Int8,

    /// <summary>Signed 16-bit integers (Arrow int16).</summary>
    Int16,

    /// <summary>Signed 32-bit integers (Arrow int32).</summary>
    Int32,

    /// <summary>Signed 64-bit integers (Arrow int64).</summary>
    Int64,

    /// <summary>Unsigned 8-bit integers (Arrow uint8).</summary>
    UInt8,

    /// <summary>Unsigned 16-bit integers (Arrow uint16).</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integers (Arrow uint32).</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integers (Arrow uint64).</summary>
    UInt64,

    /// <summary>32-bit floating point (Arrow float).</summary>
    Float32,

    /// <summary>64-bit floating point (Arrow double).</summary>
    Float64,

    /// <summary>Booleans (Arrow bool, bit-packed).</summary>
    Bool,

    /// <summary>UTF-8 strings (Arrow utf8).</summary>
    String,

    /// <summary>Timestamps: 64-bit counts of a time unit since the Unix epoch (Arrow timestamp; microseconds when created here).</summary>
    Timestamp,

    /// <summary>Calendar dates: 32-bit counts of days since the Unix epoch (Arrow date32); values are <see cref="DateOnly"/>.</summary>
    Date,

    /// <summary>Time spans: 64-bit counts of microseconds (Arrow duration); values are <see cref="TimeSpan"/>. <c>timestamp - timestamp</c> gives one.</summary>
    Duration,

    /// <summary>Categoricals: strings stored as int32 codes into a dictionary of categories (Arrow dictionary over utf8); values are strings.</summary>
    Category,
}

/// <summary>Facts about <see cref="DType"/> values and their Arrow types.</summary>
public static class DTypes
{
    /// <summary>Tells whether values of the type are numbers (integers or floating point).</summary>
    /// <param name="type">The type.</param>
    /// <returns><see langword="true"/> for integer and floating-point types.</returns>
    public static bool IsNumeric(this DType type) => type <= DType.Float64;

    /// <summary>Tells whether the type is an integer type.</summary>
    /// <param name="type">The type.</param>
    /// <returns><see langword="true"/> for signed and unsigned integer types.</returns>
    public static bool IsInteger(this DType type) => type <= DType.UInt64;

    /// <summary>Tells whether the type is a floating-point type.</summary>
    /// <param name="type">The type.</param>
    /// <returns><see langword="true"/> for <see cref="DType.Float32"/> and <see cref="DType.Float64"/>.</returns>
    public static bool IsFloat(this DType type) => type is DType.Float32 or DType.Float64;

    /// <summary>Gets the lower-case name pandas uses for the type (<c>int64</c>, <c>float64</c>, <c>bool</c>, <c>string</c>, <c>timestamp</c>).</summary>
    /// <param name="type">The type.</param>
    /// <returns>The name.</returns>
    public static string Name(this DType type) => type switch
    {
        DType.Int8 => "int8",
        DType.Int16 => "int16",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.UInt8 => "uint8",
        DType.UInt16 => "uint16",
        DType.UInt32 => "uint32",
        DType.UInt64 => "uint64",
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Bool => "bool",
        DType.String => "string",
        DType.Timestamp => "timestamp",
        DType.Date => "date",
        DType.Duration => "duration",
        DType.Category => "category",
        _ => type.ToString(),
    };

    /// <summary>Gets the Arrow type that stores values of <paramref name="type"/>.</summary>
    /// <param name="type">The type.</param>
    /// <returns>The Arrow type.</returns>
    public static IArrowType ToArrow(this DType type) => type switch
    {
        DType.Int8 => Int8Type.Default,
        DType.Int16 => Int16Type.Default,
        DType.Int32 => Int32Type.Default,
        DType.Int64 => Int64Type.Default,
        DType.UInt8 => UInt8Type.Default,
        DType.UInt16 => UInt16Type.Default,
        DType.UInt32 => UInt32Type.Default,
        DType.UInt64 => UInt64Type.Default,
        DType.Float32 => FloatType.Default,
        DType.Float64 => DoubleType.Default,
        DType.Bool => BooleanType.Default,
        DType.String => StringType.Default,
        DType.Timestamp => new TimestampType(TimeUnit.Microsecond, (string?)null),
        DType.Date => Date32Type.Default,
        DType.Duration => DurationType.Microsecond,
        DType.Category => Kernels.Categorical.Type,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown dtype."),
    };

    /// <summary>Gets the dtype of an Arrow type.</summary>
    /// <param name="type">The Arrow type.</param>
    /// <returns>The dtype.</returns>
    /// <exception cref="NotSupportedException">The Arrow type has no dtype here (lists, structs, decimals, …).</exception>
    public static DType FromArrow(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.TypeId switch
        {
            ArrowTypeId.Int8 => DType.Int8,
            ArrowTypeId.Int16 => DType.Int16,
            ArrowTypeId.Int32 => DType.Int32,
            ArrowTypeId.Int64 => DType.Int64,
            ArrowTypeId.UInt8 => DType.UInt8,
            ArrowTypeId.UInt16 => DType.UInt16,
            ArrowTypeId.UInt32 => DType.UInt32,
            ArrowTypeId.UInt64 => DType.UInt64,
            ArrowTypeId.Float => DType.Float32,
            ArrowTypeId.Double => DType.Float64,
            ArrowTypeId.Boolean => DType.Bool,
            ArrowTypeId.String => DType.String,
            ArrowTypeId.Timestamp => DType.Timestamp,
            ArrowTypeId.Date32 => DType.Date,
            ArrowTypeId.Dictionary when Kernels.Categorical.IsCategory(type) => DType.Category,
            ArrowTypeId.Duration => DType.Duration,
            _ => throw new NotSupportedException($"Arrow type '{type.Name}' is not supported by Tessera data frames; supported: integers, floats, bool, utf8 strings, timestamps, date32, durations, dictionaries of utf8."),
        };
    }

    /// <summary>Gets the dtype of an Arrow array.</summary>
    /// <param name="array">The array.</param>
    /// <returns>The dtype.</returns>
    public static DType Of(IArrowArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return FromArrow(array.Data.DataType);
    }

    /// <summary>Gets the type arithmetic between two numeric types produces (pandas' promotion, simplified).</summary>
    /// <param name="a">The left type.</param>
    /// <param name="b">The right type.</param>
    /// <returns>The common type: the same type when equal, <see cref="DType.Float64"/> when either is floating point, else <see cref="DType.Int64"/> (<see cref="DType.UInt64"/> when both are unsigned).</returns>
    public static DType Promote(DType a, DType b)
    {
        if (a == b)
        {
            return a == DType.Bool ? DType.Int64 : a;
        }

        if (a.IsFloat() || b.IsFloat())
        {
            return DType.Float64;
        }

        bool unsignedA = a is >= DType.UInt8 and <= DType.UInt64;
        bool unsignedB = b is >= DType.UInt8 and <= DType.UInt64;
        return unsignedA && unsignedB ? DType.UInt64 : DType.Int64;
    }

    /// <summary>Whether the type counts time (timestamp, date, duration): stored as integers, ordered, not numbers.</summary>
    internal static bool IsTemporal(this DType type) => type is DType.Timestamp or DType.Date or DType.Duration;

    /// <summary>The integer type a temporal type is stored as (the type itself otherwise), for kernels that dispatch on numbers.</summary>
    internal static DType Physical(this DType type) => type switch
    {
        DType.Date => DType.Int32,
        DType.Timestamp or DType.Duration => DType.Int64,
        _ => type,
    };

    internal static Type ClrType(this DType type) => type switch
    {
        DType.Int8 => typeof(sbyte),
        DType.Int16 => typeof(short),
        DType.Int32 => typeof(int),
        DType.Int64 => typeof(long),
        DType.UInt8 => typeof(byte),
        DType.UInt16 => typeof(ushort),
        DType.UInt32 => typeof(uint),
        DType.UInt64 => typeof(ulong),
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Bool => typeof(bool),
        DType.String or DType.Category => typeof(string),
        DType.Timestamp => typeof(DateTime),
        DType.Date => typeof(DateOnly),
        DType.Duration => typeof(TimeSpan),
        _ => typeof(object),
    };

    internal static DType FromClr(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(sbyte)) { return DType.Int8; }
        if (t == typeof(short)) { return DType.Int16; }
        if (t == typeof(int)) { return DType.Int32; }
        if (t == typeof(long)) { return DType.Int64; }
        if (t == typeof(byte)) { return DType.UInt8; }
        if (t == typeof(ushort)) { return DType.UInt16; }
        if (t == typeof(uint)) { return DType.UInt32; }
        if (t == typeof(ulong)) { return DType.UInt64; }
        if (t == typeof(float)) { return DType.Float32; }
        if (t == typeof(double)) { return DType.Float64; }
        if (t == typeof(bool)) { return DType.Bool; }
        if (t == typeof(string)) { return DType.String; }
        if (t == typeof(DateTime) || t == typeof(DateTimeOffset)) { return DType.Timestamp; }
        if (t == typeof(DateOnly)) { return DType.Date; }
        if (t == typeof(TimeSpan)) { return DType.Duration; }
        throw new NotSupportedException($"Values of type {type} cannot be a column; use integers, floats, bool, string, DateTime, DateOnly or TimeSpan.");
    }
}
