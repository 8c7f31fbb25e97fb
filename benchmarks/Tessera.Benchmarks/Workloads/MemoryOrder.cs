using Tessera.Arrays;
using Tessera.Benchmarks.Harness;
using Tessera.Distributed;
using static Tessera.Benchmarks.Workloads.ArrayCommon;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Workload 7, the counterpart of shared/bench/dask/memory_order.py: peak RSS of array
/// computations whose memory depends on the task order. Each case runs in its own child process
/// (as the Dask script forks one per run); the peak is reset before each run and compared with
/// the RSS after the graph is built. The warm-up runs a 1/10-size version: a full-size warm-up
/// would leave its memory with the garbage collector and hide part of the next run's peak.
/// </summary>
internal sealed class MemoryOrder : IWorkload
{
    private static readonly string[] s_cases = ["xxT_sum", "stream_sum", "col_center", "global_center"];

    // As in sched_overhead_local's block reduction: the blocks stream through the large object
    // heap, and with default settings the background GC leaves dead blocks resident for a while
    // (peak RSS 2-3x higher on the loaded 2-core machine). ConserveMemory=5 makes the GC compact
    // and give memory back sooner; it changes no computation and sets no heap limit. Set for these
    // child processes only. Since Tessera.Arrays' BlockMemory runs a full collection before a
    // large block once a block may be dead (array.gc-budget), that, not this setting, is what
    // keeps the peaks at Dask's: with it, ConserveMemory=5 alone left stream_sum at 3.6x Dask's.
    private static readonly Dictionary<string, string> s_gcSettings = ArrayCommon.MemoryCaseGcSettings;

    public string Name => "memory_order";

    public string Description => "peak RSS / input size of (x + x.T).sum(), a streaming sum, column and global centering";

    public WorkloadReport Run(BenchOptions options)
    {
        var report = new WorkloadReport();
        foreach (string c in s_cases)
        {
            string name = $"{c}: peak RSS vs input";
            if (!options.Wants(name))
            {
                continue;
            }

            report.Results.Add(ChildProcess.IsChild ? RunCase(c, options) : ChildProcess.RunCase(Name, name, options, s_gcSettings));
        }

        foreach (string c in s_cases)
        {
            string name = ClusterCaseName(c);
            if (options.Wants(name))
            {
                report.Results.Add(ChildProcess.IsChild ? RunClusterCase(c, options) : ChildProcess.RunCase(Name, name, options, s_gcSettings));
            }
        }

        return report;
    }

    private static (DArray<double> Expr, long InputBytes, System.Text.Json.Nodes.JsonObject Params, double Expected) Build(string c, bool full, int scale = 1)
    {
        switch (c)
        {
            case "xxT_sum":
            {
                int n = (full ? 30000 : 10000) / scale, ch = (full ? 2000 : 1000) / scale;
                DArray<double> x = DArray.Random.RandomSample([n, n], chunks: ch, seed: 0);
                return ((x + x.T).Sum(), x.NBytes, P(("shape", Arr(n, n)), ("chunks", Arr(ch, ch))), 1.0 * n * n);
            }

            case "stream_sum":
            {
                long n = (full ? 2_000_000_000 : 100_000_000) / scale;
                int ch = (full ? 10_000_000 : 1_000_000) / scale;
                DArray<double> x = DArray.Random.RandomSample([n], chunks: ch, seed: 0);
                return (x.Sum(), x.NBytes, P(("shape", Arr(n)), ("chunks", Arr(ch))), 0.5 * n);
            }

            case "col_center":
            {
                int n = (full ? 20000 : 5000) / scale, ch = (full ? 2000 : 500) / scale;
                DArray<double> x = DArray.Random.RandomSample([n, n], chunks: ch, seed: 0);
                return ((x - x.Mean(axis: 0)).Sum(), x.NBytes, P(("shape", Arr(n, n)), ("chunks", Arr(ch, ch))), 0);
            }

            default:
            {
                int n = (full ? 16000 : 5000) / scale, ch = (full ? 2000 : 500) / scale;
                DArray<double> x = DArray.Random.RandomSample([n, n], chunks: ch, seed: 0);
                return ((x - x.Mean().AsType<double>()).Sum(), x.NBytes, P(("shape", Arr(n, n)), ("chunks", Arr(ch, ch))), 0);
            }
        }
    }

    // Sorts next to the local case of the same expression (and Dask's) in compare.py's table.
    private static string ClusterCaseName(string c) => $"{c} [LocalCluster]: peak RSS vs input";

    private static CaseResult RunCase(string c, BenchOptions options)
    {
        // Compile the code on a 1/10-size version first, so that neither the JIT nor a large
        // leftover heap is in the measured run.
        _ = Build(c, options.IsFull, scale: 10).Expr.Compute();
        Measure.ReleaseMemory();
        (DArray<double> expr, long inputBytes, System.Text.Json.Nodes.JsonObject parameters, double expected) = Build(c, options.IsFull);
        long tasks = OptimizedTasks(expr);
        var peaks = new List<long>();
        var baselines = new List<long>();
        Timings<double> t = Measure.Runs(c, options.Repeats, r =>
        {
            double v = expr.Compute().ToScalar();
            if (r >= 0)
            {
                peaks.Add(ProcessMemory.PeakBytes);
            }

            return v;
        }, v => CheckValue(v, expected, inputBytes), warmUp: false, beforeEach: () =>
        {
            Measure.ReleaseMemory();
            ProcessMemory.ResetPeak();
            baselines.Add(ProcessMemory.CurrentBytes);
        });
        return MemoryResult($"{c}: peak RSS vs input", t, parameters, tasks, inputBytes, peaks, baselines);
    }

