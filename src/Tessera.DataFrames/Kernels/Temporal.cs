using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Tessera.DataFrames.Kernels;

/// <summary>
/// Rules and conversions for the temporal dtypes: timestamps (microseconds since the epoch), dates
/// (days since the epoch) and durations (microseconds). Kernels treat them as their integer storage;
/// this class says which operations between them are defined and converts between them.
/// </summary>
internal static class Temporal
{
    private const long MicrosPerDay = 86_400_000_000;

    /// <summary>
    /// A timestamp or duration array in another unit than microseconds (nanoseconds from pandas or
    /// DuckDB's TIMESTAMP_NS, milliseconds, seconds) rescaled to microseconds, the unit every kernel
    /// assumes (nanoseconds are rounded down to the microsecond); any other array as it is.
    /// </summary>
    /// <exception cref="OverflowException">A value in seconds or milliseconds lies outside the microsecond range.</exception>
    public static IArrowArray ToMicroseconds(IArrowArray array)
    {
        switch (array.Data.DataType)
        {
            case TimestampType { Unit: not TimeUnit.Microsecond } t:
                return Rescale((TimestampArray)array, t.Unit, new TimestampType(TimeUnit.Microsecond, t.Timezone));
            case DurationType { Unit: not TimeUnit.Microsecond } d:
                return Rescale((DurationArray)array, d.Unit, DurationType.Microsecond);
            default:
                return array;
        }
    }

    // The values are rescaled into a new buffer; the source's validity bitmap is passed through as it is.
    // The new array keeps the source's offset within a byte (its first offset % 8 values are unused), so
    // the bitmap needs no shift.
    private static IArrowArray Rescale(PrimitiveArray<long> array, TimeUnit unit, IArrowType to)
    {
        int n = array.Length;
        int shift = array.Offset & 7;
        ReadOnlySpan<long> values = array.Values;
        byte[] bytes = Arrays.Alloc<long>(shift + n, out Span<long> buffer);
        Span<long> micros = buffer[shift..];
        var valid = new Validity(array);
        bool nanos = unit == TimeUnit.Nanosecond;
        long scale = unit == TimeUnit.Millisecond ? 1000 : 1_000_000; // microseconds per raw unit, when not nanoseconds
        for (int i = 0; i < n; i++)
        {
            // A null's slot may hold anything (it must not overflow the rescale).
            long v = valid[i] ? values[i] : 0;
            micros[i] = nanos ? Math.DivRem(v, 1000, out long rest) - (rest < 0 ? 1 : 0) : checked(v * scale);
        }

        ArrowBuffer validity = valid.AllValid ? ArrowBuffer.Empty : new ArrowBuffer(array.NullBitmapBuffer.Memory[(array.Offset >> 3)..]);
        return ArrowArrayFactory.BuildArray(new ArrayData(to, n, valid.AllValid ? 0 : array.NullCount, shift, [validity, new ArrowBuffer(bytes)]));
    }

