using System.Globalization;

namespace Tessera;

/// <summary>
/// Reads byte sizes and durations written with units, as configuration values and command-line options
/// are (Dask's <c>parse_bytes</c> and <c>parse_timedelta</c>).
/// </summary>
public static class Units
{
    private static readonly (string Unit, double Bytes)[] s_byteUnits =
    [
        ("", 1), ("b", 1),
        ("k", 1e3), ("kb", 1e3), ("m", 1e6), ("mb", 1e6), ("g", 1e9), ("gb", 1e9), ("t", 1e12), ("tb", 1e12), ("p", 1e15), ("pb", 1e15),
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("tib", 1L << 40), ("pib", 1L << 50),
    ];

    private static readonly (string Unit, double Seconds)[] s_timeUnits =
    [
        ("", 1), ("s", 1), ("sec", 1), ("secs", 1), ("second", 1), ("seconds", 1),
        ("ns", 1e-9), ("nanosecond", 1e-9), ("nanoseconds", 1e-9),
        ("us", 1e-6), ("µs", 1e-6), ("microsecond", 1e-6), ("microseconds", 1e-6),
        ("ms", 1e-3), ("millisecond", 1e-3), ("milliseconds", 1e-3),
        ("m", 60), ("min", 60), ("mins", 60), ("minute", 60), ("minutes", 60),
        ("h", 3600), ("hr", 3600), ("hrs", 3600), ("hour", 3600), ("hours", 3600),
        ("d", 86400), ("day", 86400), ("days", 86400),
        ("w", 604800), ("week", 604800), ("weeks", 604800),
    ];

    /// <summary>
    /// Reads a byte size: a number with an optional unit, decimal (<c>kB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>,
    /// <c>PB</c>, also <c>k</c>, <c>M</c>, …) or binary (<c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>, <c>PiB</c>),
    /// in any case and with or without a space: <c>50MB</c> is 50,000,000, <c>1.5 GiB</c> 1,610,612,736, and a
    /// bare number is bytes.
    /// </summary>
    /// <param name="text">The size.</param>
    /// <returns>The number of bytes, rounded down.</returns>
    /// <exception cref="FormatException">The text is not a size, or the size is negative or too large.</exception>
    public static long ParseBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        double bytes = Parse(text, s_byteUnits, out bool known);
        if (!known || !(bytes >= 0 && bytes < long.MaxValue))
        {
            throw new FormatException($"'{text}' is not a byte size; write a number of bytes with an optional unit, such as 50MB, 128MiB or 1kB.");
        }

        return (long)bytes;
    }

    /// <summary>
    /// Reads a duration: a number with an optional unit (<c>ns</c>, <c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c> or
    /// <c>min</c>, <c>h</c>, <c>d</c>, <c>w</c>, and their spelled-out names), in any case and with or without a
    /// space, a bare number being seconds (<c>30s</c>, <c>100 ms</c>, <c>1.5 minutes</c>, <c>2.5</c>); or a time
    /// span as .NET writes one (<c>00:01:30</c>).
    /// </summary>
    /// <param name="text">The duration.</param>
    /// <returns>The duration.</returns>
    /// <exception cref="FormatException">The text is not a duration, or the duration is negative or too long.</exception>
    public static TimeSpan ParseTimeSpan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out TimeSpan span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        double seconds = Parse(text, s_timeUnits, out bool known);
        if (!known || !(seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2))
        {
            throw new FormatException($"'{text}' is not a duration; write a number of seconds with an optional unit, such as 30s, 100ms or 2 minutes, or a time span such as 00:01:30.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    // The number times its unit's factor; NaN and known = false when the number or the unit is not read.
    private static double Parse(string text, (string Unit, double Factor)[] units, out bool known)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] is '.' or '+' or '-' || ((s[end] is 'e' or 'E') && end + 1 < s.Length && (char.IsAsciiDigit(s[end + 1]) || s[end + 1] is '+' or '-'))))
        {
            end++;
        }

        known = false;
        if (end == 0 || !double.TryParse(s[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            return double.NaN;
        }

        string unit = s[end..].Trim().ToString().ToLowerInvariant();
        foreach ((string name, double factor) in units)
        {
            if (unit == name)
            {
                known = true;
                return number * factor;
            }
        }

        return double.NaN;
    }
}
