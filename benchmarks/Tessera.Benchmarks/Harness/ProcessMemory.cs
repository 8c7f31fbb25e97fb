using System.Globalization;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// Resident memory of this process from /proc/self/status: <c>VmRSS</c> (now) and <c>VmHWM</c>
/// (the high-water mark, the same figure as <c>ru_maxrss</c>, which the Dask side reports).
/// </summary>
/// <remarks>
/// The high-water mark can be reset to the current RSS by writing 5 to /proc/self/clear_refs
/// (Linux 4.0+), which gives the peak of one run instead of the process lifetime. Because that
/// also resets what ru_maxrss reports, the lifetime peak is kept here across resets.
/// </remarks>
internal static class ProcessMemory
{
    private static long s_lifetimePeakBytes;

    /// <summary>Gets the current resident set size in bytes, or -1 when unknown.</summary>
    public static long CurrentBytes => ReadStatus("VmRSS:");

    /// <summary>Gets the high-water mark of the resident set since the start or the last <see cref="ResetPeak"/>, or -1.</summary>
    public static long PeakBytes => ReadStatus("VmHWM:");

    /// <summary>Gets the high-water mark over the process lifetime, resets included (ru_maxrss's meaning).</summary>
    public static long LifetimePeakBytes => Math.Max(s_lifetimePeakBytes, PeakBytes);

    /// <summary>Resets the high-water mark to the current RSS.</summary>
    /// <returns><see langword="true"/> when the kernel accepted the reset.</returns>
    public static bool ResetPeak()
    {
        s_lifetimePeakBytes = LifetimePeakBytes;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Converts bytes to MiB rounded to 0.1 (as _common.py: ru_maxrss KiB / 1024).</summary>
    public static double ToMb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static long ReadStatus(string field)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    string[] parts = line[field.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }
}