    // The record of a memory case, as memory_order.py reports it: medians of the peaks and baselines.
    private static CaseResult MemoryResult(string name, Timings<double> t, System.Text.Json.Nodes.JsonObject parameters, long tasks, long inputBytes, List<long> peaks, List<long> baselines)
    {
        peaks.Sort();
        baselines.Sort();
        long medPeak = peaks[peaks.Count / 2], medBase = baselines[baselines.Count / 2];
        parameters["input_GB"] = Math.Round(inputBytes / 1e9, 3);
        CaseResult result = Measure.Result(name, t, parameters, tasks);
        result.PerSecond["GB/s"] = inputBytes / 1e9;
        result.Extra["peak_rss_mb_median"] = ProcessMemory.ToMb(medPeak);
        result.Extra["peak_rss_mb_max"] = ProcessMemory.ToMb(peaks[^1]);
        result.Extra["baseline_rss_mb"] = ProcessMemory.ToMb(medBase);
        result.Extra["peak_over_input"] = Math.Round((double)(medPeak - medBase) / inputBytes, 4);
        return result;
    }

    // The same expression on a LocalCluster of 2 worker processes with 1 thread each (the machine's
    // 2 cores), as one would run it distributed. The peak is the whole cluster's: the summed RSS of
    // this process (client and scheduler) and the worker processes, sampled every 10 ms
    // (ClusterMemory), over the same sum before the run. The warm-up is a full-size run: the scheduler
    // learns each task prefix's duration, and after a 1/10-size warm-up it took the full-size random
    // blocks (50 ms) for 1 ms tasks and sent every worker dozens of them at once (queuing keeps 2 ms of
    // short tasks in flight), which doubled xxT_sum's peak. Before each run the workers collect and
    // give back their memory (SettleAsync), as this process does. With TESSERA_BENCH_TRACE=1 the sampler
    // logs, every 200 ms, each process's RSS, the scheduler's task states and bytes per worker, and each
    // worker's GC figures (GcInfo).
    private static CaseResult RunClusterCase(string c, BenchOptions options) => RunClusterCaseAsync(c, options).GetAwaiter().GetResult();

    private static async Task<CaseResult> RunClusterCaseAsync(string c, BenchOptions options)
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1 }).ConfigureAwait(false);
        await using Client client = await Client.ConnectAsync(cluster).ConfigureAwait(false);
        Func<string> gcInfo = () => string.Join(" || ", client.RunAsync(GcInfo).GetAwaiter().GetResult().Values);
        (DArray<double> expr, long inputBytes, System.Text.Json.Nodes.JsonObject parameters, double expected) = Build(c, options.IsFull);
        long tasks = OptimizedTasks(expr);
        var peaks = new List<long>();
        var baselines = new List<long>();
        ClusterMemory? sampler = null;
        Timings<double> t = Measure.Runs($"{c} [LocalCluster]", options.Repeats, r =>
        {
            double v = expr.Compute().ToScalar();
            if (r >= 0)
            {
                peaks.Add(sampler!.Stop());
            }

            return v;
        }, v => CheckValue(v, expected, inputBytes), warmUp: true, beforeEach: () =>
        {
            SettleAsync(cluster, client).GetAwaiter().GetResult();
            Measure.ReleaseMemory();
            sampler = ClusterMemory.Start(cluster, gcInfo);
            baselines.Add(sampler.Baseline);
        });
        parameters["workers"] = 2;
        parameters["threads_per_worker"] = 1;
        CaseResult result = MemoryResult(ClusterCaseName(c), t, parameters, tasks, inputBytes, peaks, baselines);
        result.Extra["peak_rss_summed_over"] = "client+scheduler process and 2 worker processes, sampled every 10 ms";
        return result;
    }

    private static void CheckValue(double v, double expected, long inputBytes)
    {
        if (expected != 0)
        {
            Check.Near(v / expected, 1, 1e-3);
        }
        else
        {
            Check.Near(v, 0, 1e-6 * inputBytes / 8);
        }
    }

    // Before a run: the previous run's keys are forgotten everywhere and each worker has collected its
    // garbage and given the memory back, as this process does, so the baseline holds no dead blocks.
    private static async Task SettleAsync(LocalCluster cluster, Client client)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        while (cluster.Scheduler.TaskCount != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(t0) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        _ = await client.RunAsync(ReleaseWorkerMemory).ConfigureAwait(false);
    }

    private static string GcInfo()
    {
        GCMemoryInfo i = GC.GetGCMemoryInfo();
        return $"heap {GC.GetTotalMemory(false) >> 20} committed {i.TotalCommittedBytes >> 20} frag {i.FragmentedBytes >> 20} ws {Environment.WorkingSet >> 20} gcs {GC.CollectionCount(2)}";
    }

    private static bool ReleaseWorkerMemory()
    {
        Measure.ReleaseMemory();
        return true;
    }
}
