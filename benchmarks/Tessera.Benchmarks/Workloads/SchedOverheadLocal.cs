using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Workload 1, the counterpart of shared/bench/dask/sched_overhead_local.py: per-task overhead of
/// the local schedulers on trivial tasks, with the same graphs, case names and checks.
/// </summary>
/// <remarks>
/// <para>tree: N leaf tasks <c>('x', 0, i) = inc(i)</c> reduced by a fan-in-10 tree of
/// <c>sum([keys…])</c> tasks (N + N/10 + … tasks); chain: M tasks <c>('c', i) = inc(('c', i-1))</c>.
/// Full: N = 100,000 (111,111 tasks), M = 10,000; small: 10,000 and 1,000. Raw graphs go straight
/// to the schedulers; the same graphs are also built with <see cref="Delayed"/>, construction
/// timed apart from compute.</para>
/// <para>Tessera-only cases (names start with "tessera:") check scale and memory targets at the
/// same parameters in both sizes: a 1M-task tree built, ordered and run, with its bytes per task,
/// and 1,000 blocks of 8 MiB reduced under a peak-RSS budget.</para>
/// </remarks>
internal sealed class SchedOverheadLocal : IWorkload
{
    private const int Fan = 10;
    private const int BigLeaves = 900_000;
    private const double BigTargetSeconds = 1.5;
    private const double BigTargetBytesPerTask = 300;
    private const int Blocks = 1000;
    private const int BlockLength = 1 << 20; // 8 MiB of doubles
    private const double BlocksTargetRssMb = 500;
    private const string BigTreeCase = "tessera: 1M-task graph build+order+run, threads";
    private const string BlocksCase = "tessera: reduce 1000 x 8 MB blocks, threads";

    // The block reduction streams 8 GB through the large object heap. With default GC settings its
    // peak RSS ranged from 260 to over 1,000 MB from run to run on the loaded 2-core machine (the
    // background GC falls behind the allocations); with ConserveMemory=5 (System.GC.ConserveMemory)
    // it stayed at 235-310 MB. Set for that case's process only: process-wide, it cost the 1M-task
    // case about 0.5 s of CPU (four more gen2 collections). It changes how eagerly the GC compacts
    // and gives memory back, not what any computation does; no heap limit is set.
    private static readonly Dictionary<string, string> s_blocksGcSettings = new() { ["DOTNET_GCConserveMemory"] = "5" };

    private static readonly TaskFunction s_inc = TaskFunction.Create<long, long>(Inc, "inc");
    private static readonly TaskFunction s_sum = TaskFunction.Create<IReadOnlyList<long>, long>(Sum, "sum");
    private static readonly TaskFunction s_makeBlock = TaskFunction.Create<int, double[]>(MakeBlock, "make-block");
    private static readonly TaskFunction s_blockSum = TaskFunction.Create<double[], double>(BlockSum, "block-sum");
    private static readonly TaskFunction s_sumDoubles = TaskFunction.Create<IReadOnlyList<double>, double>(SumDoubles, "sum");

    public string Name => "sched_overhead_local";

    public string Description => "per-task overhead of the local schedulers: raw tree/chain graphs, ordering, Delayed construction and compute; 1M-task and 8 GB block reductions";

