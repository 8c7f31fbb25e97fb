using Apache.Arrow;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// Element-wise string methods of a string <see cref="Series"/> (pandas' <c>Series.str</c>). Missing
/// values stay missing; matching is ordinal on the UTF-8 text.
/// </summary>
public sealed class StringMethods
{
    private static readonly TaskFunction s_str = TaskFunction.Create<Table, int, string?, string?, int, bool, Table>(Apply, "str");
    private readonly Series _series;

    internal StringMethods(Series series)
    {
        if (series.DType != DType.String)
        {
            throw new ArgumentException($"str: column '{series.Name}' is {series.DType.Name()}; the str accessor needs a string column.");
        }

        _series = series;
    }

    /// <summary>Tells whether each value contains <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The text to look for, or a .NET regular expression when <paramref name="regex"/> is true.</param>
    /// <param name="regex">Treat <paramref name="pattern"/> as a regular expression (pandas' default is true; here false, the fast ordinal search).</param>
    /// <returns>A lazy bool series.</returns>
    public Series Contains(string pattern, bool regex = false)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        CheckRegex("str.contains", pattern, regex);
        return Map(StrOp.Contains, pattern, null, 0, regex);
    }

    /// <summary>Tells whether each value starts with <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>A lazy bool series.</returns>
    public Series StartsWith(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return Map(StrOp.StartsWith, prefix, null, 0, false);
    }

    /// <summary>Tells whether each value ends with <paramref name="suffix"/>.</summary>
    /// <param name="suffix">The suffix.</param>
    /// <returns>A lazy bool series.</returns>
    public Series EndsWith(string suffix)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        return Map(StrOp.EndsWith, suffix, null, 0, false);
    }

    /// <summary>Lower-cases every value (invariant culture).</summary>
    /// <returns>A lazy string series.</returns>
    public Series Lower() => Map(StrOp.Lower, null, null, 0, false);

    /// <summary>Upper-cases every value (invariant culture).</summary>
    /// <returns>A lazy string series.</returns>
    public Series Upper() => Map(StrOp.Upper, null, null, 0, false);

    /// <summary>The length of every value in Unicode code points (as Python's <c>len</c>).</summary>
    /// <returns>A lazy int64 series.</returns>
    public Series Len() => Map(StrOp.Len, null, null, 0, false);

    /// <summary>Replaces every occurrence of <paramref name="pattern"/> with <paramref name="replacement"/>.</summary>
    /// <param name="pattern">The text (or, with <paramref name="regex"/>, the regular expression) to replace.</param>
    /// <param name="replacement">The replacement (with <paramref name="regex"/>, it may refer to groups as <c>$1</c>).</param>
    /// <param name="regex">Treat <paramref name="pattern"/> as a regular expression.</param>
    /// <returns>A lazy string series.</returns>
    public Series Replace(string pattern, string replacement, bool regex = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentNullException.ThrowIfNull(replacement);
        CheckRegex("str.replace", pattern, regex);
        return Map(StrOp.Replace, pattern, replacement, 0, regex);
    }

    /// <summary>
    /// Splits every value at <paramref name="separator"/> into columns <c>0</c> … <c>n</c> (pandas'
    /// <c>str.split(sep, n=n, expand=True)</c>; Dask needs <paramref name="n"/> to know the columns):
    /// at most <paramref name="n"/> splits, the last column keeps the rest, missing pieces are null.
    /// </summary>
    /// <param name="separator">The separator (empty: runs of whitespace).</param>
    /// <param name="n">The most splits (1 to 1000).</param>
    /// <returns>A lazy frame with <paramref name="n"/> + 1 string columns.</returns>
    public DataFrame Split(string separator, int n)
    {
        ArgumentNullException.ThrowIfNull(separator);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 1000);
        DataFrame frame = _series.ToFrame();
        for (int k = 0; k <= n; k++)
        {
            Series piece = Map(StrOp.SplitPart, separator, null, (k << 16) | n, false).Rename(k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            frame = frame.Assign(k.ToString(System.Globalization.CultureInfo.InvariantCulture), piece);
        }

        return frame.Drop(_series.Name);
    }

    private static void CheckRegex(string operation, string pattern, bool regex)
    {
        if (!regex)
        {
            return;
        }

        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{operation}: '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }

    private Series Map(StrOp op, string? a, string? b, int piece, bool regex) =>
        _series.Map("str-" + op.ToString().ToLowerInvariant(), s_str, Node.Literal((int)op), Node.Literal(a), Node.Literal(b), Node.Literal(piece), Node.Literal(regex));

    private static Table Apply(Table t, int op, string? a, string? b, int piece, bool regex) =>
        t.WithColumns([(Ops.NameOf(t), Text.Apply(Ops.Values(t), (StrOp)op, a, b, piece, regex))]);
}

