using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Distributed;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Workload 2, the counterpart of shared/bench/dask/sched_overhead_distributed.py: the overhead of
/// the distributed runtime on one machine, with the same cases, modes, sizes and checks.
/// </summary>
/// <remarks>
/// <para><c>LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: P)</c> for three modes:
/// <c>processes</c> (worker processes running Tessera.Cli, scheduler and client in this process, over
/// TCP), <c>threads</c> (workers in this process over the in-memory network) and
/// <c>processes-noqueue</c> (processes with worker saturation infinity: root-task queuing off; its
/// tree case is skipped, as in the Dask script). Each mode runs in a fresh child process of this program
/// (after the same process warm-up), so no mode's figures depend on which ran before it. Per mode: startup and close of cluster and client;
/// <c>Map(inc)</c> + <c>GatherAsync</c> over N items (keys unique per run by an offset of the
/// arguments; untimed warm-up runs for at least 2 s in every mode, and on while they still get faster, so that
/// no mode pays for this process's JIT); the raw tree reduction of workload 1 through <c>Client.Get</c>; and the round trip of
/// one <c>Submit(inc, i).Result()</c>, median of M with p10 and p90. Full: N = 10,000, tree 100,000
/// leaves (111,111 tasks, one run), M = 200, startup ×repeats; small: 200, 1,000 leaves, 30, ×1.
/// Between runs the benchmark waits (untimed) until the scheduler holds no tasks.</para>
/// <para>The Tessera-only case "tessera: 1M tasks as one graph, processes" runs a 1,000,000-task tree
/// through <c>Client.Get</c> on a processes cluster, then measures the scheduler's heap per task
/// with the same graph held on a cluster without workers.</para>
/// </remarks>
internal sealed class SchedOverheadDistributed : IWorkload
{
    private const int Fan = 10;
    private const int BigLeaves = 900_000;
    private const int LatencyWarmUp = 20;
    private static readonly TimeSpan s_latencyWarmUpTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_processWarmUpTime = TimeSpan.FromSeconds(4);
    private static readonly Dictionary<string, string> s_noEnvironment = [];
    private static readonly string[] s_modes = (Environment.GetEnvironmentVariable("TESSERA_BENCH_MODES") ?? "processes,threads,processes-noqueue").Split(',');

    // Each mode's map case warms up this long (untimed runs), so that the first mode measured does not pay for
    // tiering this process's code up while the later ones find it compiled (docs/benchmarks.md).
    private static readonly TimeSpan s_mapWarmUpTime = TimeSpan.FromSeconds(2);
    private const string BigCase = "tessera: 1M tasks as one graph, processes";
    private static readonly TimeSpan s_settleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_bigTimeout = TimeSpan.FromMinutes(5);

    public string Name => "sched_overhead_distributed";

    public string Description => "overhead of the distributed runtime on one machine: LocalCluster startup/close, map+gather, tree via Client.Get, submit round trip; processes, threads, processes-noqueue";