    public WorkloadReport Run(BenchOptions options)
    {
        int n = options.IsFull ? 100_000 : 10_000;
        int m = options.IsFull ? 10_000 : 1_000;
        int reps = options.Repeats;
        long expectedTree = (long)n * (n + 1) / 2;
        long expectedChain = m;
        var report = new WorkloadReport();
        report.Params["leaves"] = n;
        report.Params["chain"] = m;
        report.Params["fan_in"] = Fan;
        List<CaseResult> results = report.Results;
        var threads = new ThreadedScheduler(Environment.ProcessorCount);
        report.Params["threads"] = threads.Threads;

        // --- raw graph construction and ordering cost (reference numbers)
        const string BuildCase = "tree: build raw dict (python)";
        (TaskGraph tree, Key treeRoot) = TreeGraph(n);
        int ntree = tree.Count;
        if (options.Wants(BuildCase))
        {
            Timings<(TaskGraph Graph, Key Root)> built = Measure.Runs("build tree graph", reps, _ => TreeGraph(n), g => Check.Equal(ntree, g.Graph.Count, "tree keys"));
            results.Add(Measure.Result(BuildCase, built, P(("leaves", n), ("fan_in", Fan)), ntree));
        }

        Timings<Dictionary<Key, int>> ordered;
        if (options.Wants("tree: dask.order.order only"))
        {
            ordered = Measure.Runs("order(tree)", reps, _ => GraphOrder.Order(tree), o => Check.Equal(ntree, o.Count, "ordered tree keys"));
            results.Add(Measure.Result("tree: dask.order.order only", ordered, P(("leaves", n)), ntree));
        }

        (TaskGraph chain, Key chainRoot) = ChainGraph(m);
        if (options.Wants("chain: dask.order.order only"))
        {
            ordered = Measure.Runs("order(chain)", reps, _ => GraphOrder.Order(chain), o => Check.Equal(m, o.Count, "ordered chain keys"));
            results.Add(Measure.Result("chain: dask.order.order only", ordered, P(("length", m)), m));
        }

        // --- raw graphs through the local schedulers
        foreach ((string sched, IScheduler scheduler) in new (string, IScheduler)[] { ("threads", threads), ("sync", SyncScheduler.Instance) })
        {
            (TaskGraph g10, Key r10) = ChainGraph(10);
            scheduler.Get(g10, [r10]); // warm the thread pool, as the Dask script does
            if (options.Wants($"tree: raw graph, {sched}"))
            {
                Timings<long> t = Measure.Runs($"tree {sched}", reps, _ => (long)scheduler.Get(tree, [treeRoot])[0]!, v => Check.Equal(expectedTree, v, "tree result"));
                results.Add(Measure.Result($"tree: raw graph, {sched}", t, P(("leaves", n), ("fan_in", Fan), ("scheduler", sched)), ntree));
            }

            if (options.Wants($"chain: raw graph, {sched}"))
            {
                Timings<long> t = Measure.Runs($"chain {sched}", reps, _ => (long)scheduler.Get(chain, [chainRoot])[0]!, v => Check.Equal(expectedChain, v, "chain result"));
                results.Add(Measure.Result($"chain: raw graph, {sched}", t, P(("length", m), ("scheduler", sched)), m));
            }
        }

        // --- the same graphs through Delayed: construction timed apart from compute (threads).
        // The Dask script runs its delayed chain once at full size (quadratic there); here every
        // case gets the requested repeats.
        if (options.Wants("tree: dask.delayed"))
        {
            results.AddRange(DelayedCases("tree", () => DelayedTree(n), expectedTree, P(("leaves", n), ("fan_in", Fan)), reps, threads));
        }

        if (options.Wants("chain: dask.delayed"))
        {
            results.AddRange(DelayedCases("chain", () => DelayedChain(m), expectedChain, P(("length", m)), reps, threads));
        }

        // --- Tessera-only targets, same parameters at both sizes. The block reduction runs in a
        // child process with its own GC setting (see s_blocksGcSettings) and its own RSS.
        if (options.Wants(BlocksCase))
        {
            results.Add(ChildProcess.IsChild ? BlockReduction(reps, threads) : ChildProcess.RunCase(Name, BlocksCase, options, s_blocksGcSettings));
        }

        if (options.Wants(BigTreeCase))
        {
            results.Add(BigTree(reps, threads));
        }

        return report;
    }

    // ---------------------------------------------------------------- graphs

    private static long Inc(long x) => x + 1;

    private static long Sum(IReadOnlyList<long> xs)
    {
        long s = 0;
        if (xs is long[] a)
        {
            foreach (long x in a)
            {
                s += x;
            }

            return s;
        }

        for (int i = 0; i < xs.Count; i++)
        {
            s += xs[i];
        }

        return s;
    }

    /// <summary>Number of tasks of a fan-in tree over <paramref name="leaves"/> leaves.</summary>
    internal static int TreeTasks(int leaves)
    {
        int total = leaves;
        for (int w = leaves; w > 1;)
        {
            w = (w + Fan - 1) / Fan;
            total += w;
        }

        return total;
    }

