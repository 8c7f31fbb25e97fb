using System.Globalization;

namespace Tessera.Diagnostics;

/// <summary>How durations are printed by the diagnostics.</summary>
internal static class TimeFormat
{
    /// <summary>Dask's <c>format_time</c>: <c>1.2s</c>, <c>3min 4.5s</c>, <c>1hr 2min 3.0s</c>.</summary>
    public static string Elapsed(TimeSpan time)
    {
        double seconds = Math.Max(0, time.TotalSeconds);
        int hours = (int)(seconds / 3600);
        int minutes = (int)(seconds / 60) % 60;
        double rest = seconds - (hours * 3600) - (minutes * 60);
        string s = rest.ToString("0.0", CultureInfo.InvariantCulture) + "s";
        return hours > 0 ? $"{hours}hr {minutes}min {s}"
            : minutes > 0 ? $"{minutes}min {s}"
            : s;
    }

    /// <summary>A duration with three significant digits in a fitting unit: <c>850 µs</c>, <c>12.3 ms</c>, <c>1.23 s</c>.</summary>
    public static string Short(TimeSpan time)
    {
        double seconds = time.TotalSeconds;
        double abs = Math.Abs(seconds);
        return abs == 0 ? "0 s"
            : abs < 1e-3 ? Significant(seconds * 1e6) + " µs"
            : abs < 1 ? Significant(seconds * 1e3) + " ms"
            : abs < 600 ? Significant(seconds) + " s"
            : Elapsed(time);
    }

    /// <summary>A tick label on an axis that spans <paramref name="span"/>: one unit for the whole axis.</summary>
    public static string Tick(double seconds, double span)
    {
        (double scale, string unit) = span < 2e-3 ? (1e6, "µs") : span < 2 ? (1e3, "ms") : (1.0, "s");
        return (seconds * scale).ToString("0.###", CultureInfo.InvariantCulture) + " " + unit;
    }

    private static string Significant(double value)
    {
        double abs = Math.Abs(value);
        string format = abs >= 100 ? "0" : abs >= 10 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }
}
