using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Not a Dask counterpart: splits the costs behind sched_overhead_local's cases into the core's
/// parts (graph building, <see cref="ExecutionPlan.Build"/> and its phases, <see cref="GraphOrder"/>,
/// the threaded run), so that suggestions to the core come with numbers.
/// </summary>
internal sealed class ProfileCore : IWorkload
{
    public string Name => "profile_core";

    public string Description => "profiling aid: where sched_overhead_local's time goes in the core (plan building phases, ordering, threaded run)";

    public WorkloadReport Run(BenchOptions options)
    {
        int leaves = options.IsFull ? 900_000 : 90_000;
        int chainLength = options.IsFull ? 10_000 : 1_000;
        int reps = options.Repeats;
        var report = new WorkloadReport();
        report.Params["leaves"] = leaves;
        report.Params["chain"] = chainLength;
        List<CaseResult> results = report.Results;
        var threads = new ThreadedScheduler(Environment.ProcessorCount);

        (TaskGraph tree, Key root) = SchedOverheadLocal.TreeGraph(leaves);
        int n = tree.Count;
        Key[] outputs = [root];
        JsonObject p = new() { ["leaves"] = leaves, ["tasks"] = n };

        Add("tree: graph build (raw TaskGraph)", Measure.Runs("graph build", reps, _ => SchedOverheadLocal.TreeGraph(leaves).Graph.Count), n);
        Add("tree: ExecutionPlan.Build, outputs=[root] (as Get does)", Measure.Runs("plan [root]", reps, _ => ExecutionPlan.Build(tree, outputs).Count), n);
        Add("tree: ExecutionPlan.Build, outputs=null (as GraphOrder.Order does)", Measure.Runs("plan null", reps, _ => ExecutionPlan.Build(tree, null).Count), n);
        ExecutionPlan plan = ExecutionPlan.Build(tree, outputs);
        Add("tree: GraphOrder.Compute on a built plan", Measure.Runs("order compute", reps, _ => GraphOrder.Compute(plan).Length), n);
        Add("tree: GraphOrder.Order (plan + result dictionary)", Measure.Runs("Order", reps, _ => GraphOrder.Order(tree).Count), n);
        Add("tree: ThreadedScheduler.Get (plan + run)", Measure.Runs("threads get", reps, _ => (long)threads.Get(tree, outputs)[0]!), n);
        Add("tree: SyncScheduler.Get (plan + run)", Measure.Runs("sync get", reps, _ => (long)SyncScheduler.Instance.Get(tree, outputs)[0]!), n);

        // Delayed construction of the Dask-sized tree: what it allocates and keeps per task.
        int dleaves = options.IsFull ? 100_000 : 10_000;
        Measure.CollectGarbage();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        Delayed<long> dtree = SchedOverheadLocal.DelayedTree(dleaves);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        long kept = GC.GetTotalMemory(forceFullCollection: true) - before;
        int dtasks = dtree.ToGraph().Count;
        GC.KeepAlive(dtree);
        CaseResult dcase = Measure.Result("delayed tree: construction", Measure.Runs("delayed construction", reps, _ => SchedOverheadLocal.DelayedTree(dleaves)), new JsonObject { ["leaves"] = dleaves }, dtasks);
        dcase.Extra["allocated_bytes_per_task"] = Math.Round((double)allocated / dtasks, 1);
        dcase.Extra["retained_bytes_per_task"] = Math.Round((double)kept / dtasks, 1);
        results.Add(dcase);
        Add("delayed tree: ToGraph (materialize)", Measure.Runs("delayed materialize", reps, _ => dtree.ToGraph().Count), dtasks, new JsonObject { ["leaves"] = dleaves });

        (TaskGraph chain, _) = SchedOverheadLocal.ChainGraph(chainLength);
        JsonObject cp = new() { ["length"] = chainLength };
        Add("chain: ExecutionPlan.Build, outputs=null", Measure.Runs("chain plan", reps, _ => ExecutionPlan.Build(chain, null).Count), chainLength, cp);
        ExecutionPlan chainPlan = ExecutionPlan.Build(chain, null);
        Add("chain: GraphOrder.Compute on a built plan", Measure.Runs("chain order compute", reps, _ => GraphOrder.Compute(chainPlan).Length), chainLength, cp);
        Add("chain: result dictionary of GraphOrder.Order", Measure.Runs("chain order dict", reps, _ => ResultDictionary(chainPlan).Count), chainLength, cp);
        Add("chain: GraphOrder.Order (all)", Measure.Runs("chain Order", reps, _ => GraphOrder.Order(chain).Count), chainLength, cp);
        report.Extra["memory_breakdown_bytes"] = MemoryBreakdown();
        return report;

        void Add<T>(string name, Timings<T> t, int tasks, JsonObject? parameters = null) => results.Add(Measure.Result(name, t, (JsonObject)(parameters ?? p).DeepClone(), tasks));
    }

