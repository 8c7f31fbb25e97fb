using System.Text.Json.Nodes;
using Tessera.Arrays;
using Tessera.Benchmarks.Harness;
using Tessera.Graphs;

namespace Tessera.Benchmarks.Workloads;

/// <summary>Helpers shared by the array workloads.</summary>
internal static class ArrayCommon
{
    /// <summary>Tasks after optimization (the counterpart of _common.py's optimized_task_count).</summary>
    public static long OptimizedTasks<T>(DArray<T> x)
        where T : unmanaged
    {
        (TaskGraph graph, IReadOnlyList<Key> _) = Tessera.Collections.CollectionExtensions.Prepare(x);
        return graph.Count;
    }

    public static JsonObject P(params (string Key, JsonNode? Value)[] items)
    {
        var o = new JsonObject();
        foreach ((string k, JsonNode? v) in items)
        {
            o[k] = v;
        }

        return o;
    }

    public static JsonArray Arr(params long[] values) => [.. values.Select(v => (JsonNode?)v)];

    /// <summary>
    /// Timed runs with the peak RSS over the RSS before the first run (like _common.py's RssSampler
    /// around timed_runs). <paramref name="warmUp"/> runs a small version of the same computation
    /// to compile the code without leaving a large heap behind, which would hide the peak.
    /// </summary>
    public static (Timings<T> Timings, double PeakOverBaselineMb) WithRss<T>(string label, int repeats, Func<int, T> run, Action<T>? check, Action warmUp)
    {
        warmUp();
        Measure.CollectGarbage();
        long baseline = ProcessMemory.CurrentBytes;
        ProcessMemory.ResetPeak();
        Timings<T> t = Measure.Runs(label, repeats, run, check, warmUp: false);
        return (t, ProcessMemory.ToMb(Math.Max(0, ProcessMemory.PeakBytes - baseline)));
    }

    /// <summary>GC settings of the child processes of memory cases (see MemoryOrder).</summary>
    public static Dictionary<string, string> MemoryCaseGcSettings { get; } = new() { ["DOTNET_GCConserveMemory"] = "5" };
}