    /// <summary>The Dask script's <c>tree_graph</c>: leaves <c>(prefix, 0, i) = inc(i)</c>, then fan-in sums.</summary>
    internal static (TaskGraph Graph, Key Root) TreeGraph(int leaves, string prefix = "x")
    {
        var g = new TaskGraph(TreeTasks(leaves));
        for (int i = 0; i < leaves; i++)
        {
            g[new Key(prefix, 0, i)] = Node.Call(s_inc, Node.Literal((long)i));
        }

        return (g, AddTree(g, prefix, leaves, s_sum, static refs => Node.List<long>(refs)));
    }

    /// <summary>Adds fan-in reduction levels over <c>(prefix, 0, 0..width-1)</c>; returns the root key.</summary>
    private static Key AddTree(TaskGraph g, string prefix, int width, TaskFunction sum, Func<Node[], Node> list)
    {
        int level = 0;
        while (width > 1)
        {
            int nw = (width + Fan - 1) / Fan;
            for (int j = 0; j < nw; j++)
            {
                int start = j * Fan;
                int end = Math.Min(start + Fan, width);
                var refs = new Node[end - start];
                for (int k = start; k < end; k++)
                {
                    refs[k - start] = Node.Ref(new Key(prefix, level, k));
                }

                g[new Key(prefix, level + 1, j)] = Node.Call(sum, list(refs));
            }

            level++;
            width = nw;
        }

        return new Key(prefix, level, 0);
    }

    /// <summary>The Dask script's <c>chain_graph</c>: <c>('c', 0) = inc(0)</c>, <c>('c', i) = inc(('c', i-1))</c>.</summary>
    internal static (TaskGraph Graph, Key Root) ChainGraph(int m, string prefix = "c")
    {
        var g = new TaskGraph(m);
        g[new Key(prefix, 0)] = Node.Call(s_inc, Node.Literal(0L));
        for (int i = 1; i < m; i++)
        {
            g[new Key(prefix, i)] = Node.Call(s_inc, Node.Ref(new Key(prefix, i - 1)));
        }

        return (g, new Key(prefix, m - 1));
    }

    // ---------------------------------------------------------------- delayed

    internal static Delayed<long> DelayedTree(int n)
    {
        Func<Delayed<long>, Delayed<long>> dinc = Delayed.Of<long, long>(Inc, "inc");
        Func<Delayed<IReadOnlyList<long>>, Delayed<long>> dsum = Delayed.Of<IReadOnlyList<long>, long>(Sum, "sum");
        var level = new Delayed<long>[n];
        for (int i = 0; i < n; i++)
        {
            level[i] = dinc(i);
        }

        while (level.Length > 1)
        {
            var next = new Delayed<long>[(level.Length + Fan - 1) / Fan];
            for (int j = 0; j < level.Length; j += Fan)
            {
                next[j / Fan] = dsum(Delayed.List(level[j..Math.Min(j + Fan, level.Length)]));
            }

            level = next;
        }

        return level[0];
    }

    private static Delayed<long> DelayedChain(int m)
    {
        Func<Delayed<long>, Delayed<long>> dinc = Delayed.Of<long, long>(Inc, "inc");
        Delayed<long> x = dinc(0L);
        for (int i = 0; i < m - 1; i++)
        {
            x = dinc(x);
        }

        return x;
    }

    private static IEnumerable<CaseResult> DelayedCases(string name, Func<Delayed<long>> build, long expected, JsonObject parameters, int reps, ThreadedScheduler threads)
    {
        // Warm-up (JIT), untimed.
        Check.Equal(expected, build().Compute(threads), $"delayed {name} warm-up result");
        var buildT = new Timings<long>();
        var computeT = new Timings<long>();
        int tasks = 0;
        for (int rep = 0; rep < reps; rep++)
        {
            Measure.CollectGarbage();
            var p = RunProbe.Start();
            Delayed<long> obj = build();
            p.Stop(buildT);
            p = RunProbe.Start();
            long v = obj.Compute(threads);
            p.Stop(computeT);
            Check.Equal(expected, v, $"delayed {name} result");
            if (tasks == 0)
            {
                tasks = obj.ToGraph().Count;
            }

            Log.Write($"  delayed {name} run {rep + 1}/{reps}: build {buildT.Wall[^1]:F3} s, compute {computeT.Wall[^1]:F3} s");
        }

        JsonObject computeParams = (JsonObject)parameters.DeepClone();
        computeParams["scheduler"] = "threads";
        return
        [
            Measure.Result($"{name}: dask.delayed graph construction", buildT, parameters, tasks),
            Measure.Result($"{name}: dask.delayed compute, threads", computeT, computeParams, tasks),
        ];
    }

