using Tessera.DataFrames.Kernels;

namespace Tessera.DataFrames;

/// <summary>Operators between temporal series (timestamp, date, duration) and .NET time values.</summary>
public sealed partial class Series
{
    /// <summary>Compares every value with a timestamp (UTC); the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <(Series a, DateTime b) => Compare(CompareOp.Less, a, b);

    /// <summary>Compares every value with a timestamp (UTC); the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >(Series a, DateTime b) => Compare(CompareOp.Greater, a, b);

    /// <summary>Compares every value with a timestamp (UTC); the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <=(Series a, DateTime b) => Compare(CompareOp.LessOrEqual, a, b);

    /// <summary>Compares every value with a timestamp (UTC); the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >=(Series a, DateTime b) => Compare(CompareOp.GreaterOrEqual, a, b);

    /// <summary>Compares every value with a timestamp (UTC); the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator ==(Series a, DateTime b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Compares every value with a timestamp (UTC); the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator !=(Series a, DateTime b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Compares every value with a date; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <(Series a, DateOnly b) => Compare(CompareOp.Less, a, b);

    /// <summary>Compares every value with a date; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >(Series a, DateOnly b) => Compare(CompareOp.Greater, a, b);

    /// <summary>Compares every value with a date; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <=(Series a, DateOnly b) => Compare(CompareOp.LessOrEqual, a, b);

    /// <summary>Compares every value with a date; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >=(Series a, DateOnly b) => Compare(CompareOp.GreaterOrEqual, a, b);

    /// <summary>Compares every value with a date; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator ==(Series a, DateOnly b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Compares every value with a date; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator !=(Series a, DateOnly b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Compares every value with a duration; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <(Series a, TimeSpan b) => Compare(CompareOp.Less, a, b);

    /// <summary>Compares every value with a duration; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >(Series a, TimeSpan b) => Compare(CompareOp.Greater, a, b);

    /// <summary>Compares every value with a duration; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator <=(Series a, TimeSpan b) => Compare(CompareOp.LessOrEqual, a, b);

    /// <summary>Compares every value with a duration; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator >=(Series a, TimeSpan b) => Compare(CompareOp.GreaterOrEqual, a, b);

    /// <summary>Compares every value with a duration; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator ==(Series a, TimeSpan b) => Compare(CompareOp.Equal, a, b);

    /// <summary>Compares every value with a duration; the series must be of the matching dtype.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy bool series.</returns>
    public static Series operator !=(Series a, TimeSpan b) => Compare(CompareOp.NotEqual, a, b);

    /// <summary>Element-wise a timestamp or duration series plus a duration.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator +(Series a, TimeSpan b) => Arith(ArithOp.Add, a, b, false);

    /// <summary>Element-wise a timestamp or duration series minus a duration.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator -(Series a, TimeSpan b) => Arith(ArithOp.Subtract, a, b, false);

    /// <summary>Element-wise a timestamp series minus a timestamp: a duration series.</summary>
    /// <param name="a">The series.</param>
    /// <param name="b">The value.</param>
    /// <returns>The lazy result.</returns>
    public static Series operator -(Series a, DateTime b) => Arith(ArithOp.Subtract, a, b, false);
}
