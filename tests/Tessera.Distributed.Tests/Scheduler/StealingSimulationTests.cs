using CsCheck;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Scheduler;

/// <summary>
/// The scheduler's state machine against model workers that do what <c>WorkerServer</c> does with each
/// message (runs keyed by run id, a steal given up only before the run starts, reports in the order they
/// are posted), with every message delivered in a random order that each connection's FIFO allows, and
/// work stealing on: every map completes, and the client hears of every key.
/// </summary>
public sealed class StealingSimulationTests
{
    private abstract record ToWorker;

    private sealed record Compute(Key Key, long RunId) : ToWorker;

    private sealed record Free(Key Key) : ToWorker;

    private sealed record Steal(Key Key, long RunId) : ToWorker;

    private abstract record ToScheduler;

    private sealed record Finished(Key Key, long RunId, double Seconds) : ToScheduler;

    private sealed record Stolen(Key Key, long RunId, bool GaveUp) : ToScheduler;

    /// <summary>A worker with one thread, as WorkerServer keeps its runs, queue and store.</summary>
    private sealed class ModelWorker(string address)
    {
        public string Address { get; } = address;

        public Queue<ToWorker> Inbox { get; } = new();

        public Queue<ToScheduler> Outbox { get; } = new();

        public Dictionary<Key, long> Runs { get; } = [];

        public List<(Key Key, long RunId)> Ready { get; } = [];

        public (Key Key, long RunId)? Executing { get; set; }

        public HashSet<Key> Data { get; } = [];
    }

    private sealed class Network(Dictionary<string, ModelWorker> workers) : ISchedulerOutbox
    {
        public Dictionary<Key, int> Reported { get; } = [];

        public void ComputeTask(WorkerState worker, SchedulerTask task) => workers[worker.Address].Inbox.Enqueue(new Compute(task.Key, task.RunId));

        public void FreeKey(WorkerState worker, Key key) => workers[worker.Address].Inbox.Enqueue(new Free(key));

        public void StealRequest(WorkerState worker, SchedulerTask task) => workers[worker.Address].Inbox.Enqueue(new Steal(task.Key, task.RunId));

        public void KeyInMemory(ClientState client, SchedulerTask task) => Reported[task.Key] = Reported.GetValueOrDefault(task.Key) + 1;

        public void KeyErred(ClientState client, SchedulerTask task) => throw new InvalidOperationException($"{task.Key} erred: {task.Error}");
    }

    [Fact]
    public void Maps_WithStealing_AndRandomDelivery_AlwaysComplete()
    {
        Gen.Select(Gen.Int[2, 120], Gen.Int[1, 3], Gen.Int[2, 3], Gen.UInt).Sample((n, rounds, workerCount, seed) =>
        {
            var random = new Random((int)seed);
            var workers = new Dictionary<string, ModelWorker>(StringComparer.Ordinal);
            var network = new Network(workers);
            var state = new SchedulerState(network, workerSaturation: random.Next(3) == 0 ? double.PositiveInfinity : 1.1, workStealing: true);
            for (int i = 0; i < workerCount; i++)
            {
                workers["w" + i] = new ModelWorker("w" + i);
                state.AddWorker("w" + i, 1);
            }

            var previous = new List<Key>();
            for (int round = 0; round < rounds; round++)
            {
                Key[] keys = [.. Enumerable.Range(0, n).Select(i => new Key("inc-" + round, i))];
                network.Reported.Clear();
                state.UpdateGraph("c", [.. keys.Select((k, i) => new TaskSubmission(k, null, [], i))], keys);
                Run(state, workers, random, () =>
                {
                    // The previous round's results are released while this one runs (the client's futures are collected).
                    if (previous.Count > 0 && random.Next(4) == 0)
                    {
                        int take = random.Next(1, previous.Count + 1);
                        state.ReleaseKeys("c", previous.GetRange(0, take));
                        previous.RemoveRange(0, take);
                    }
                });
                string Describe() => $"seed {seed}, n {n}, round {round}: {state.DescribeStateForTesting()}";
                Assert.True(keys.All(k => network.Reported.GetValueOrDefault(k) == 1), $"not every key was reported once; {Describe()}");
                Assert.True(keys.All(k => state.Tasks[k].State == TaskStateKind.Memory), Describe());
                state.ReleaseKeys("c", previous);
                previous = [.. keys];
            }

            state.ReleaseKeys("c", previous);
            Run(state, workers, random, null);
            Assert.Empty(state.Tasks);
        }, iter: 500);
    }

    // Delivers messages and runs tasks in a random order until nothing is left to do; between steps the
    // scheduler balances work now and then (its timer) and the caller may act (releases).
    private static void Run(SchedulerState state, Dictionary<string, ModelWorker> workers, Random random, Action? between)
    {
        ModelWorker[] all = [.. workers.Values];
        var moves = new List<Action>();
        for (int steps = 0; steps < 200_000; steps++)
        {
            moves.Clear();
            foreach (ModelWorker w in all)
            {
                if (w.Inbox.Count > 0)
                {
                    moves.Add(() => Receive(w));
                }

                if (w.Outbox.Count > 0)
                {
                    moves.Add(() => Report(state, w));
                }

                if (w.Executing is null && w.Ready.Count > 0)
                {
                    moves.Add(() => Start(w, random));
                }

                if (w.Executing is not null)
                {
                    moves.Add(() => Finish(w, random));
                }
            }

            if (moves.Count == 0)
            {
                return;
            }

            moves[random.Next(moves.Count)]();
            if (random.Next(10) == 0)
            {
                state.BalanceWork();
            }

            between?.Invoke();
            state.Validate();
        }

        Assert.Fail("the simulation did not settle");
    }

    private static void Receive(ModelWorker w)
    {
        switch (w.Inbox.Dequeue())
        {
            case Compute c:
                w.Runs[c.Key] = c.RunId;
                w.Ready.Add((c.Key, c.RunId));
                break;
            case Free f:
                w.Runs.Remove(f.Key);
                w.Data.Remove(f.Key);
                break;
            case Steal s:
                bool gaveUp = w.Runs.TryGetValue(s.Key, out long run) && run == s.RunId && w.Executing?.RunId != s.RunId && w.Runs.Remove(s.Key);
                w.Outbox.Enqueue(new Stolen(s.Key, s.RunId, gaveUp));
                break;
        }
    }

    private static void Start(ModelWorker w, Random random)
    {
        int i = random.Next(w.Ready.Count);
        (Key key, long run) = w.Ready[i];
        w.Ready.RemoveAt(i);
        if (w.Runs.TryGetValue(key, out long current) && current == run)
        {
            w.Executing = (key, run);
        }
    }

    private static void Finish(ModelWorker w, Random random)
    {
        (Key key, long run) = w.Executing!.Value;
        w.Executing = null;
        if (w.Runs.TryGetValue(key, out long current) && current == run)
        {
            w.Runs.Remove(key);
            w.Data.Add(key);

            // Mostly trivial, now and then slow (a pause): slow runs make the prefix worth stealing.
            w.Outbox.Enqueue(new Finished(key, run, random.Next(5) == 0 ? 0.05 : 0.00001));
        }
    }

    private static void Report(SchedulerState state, ModelWorker w)
    {
        switch (w.Outbox.Dequeue())
        {
            case Finished f:
                state.TaskFinished(w.Address, f.Key, f.RunId, 8, f.Seconds);
                break;
            case Stolen s:
                state.StealResponse(w.Address, s.Key, s.RunId, s.GaveUp);
                break;
        }
    }
}