    // ---------------------------------------------------------------- tessera: 1M tasks

    private static CaseResult BigTree(int reps, ThreadedScheduler threads)
    {
        int tasks = TreeTasks(BigLeaves);
        long expected = (long)BigLeaves * (BigLeaves + 1) / 2;
        var buildS = new List<double>();
        var getS = new List<double>();
        Timings<long> t = Measure.Runs(
            "1M tree build+order+run",
            reps,
            rep =>
            {
                var p = RunProbe.Start();
                (TaskGraph g, Key root) = TreeGraph(BigLeaves);
                double b = p.ElapsedSeconds;
                long v = (long)threads.Get(g, [root])[0]!;
                if (rep >= 0)
                {
                    buildS.Add(b);
                    getS.Add(p.ElapsedSeconds - b);
                }

                return v;
            },
            v => Check.Equal(expected, v, "1M tree result"));
        CaseResult r = Measure.Result(BigTreeCase, t, P(("leaves", BigLeaves), ("fan_in", Fan), ("scheduler", "threads")), tasks);
        r.Extra["build_s_median"] = Math.Round(Stats.Median(buildS), 6);
        r.Extra["get_s_median"] = Math.Round(Stats.Median(getS), 6);

        // Memory and plan sections, in a separate untimed pass (GetTotalMemory(true) collects).
        Measure.CollectGarbage();
        long m0 = GC.GetTotalMemory(forceFullCollection: true);
        var probe = RunProbe.Start();
        (TaskGraph graph, Key bigRoot) = TreeGraph(BigLeaves);
        double graphS = probe.ElapsedSeconds;
        long m1 = GC.GetTotalMemory(forceFullCollection: true);
        probe = RunProbe.Start();
        var plan = ExecutionPlan.Build(graph, [bigRoot]);
        double planS = probe.ElapsedSeconds;
        long m2 = GC.GetTotalMemory(forceFullCollection: true);
        probe = RunProbe.Start();
        int[] priorities = GraphOrder.Compute(plan);
        double orderS = probe.ElapsedSeconds;
        Check.Equal(tasks, plan.Count, "1M plan size");
        Check.Equal(tasks, priorities.Length, "1M priorities");
        GC.KeepAlive(graph);
        GC.KeepAlive(plan);

        double bytesPerTask = (double)(m2 - m0) / tasks;
        r.Extra["bytes_per_task"] = Math.Round(bytesPerTask, 1);
        r.Extra["graph_bytes_per_task"] = Math.Round((double)(m1 - m0) / tasks, 1);
        r.Extra["plan_heap_bytes_per_task"] = Math.Round((double)(m2 - m1) / tasks, 1);
        r.Extra["plan_estimated_bytes_per_task"] = Math.Round((double)plan.EstimatedBytes / plan.Count, 1);
        r.Extra["sections_s"] = new JsonObject
        {
            ["graph_build"] = Math.Round(graphS, 6),
            ["plan_build_incl_order"] = Math.Round(planS, 6),
            ["order_only"] = Math.Round(orderS, 6),
        };
        r.Extra["target_s"] = BigTargetSeconds;
        r.Extra["target_bytes_per_task"] = BigTargetBytesPerTask;
        r.Extra["meets_targets"] = r.Median <= BigTargetSeconds && bytesPerTask <= BigTargetBytesPerTask;
        Log.Write($"  1M tree: {bytesPerTask:F1} bytes/task (graph {(double)(m1 - m0) / tasks:F1}, plan {(double)(m2 - m1) / tasks:F1}, plan estimate {(double)plan.EstimatedBytes / plan.Count:F1}); sections graph {graphS:F3} s, plan {planS:F3} s (order {orderS:F3} s)");
        return r;
    }

    // ---------------------------------------------------------------- tessera: 8 GB of blocks

    private static double[] MakeBlock(int i)
    {
        var a = new double[BlockLength];
        int seed = i * 7;
        for (int j = 0; j < a.Length; j++)
        {
            a[j] = (seed + j) & 1023;
        }

        return a;
    }

