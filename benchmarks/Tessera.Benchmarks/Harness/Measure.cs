using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// Timed runs the way shared/bench/dask/_common.py's <c>timed_runs</c> does them: a collection
/// before each run (not timed), wall time with a high-resolution clock, process CPU time (all
/// threads), and a check of each run's output. Unlike the Python side there is one untimed
/// warm-up run first, so that JIT compilation is not measured.
/// </summary>
internal static class Measure
{
    /// <summary>Collects all garbage, finalizers included (the counterpart of gc.collect()).</summary>
    public static void CollectGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// Collects all garbage and gives the freed memory back to the operating system, so that a
    /// warm-up's heap is not counted in the next run's resident set (a fresh process, as Dask's
    /// forked child, has none).
    /// </summary>
    public static void ReleaseMemory()
    {
        CollectGarbage();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Gets the CPU time of this process so far, all threads.</summary>
    public static TimeSpan ProcessCpu => Environment.CpuUsage.TotalTime;

    /// <summary>Runs <paramref name="run"/> once untimed, then <paramref name="repeats"/> times timed.</summary>
    /// <typeparam name="T">The run's output.</typeparam>
    /// <param name="label">Shown in the log.</param>
    /// <param name="repeats">Timed runs.</param>
    /// <param name="run">The work; gets the run number (-1 for the warm-up).</param>
    /// <param name="check">Validates each output; throws when it is wrong.</param>
    /// <param name="warmUp">Whether to do the untimed warm-up run.</param>
    /// <param name="beforeEach">Runs after the collection and before the clock starts, for each timed run.</param>
    /// <returns>The timings and the last output.</returns>
    public static Timings<T> Runs<T>(string label, int repeats, Func<int, T> run, Action<T>? check = null, bool warmUp = true, Action? beforeEach = null)
    {
        var timings = new Timings<T>();
        if (warmUp)
        {
            CollectGarbage();
            long w0 = Stopwatch.GetTimestamp();
            T w = run(-1);
            double wdt = Stopwatch.GetElapsedTime(w0).TotalSeconds;
            check?.Invoke(w);
            Log.Write($"  {label} warm-up: {wdt:F3} s wall");
        }

        for (int rep = 0; rep < repeats; rep++)
        {
            CollectGarbage();
            beforeEach?.Invoke();
            var probe = RunProbe.Start();
            T output = run(rep);
            probe.Stop(timings);
            check?.Invoke(output);
            timings.Last = output;
            Log.Write($"  {label} run {rep + 1}/{repeats}: {timings.Wall[^1]:F3} s wall, {timings.Cpu[^1]:F3} s cpu, GC pause {timings.GcPause[^1]:F3} s");
        }

        return timings;
    }

    /// <summary>Builds the case record of a set of timed runs, with CPU and GC figures attached.</summary>
    /// <typeparam name="T">The runs' output.</typeparam>
    /// <param name="name">The case label.</param>
    /// <param name="timings">The runs.</param>
    /// <param name="parameters">The case parameters.</param>
    /// <param name="tasks">The number of tasks, or 0.</param>
    /// <returns>The record.</returns>
    public static CaseResult Result<T>(string name, Timings<T> timings, JsonObject? parameters = null, long tasks = 0)
    {
        var r = new CaseResult(name, timings.Wall, parameters, tasks, timings.Cpu);
        timings.AddGcFields(r.Extra);
        return r;
    }
}

/// <summary>Wall, CPU and GC figures of a series of runs.</summary>
/// <typeparam name="T">The runs' output.</typeparam>
internal sealed class Timings<T>
{
    public List<double> Wall { get; } = [];

    public List<double> Cpu { get; } = [];

    public List<double> GcPause { get; } = [];

    public List<int[]> GcCounts { get; } = [];

    public List<double> AllocatedBytes { get; } = [];

    public T? Last { get; set; }

    /// <summary>Adds gc_pause_s_median, allocated_mb_median (all threads) and gc_collections_median (per generation; gen0 counts every collection).</summary>
    public void AddGcFields(JsonObject extra)
    {
        if (GcPause.Count == 0)
        {
            return;
        }

        extra["gc_pause_s_median"] = Math.Round(Stats.Median(GcPause), 6);
        extra["allocated_mb_median"] = Math.Round(Stats.Median(AllocatedBytes) / 1048576.0, 1);
        extra["gc_collections_median"] = new JsonObject
        {
            ["gen0"] = Stats.Median(GcCounts.Select(c => (double)c[0])),
            ["gen1"] = Stats.Median(GcCounts.Select(c => (double)c[1])),
            ["gen2"] = Stats.Median(GcCounts.Select(c => (double)c[2])),
        };
    }
}

/// <summary>Clocks, CPU time and GC counters at the start of one run.</summary>
internal readonly struct RunProbe
{
    private readonly long _start;
    private readonly TimeSpan _cpu;
    private readonly TimeSpan _pause;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;
    private readonly long _allocated;

    private RunProbe(long start, TimeSpan cpu, TimeSpan pause, int gen0, int gen1, int gen2, long allocated)
    {
        _allocated = allocated;
        _start = start;
        _cpu = cpu;
        _pause = pause;
        _gen0 = gen0;
        _gen1 = gen1;
        _gen2 = gen2;
    }

    public static RunProbe Start()
    {
        TimeSpan cpu = Measure.ProcessCpu;
        TimeSpan pause = GC.GetTotalPauseDuration();
        int g0 = GC.CollectionCount(0);
        int g1 = GC.CollectionCount(1);
        int g2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        return new RunProbe(Stopwatch.GetTimestamp(), cpu, pause, g0, g1, g2, allocated);
    }

    /// <summary>Gets the wall seconds since the start.</summary>
    public double ElapsedSeconds => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    public void Stop<T>(Timings<T> into)
    {
        double wall = ElapsedSeconds;
        into.Wall.Add(wall);
        into.Cpu.Add((Measure.ProcessCpu - _cpu).TotalSeconds);
        into.GcPause.Add((GC.GetTotalPauseDuration() - _pause).TotalSeconds);
        into.GcCounts.Add([GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2]);
        into.AllocatedBytes.Add(GC.GetTotalAllocatedBytes(precise: false) - _allocated);
    }
}

/// <summary>Progress messages, on standard error (standard output carries only the JSON line).</summary>
internal static class Log
{
    public static void Write(string message) => Console.Error.WriteLine(message);
}

/// <summary>Result checks that fail the run loudly, as the Dask scripts' asserts do.</summary>
internal static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
        where T : IEquatable<T>
    {
        if (!expected.Equals(actual))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected}, got {actual}."));
        }
    }

    public static void Near(double actual, double expected, double tolerance)
    {
        if (!(Math.Abs(actual - expected) <= tolerance))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"expected {expected} within {tolerance}, got {actual}."));
        }
    }
}
