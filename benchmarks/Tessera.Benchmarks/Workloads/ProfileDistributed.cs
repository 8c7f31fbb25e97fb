using System.Diagnostics;
using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Not a Dask counterpart: splits the per-task costs behind sched_overhead_distributed into the
/// runtime's parts, each measured alone in this process: the client's graph preparation (cull,
/// order, node serialization, message encoding), the scheduler's decoding and state machine, the
/// worker's node decoding and evaluation, and the per-task messages.
/// </summary>
internal sealed class ProfileDistributed : IWorkload
{
    public string Name => "profile_distributed";

    public string Description => "profiling aid: where sched_overhead_distributed's per-task time goes (client submit steps, codec, scheduler state machine, worker decode+evaluate)";

    public WorkloadReport Run(BenchOptions options)
    {
        int leaves = options.IsFull ? 100_000 : 10_000;
        int reps = options.Repeats;
        var report = new WorkloadReport();
        report.Params["leaves"] = leaves;
        List<CaseResult> results = report.Results;
        (TaskGraph tree, Key root) = SchedOverheadLocal.TreeGraph(leaves, "p");
        int n = tree.Count;
        Key[] outputs = [root];
        var serializer = WireSerializer.ForSameApplication("profile");

        void Add(string name, Timings<int> t) => results.Add(Measure.Result(name, t, new JsonObject { ["tasks"] = n }, n));

        // --- client: what Client.Submit does, step by step
        Add("client: GraphOptimizations.Cull", Measure.Runs("cull", reps, _ => GraphOptimizations.Cull(tree, outputs).Count));
        Add("client: GraphOrder.Order", Measure.Runs("order", reps, _ => GraphOrder.Order(tree).Count));
        Add("client: SerializeNode every task", Measure.Runs("serialize", reps, _ =>
        {
            int bytes = 0;
            foreach (KeyValuePair<Key, Node> kv in tree)
            {
                bytes += serializer.SerializeNode(kv.Value).Length;
            }

            return bytes;
        }));
        Add("client: dependencies (GetReferences().Distinct())", Measure.Runs("deps", reps, _ =>
        {
            int c = 0;
            foreach (KeyValuePair<Key, Node> kv in tree)
            {
                Key[] deps = [.. kv.Value.GetReferences().Distinct()];
                c += deps.Length;
            }

            return c;
        }));

        UpdateGraph update = BuildUpdate(tree, root, serializer);
        Add("client: MessageCodec.Encode(UpdateGraph)", Measure.Runs("encode update", reps, _ => MessageCodec.Encode(update).Length));
        byte[] encoded = MessageCodec.Encode(update);
        Add("scheduler: MessageCodec.Read(UpdateGraph)", Measure.Runs("decode update", reps, _ => ((UpdateGraph)MessageCodec.Read(encoded)).Tasks.Length));

        // --- scheduler: the state machine alone, two workers that finish every task at once
        Add("scheduler: SchedulerState update+run+release (no I/O)", Measure.Runs("state", reps, _ => RunState(update, root)));

        // --- per-task messages: encode + decode of ComputeTask and TaskFinished
        Key leafKey = new("p", 0, 5);
        Key sumKey = new("p", 1, 5);
        var compute = new ComputeTask(sumKey, update.Tasks.First(t => t.Key == sumKey).Spec, [.. Enumerable.Range(50, 10).Select(i => new DependencyLocation(new Key("p", 0, i), ["tcp://127.0.0.1:40000"], 32))], 12345);
        var finished = new TaskFinished(leafKey, 32, 1e-6);
        Add("messages: encode+decode ComputeTask(sum of 10) + TaskFinished, per task", Measure.Runs("messages", reps, _ =>
        {
            int c = 0;
            for (int i = 0; i < n; i++)
            {
                c += ((ComputeTask)MessageCodec.Read(MessageCodec.Encode(compute))).Dependencies.Length;
                c += MessageCodec.Read(MessageCodec.Encode(finished)) is TaskFinished ? 1 : 0;
            }

            return c;
        }));

        // --- worker: decode the node and evaluate it
        byte[] leafSpec = update.Tasks.First(t => t.Key == leafKey).Spec;
        byte[] sumSpec = compute.Spec;
        var inputs = new Dictionary<Key, object?>();
        for (int i = 50; i < 60; i++)
        {
            inputs[new Key("p", 0, i)] = (long)i;
        }

        Add("worker: DeserializeNode + evaluate (leaf inc), per task", Measure.Runs("worker leaf", reps, _ =>
        {
            long s = 0;
            for (int i = 0; i < n; i++)
            {
                s += (long)NodeEvaluator.Evaluate(serializer.DeserializeNode(leafSpec), inputs)!;
            }

            return (int)s;
        }));
        Add("worker: DeserializeNode + evaluate (sum of 10), per task", Measure.Runs("worker sum", reps, _ =>
        {
            long s = 0;
            for (int i = 0; i < n; i++)
            {
                s += (long)NodeEvaluator.Evaluate(serializer.DeserializeNode(sumSpec), inputs)!;
            }

            return (int)s;
        }));
        Add("worker/client: SerializeValue + DeserializeValue (long), per task", Measure.Runs("values", reps, _ =>
        {
            long s = 0;
            for (int i = 0; i < n; i++)
            {
                s += (long)serializer.DeserializeValue(serializer.SerializeValue((long)i))!;
            }

            return (int)s;
        }));

        // Sizes.
        report.Extra["spec_bytes_leaf"] = leafSpec.Length;
        report.Extra["spec_bytes_sum10"] = sumSpec.Length;
        report.Extra["update_graph_bytes"] = encoded.Length;
        report.Extra["update_graph_bytes_per_task"] = Math.Round((double)encoded.Length / n, 1);
        report.Extra["compute_task_bytes_sum10"] = MessageCodec.Encode(compute).Length;
        report.Extra["task_finished_bytes"] = MessageCodec.Encode(finished).Length;
        report.Extra["value_bytes_long"] = serializer.SerializeValue(1L).Length;
        Log.Write($"  sizes: leaf spec {leafSpec.Length} B, sum spec {sumSpec.Length} B, UpdateGraph {encoded.Length:N0} B ({(double)encoded.Length / n:F1} B/task)");
        return report;
    }