    private static double BlockSum(double[] a)
    {
        double s = 0;
        foreach (double x in a)
        {
            s += x;
        }

        return s;
    }

    private static double SumDoubles(IReadOnlyList<double> xs)
    {
        double s = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            s += xs[i];
        }

        return s;
    }

    /// <summary>Blocks <c>('block', i) = make-block(i)</c>, <c>('bsum', 0, i) = block-sum(('block', i))</c>, then a fan-in-10 tree.</summary>
    private static (TaskGraph Graph, Key Root) BlockGraph()
    {
        var g = new TaskGraph();
        for (int i = 0; i < Blocks; i++)
        {
            var block = new Key("block", i);
            g[block] = Node.Call(s_makeBlock, Node.Literal(i));
            g[new Key("bsum", 0, i)] = Node.Call(s_blockSum, Node.Ref(block));
        }

        return (g, AddTree(g, "bsum", Blocks, s_sumDoubles, static refs => Node.List<double>(refs)));
    }

    private static CaseResult BlockReduction(int reps, ThreadedScheduler threads)
    {
        // The naive loop: every element of every block, in order. All values are small integers,
        // so every partial sum is exact in a double and any summation order gives the same result.
        long naive = 0;
        for (int i = 0; i < Blocks; i++)
        {
            int seed = i * 7;
            for (int j = 0; j < BlockLength; j++)
            {
                naive += (seed + j) & 1023;
            }
        }

        (TaskGraph graph, Key root) = BlockGraph();
        var baselines = new List<long>();
        var peaks = new List<long>();
        bool resetWorks = true;
        Timings<double> t = Measure.Runs(
            "1000 x 8 MiB blocks",
            reps,
            rep =>
            {
                double v = (double)threads.Get(graph, [root])[0]!;
                if (rep >= 0)
                {
                    peaks.Add(ProcessMemory.PeakBytes);
                }

                return v;
            },
            v => Check.Equal((double)naive, v, "block reduction result"),
            beforeEach: () =>
            {
                // Give back the memory earlier work left committed (the warm-up's 8 GB went
                // through the heap), so the run's peak is its own, as in a fresh process.
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                resetWorks &= ProcessMemory.ResetPeak();
                baselines.Add(ProcessMemory.CurrentBytes);
            });

        const long InputBytes = Blocks * (BlockLength * 8L);
        CaseResult r = Measure.Result(BlocksCase, t, P(("blocks", Blocks), ("block_bytes", BlockLength * 8L), ("fan_in", Fan), ("scheduler", "threads")), graph.Count);
        r.PerSecond["GB/s"] = InputBytes / 1e9;
        double peakMb = Stats.Median(peaks.Select(p => (double)p)) / 1048576.0;
        double baseMb = Stats.Median(baselines.Select(b => (double)b)) / 1048576.0;

        // Same fields as memory_order.py's records, plus what was asked for here.
        r.Extra["peak_rss_mb"] = Math.Round(peakMb, 1);
        r.Extra["peak_rss_kind"] = resetWorks
            ? "absolute VmHWM of the process during each timed run (high-water mark reset via /proc/self/clear_refs before it), median"
            : "absolute VmHWM of the process since start (reset not available), median";
        r.Extra["peak_rss_mb_median"] = Math.Round(peakMb, 1);
        r.Extra["peak_rss_mb_max"] = ProcessMemory.ToMb(peaks.Max());
        r.Extra["baseline_rss_mb"] = Math.Round(baseMb, 1);
        r.Extra["peak_over_baseline_mb"] = Math.Round(peakMb - baseMb, 1);
        r.Extra["peak_over_input"] = Math.Round((peakMb - baseMb) * 1048576.0 / InputBytes, 4);
        r.Extra["target_peak_rss_mb"] = BlocksTargetRssMb;
        r.Extra["meets_targets"] = peaks.Max() / 1048576.0 <= BlocksTargetRssMb;
        Log.Write($"  blocks: peak RSS {peakMb:F1} MB (max {ProcessMemory.ToMb(peaks.Max())}), baseline {baseMb:F1} MB");
        return r;
    }

    private static JsonObject P(params (string Key, JsonNode? Value)[] entries)
    {
        var o = new JsonObject();
        foreach ((string k, JsonNode? v) in entries)
        {
            o[k] = v;
        }

        return o;
    }
}