    /// <summary>The storage integer of a boxed value for a temporal column (days for a date, microseconds otherwise).</summary>
    public static long ToStorage(object value, DType type) => (type, value) switch
    {
        (DType.Date, DateOnly d) => d.DayNumber - Arrays.UnixDay,
        (DType.Date, DateTime t) => DateOnly.FromDateTime(t).DayNumber - Arrays.UnixDay,
        (DType.Duration, TimeSpan s) => s.Ticks / 10,
        (_, DateTime t) => Arrays.ToMicros(t),
        (_, DateTimeOffset o) => Arrays.ToMicros(o.UtcDateTime),
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The dtype of <c>a op b</c> when either side is temporal, as pandas: timestamp − timestamp is a
    /// duration, timestamp ± duration a timestamp, duration ± duration a duration; null when neither is temporal.
    /// </summary>
    public static DType? ArithType(ArithOp op, DType a, DType b)
    {
        if (!a.IsTemporal() && !b.IsTemporal())
        {
            return null;
        }

        return (op, a, b) switch
        {
            (ArithOp.Subtract, DType.Timestamp, DType.Timestamp) => DType.Duration,
            (ArithOp.Add or ArithOp.Subtract, DType.Timestamp, DType.Duration) => DType.Timestamp,
            (ArithOp.Add, DType.Duration, DType.Timestamp) => DType.Timestamp,
            (ArithOp.Add or ArithOp.Subtract, DType.Duration, DType.Duration) => DType.Duration,
            _ => throw new ArgumentException($"Operator '{op.Symbol()}' is not defined between {a.Name()} and {b.Name()}; timestamps subtract to durations, and durations add to timestamps and to each other."),
        };
    }

    /// <summary>Timestamp ↔ date conversions (a timestamp's date is the UTC day it falls in; a date becomes its midnight); null for other pairs.</summary>
    public static IArrowArray? Cast(IArrowArray a, DType from, DType to)
    {
        if ((from, to) is not ((DType.Timestamp, DType.Date) or (DType.Date, DType.Timestamp)))
        {
            return null;
        }

        byte[]? validity = a.NullCount == 0 ? null : Compute.CopyValidity(a, out _);
        if (to == DType.Date)
        {
            ReadOnlySpan<long> micros = ((TimestampArray)a).Values;
            byte[] bytes = Arrays.Alloc<int>(a.Length, out Span<int> days);
            for (int i = 0; i < days.Length; i++)
            {
                days[i] = (int)Math.Floor(micros[i] / (double)MicrosPerDay);
            }

            return Arrays.Primitive(DType.Date.ToArrow(), bytes, a.Length, validity, a.NullCount);
        }

        ReadOnlySpan<int> from32 = ((Date32Array)a).Values;
        byte[] longs = Arrays.Alloc<long>(a.Length, out Span<long> dst);
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = from32[i] * MicrosPerDay;
        }

        return Arrays.Primitive(DType.Timestamp.ToArrow(), longs, a.Length, validity, a.NullCount);
    }

    /// <summary>Whole days (int64, rounded down) or seconds (float64) of a duration array.</summary>
    public static IArrowArray DurationPart(DurationArray a, DtOp op)
    {
        byte[]? validity = a.NullCount == 0 ? null : Compute.CopyValidity(a, out _);
        ReadOnlySpan<long> micros = a.Values;
        if (op == DtOp.Days)
        {
            byte[] days = Arrays.Alloc<long>(a.Length, out Span<long> d);
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = (long)Math.Floor(micros[i] / (double)MicrosPerDay);
            }

            return Arrays.Primitive(DType.Int64.ToArrow(), days, a.Length, validity, a.NullCount);
        }

        byte[] seconds = Arrays.Alloc<double>(a.Length, out Span<double> s);
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = micros[i] / 1e6;
        }

        return Arrays.Primitive(DType.Float64.ToArrow(), seconds, a.Length, validity, a.NullCount);
    }

    /// <summary>Text for a temporal value: ISO dates (<c>yyyy-MM-dd</c>), timestamps with up to 6 fraction digits, durations as <c>[-][d.]hh:mm:ss[.fffffff]</c>; null for other values.</summary>
    public static string? Format(object? value, char dateTimeSeparator = ' ') => value switch
    {
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(dateTimeSeparator == 'T' ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFF" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        TimeSpan s => s.ToString("c", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Parses text as a value of a temporal dtype (null when it does not parse).</summary>
    public static object? Parse(string text, DType type)
    {
        CultureInfo ci = CultureInfo.InvariantCulture;
        return type switch
        {
            DType.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", ci, DateTimeStyles.None, out DateOnly d) ? d
                : DateTime.TryParse(text, ci, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime dt) ? DateOnly.FromDateTime(dt) : null,
            DType.Duration => TimeSpan.TryParse(text, ci, out TimeSpan s) ? s : null,
            _ => DateTime.TryParse(text, ci, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t) ? t : null,
        };
    }
}