/// <summary>
/// Element-wise datetime parts of a timestamp or date <see cref="Series"/> (pandas' <c>Series.dt</c>), in UTC
/// (a date is its midnight), and the length of a duration series (<see cref="Days"/>, <see cref="TotalSeconds"/>).
/// </summary>
public sealed class DateTimeMethods
{
    private static readonly TaskFunction s_dt = TaskFunction.Create<Table, int, long, Table>(Apply, "dt");
    private readonly Series _series;

    internal DateTimeMethods(Series series)
    {
        if (!series.DType.IsTemporal())
        {
            throw new ArgumentException($"dt: column '{series.Name}' is {series.DType.Name()}; the dt accessor needs a timestamp, date or duration column.");
        }

        _series = series;
    }

    /// <summary>Gets the year of every value (int32).</summary>
    public Series Year => Map(DtOp.Year, 0);

    /// <summary>Gets the month, 1 to 12 (int32).</summary>
    public Series Month => Map(DtOp.Month, 0);

    /// <summary>Gets the day of the month, 1 to 31 (int32).</summary>
    public Series Day => Map(DtOp.Day, 0);

    /// <summary>Gets the hour, 0 to 23 (int32).</summary>
    public Series Hour => Map(DtOp.Hour, 0);

    /// <summary>Gets the minute, 0 to 59 (int32).</summary>
    public Series Minute => Map(DtOp.Minute, 0);

    /// <summary>Gets the second, 0 to 59 (int32).</summary>
    public Series Second => Map(DtOp.Second, 0);

    /// <summary>Gets the day of the week with Monday = 0 and Sunday = 6, as pandas (int32).</summary>
    public Series DayOfWeek => Map(DtOp.DayOfWeek, 0);

    /// <summary>Gets the whole days of a duration, rounded down as pandas' <c>dt.days</c> (int64).</summary>
    public Series Days => Map(DtOp.Days, 0);

    /// <summary>Gets a duration in seconds, as pandas' <c>dt.total_seconds()</c> (float64).</summary>
    public Series TotalSeconds => Map(DtOp.TotalSeconds, 0);

    /// <summary>Rounds every value down to a multiple of <paramref name="frequency"/> since the Unix epoch (pandas' <c>dt.floor</c>).</summary>
    /// <param name="frequency">The unit: a positive whole number of microseconds, such as <c>TimeSpan.FromHours(1)</c>.</param>
    /// <returns>A lazy timestamp series.</returns>
    public Series Floor(TimeSpan frequency)
    {
        long micros = frequency.Ticks / 10;
        if (micros <= 0 || frequency.Ticks % 10 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "dt.floor: the frequency must be a positive whole number of microseconds.");
        }

        return Map(DtOp.Floor, micros);
    }

    private Series Map(DtOp op, long micros)
    {
        bool forDuration = op is DtOp.Days or DtOp.TotalSeconds;
        if (forDuration != (_series.DType == DType.Duration))
        {
            throw new ArgumentException($"dt.{op}: column '{_series.Name}' is {_series.DType.Name()}; {(forDuration ? "it needs a duration column" : "durations have only Days and TotalSeconds")}.");
        }

        return _series.Map("dt-" + op.ToString().ToLowerInvariant(), s_dt, Node.Literal((int)op), Node.Literal(micros));
    }

    private static Table Apply(Table t, int op, long micros)
    {
        IArrowArray values = Ops.Values(t);
        IArrowArray result = values switch
        {
            DurationArray d => Temporal.DurationPart(d, (DtOp)op),
            Date32Array => Text.Apply(Kernels.Compute.Cast(values, DType.Timestamp), (DtOp)op, micros),
            _ => Text.Apply(values, (DtOp)op, micros),
        };
        return t.WithColumns([(Ops.NameOf(t), result)]);
    }
}
