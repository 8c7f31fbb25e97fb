using System.Globalization;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// CPU time of this process's child processes (such as a LocalCluster's worker processes), read
/// from /proc/PID/stat (utime + stime of every live process whose parent is this one; resolution
/// one clock tick, 10 ms). The process CPU time that <see cref="Measure"/> records covers only
/// this process, as Python's does on the Dask side.
/// </summary>
internal static class ChildCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Gets the CPU seconds used so far by the live children of this process, or -1 when /proc is not readable.</summary>
    public static double Seconds
    {
        get
        {
            if (!Directory.Exists("/proc"))
            {
                return -1;
            }

            int self = Environment.ProcessId;
            long ticks = 0;
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                string name = Path.GetFileName(dir);
                if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
                {
                    continue;
                }

                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }

                // pid (comm) state ppid ... utime(14) stime(15): fields after the closing parenthesis.
                int close = stat.LastIndexOf(')');
                if (close < 0)
                {
                    continue;
                }

                string[] f = stat[(close + 2)..].Split(' ');
                if (f.Length > 12 && int.Parse(f[1], CultureInfo.InvariantCulture) == self)
                {
                    ticks += long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
                }
            }

            return ticks / TicksPerSecond;
        }
    }
}