    /// <summary>Retained bytes of each piece of the 1M-task graph, measured one kind at a time.</summary>
    private static JsonObject MemoryBreakdown()
    {
        const int Count = 200_000;
        TaskFunction inc = TaskFunction.Create((long x) => x + 1, "inc");
        TaskFunction sum = TaskFunction.Create((IReadOnlyList<long> xs) => xs.Sum(), "sum");
        var shared = Node.Literal(1L);
        var holder = new object[Count];
        Func<Delayed<long>, Delayed<long>> dinc = Delayed.Of((long x) => x + 1, "inc");
        Func<Delayed<IReadOnlyList<long>>, Delayed<long>> dsum = Delayed.Of((IReadOnlyList<long> xs) => xs.Sum(), "sum");
        Delayed<long>[] ten = [.. Enumerable.Range(0, 10).Select(i => dinc(i))];
        return new JsonObject
        {
            ["leaf: Call(inc, Literal((long)i))"] = PerItem(i => Node.Call(inc, Node.Literal((long)i))),
            ["Literal((long)i)"] = PerItem(i => Node.Literal((long)i)),
            ["Ref(Key(x, 0, i))"] = PerItem(i => Node.Ref(new Key("x", 0, i))),
            ["inner: Call(sum, List<long>(10 shared refs)) without the refs"] = PerItem(_ => Node.Call(sum, Node.List<long>(s_tenRefs))),
            ["TaskGraph entry (capacity given, shared node)"] = PerEntry(true),
            ["TaskGraph entry (no capacity, shared node)"] = PerEntry(false),
            ["Delayed: implicit long -> Delayed<long>, retained"] = PerItem(i => (Delayed<long>)(long)i),
            ["Delayed: implicit long -> Delayed<long>, allocated"] = Allocated(i => (Delayed<long>)(long)i),
            ["Delayed: dinc(i), retained"] = PerItem(i => dinc(i)),
            ["Delayed: dinc(i), allocated"] = Allocated(i => dinc(i)),
            ["Delayed: Delayed.List(10 shared items), allocated"] = Allocated(_ => Delayed.List(ten)),
            ["Delayed: dsum(Delayed.List(10 shared items)), retained"] = PerItem(_ => dsum(Delayed.List(ten))),
            ["Delayed: dsum(Delayed.List(10 shared items)), allocated"] = Allocated(_ => dsum(Delayed.List(ten))),
        };

        double Allocated(Func<int, object> make)
        {
            Measure.CollectGarbage();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Count; i++)
            {
                holder[i] = make(i);
            }

            long after = GC.GetAllocatedBytesForCurrentThread();
            Array.Clear(holder);
            return Math.Round((double)(after - before) / Count, 1);
        }

        double PerItem(Func<int, object> make)
        {
            Measure.CollectGarbage();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            for (int i = 0; i < Count; i++)
            {
                holder[i] = make(i);
            }

            long after = GC.GetTotalMemory(forceFullCollection: true);
            Array.Clear(holder);
            return Math.Round((double)(after - before) / Count, 1);
        }

        double PerEntry(bool presize)
        {
            Measure.CollectGarbage();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            TaskGraph g = presize ? new TaskGraph(Count) : new TaskGraph();
            for (int i = 0; i < Count; i++)
            {
                g[new Key("x", 0, i)] = shared;
            }

            long after = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(g);
            return Math.Round((double)(after - before) / Count, 1);
        }
    }

    private static readonly Node[] s_tenRefs = [.. Enumerable.Range(0, 10).Select(i => (Node)Node.Ref(new Key("x", 0, i)))];

    // GraphOrder.Order's last step, replicated.
    private static Dictionary<Key, int> ResultDictionary(ExecutionPlan plan)
    {
        var result = new Dictionary<Key, int>(plan.Count);
        for (int i = 0; i < plan.Count; i++)
        {
            result[plan.Keys[i]] = plan.Priority[i];
        }

        return result;
    }

}
