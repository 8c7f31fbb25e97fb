using System.Diagnostics;
using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Distributed;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Work stealing on skewed placement (issue 7's target: at least 1.8x faster with stealing than without, on
/// 2 workers). One large input is computed on one worker, then N tasks of D ms each need it. Their prefix
/// is new (a fresh key name per run), so the scheduler assumes 1 ms each and places all of them on the
/// worker that holds the input rather than move it; their real duration shows once the first finishes.
/// Two processes clusters (2 workers × 1 thread), stealing off and on, run in turn so that drift of the
/// machine touches both alike. Full: 40 tasks of 200 ms and a 64 MB input; small: 16 of 100 ms and 32 MB.
/// </summary>
internal sealed class WorkStealing : IWorkload
{
    private static readonly TimeSpan s_settleTimeout = TimeSpan.FromSeconds(60);

    public string Name => "work_stealing";

    public string Description => "skewed placement (N tasks of D ms all placed on the worker holding their 32-64 MB input) on a processes cluster, work stealing off vs on";

    public WorkloadReport Run(BenchOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static double[] Input(int length)
    {
        var xs = new double[length];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = i % 1000;
        }

        return xs;
    }

    private static double Work(double[] input, int milliseconds, int i)
    {
        Thread.Sleep(milliseconds);
        return input[i * 1000 % input.Length] + i;
    }

    private static async Task<WorkloadReport> RunAsync(BenchOptions options)
    {
        bool full = options.IsFull;
        int n = full ? 40 : 16, milliseconds = full ? 200 : 100, length = full ? 8_000_000 : 4_000_000;
        var report = new WorkloadReport();
        report.Params["n_tasks"] = n;
        report.Params["task_ms"] = milliseconds;
        report.Params["input_bytes"] = length * 8L;
        report.Params["n_workers"] = 2;
        report.Params["threads_per_worker"] = 1;
        await using LocalCluster off = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1, WorkStealing = false }).ConfigureAwait(false);
        await using LocalCluster on = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1, WorkStealing = true }).ConfigureAwait(false);
        await using Client offClient = await Client.ConnectAsync(off).ConfigureAwait(false);
        await using Client onClient = await Client.ConnectAsync(on).ConfigureAwait(false);
        double[] expected = [.. Enumerable.Range(0, n).Select(i => (i * 1000 % length % 1000) + (double)i)];

        var offT = new Timings<bool>();
        var onT = new Timings<bool>();
        int run = 0;
        for (int rep = -1; rep < options.Repeats; rep++)
        {
            foreach ((string label, LocalCluster cluster, Client client, Timings<bool> into) in new[] { ("stealing off", off, offClient, offT), ("stealing on", on, onClient, onT) })
            {
                await SettleAsync(cluster).ConfigureAwait(false);
                Measure.CollectGarbage();
                run++;
                using Future<double[]> input = client.Submit<int, double[]>(Input, length, key: $"input{run}-x");
                while (input.Status == FutureStatus.Pending)
                {
                    await Task.Delay(2).ConfigureAwait(false);
                }

                var probe = RunProbe.Start();
                Future<double>[] work = [.. Enumerable.Range(0, n).Select(i => client.Submit<double[], int, int, double>(Work, input, milliseconds, i, key: $"skewed{run}-{i}"))];
                double[] results = await client.GatherAsync(work).ConfigureAwait(false);
                if (rep >= 0)
                {
                    probe.Stop(into);
                }

                foreach (Future<double> f in work)
                {
                    f.Dispose();
                }

                Check.Equal(string.Join(',', expected), string.Join(',', results), "results");
                Log.Write($"  [{label}] {(rep < 0 ? "warm-up" : $"run {rep + 1}/{options.Repeats}")}: {probe.ElapsedSeconds:F3} s");
            }
        }

        var pr = new JsonObject { ["n"] = n, ["task_ms"] = milliseconds, ["processes"] = true };
        report.Results.Add(Measure.Result("[processes] skewed placement, stealing off", offT, (JsonObject)pr.DeepClone(), n));
        report.Results.Add(Measure.Result("[processes] skewed placement, stealing on", onT, (JsonObject)pr.DeepClone(), n));
        double speedup = Stats.Median(offT.Wall) / Stats.Median(onT.Wall);
        report.Extra["speedup_on_vs_off"] = Math.Round(speedup, 3);
        report.Extra["tasks_stolen"] = on.Scheduler.Server.Query(s => s.StolenTasks);
        Log.Write($"  stealing on is {speedup:F2}x as fast as off ({report.Extra["tasks_stolen"]} tasks stolen in all)");
        return report;
    }

    private static async Task SettleAsync(LocalCluster cluster)
    {
        long t0 = Stopwatch.GetTimestamp();
        while (cluster.Scheduler.TaskCount != 0 && Stopwatch.GetElapsedTime(t0) < s_settleTimeout)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
