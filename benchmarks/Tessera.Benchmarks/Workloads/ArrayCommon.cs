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

    /// <summary>Runs timed runs while tracking peak RSS over the baseline before each run (like RssSampler).</summary>
    public static (Timings<T> Timings, double PeakOverBaselineMb) WithRss<T>(string label, int repeats, Func<int, T> run, Action<T>? check = null)
    {
        long baseline = long.MaxValue, peak = 0;
        Timings<T> t = Measure.Runs(label, repeats, r =>
        {
            T v = run(r);
            if (r >= 0)
            {
                peak = Math.Max(peak, ProcessMemory.PeakBytes);
            }

            return v;
        }, check, beforeEach: () =>
        {
            ProcessMemory.ResetPeak();
            baseline = Math.Min(baseline, ProcessMemory.CurrentBytes);
        });
        return (t, ProcessMemory.ToMb(Math.Max(0, peak - baseline)));
    }
}