    /// <summary>The UpdateGraph message Client.Submit would send for the graph.</summary>
    internal static UpdateGraph BuildUpdate(TaskGraph graph, Key root, IWireSerializer serializer)
    {
        TaskGraph culled = GraphOptimizations.Cull(graph, [root]);
        Dictionary<Key, int> order = GraphOrder.Order(culled);
        var tasks = new WireTask[culled.Count];
        int i = 0;
        foreach (KeyValuePair<Key, Node> kv in culled)
        {
            Key[] deps = [.. kv.Value.GetReferences().Distinct()];
            tasks[i++] = new WireTask(kv.Key, serializer.SerializeNode(kv.Value), deps, order[kv.Key], 0);
        }

        return new UpdateGraph(tasks, [root]);
    }

    private static int RunState(UpdateGraph update, Key root)
    {
        var outbox = new ImmediateOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w0", 1);
        state.AddWorker("w1", 1);
        state.AddClient("c");
        var tasks = new TaskSubmission[update.Tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            WireTask t = update.Tasks[i];
            tasks[i] = new TaskSubmission(t.Key, t.Spec, t.Dependencies, t.Order, t.Retries);
        }

        state.UpdateGraph("c", tasks, [root]);
        int finished = 0;
        while (outbox.Pending.TryDequeue(out (string Worker, Key Key) p))
        {
            state.TaskFinished(p.Worker, p.Key, 32, 1e-6);
            finished++;
        }

        Debug.Assert(outbox.InMemory == 1, "the root arrives");
        state.ReleaseKeys("c", [root]);
        if (state.Tasks.Count != 0)
        {
            throw new InvalidOperationException($"The scheduler state still holds {state.Tasks.Count} tasks.");
        }

        return finished;
    }

    private sealed class ImmediateOutbox : ISchedulerOutbox
    {
        public Queue<(string Worker, Key Key)> Pending { get; } = new();

        public int InMemory { get; private set; }

        public void ComputeTask(WorkerState worker, SchedulerTask task) => Pending.Enqueue((worker.Address, task.Key));

        public void FreeKey(WorkerState worker, Key key)
        {
        }

        public void KeyInMemory(ClientState client, SchedulerTask task) => InMemory++;

        public void KeyErred(ClientState client, SchedulerTask task) => throw new InvalidOperationException($"{task.Key} erred.");
    }
}
