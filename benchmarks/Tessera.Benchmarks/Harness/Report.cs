using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// Writes the one JSON line of a run in the shape of _common.py's <c>emit()</c>: workload, size,
/// repeats, params, results, peak_rss_mb, load averages and calibration spins at start and end,
/// and the environment.
/// </summary>
internal static class Report
{
    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Gets the load averages when the program started (a noise indicator: the machine has 2 cores).</summary>
    public static double[] LoadAverageAtStart { get; } = LoadAverage();

    /// <summary>Gets the calibration spin (wall s, cpu s) when the program started.</summary>
    public static double[] CalibrationAtStart { get; } = Calibrate();

    /// <summary>Prints the JSON line on standard output.</summary>
    public static void Emit(string workload, BenchOptions options, WorkloadReport report)
    {
        var rec = new JsonObject
        {
            ["workload"] = workload,
            ["size"] = options.Size,
            ["repeats"] = options.Repeats,
            ["params"] = report.Params.DeepClone(),
            ["results"] = new JsonArray([.. report.Results.Select(r => (JsonNode)r.ToJson())]),
            ["peak_rss_mb"] = ProcessMemory.ToMb(ProcessMemory.LifetimePeakBytes),
            ["loadavg_at_start"] = ToArray(LoadAverageAtStart),
            ["loadavg_at_end"] = ToArray(LoadAverage()),
            ["calib_wall_cpu_s_at_start"] = ToArray(CalibrationAtStart),
            ["calib_wall_cpu_s_at_end"] = ToArray(Calibrate()),
            ["env"] = EnvInfo(),
        };
        foreach (KeyValuePair<string, JsonNode?> kv in report.Extra)
        {
            rec[kv.Key] = kv.Value?.DeepClone();
        }

        Console.Out.Write(rec.ToJsonString(s_json) + "\n");
        Console.Out.Flush();
    }

    /// <summary>
    /// A fixed single-threaded integer spin. On an idle machine wall ≈ cpu and both are about
    /// constant; wall much larger than cpu means another process had the core.
    /// </summary>
    public static double[] Calibrate()
    {
        TimeSpan c0 = Measure.ProcessCpu;
        long t0 = Stopwatch.GetTimestamp();
        ulong x = 88172645463325252UL;
        for (int i = 0; i < 50_000_000; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        double wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        double cpu = (Measure.ProcessCpu - c0).TotalSeconds;
        GC.KeepAlive(x.ToString(CultureInfo.InvariantCulture));
        return [Math.Round(wall, 4), Math.Round(cpu, 4)];
    }

    private static double[] LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return [.. parts.Take(3).Select(p => Math.Round(double.Parse(p, CultureInfo.InvariantCulture), 2))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static JsonArray ToArray(double[] values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonObject EnvInfo()
    {
        var env = new JsonObject
        {
            ["date"] = DateTime.Now.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["cpus"] = Environment.ProcessorCount,
            ["machine"] = RuntimeInformation.ProcessArchitecture.ToString(),
            ["server_gc"] = GCSettings.IsServerGC,
            ["concurrent_gc"] = AppContext.GetData("System.GC.Concurrent")?.ToString() ?? "default",
            ["gc_latency_mode"] = GCSettings.LatencyMode.ToString(),
            ["gc_conserve_memory"] = AppContext.GetData("System.GC.ConserveMemory")?.ToString() ?? "default",
            ["tiered_pgo"] = AppContext.GetData("System.Runtime.TieredPGO")?.ToString() ?? "default",
            ["tessera"] = typeof(Tessera.Graphs.TaskGraph).Assembly.GetName().Version?.ToString(),
        };
        try
        {
            string first = File.ReadLines("/proc/meminfo").First();
            long kib = long.Parse(first.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            env["mem_total_gib"] = Math.Round(kib / 1048576.0, 1);
        }
        catch (IOException)
        {
        }

        foreach (string var in new[] { "DOTNET_gcServer", "DOTNET_GCgen0size", "DOTNET_GCConserveMemory", "DOTNET_TieredPGO", "DOTNET_TieredCompilation", "TESSERA_NUM_WORKERS" })
        {
            string? v = Environment.GetEnvironmentVariable(var);
            if (v is not null)
            {
                env[var] = v;
            }
        }

        return env;
    }
}
