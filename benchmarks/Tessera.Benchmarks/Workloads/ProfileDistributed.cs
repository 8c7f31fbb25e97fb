using System.Diagnostics;
using System.Text.Json.Nodes;
using Tessera.Benchmarks.Harness;
using Tessera.Distributed.Protocol;
using Tessera.Distributed.Runtime;
using Tessera.Distributed.Scheduler;
using Tessera.Distributed.Serialization;
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
            // As Client.Submit does: the functions go into the graph's table once.
            int bytes = 0;
            var functions = FunctionTable.For(tree.Values);
            foreach (KeyValuePair<Key, Node> kv in tree)
            {
                bytes += serializer.SerializeNode(kv.Value, null, functions).Length;
            }

            return bytes + (functions.ToArray()?.Sum(p => p.Length) ?? 0);
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

        // --- what one Client.Submit(inc, i) does on the client, step by step (per call, 10,000 calls)
        const int Calls = 10_000;
        void AddPerCall(string name, Timings<int> t) => results.Add(Measure.Result(name, t, new JsonObject { ["calls"] = Calls }, Calls));
        AddPerCall("submit: TaskFunction.Create(inc) + its token (a new TaskFunction per call)", Measure.Runs("function token", reps, _ =>
        {
            int c = 0;
            for (int i = 0; i < Calls; i++)
            {
                c += TaskFunction.Create<long, long>(Inc).Token.Length;
            }

            return c;
        }));
        TaskFunction inc = TaskFunction.Create<long, long>(Inc);
        AddPerCall("submit: key token Tokenize(function token, i)", Measure.Runs("key token", reps, _ =>
        {
            int c = 0;
            for (int i = 0; i < Calls; i++)
            {
                c += Tokenizer.Tokenize(inc.Token, (object)(long)i).Length;
            }

            return c;
        }));
        AddPerCall("submit: Cull + GraphOrder.Order of the 1-task graph", Measure.Runs("cull+order 1", reps, _ =>
        {
            int c = 0;
            for (int i = 0; i < Calls; i++)
            {
                var g = new TaskGraph { [new Key("inc-" + i)] = Node.Call(inc, Node.Literal((long)i)) };
                TaskGraph culled = GraphOptimizations.Cull(g, [new Key("inc-" + i)]);
                c += GraphOrder.Order(culled).Count;
            }

            return c;
        }));
        AddPerCall("submit: SerializeNode(inc(i))", Measure.Runs("serialize 1", reps, _ =>
        {
            int c = 0;
            for (int i = 0; i < Calls; i++)
            {
                c += serializer.SerializeNode(Node.Call(inc, Node.Literal((long)i))).Length;
            }

            return c;
        }));
        byte[] oneSpec = serializer.SerializeNode(Node.Call(inc, Node.Literal(5L)));
        AddPerCall("submit: MessageCodec.Encode(UpdateGraph of 1 task)", Measure.Runs("encode 1", reps, _ =>
        {
            int c = 0;
            for (int i = 0; i < Calls; i++)
            {
                c += MessageCodec.Encode(new UpdateGraph([new WireTask(new Key("inc-0123456789abcdef"), oneSpec, [], 0, 0)], [new Key("inc-0123456789abcdef")])).Length;
            }

            return c;
        }));

        // --- one network leg: ping-pong of a small message over the runtime's channels (TCP
        // loopback as with worker processes, and the in-memory network of processes: false).
        foreach (string address in new[] { "tcp://127.0.0.1:0", "memory://0" })
        {
            (double median, double p10, double p90) = PingPongAsync(address, 2000).GetAwaiter().GetResult();
            string kind = address.StartsWith("tcp", StringComparison.Ordinal) ? "tcp" : "memory";
            report.Extra[$"ping_pong_{kind}_us"] = new JsonObject { ["median"] = Math.Round(median * 1e6, 1), ["p10"] = Math.Round(p10 * 1e6, 1), ["p90"] = Math.Round(p90 * 1e6, 1) };
            Log.Write($"  ping-pong over {kind}: median {median * 1e6:F1} us (p10 {p10 * 1e6:F1}, p90 {p90 * 1e6:F1}) per round trip (2 legs)");
        }

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

    private static long Inc(long x) => x + 1;

    /// <summary>
    /// Round trips of a small message between two read loops over a channel of the runtime (the
    /// scheduler's and a peer's receive paths: message decoded, answer posted through a
    /// <see cref="PeerConnection"/>); the first quarter is warm-up.
    /// </summary>
    private static async Task<(double Median, double P10, double P90)> PingPongAsync(string address, int n)
    {
        IMessageNetwork network = Networks.For(address, "profile");
        IMessageListener listener = await network.ListenAsync(address).ConfigureAwait(false);
        Task<IMessageChannel> accepted = listener.AcceptAsync().AsTask();
        var client = new PeerConnection(await network.ConnectAsync(listener.Address).ConfigureAwait(false));
        var server = new PeerConnection(await accepted.ConfigureAwait(false));
        Task echo = Task.Run(async () =>
        {
            while (await server.ReceiveAsync(CancellationToken.None).ConfigureAwait(false) is Heartbeat h)
            {
                server.Post(h);
            }
        });
        var times = new List<double>(n);
        for (int i = 0; i < n + (n / 4); i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            client.Post(new Heartbeat());
            _ = await client.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            if (i >= n / 4)
            {
                times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        }

        client.Post(new Close("done"));
        await echo.ConfigureAwait(false);
        await client.DisposeAsync().ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        await listener.DisposeAsync().ConfigureAwait(false);
        times.Sort();
        return (Stats.Median(times), times[times.Count / 10], times[times.Count * 9 / 10]);
    }

    /// <summary>The UpdateGraph message Client.Submit would send for the graph.</summary>
    internal static UpdateGraph BuildUpdate(TaskGraph graph, Key root, IWireSerializer serializer)
    {
        TaskGraph culled = GraphOptimizations.Cull(graph, [root]);
        Dictionary<Key, int> order = GraphOrder.Order(culled);
        var tasks = new WireTask[culled.Count];
        var functions = FunctionTable.For(culled.Values);
        int i = 0;
        foreach (KeyValuePair<Key, Node> kv in culled)
        {
            Key[] deps = [.. kv.Value.GetReferences().Distinct()];
            tasks[i++] = new WireTask(kv.Key, serializer.SerializeNode(kv.Value, null, functions), deps, order[kv.Key], 0);
        }

        return new UpdateGraph(tasks, [root], functions.ToArray());
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
        while (outbox.Pending.TryDequeue(out (string Worker, Key Key, long RunId) p))
        {
            state.TaskFinished(p.Worker, p.Key, p.RunId, 32, 1e-6);
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
        public Queue<(string Worker, Key Key, long RunId)> Pending { get; } = new();

        public int InMemory { get; private set; }

        public void ComputeTask(WorkerState worker, SchedulerTask task) => Pending.Enqueue((worker.Address, task.Key, task.RunId));

        public void FreeKey(WorkerState worker, Key key)
        {
        }

        public void KeyInMemory(ClientState client, SchedulerTask task) => InMemory++;

        public void KeyErred(ClientState client, SchedulerTask task) => throw new InvalidOperationException($"{task.Key} erred.");

        public void StealRequest(WorkerState worker, SchedulerTask task) => throw new InvalidOperationException($"{task.Key} was to be stolen; this profile never balances work.");
    }
}