    public WorkloadReport Run(BenchOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static long Inc(long x) => x + 1;

    private static async Task<WorkloadReport> RunAsync(BenchOptions options)
    {
        bool full = options.IsFull;
        int reps = options.Repeats;
        int nMap = full ? 10_000 : 200;
        int nTree = full ? 100_000 : 1_000;
        int treeReps = full ? 1 : reps;
        int nLat = full ? 200 : 30;
        int startupReps = full ? reps : 1;
        var report = new WorkloadReport();
        report.Params["n_map"] = nMap;
        report.Params["tree_leaves"] = nTree;
        report.Params["fan_in"] = Fan;
        report.Params["latency_n"] = nLat;
        List<CaseResult> results = report.Results;
        if (!ChildProcess.IsChild)
        {
            // Each mode in a fresh process of its own, after the same warm-up: in one process the JIT's
            // tiering favoured whichever mode ran later (2-3x the CPU for the first; docs/benchmarks.md,
            // the queue branch), so the order of the modes decided their ratio.
            foreach (string mode in s_modes.Where(m => ModeCases(m).Any(options.Wants)))
            {
                results.AddRange(ChildProcess.RunCases("sched_overhead_distributed", $"[{mode}]", options, s_noEnvironment).Where(r => options.Wants(r.Name)));
            }
        }
        else if (s_modes.Any(m => options.Wants($"[{m}] client.map(inc)+gather") || options.Wants($"[{m}] tree reduction via client.get") || options.Wants($"[{m}] submit(inc).result() round trip")))
        {
            await WarmUpProcessAsync().ConfigureAwait(false);
        }

        foreach (string mode in ChildProcess.IsChild ? s_modes : [])
        {
            string[] cases = ModeCases(mode);
            if (!cases.Any(options.Wants))
            {
                continue;
            }

            string startupCase = cases[0], mapCase = cases[1], treeCase = $"[{mode}] tree reduction via client.get";
            string latencyCase = $"[{mode}] submit(inc).result() round trip", closeCase = cases[^1];
            bool treeSkipped = !cases.Contains(treeCase);

            bool processes = mode != "threads";
            double saturation = mode.EndsWith("noqueue", StringComparison.Ordinal) ? double.PositiveInfinity : 1.1;
            JsonObject pr = new()
            {
                ["n_workers"] = 2,
                ["threads_per_worker"] = 1,
                ["processes"] = processes,
                ["worker_saturation"] = double.IsPositiveInfinity(saturation) ? "inf" : saturation.ToString(CultureInfo.InvariantCulture),
            };

            // Startup and close: one untimed warm-up (JIT of this process), then startupReps timed;
            // the last cluster stays up for the measurements.
            var startT = new Timings<bool>();
            var stopT = new Timings<bool>();
            LocalCluster cluster = null!;
            Client client = null!;
            for (int rep = -1; rep < startupReps; rep++)
            {
                Measure.CollectGarbage();
                var probe = RunProbe.Start();
                (cluster, client) = await StartAsync(processes, saturation).ConfigureAwait(false);
                if (rep >= 0)
                {
                    probe.Stop(startT);
                }

                Log.Write($"  [{mode}] startup {(rep < 0 ? "warm-up" : $"run {rep + 1}/{startupReps}")}: {probe.ElapsedSeconds:F3} s");
                if (rep < startupReps - 1)
                {
                    await StopAsync(cluster, client, rep >= 0 ? stopT : null).ConfigureAwait(false);
                }
            }

            if (options.Wants(startupCase))
            {
                results.Add(Measure.Result(startupCase, startT, Clone(pr)));
            }

            // Warm-up, as the script: the function is known on both workers.
            await MapAsync(client, -100, 100).ConfigureAwait(false);
            await SettleAsync(cluster).ConfigureAwait(false);
            if (options.Wants(mapCase))
            {
                results.Add(await MapCaseAsync(mapCase, cluster, client, nMap, reps, With(pr, ("n", nMap))).ConfigureAwait(false));
            }

            if (!treeSkipped && options.Wants(treeCase))
            {
                results.Add(await TreeCaseAsync(treeCase, cluster, client, nTree, treeReps, $"x{mode}", With(pr, ("leaves", nTree), ("fan_in", Fan))).ConfigureAwait(false));
            }

            if (options.Wants(latencyCase))
            {
                results.Add(await LatencyCaseAsync(latencyCase, cluster, client, nLat, With(pr, ("n", nLat))).ConfigureAwait(false));
            }

            await StopAsync(cluster, client, stopT).ConfigureAwait(false);
            if (options.Wants(closeCase))
            {
                results.Add(Measure.Result(closeCase, stopT, Clone(pr)));
            }
        }

        // The 1M-task case takes about a minute, so it runs at full size only (one timed run).
        if (full && options.Wants(BigCase))
        {
            try
            {
                // The modes ran in their own processes: this one's client and scheduler code is still cold.
                await WarmUpProcessAsync().ConfigureAwait(false);
                results.Add(await BigTreeAsync(1).WaitAsync(s_bigTimeout).ConfigureAwait(false));
            }
            catch (Exception e) when (e is TesseraException or TimeoutException)
            {
                // Reported, not fatal: the Dask cases above still make their JSON line.
                Log.Write($"  {BigCase}: did not complete: {e.GetType().Name}: {e.Message}");
                report.Extra["big_case_error"] = $"{e.GetType().Name}: {e.Message}";
            }
        }

        return report;
    }

    // A mode's cases, in the order they run: startup, map, tree (not without queuing, as the script unless
    // --noqueue-tree), round trip, close.
    private static string[] ModeCases(string mode)
    {
        string[] all = [$"[{mode}] LocalCluster+Client startup", $"[{mode}] client.map(inc)+gather", $"[{mode}] tree reduction via client.get", $"[{mode}] submit(inc).result() round trip", $"[{mode}] client+cluster close"];
        return mode.EndsWith("noqueue", StringComparison.Ordinal) ? [.. all.Where(c => !c.Contains("tree", StringComparison.Ordinal))] : all;
    }

    /// <summary>
    /// Runs <c>Map(inc)</c> on an in-process cluster for <see cref="s_processWarmUpTime"/> (untimed), before
    /// the first mode, so that the client and scheduler code of this process is compiled at its final tier
    /// for every mode (it ran at a higher rate, and did better at that in A/B runs, than a cluster of worker
    /// processes). Without it the first mode measured paid for that: in one process, whichever of
    /// <c>processes</c> and <c>processes-noqueue</c> ran first took 2-3x the CPU of the other in its map case
    /// (docs/benchmarks.md, the queue branch).
    /// </summary>
    private static async Task WarmUpProcessAsync()
    {
        (LocalCluster cluster, Client client) = await StartAsync(processes: false, saturation: 1.1).ConfigureAwait(false);
        long start = Stopwatch.GetTimestamp();
        for (int rep = 0; Stopwatch.GetElapsedTime(start) < s_processWarmUpTime; rep++)
        {
            long[] values = await MapAsync(client, -(rep + 1) * 10_000_000L, 10_000).ConfigureAwait(false);
            Check.Equal(values[0], values[^1] - 9_999, "warm-up map result");
            await SettleAsync(cluster).ConfigureAwait(false);
        }

        Log.Write($"  process warm-up (threads cluster, map): {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
        await StopAsync(cluster, client, null).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- cases

    /// <summary><c>Map(inc)</c> over N items and <c>GatherAsync</c>; keys unique per run (arguments offset by (rep + 1) × 10,000,000).</summary>
    private static async Task<CaseResult> MapCaseAsync(string name, LocalCluster cluster, Client client, int n, int reps, JsonObject parameters)
    {
        var sections = new Sections();
        var workersCpu = new List<double>();
        Timings<long[]> t = await RunsAsync(
            name,
            reps,
            rep => MapAsync(client, (rep + 1) * 10_000_000L, n, rep >= 0 ? sections : null),
            _ => SettleAsync(cluster),
            (rep, output) =>
            {
                long off = (rep + 1) * 10_000_000L;
                Check.Equal(n, output.Length, "map results");
                for (int i = 0; i < output.Length; i++)
                {
                    Check.Equal(off + i + 1, output[i], "map result");
                }
            },
            workersCpu,
            s_mapWarmUpTime).ConfigureAwait(false);
        CaseResult r = Measure.Result(name, t, parameters, n);
        AddWorkersCpu(r, workersCpu, cluster.Processes);
        r.Extra["sections_s_median"] = sections.Medians();
        return r;
    }

    /// <summary>The raw tree reduction of workload 1 through <c>Client.GetAsync</c>; graph built untimed, keys unique per run.</summary>
    private static async Task<CaseResult> TreeCaseAsync(string name, LocalCluster cluster, Client client, int leaves, int reps, string prefix, JsonObject parameters)
    {
        // The warm-up (run -1) has the same size, so that the timed run finds the hot code at its
        // final tier in this process and in the worker processes.
        static int Leaves(int rep, int leaves) => leaves;
        (TaskGraph Graph, Key Root) tree = default;
        var workersCpu = new List<double>();
        Timings<long> t = await RunsAsync(
            name,
            reps,
            async rep => (long)(await client.GetAsync(tree.Graph!, [tree.Root]).ConfigureAwait(false))[0]!,
            async rep =>
            {
                tree = SchedOverheadLocal.TreeGraph(Leaves(rep, leaves), $"{prefix}{rep}");
                await SettleAsync(cluster).ConfigureAwait(false);
            },
            (rep, v) =>
            {
                long l = Leaves(rep, leaves);
                Check.Equal(l * (l + 1) / 2, v, "tree result");
            },
            workersCpu).ConfigureAwait(false);
        CaseResult r = Measure.Result(name, t, parameters, SchedOverheadLocal.TreeTasks(leaves));
        AddWorkersCpu(r, workersCpu, cluster.Processes);
        return r;
    }

    /// <summary>One <c>Submit(inc, i)</c> awaited, n times (distinct i), after max(20, n) untimed round trips lasting at least 1 s (the script does 20; more here so that the timed ones find compiled code); median, p10, p90.</summary>
    private static async Task<CaseResult> LatencyCaseAsync(string name, LocalCluster cluster, Client client, int n, JsonObject parameters)
    {
        await SettleAsync(cluster).ConfigureAwait(false);
        // At least max(20, n) round trips and at least s_latencyWarmUpTime: this process tiers its code up
        // while it runs (call counting starts 100 ms after the last tier-0 compilation, then a background
        // thread compiles), and with a count alone the timed loop measured that progress (0.30-0.34 ms,
        // against 0.16-0.20 ms with DOTNET_TC_CallCountingDelayMs=0 in the same minutes; docs/benchmarks.md).
        int warmUp = Math.Max(LatencyWarmUp, n);
        long warmUpStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmUp || Stopwatch.GetElapsedTime(warmUpStart) < s_latencyWarmUpTime; i++)
        {
            using Future<long> f = client.Submit(Inc, -i - 1000L);
            Check.Equal(-i - 999L, await f, "warm-up round trip");
        }

        // Where a round trip's time goes, in a separate untimed pass: the Submit call, until the
        // scheduler reports the result in memory (client -> scheduler -> worker -> scheduler ->
        // client), and the fetch from the worker (client -> worker -> client).
        var split = new Sections();
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            using Future<long> f = client.Submit(Inc, -i - 1_000_000L);
            long t1 = Stopwatch.GetTimestamp();
            await f.Completion.ConfigureAwait(false);
            long t2 = Stopwatch.GetTimestamp();
            Check.Equal(-i - 999_999L, await f, "round trip result");
            long t3 = Stopwatch.GetTimestamp();
            split.Add("submit", Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
            split.Add("until_in_memory", Stopwatch.GetElapsedTime(t1, t2).TotalSeconds);
            split.Add("fetch", Stopwatch.GetElapsedTime(t2, t3).TotalSeconds);
        }

        Measure.CollectGarbage();
        var lat = new double[n];
        var all = new Timings<bool>();
        var probe = RunProbe.Start();
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            long v;
            using (Future<long> f = client.Submit(Inc, (long)i))
            {
                v = await f;
            }

            lat[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            Check.Equal(i + 1L, v, "round trip result");
        }

        probe.Stop(all);
        double[] sorted = [.. lat.Order()];
        var r = new CaseResult(name, lat, parameters);
        r.Extra["p10_s"] = Math.Round(sorted[n / 10], 6);
        r.Extra["p90_s"] = Math.Round(sorted[n * 9 / 10], 6);
        r.Extra["times_s"] = new JsonArray(); // n values: keep the record small, as the script
        r.Extra["median_ms"] = Math.Round(Stats.Median(lat) * 1e3, 3);
        r.Extra["cpu_s_total"] = Math.Round(all.Cpu[0], 6);
        r.Extra["gc_pause_s_total"] = Math.Round(all.GcPause[0], 6);
        r.Extra["split_s_median"] = split.Medians();
        Log.Write($"  {name}: median {Stats.Median(lat) * 1e3:F3} ms p10 {sorted[n / 10] * 1e3:F3} p90 {sorted[n * 9 / 10] * 1e3:F3}");
        return r;
    }

    // ---------------------------------------------------------------- cluster

    private static async Task<(LocalCluster Cluster, Client Client)> StartAsync(bool processes, double saturation, int workers = 2)
    {
        LocalCluster cluster = await LocalCluster.StartAsync(workers: workers, threadsPerWorker: 1, processes: processes, workerSaturation: saturation).ConfigureAwait(false);
        Client client = await Client.ConnectAsync(cluster).ConfigureAwait(false);
        return (cluster, client);
    }

    private static async Task StopAsync(LocalCluster cluster, Client client, Timings<bool>? into)
    {
        Measure.CollectGarbage();
        var probe = RunProbe.Start();
        await client.DisposeAsync().ConfigureAwait(false);
        await cluster.DisposeAsync().ConfigureAwait(false);
        if (into is not null)
        {
            probe.Stop(into);
        }
    }

    /// <summary>Waits (untimed) until the scheduler has forgotten every task of earlier runs.</summary>
    private static async Task SettleAsync(LocalCluster cluster)
    {
        long t0 = Stopwatch.GetTimestamp();
        while (cluster.Scheduler.TaskCount != 0)
        {
            if (Stopwatch.GetElapsedTime(t0) > s_settleTimeout)
            {
                Log.Write($"  warning: scheduler still holds {cluster.Scheduler.TaskCount} tasks after the settle timeout");
                return;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>Map(inc)</c> then <c>GatherAsync</c>, then the futures are released (the script's <c>del futs</c>).
    /// With <paramref name="sections"/>, also records the seconds of: the <c>Map</c> call (keys, graph,
    /// serialization, posting), until every result is in memory on a worker, the gather itself, the
    /// release; waiting for the results before <c>GatherAsync</c> changes nothing, since it awaits them first.
    /// </summary>
    private static async Task<long[]> MapAsync(Client client, long offset, int n, Sections? sections = null)
    {
        long t0 = Stopwatch.GetTimestamp();
        IReadOnlyList<Future<long>> futures = client.Map<long, long>(Inc, Range(offset, n));
        long t1 = Stopwatch.GetTimestamp();
        long t2 = t1;
        long t3 = t1;
        try
        {
            if (sections is not null)
            {
                foreach (Future<long> f in futures)
                {
                    await f.Completion.ConfigureAwait(false);
                }

                t2 = Stopwatch.GetTimestamp();
            }

            long[] values = await client.GatherAsync(futures).ConfigureAwait(false);
            t3 = Stopwatch.GetTimestamp();
            return values;
        }
        finally
        {
            foreach (Future<long> f in futures)
            {
                f.Dispose();
            }

            if (sections is not null)
            {
                long t4 = Stopwatch.GetTimestamp();
                sections.Add("submit", Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
                sections.Add("until_in_memory", Stopwatch.GetElapsedTime(t1, t2).TotalSeconds);
                sections.Add("gather", Stopwatch.GetElapsedTime(t2, t3).TotalSeconds);
                sections.Add("release", Stopwatch.GetElapsedTime(t3, t4).TotalSeconds);
            }
        }
    }

    private static IEnumerable<long> Range(long start, int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return start + i;
        }
    }

    /// <summary>
    /// Timed runs of an asynchronous case, like <see cref="Measure.Runs{T}"/>: untimed warm-up runs (run -1;
    /// one, or as many as take <paramref name="minWarmUp"/> and then on while each is a tenth faster than the
    /// one before, up to 5x that time), then <paramref name="repeats"/> runs, each after <paramref name="prepare"/>
    /// (untimed) and a full collection.
    /// </summary>
    private static async Task<Timings<T>> RunsAsync<T>(string label, int repeats, Func<int, Task<T>> run, Func<int, Task> prepare, Action<int, T> check, List<double>? workersCpu = null, TimeSpan minWarmUp = default)
    {
        var timings = new Timings<T>();
        long warmUpStart = Stopwatch.GetTimestamp();
        double lastWarmUp = double.MaxValue;
        for (int rep = -1; rep < repeats; rep++)
        {
            await prepare(rep).ConfigureAwait(false);
            Measure.CollectGarbage();
            double children = ChildCpu.Seconds;
            var probe = RunProbe.Start();
            T output = await run(rep).ConfigureAwait(false);
            if (rep < 0)
            {
                check(rep, output);
                Log.Write($"  {label} warm-up: {probe.ElapsedSeconds:F3} s wall");
                // Warm up for minWarmUp, and on (up to 5x as long) while the runs still get faster by a tenth.
                TimeSpan warm = Stopwatch.GetElapsedTime(warmUpStart);
                if (warm < minWarmUp || (probe.ElapsedSeconds < 0.9 * lastWarmUp && warm < 5 * minWarmUp))
                {
                    rep--;
                }

                lastWarmUp = probe.ElapsedSeconds;
                continue;
            }

            probe.Stop(timings);
            double childrenCpu = ChildCpu.Seconds - children;
            workersCpu?.Add(childrenCpu);
            check(rep, output);
            timings.Last = output;
            Log.Write($"  {label} run {rep + 1}/{repeats}: {timings.Wall[^1]:F3} s wall, {timings.Cpu[^1]:F3} s cpu (worker processes {childrenCpu:F2} s), GC pause {timings.GcPause[^1]:F3} s");
        }

        return timings;
    }

    /// <summary>Adds the worker processes' CPU seconds per run (median), when there are worker processes.</summary>
    private static void AddWorkersCpu(CaseResult r, List<double> workersCpu, bool processes)
    {
        if (processes && workersCpu.Count > 0 && workersCpu.TrueForAll(c => c >= 0))
        {
            r.Extra["workers_cpu_s_median"] = Math.Round(Stats.Median(workersCpu), 3);
        }
    }

    // ---------------------------------------------------------------- tessera: 1M tasks

    /// <summary>
    /// The Tessera-only case: a 1,000,000-task tree (900,000 leaves, fan-in 10) through
    /// <c>Client.GetAsync</c> on a processes cluster; then the scheduler's memory per task with the
    /// same graph held on the scheduler while no worker is connected.
    /// </summary>
    private static async Task<CaseResult> BigTreeAsync(int reps)
    {
        int tasks = SchedOverheadLocal.TreeTasks(BigLeaves);
        long expected = (long)BigLeaves * (BigLeaves + 1) / 2;
        (LocalCluster cluster, Client client) = await StartAsync(processes: true, saturation: 1.1).ConfigureAwait(false);
        try
        {
            // Warm-up with a smaller tree, then the timed runs (graph built untimed, unique keys).
            (TaskGraph Graph, Key Root) graph = default;
            var workersCpu = new List<double>();
            Timings<long> t = await RunsAsync(
                "1M tasks, processes",
                reps,
                async rep => (long)(await client.GetAsync(graph.Graph!, [graph.Root]).ConfigureAwait(false))[0]!,
                async rep =>
                {
                    graph = SchedOverheadLocal.TreeGraph(rep < 0 ? 10_000 : BigLeaves, $"big{rep}");
                    await SettleAsync(cluster).ConfigureAwait(false);
                },
                (rep, v) =>
                {
                    long leaves = rep < 0 ? 10_000 : BigLeaves;
                    Check.Equal(leaves * (leaves + 1) / 2, v, "1M tree result");
                },
                workersCpu).ConfigureAwait(false);
            graph = default;
            CaseResult r = Measure.Result(BigCase, t, P(("leaves", BigLeaves), ("fan_in", Fan), ("n_workers", 2), ("threads_per_worker", 1), ("processes", true)), tasks);
            AddWorkersCpu(r, workersCpu, processes: true);

            // Scheduler memory: hold the whole graph on the scheduler (no workers, so nothing runs),
            // measure this process's heap (scheduler and client live here; the client keeps only the
            // future), then add the workers and let it finish.
            await SettleAsync(cluster).ConfigureAwait(false);
            await cluster.ScaleAsync(0).ConfigureAwait(false);
            (TaskGraph g, Key root) = SchedOverheadLocal.TreeGraph(BigLeaves, "bigmem");
            // The specs as the client sends them and the scheduler keeps them: functions by hash, and the
            // graph's function table once.
            long specBytes = 0;
            var wire = WireSerializer.ForSameApplication("benchmark");
            var functions = FunctionTable.For(g.Values);
            foreach (KeyValuePair<Key, Node> kv in g)
            {
                specBytes += wire.SerializeNode(kv.Value, null, functions).Length;
            }

            specBytes += functions.ToArray()?.Sum(p => (long)p.Length) ?? 0;
            long m0 = GC.GetTotalMemory(forceFullCollection: true);
            var submit = RunProbe.Start();
            IReadOnlyList<Future<object?>> futures = client.SubmitGraph(g, [root]);
            double clientSubmitS = submit.ElapsedSeconds;
            while (cluster.Scheduler.TaskCount < tasks)
            {
                await Task.Delay(5).ConfigureAwait(false);
            }

            double schedulerTakeS = submit.ElapsedSeconds;
            long m1 = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(g);
            double bytesPerTask = (double)(m1 - m0) / tasks;
            await cluster.ScaleAsync(2).ConfigureAwait(false);
            var finish = RunProbe.Start();
            object? v = await futures[0].ResultAsync().ConfigureAwait(false);
            double finishS = finish.ElapsedSeconds;
            Check.Equal(expected, (long)v!, "1M tree result (held graph)");
            futures[0].Dispose();

            r.Extra["scheduler_bytes_per_task"] = Math.Round(bytesPerTask, 1);
            r.Extra["spec_bytes_per_task"] = Math.Round((double)specBytes / tasks, 1);
            r.Extra["scheduler_bytes_per_task_kind"] = "GC.GetTotalMemory(true) of the client+scheduler process with the whole 1M-task graph held on a scheduler without workers, minus before submitting; serialized task specs (functions by hash, plus the graph's function table once) included";
            r.Extra["held_graph_sections_s"] = new JsonObject
            {
                ["client_submit"] = Math.Round(clientSubmitS, 6),
                ["until_scheduler_holds_all"] = Math.Round(schedulerTakeS, 6),
                ["run_after_workers_join"] = Math.Round(finishS, 6),
            };
            Log.Write($"  1M tasks: scheduler {bytesPerTask:F1} bytes/task (serialized specs {(double)specBytes / tasks:F1}); client submit {clientSubmitS:F3} s, scheduler holds all after {schedulerTakeS:F3} s, run {finishS:F3} s");
            return r;
        }
        finally
        {
            await client.DisposeAsync().ConfigureAwait(false);
            await cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JsonObject Clone(JsonObject o) => (JsonObject)o.DeepClone();

    private static JsonObject With(JsonObject o, params (string Key, JsonNode? Value)[] entries)
    {
        JsonObject c = Clone(o);
        foreach ((string k, JsonNode? v) in entries)
        {
            c[k] = v;
        }

        return c;
    }

    private static JsonObject P(params (string Key, JsonNode? Value)[] entries) => With([], entries);

    /// <summary>Seconds of named parts of runs; reported as medians.</summary>
    private sealed class Sections
    {
        private readonly Dictionary<string, List<double>> _parts = [];

        public void Add(string part, double seconds)
        {
            if (!_parts.TryGetValue(part, out List<double>? list))
            {
                _parts[part] = list = [];
            }

            list.Add(seconds);
        }

        public JsonObject Medians()
        {
            var o = new JsonObject();
            foreach (KeyValuePair<string, List<double>> kv in _parts)
            {
                o[kv.Key] = Math.Round(Stats.Median(kv.Value), 6);
            }

            return o;
        }
    }
}
