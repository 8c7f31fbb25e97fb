using System.Diagnostics;
using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Dashboard;
using Tessera.Distributed;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// The dashboard's cost to the scheduler (issue 8's target: throughput with the dashboard open at least
/// 0.9 of the same run without it). Two processes clusters (2 workers × 1 thread) run side by side:
/// one without a dashboard, one with a dashboard watched by two live status pages (server-sent events
/// every 500 ms, as the page opens them, with every task stream record) and a Prometheus scrape each
/// second. <c>Map(inc)</c> + <c>GatherAsync</c> over N trivial tasks runs on each in turn, so that
/// drift of the machine touches both alike. Full: N = 100,000; small: 2,000.
/// </summary>
internal sealed class DashboardOverhead : IWorkload
{
    private static readonly TimeSpan s_settleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_gatherTimeout = TimeSpan.FromSeconds(120);

    public string Name => "dashboard_overhead";

    public string Description => "throughput of map+gather over trivial tasks on a processes cluster, without a dashboard and with the dashboard open (2 live pages + /metrics scrapes)";

    public WorkloadReport Run(BenchOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static long Inc(long x) => x + 1;

    private static async Task<WorkloadReport> RunAsync(BenchOptions options)
    {
        int n = options.IsFull ? 100_000 : 2_000;
        var report = new WorkloadReport();
        report.Params["n"] = n;
        report.Params["n_workers"] = 2;
        report.Params["threads_per_worker"] = 1;
        await using LocalCluster plain = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, ThreadsPerWorker = 1 }).ConfigureAwait(false);
        await using LocalCluster watched = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Workers = 2,
            ThreadsPerWorker = 1,
            Dashboard = DashboardServer.Factory(new DashboardOptions { Address = "127.0.0.1:0" }),
        }).ConfigureAwait(false);
        await using Client plainClient = await Client.ConnectAsync(plain).ConfigureAwait(false);
        await using Client watchedClient = await Client.ConnectAsync(watched).ConfigureAwait(false);

        using var stopViewers = new CancellationTokenSource();
        using var http = new HttpClient { BaseAddress = new Uri(watched.DashboardAddress!, "/"), Timeout = Timeout.InfiniteTimeSpan };
        long updates = 0, scrapes = 0;
        Task[] viewers =
        [
            .. Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                using Stream events = await http.GetStreamAsync(new Uri("/api/v1/events", UriKind.Relative), stopViewers.Token).ConfigureAwait(false);
                using var reader = new StreamReader(events);
                while (await reader.ReadLineAsync(stopViewers.Token).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref updates);
                    }
                }
            })),
            Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                while (await timer.WaitForNextTickAsync(stopViewers.Token).ConfigureAwait(false))
                {
                    _ = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), stopViewers.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref scrapes);
                }
            }),
        ];

        var off = new Timings<bool>();
        var on = new Timings<bool>();
        for (int rep = -1; rep < options.Repeats; rep++)
        {
            foreach ((string label, LocalCluster cluster, Client client, Timings<bool> into) in new[] { ("without dashboard", plain, plainClient, off), ("dashboard open", watched, watchedClient, on) })
            {
                await SettleAsync(cluster).ConfigureAwait(false);
                Measure.CollectGarbage();
                var probe = RunProbe.Start();
                long offset = (rep + 2) * 10_000_000L;
                IReadOnlyList<Future<long>> futures = client.Map<long, long>(Inc, Enumerable.Range(0, n).Select(i => offset + i));
                long[] results = await GatherOrDiagnoseAsync(cluster, client, futures).ConfigureAwait(false);
                if (rep >= 0)
                {
                    probe.Stop(into);
                }

                // The next round starts once the scheduler forgot this one (SettleAsync).
                foreach (Future<long> f in futures)
                {
                    f.Dispose();
                }

                Check.Equal(offset + n, results[^1], "last result");
                Log.Write($"  [{label}] {(rep < 0 ? "warm-up" : $"run {rep + 1}/{options.Repeats}")}: {probe.ElapsedSeconds:F3} s");
            }
        }

        await stopViewers.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(viewers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var pr = new JsonObject { ["n"] = n, ["processes"] = true };
        CaseResult offResult = Measure.Result("[processes] map(inc)+gather, without dashboard", off, (JsonObject)pr.DeepClone(), n);
        CaseResult onResult = Measure.Result("[processes] map(inc)+gather, dashboard open", on, (JsonObject)pr.DeepClone(), n);
        report.Results.Add(offResult);
        report.Results.Add(onResult);
        double ratio = Stats.Median(off.Wall) / Stats.Median(on.Wall);
        report.Extra["throughput_ratio_open_vs_without"] = Math.Round(ratio, 3);
        report.Extra["page_updates_received"] = Interlocked.Read(ref updates);
        report.Extra["metrics_scrapes"] = Interlocked.Read(ref scrapes);
        report.Extra["tasks_stolen"] = plain.Scheduler.Server.Query(s => s.StolenTasks) + watched.Scheduler.Server.Query(s => s.StolenTasks);
        Log.Write($"  throughput with the dashboard open / without: {ratio:F3} ({updates} page updates, {scrapes} scrapes, {report.Extra["tasks_stolen"]} tasks stolen)");
        return report;
    }

    // A gather that takes far longer than it should prints the scheduler's and the client's view of the
    // unfinished work (to stderr) and fails, instead of hanging the benchmark.
    private static async Task<long[]> GatherOrDiagnoseAsync(LocalCluster cluster, Client client, IReadOnlyList<Future<long>> futures)
    {
        Task<long[]> gather = client.GatherAsync(futures);
        try
        {
            return await gather.WaitAsync(s_gatherTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string scheduler = cluster.Scheduler.Server.Query(s => s.DescribeStateForTesting());
            Log.Write($"  the gather did not finish within {s_gatherTimeout.TotalSeconds} s\n{scheduler}\n{client.DescribeStateForTesting()}");
            throw;
        }
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
