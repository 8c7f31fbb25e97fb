using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Dashboard;
using Tessera.Distributed;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// The dashboard's page update latency at scale (issue 8's target: at most 1 s at 1,000 workers). A
/// scheduler with a dashboard holds 1,000 worker records registered straight into its state (no
/// processes, no connections); each case asks for a fresh answer (the monitor's sharing interval set to
/// zero): a snapshot alone, <c>/api/v1/status</c> and <c>/api/v1/workers</c> over HTTP (snapshot + JSON),
/// the first live update of <c>/api/v1/events</c> (what an opening page waits for), and <c>/metrics</c>.
/// The browser's drawing of the same 1,000 workers is timed by the Dashboard tests
/// (<c>Pages_At1000SimulatedWorkers_DrawEveryWorker_AndKeepUpdating</c>, which prints the times). Full: 1,000 workers; small: 200.
/// </summary>
internal sealed class DashboardLatency : IWorkload
{
    public string Name => "dashboard_latency";

    public string Description => "page update latency (snapshot, JSON over HTTP, first live update, metrics) with 1,000 simulated workers in the scheduler state";

    public WorkloadReport Run(BenchOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<WorkloadReport> RunAsync(BenchOptions options)
    {
        int workers = options.IsFull ? 1_000 : 200;
        var report = new WorkloadReport();
        report.Params["n_workers_simulated"] = workers;
        await using SchedulerHost scheduler = await SchedulerHost.StartAsync(new SchedulerOptions
        {
            Address = "memory://dashboard-latency",
            Dashboard = DashboardServer.Factory(new DashboardOptions { Address = "127.0.0.1:0" }),
        }).ConfigureAwait(false);
        scheduler.Server.Query(state =>
        {
            for (int i = 0; i < workers; i++)
            {
                state.AddWorker($"tcp://10.0.{i / 250}.{i % 250}:4{i:D4}", 4, $"fake-{i}");
            }

            return state.Workers.Count;
        });
        scheduler.Monitor.MinimumInterval = TimeSpan.Zero;
        Check.Equal(workers, (await scheduler.Monitor.GetSnapshotAsync().ConfigureAwait(false)).Workers.Count, "workers in the snapshot");

        using var http = new HttpClient { BaseAddress = new Uri(scheduler.Dashboard!.Address, "/"), Timeout = TimeSpan.FromSeconds(60) };
        var cases = new (string Name, Func<Task<long>> Run)[]
        {
            ("snapshot", async () => (await scheduler.Monitor.GetSnapshotAsync().ConfigureAwait(false)).Workers.Count),
            ("GET /api/v1/status", async () => (await http.GetStringAsync(new Uri("/api/v1/status", UriKind.Relative)).ConfigureAwait(false)).Length),
            ("GET /api/v1/workers", async () => (await http.GetStringAsync(new Uri("/api/v1/workers", UriKind.Relative)).ConfigureAwait(false)).Length),
            ("first update of /api/v1/events", async () => await FirstUpdateAsync(http).ConfigureAwait(false)),
            ("GET /metrics", async () => (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).ConfigureAwait(false)).Length),
        };
        double worst = 0;
        foreach ((string name, Func<Task<long>> run) in cases)
        {
            var timings = new Timings<bool>();
            long size = 0;
            for (int rep = -1; rep < Math.Max(options.Repeats, 5); rep++)
            {
                var probe = RunProbe.Start();
                size = await run().ConfigureAwait(false);
                if (rep >= 0)
                {
                    probe.Stop(timings);
                }
            }

            var parameters = new JsonObject { ["n_workers_simulated"] = workers, ["size"] = size };
            report.Results.Add(Measure.Result($"[{workers} workers] {name}", timings, parameters));
            double median = Stats.Median(timings.Wall);
            worst = Math.Max(worst, median);
            Log.Write($"  {name}: median {median * 1000:F1} ms ({size:N0} {(name == "snapshot" ? "workers" : "characters")})");
        }

        report.Extra["worst_median_latency_seconds"] = Math.Round(worst, 4);
        report.Extra["target_seconds"] = 1.0;
        return report;
    }

    // Opens the live stream, reads its first update, and closes it.
    private static async Task<long> FirstUpdateAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/api/v1/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line.Length;
            }
        }

        throw new InvalidOperationException("The event stream ended before its first update.");
    }
}
