using CsCheck;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Scheduler;

public sealed class SchedulerStateTests
{
    private sealed class RecordingOutbox : ISchedulerOutbox
    {
        public List<(WorkerState Worker, SchedulerTask Task, long RunId)> Sent { get; } = [];

        public List<(WorkerState Worker, Key Key)> Freed { get; } = [];

        public Dictionary<string, HashSet<Key>> InMemory { get; } = [];

        public Dictionary<Key, SchedulerTask> Erred { get; } = [];

        /// <summary>The hints each task went out with, in the order sent, taken when it was sent (as the server does).</summary>
        public List<(Key Key, Key[]? DependentsAfter, bool FreesAnInput)> Hints { get; } = [];

        public (Key[]? DependentsAfter, bool FreesAnInput) HintsOf(Key key)
        {
            (Key _, Key[]? after, bool frees) = Hints.Single(h => h.Key == key);
            return (after, frees);
        }

        public void ComputeTask(WorkerState worker, SchedulerTask task)
        {
            foreach (SchedulerTask d in task.Dependencies)
            {
                Assert.Equal(TaskStateKind.Memory, d.State);
            }

            Sent.Add((worker, task, task.RunId));
            Hints.Add((task.Key, SchedulerState.DependentsAfter(task, worker), SchedulerState.FreesAnInput(task, worker)));
        }

        public void FreeKey(WorkerState worker, Key key) => Freed.Add((worker, key));

        public List<(WorkerState Worker, Key Key, long RunId)> StealRequests { get; } = [];

        public void StealRequest(WorkerState worker, SchedulerTask task) => StealRequests.Add((worker, task.Key, task.RunId));

        public void KeyInMemory(ClientState client, SchedulerTask task)
        {
            if (!InMemory.TryGetValue(client.Id, out HashSet<Key>? keys))
            {
                InMemory[client.Id] = keys = [];
            }

            keys.Add(task.Key);
        }

        public void KeyErred(ClientState client, SchedulerTask task) => Erred[task.Key] = task;
    }

    // Finishes every task sent, in order, checking before each that no worker processes more than
    // maxProcessing tasks; returns how many finished.
    private static int FinishAllWithin(SchedulerState state, RecordingOutbox outbox, int maxProcessing, long bytes)
    {
        int finished = 0;
        while (outbox.Sent.Count > 0)
        {
            Assert.All(state.Workers.Values, w => Assert.InRange(w.Processing.Count, 0, maxProcessing));
            (WorkerState w, SchedulerTask t, long run) = outbox.Sent[0];
            outbox.Sent.RemoveAt(0);
            state.TaskFinished(w.Address, t.Key, run, bytes, 0.5);
            finished++;
            state.Validate();
        }

        return finished;
    }

    private static List<TaskSubmission> Chain(string name, int n)
    {
        var tasks = new List<TaskSubmission>();
        for (int i = 0; i < n; i++)
        {
            tasks.Add(new TaskSubmission(new Key(name, i), null, i == 0 ? [] : [new Key(name, i - 1)], i));
        }

        return tasks;
    }

    private static List<TaskSubmission> Tree(string name, int leaves)
    {
        var tasks = new List<TaskSubmission>();
        for (int i = 0; i < leaves; i++)
        {
            tasks.Add(new TaskSubmission(new Key(name, 0, i), null, [], tasks.Count));
        }

        int level = 0, width = leaves;
        while (width > 1)
        {
            int next = (width + 2) / 3;
            for (int j = 0; j < next; j++)
            {
                Key[] deps = [.. Enumerable.Range(j * 3, Math.Min(3, width - (j * 3))).Select(k => new Key(name, level, k))];
                tasks.Add(new TaskSubmission(new Key(name, level + 1, j), null, deps, tasks.Count));
            }

            level++;
            width = next;
        }

        return tasks;
    }

    // Runs sent tasks in the order chosen by pick until nothing is left to run. Runs that went stale (their
    // worker left, or the task was released and sent again) report too, as real workers may: the state
    // must ignore them.
    private static void Drain(SchedulerState state, RecordingOutbox outbox, Func<int, int> pick, Action? betweenSteps = null)
    {
        for (int steps = 0; steps < 100_000; steps++)
        {
            if (outbox.Sent.Count == 0)
            {
                return;
            }

            int i = pick(outbox.Sent.Count);
            (WorkerState w, SchedulerTask t, long run) = outbox.Sent[i];
            outbox.Sent.RemoveAt(i);
            state.TaskFinished(w.Address, t.Key, run, 8, 0.0001);
            state.Validate();
            betweenSteps?.Invoke();
        }

        Assert.Fail("the simulation did not finish");
    }

    [Fact]
    public void UpdateGraph_Chain_RunsInOrderAndReportsTheResult()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", Chain("x", 50), [new Key("x", 49)]);
        state.Validate();
        Drain(state, outbox, _ => 0);
        Assert.Equal([new Key("x", 49)], outbox.InMemory["c"]);
        Assert.Equal(TaskStateKind.Memory, state.Tasks[new Key("x", 49)].State);
        Assert.All(state.Tasks.Values.Where(t => t.Key != new Key("x", 49)), t => Assert.Equal(TaskStateKind.Released, t.State));
        Assert.Equal(49, outbox.Freed.Count);
    }

    // A 100 MB input on w1 and ten dependents whose prefix is not known yet (1 ms each, assumed): moving
    // the input looks dearer than waiting, so all ten go to w1; w2 has nothing to do.
    private static (SchedulerState State, RecordingOutbox Outbox, WorkerState W1, WorkerState W2) SkewedWork(bool workStealing)
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workStealing: workStealing);
        WorkerState w1 = state.AddWorker("w1", 1), w2 = state.AddWorker("w2", 1);
        state.UpdateGraph("c", [new TaskSubmission(new Key("big"), null, [], 0, Restrictions: new TaskRestrictions(["w1"], false, []))], [new Key("big")]);
        state.TaskFinished("w1", new Key("big"), outbox.Sent[0].RunId, 100_000_000, 0.01);
        outbox.Sent.Clear();
        state.UpdateGraph("c", [.. Enumerable.Range(0, 10).Select(i => new TaskSubmission(new Key("work", i), null, [new Key("big")], i))], [.. Enumerable.Range(0, 10).Select(i => new Key("work", i))]);
        Assert.All(outbox.Sent, s => Assert.Equal(w1, s.Worker));
        Assert.Equal(10, w1.Processing.Count);
        return (state, outbox, w1, w2);
    }

    [Fact]
    public void BalanceWork_AnIdleWorkerAsksTheBusyOneForItsLastTask_AndGetsItWhenConfirmed()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState w1, WorkerState w2) = SkewedWork(workStealing: true);

        // Not worth it while the work is assumed to take 1 ms per task.
        state.BalanceWork();
        Assert.Empty(outbox.StealRequests);

        // The first task took 1 s: the others are worth moving (0.1 s of transfer each).
        (_, SchedulerTask first, long firstRun) = outbox.Sent[0];
        state.TaskFinished("w1", first.Key, firstRun, 8, 1.0);
        outbox.Sent.Clear();
        SchedulerTask latest = w1.Processing.MaxBy(t => t.Priority)!;
        state.BalanceWork();
        state.BalanceWork(); // steals in flight count: one per idle thread (and one more once the inputs are there)
        Assert.Equal([(w1, latest.Key, latest.RunId)], outbox.StealRequests);
        (_, Key key, long run) = outbox.StealRequests[0];

        state.StealResponse("w1", key, run, stolen: true);
        state.Validate();
        SchedulerTask stolen = state.Tasks[key];
        Assert.Equal((TaskStateKind.Processing, w2), (stolen.State, stolen.ProcessingOn));
        Assert.NotEqual(run, stolen.RunId);
        Assert.Equal((w2, stolen, stolen.RunId), Assert.Single(outbox.Sent));
        Assert.Equal(1, state.StolenTasks);

        // Once w2 holds the input, it takes one more to start when its thread is free.
        state.AddKeys("w2", [new Key("big")]);
        state.BalanceWork();
        Assert.Equal(2, outbox.StealRequests.Count);

        // A late report of the run that was given up changes nothing; the thief's run finishes the task.
        state.TaskFinished("w1", key, run, 8, 1.0);
        Assert.Equal(TaskStateKind.Processing, stolen.State);
        state.TaskFinished("w2", key, stolen.RunId, 8, 1.0);
        Assert.Equal(TaskStateKind.Memory, stolen.State);
        Assert.Equal(new[] { w2 }, stolen.WhoHas);
        state.Validate();
    }

    [Fact]
    public void StealResponse_Refused_OrStale_LeavesTheTaskWhereItRuns()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState w1, _) = SkewedWork(workStealing: true);
        (_, SchedulerTask first, long firstRun) = outbox.Sent[0];
        state.TaskFinished("w1", first.Key, firstRun, 8, 1.0);
        state.BalanceWork();
        (_, Key key, long run) = outbox.StealRequests[0];

        // The busy worker had started it: it stays, and the idle worker may ask again.
        state.StealResponse("w1", key, run, stolen: false);
        Assert.Equal((TaskStateKind.Processing, w1, run), (state.Tasks[key].State, state.Tasks[key].ProcessingOn, state.Tasks[key].RunId));
        state.BalanceWork();
        Assert.Equal(2, outbox.StealRequests.Count);

        // A confirmation for an older run (the task was sent again meanwhile) moves nothing.
        (_, Key other, long otherRun) = outbox.StealRequests[1];
        state.StealResponse("w1", other, otherRun - 1, stolen: true);
        Assert.Equal(w1, state.Tasks[other].ProcessingOn);
        Assert.Equal(0, state.StolenTasks);
        state.Validate();
    }

    [Fact]
    public void StealResponse_AfterTheThiefLeft_SendsTheTaskWhereItFits()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState w1, _) = SkewedWork(workStealing: true);
        (_, SchedulerTask first, long firstRun) = outbox.Sent[0];
        state.TaskFinished("w1", first.Key, firstRun, 8, 1.0);
        state.BalanceWork();
        (_, Key key, long run) = outbox.StealRequests[0];
        state.RemoveWorker("w2");
        outbox.Sent.Clear();
        state.StealResponse("w1", key, run, stolen: true);
        state.Validate();
        Assert.Equal((w1, state.Tasks[key], state.Tasks[key].RunId), Assert.Single(outbox.Sent));
        Assert.NotEqual(run, state.Tasks[key].RunId);
    }

    [Fact]
    public void BalanceWork_LeavesAWorkerWithOneQueuedTask_SoNothingMovesBackAndForth()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        WorkerState w1 = state.AddWorker("w1", 1);
        WorkerState w2 = state.AddWorker("w2", 1);
        state.UpdateGraph("c", [.. Enumerable.Range(0, 4).Select(i => new TaskSubmission(new Key("slow", i), null, [], i, Restrictions: new TaskRestrictions([i < 2 ? "w1" : "w2"], false, [])))], [.. Enumerable.Range(0, 4).Select(i => new Key("slow", i))]);
        (_, SchedulerTask first, long firstRun) = outbox.Sent.First(s => s.Worker == w1);
        state.TaskFinished("w1", first.Key, firstRun, 8, 1.0);

        // w1 runs one task, w2 runs one and has one queued: neither is asked.
        Assert.Equal((1, 2), (w1.Processing.Count, w2.Processing.Count));
        state.BalanceWork();
        Assert.Empty(outbox.StealRequests);
    }

    [Fact]
    public void BalanceWork_AWorkerWithNothingToDo_TakesTheOnlyQueuedTaskOfABusyOne()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState w1, WorkerState w2) = SkewedWork(workStealing: true);
        foreach ((_, SchedulerTask t, long run) in outbox.Sent.Take(8).ToArray())
        {
            state.TaskFinished("w1", t.Key, run, 8, 1.0);
        }

        // w1 runs one task and has one queued; w2 has nothing: the queued one moves, and w2 starts it at once.
        Assert.Equal((2, 0), (w1.Processing.Count, w2.Processing.Count));
        SchedulerTask queued = w1.Processing.MaxBy(t => t.Priority)!;
        state.BalanceWork();
        Assert.Equal([(w1, queued.Key, queued.RunId)], outbox.StealRequests);
        state.StealResponse("w1", queued.Key, queued.RunId, stolen: true);
        Assert.Equal((1, 1), (w1.Processing.Count, w2.Processing.Count));

        // Neither has a task queued now: nothing moves back.
        state.BalanceWork();
        Assert.Single(outbox.StealRequests);
        state.Validate();
    }

    [Fact]
    public void BalanceWork_WithStealingOff_MovesNothing()
    {
        (SchedulerState state, RecordingOutbox outbox, _, _) = SkewedWork(workStealing: false);
        (_, SchedulerTask first, long firstRun) = outbox.Sent[0];
        state.TaskFinished("w1", first.Key, firstRun, 8, 1.0);
        state.BalanceWork();
        Assert.Empty(outbox.StealRequests);
    }

    [Fact]
    public void UpdateGraph_NoWorkers_WaitsThenRunsWhenOneArrives()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.UpdateGraph("c", Tree("t", 9), [new Key("t", 2, 0)]);
        Assert.All(state.Tasks.Values.Where(t => t.Dependencies.Length == 0), t => Assert.Equal(TaskStateKind.NoWorker, t.State));
        state.AddWorker("w1", 2);
        state.Validate();
        Drain(state, outbox, n => n - 1);
        Assert.Contains(new Key("t", 2, 0), outbox.InMemory["c"]);
    }

    [Fact]
    public void Queuing_WithholdsRootTasksFromASaturatedWorker()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: 1.0, defaultDurationSeconds: 1.0);
        state.AddWorker("w1", 2);
        state.UpdateGraph("c", Tree("t", 30), [new Key("t", 4, 0)]);
        Assert.Equal(2, outbox.Sent.Count);
        Assert.Equal(28, state.Tasks.Values.Count(t => t.State == TaskStateKind.Queued));
        Drain(state, outbox, _ => 0);
        Assert.Contains(new Key("t", 4, 0), outbox.InMemory["c"]);
    }

    // A clock that moves only when told to.
    private sealed class ManualClock : TimeProvider
    {
        public long Now { get; private set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Now;

        public void Advance(double seconds) => Now += (long)(seconds * TimeSpan.TicksPerSecond);
    }

    // Finishes whatever was sent, in order, with the given size and duration, until nothing is in flight.
    private static void FinishAll(SchedulerState state, RecordingOutbox outbox, long nbytes, double seconds)
    {
        while (outbox.Sent.Count > 0)
        {
            (WorkerState w, SchedulerTask t, long run) = outbox.Sent[0];
            outbox.Sent.RemoveAt(0);
            state.TaskFinished(w.Address, t.Key, run, nbytes, seconds);
        }
    }

    private static TaskSubmission[] Roots(string name, int n, int first = 0) => [.. Enumerable.Range(first, n).Select(i => new TaskSubmission(new Key(name, i), null, [], i))];

    private static Key[] Keys(string name, int n, int first = 0) => [.. Enumerable.Range(first, n).Select(i => new Key(name, i))];

    // Eight blocks persisted on two workers, six on w1 and two on w2, then one reduction per block submitted
    // at once (as a per-block sum is): each reduction depends on one block.
    private static (SchedulerState State, RecordingOutbox Outbox) BlocksThenReductions(long blockBytes)
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: double.PositiveInfinity);
        state.AddWorker("w1", 1);
        state.AddWorker("w2", 1);
        TaskSubmission[] blocks = [.. Roots("block", 8).Select(b => b with { Restrictions = new TaskRestrictions([b.Key.GetIndex()[0] < 6 ? "w1" : "w2"], false, []) })];
        state.UpdateGraph("c", blocks, Keys("block", 8));
        FinishAll(state, outbox, blockBytes, 0.001);
        TaskSubmission[] sums = [.. Enumerable.Range(0, 8).Select(i => new TaskSubmission(new Key("sum", i), null, [new Key("block", i)], i))];
        state.UpdateGraph("c", sums, [.. sums.Select(s => s.Key)]);
        return (state, outbox);
    }

    [Fact]
    public void AReductionOfABlock_RunsOnTheWorkerHoldingIt_ThoughThatWorkerLooksBusier()
    {
        // 1 MB blocks (1 ms to move, as long as the assumed run of a prefix never seen): by estimated
        // occupancy alone, w1's third reduction looked cheaper on w2, which would fetch its block.
        (SchedulerState state, RecordingOutbox outbox) = BlocksThenReductions(1_000_000);
        Assert.Equal(8, outbox.Sent.Count);
        Assert.Contains(state.Workers["w1"], state.Tasks.Values.Where(t => t.Key.Name == "block").SelectMany(t => t.WhoHas));
        Assert.Contains(state.Workers["w2"], state.Tasks.Values.Where(t => t.Key.Name == "block").SelectMany(t => t.WhoHas));
        Assert.All(outbox.Sent, s => Assert.Contains(s.Worker, state.Tasks[new Key("block", s.Task.Key.GetIndex()[0])].WhoHas));
        state.Validate();
    }

    [Fact]
    public void TasksWithCheapInputs_StillSpreadOverTheWorkers()
    {
        // 8-byte blocks, all on w1: moving one costs nothing, so the idle worker takes half of the reductions.
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: double.PositiveInfinity);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", Roots("block", 8), Keys("block", 8));
        FinishAll(state, outbox, 8, 0.001);
        state.AddWorker("w2", 1);
        TaskSubmission[] sums = [.. Enumerable.Range(0, 8).Select(i => new TaskSubmission(new Key("sum", i), null, [new Key("block", i)], i))];
        state.UpdateGraph("c", sums, [.. sums.Select(s => s.Key)]);
        Assert.Equal(4, outbox.Sent.Count(s => s.Worker.Address == "w2"));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(double.PositiveInfinity)]
    public void RootTasksThatOneDependentNeedsTogether_GoToOneWorker_AndTheDependentRunsThere(double saturation)
    {
        // Blocks (i, j) and (j, i) of x + x.T: the pairs are far apart in priority order (0 with 7, 1 with 6, ...),
        // so queuing alone sends the two halves of a pair to different workers.
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: saturation, defaultDurationSeconds: 1.0);
        state.AddWorker("w1", 1);
        state.AddWorker("w2", 1);
        const int N = 8;
        TaskSubmission[] pairs = [.. Enumerable.Range(0, N / 2).Select(i => new TaskSubmission(new Key("add", i), null, [new Key("block", i), new Key("block", N - 1 - i)], N + i))];
        state.UpdateGraph("c", [.. Roots("block", N), .. pairs], Keys("add", N / 2));
        var ranOn = new Dictionary<Key, string>();
        void Record()
        {
            foreach ((WorkerState w, SchedulerTask t, _) in outbox.Sent)
            {
                ranOn.TryAdd(t.Key, w.Address);
            }
        }

        Record();
        Drain(state, outbox, _ => 0, Record);

        for (int i = 0; i < N / 2; i++)
        {
            Assert.Equal(ranOn[new Key("block", i)], ranOn[new Key("block", N - 1 - i)]);
            Assert.Equal(ranOn[new Key("block", i)], ranOn[new Key("add", i)]);
        }

        // Both workers took pairs.
        Assert.Equal(2, ranOn.Values.Distinct().Count());
        Assert.Equal(N / 2, outbox.InMemory["c"].Count);
    }

    [Fact]
    public void RootTasksThatShareOneBroadcastInput_AreQueued_NotPiledOntoTheBroadcastWorker()
    {
        // a_i + b for every i: b is every a_i's other input, but a_i is not b's only one, so they are not partners.
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: 1.0, defaultDurationSeconds: 1.0);
        state.AddWorker("w1", 1);
        state.AddWorker("w2", 1);
        const int N = 12;
        TaskSubmission[] sums = [.. Enumerable.Range(0, N).Select(i => new TaskSubmission(new Key("add", i), null, [new Key("a", i), new Key("b", 0)], (2 * N) + i))];
        TaskSubmission[] roots = [new TaskSubmission(new Key("b", 0), null, [], 0), .. Roots("a", N).Select(r => r with { Order = r.Order + 1 })];
        state.UpdateGraph("c", [.. roots, .. sums], Keys("add", N));
        // ceil(1 thread × 1.0) = 1 per worker, and one more beside a partner at most.
        Assert.Equal((2 * N) + 1, FinishAllWithin(state, outbox, maxProcessing: 2, bytes: 8));
        Assert.Equal(N, outbox.InMemory["c"].Count);
    }

    [Fact]
    public void LongRootTasks_StayAtSaturationTimesThreadsInFlight_PerWorker()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: 1.1);
        state.AddWorker("w1", 2);
        state.AddWorker("w2", 2);
        state.UpdateGraph("c", Roots("load", 60), Keys("load", 60));
        // ceil(1.1 × 2) = 3 per worker, whatever the runs report.
        Assert.Equal(60, FinishAllWithin(state, outbox, maxProcessing: 3, bytes: 100_000_000));
        Assert.Equal(60, outbox.InMemory["c"].Count);
    }

    [Fact]
    public void ShortRootTasks_GoOutAsManyAsCoverTwoMeasuredRoundTrips_AndLongOnesAreStillHeldBack()
    {
        var clock = new ManualClock();
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: 1.1, clock: clock);
        WorkerState w = state.AddWorker("w1", 1);

        // One task to an idle worker: its report comes 201 µs later and it ran 1 µs, so the round trip is 200 µs
        // (below the 1 ms assumed, so taken at once).
        state.UpdateGraph("c", Roots("inc", 1), Keys("inc", 1));
        clock.Advance(201e-6);
        FinishAll(state, outbox, 8, 1e-6);
        Assert.Equal(200e-6, w.RoundTrip, 1e-9);

        // Tasks of 1 µs: 2 × 200 µs of them in flight (400), the rest queued.
        state.UpdateGraph("c", Roots("inc", 1000, first: 1), Keys("inc", 1000, first: 1));
        Assert.InRange(outbox.Sent.Count, 399, 401);
        Assert.Equal(1000 - outbox.Sent.Count, state.Tasks.Values.Count(t => t.State == TaskStateKind.Queued));

        // Each finished task makes room for one more, sent in the same event (the first one measures 200 µs again).
        clock.Advance(201e-6);
        int before = outbox.Sent.Count;
        for (int i = 0; i < 10; i++)
        {
            (WorkerState w1, SchedulerTask first, long run) = outbox.Sent[0];
            outbox.Sent.RemoveAt(0);
            state.TaskFinished(w1.Address, first.Key, run, 8, 1e-6);
        }

        Assert.InRange(outbox.Sent.Count, before - 1, before + 1);
        FinishAll(state, outbox, 8, 1e-6);
        Assert.Equal(1001, outbox.InMemory["c"].Count);

        Assert.Equal(200e-6, w.RoundTrip, 1e-9);

        // Tasks of a prefix that ran 1 s: ceil(1.1) = 2 in flight.
        state.UpdateGraph("c", Roots("slow", 1), Keys("slow", 1));
        clock.Advance(1.0 + 200e-6);
        FinishAll(state, outbox, 8, 1.0);
        state.UpdateGraph("c", Roots("slow", 20, first: 1), Keys("slow", 20, first: 1));
        Assert.Equal(2, outbox.Sent.Count);
        state.Validate();

        // A slow report (a first run's one-time costs) raises the estimate by a tenth at most, where a tenth of
        // the way would have made it 20 ms and let a hundred 1 ms tasks go out at once.
        clock.Advance(0.2 + 1.0);
        FinishAll(state, outbox, 8, 1.0);
        Assert.Equal(200e-6 * 1.1, w.RoundTrip, 1e-9);
    }

    [Fact]
    public void APairOfBlocksOnOneWorker_TellsItWhenTheReductionsFollow_AndThatTheLastOneFreesTheBlocks()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);

        // Blocks (0, 1) and (1, 0) of x, each sum of x + x.T needing both, and a total of the sums.
        Key a = new("x", 0, 1), b = new("x", 1, 0), ab = new("s", 0, 1), ba = new("s", 1, 0), total = new("total");
        TaskSubmission[] graph =
        [
            new(a, null, [], 0), new(b, null, [], 1), new(ab, null, [a, b], 2), new(ba, null, [b, a], 3), new(total, null, [ab, ba], 4),
        ];
        state.UpdateGraph("c", graph, [total]);

        // The pair goes out together: once both blocks finished, both sums come here.
        Assert.Equal([a, b], outbox.Sent.Select(s => s.Task.Key));
        Assert.Equal((null, false), outbox.HintsOf(a));
        Assert.Equal([a], Assert.IsType<Key[]>(outbox.HintsOf(b).DependentsAfter));
        Assert.False(outbox.HintsOf(b).FreesAnInput);

        // Once both sums are here, the blocks are freed after them, and the total follows: the second sent says so.
        FinishAll(state, outbox, 32_000_000, 0.01);
        var sums = outbox.Hints.Where(h => h.Key == ab || h.Key == ba).ToList();
        Assert.Equal((null, false), (sums[0].DependentsAfter, sums[0].FreesAnInput));
        Assert.Equal([sums[0].Key], Assert.IsType<Key[]>(sums[1].DependentsAfter));
        Assert.True(sums[1].FreesAnInput);
        Assert.Contains((state.Workers["w1"], a), outbox.Freed);
        Assert.Equal(total, Assert.Single(outbox.InMemory["c"]));
    }

    [Fact]
    public void ARootOfAWideReduction_ListsTheOtherRootsItsDependentWaitsFor()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, workerSaturation: double.PositiveInfinity);
        state.AddWorker("w1", 1);
        Key[] blocks = Keys("x", 3);
        state.UpdateGraph("c", [.. Roots("x", 3), new(new Key("sum"), null, blocks, 3)], [new Key("sum")]);

        // The sum comes only after all three blocks. The block sent last lists the other two, running there
        // too; a block sent before the others were there has no hint.
        Assert.Equal([null, null], outbox.Hints.Take(2).Select(h => h.DependentsAfter));
        Assert.Equal(blocks.Except([outbox.Hints[2].Key]).Order(), Assert.IsType<Key[]>(outbox.Hints[2].DependentsAfter).Order());

        // A sum that also needs a block on another worker does not come here: no hint.
        state.AddWorker("w2", 1);
        Key far = new("far");
        state.UpdateGraph("c", [new(far, null, [], 10) { Restrictions = new TaskRestrictions(["w2"], false, []) }, new(new Key("x", 9), null, [], 11) { Restrictions = new TaskRestrictions(["w1"], false, []) }, new(new Key("pair"), null, [far, new Key("x", 9)], 12)], [new Key("pair")]);
        Assert.Null(outbox.HintsOf(new Key("x", 9)).DependentsAfter);
    }

    [Fact]
    public void NoFreeIsHinted_ForSmallInputs_OrInputsThatAClientWants()
    {
        foreach ((long bytes, Key[] wanted) in new[] { (100L, new[] { new Key("total") }), (32_000_000L, new[] { new Key("total"), new Key("x", 0) }) })
        {
            var outbox = new RecordingOutbox();
            var state = new SchedulerState(outbox);
            state.AddWorker("w1", 1);
            Key x = new("x", 0), s = new("s", 0), total = new("total");
            state.UpdateGraph("c", [new(x, null, [], 0), new(s, null, [x], 1), new(total, null, [s], 2)], wanted);
            FinishAll(state, outbox, bytes, 0.01);
            Assert.Empty(Assert.IsType<Key[]>(outbox.HintsOf(x).DependentsAfter));
            Assert.False(outbox.HintsOf(x).FreesAnInput);
            Assert.False(outbox.HintsOf(s).FreesAnInput);
        }
    }

    [Fact]
    public void ReleaseKeys_ForgetsEverythingNoClientWants()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", Tree("t", 27), [new Key("t", 3, 0)]);
        Drain(state, outbox, _ => 0);
        state.ReleaseKeys("c", [new Key("t", 3, 0)]);
        state.Validate();
        Assert.Empty(state.Tasks);
        Assert.Contains(outbox.Freed, f => f.Key == new Key("t", 3, 0));
    }

    [Fact]
    public void TaskErred_ReachesTheClientThroughDependents()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", Chain("x", 5), [new Key("x", 4)]);
        (WorkerState w, SchedulerTask first, long run) = outbox.Sent[0];
        state.TaskErred(w.Address, first.Key, run, new RemoteError("System.InvalidOperationException", "boom", "at X"));
        state.Validate();
        SchedulerTask out4 = outbox.Erred[new Key("x", 4)];
        Assert.Equal(new Key("x", 0), out4.ErredOn!.Key);
        Assert.Equal("boom", out4.Error!.Message);
        state.ReleaseKeys("c", [new Key("x", 4)]);
        Assert.Empty(state.Tasks);
    }

    [Fact]
    public void TaskErred_WithRetries_RunsAgain()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", [new TaskSubmission("flaky", null, [], 0, Retries: 1)], ["flaky"]);
        state.TaskErred("w1", "flaky", state.Tasks["flaky"].RunId, new RemoteError("E", "first", null));
        Assert.Empty(outbox.Erred);
        Assert.Equal(TaskStateKind.Processing, state.Tasks["flaky"].State);
        state.TaskErred("w1", "flaky", state.Tasks["flaky"].RunId, new RemoteError("E", "second", null));
        Assert.Equal("second", outbox.Erred["flaky"].Error!.Message);
    }

    [Fact]
    public void TaskFinished_ForATaskForgottenWhileItRan_FreesTheResultOnTheWorker()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", [new TaskSubmission("x", null, [], 0)], ["x"]);
        long run = state.Tasks["x"].RunId;
        state.ReleaseKeys("c", ["x"]);
        Assert.Empty(state.Tasks);

        // The worker is told to drop the run at once, and again when its result arrives.
        Assert.Equal([("w1", new Key("x"))], outbox.Freed.Select(f => (f.Worker.Address, f.Key)));
        state.TaskFinished("w1", "x", run, 8, 0.001);
        Assert.Equal([("w1", new Key("x")), ("w1", new Key("x"))], outbox.Freed.Select(f => (f.Worker.Address, f.Key)));
    }

    [Fact]
    public void TaskFinished_OfAnOlderRunOfAKeySubmittedAgain_IsIgnored()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 2);
        state.UpdateGraph("c", [new TaskSubmission("k", "first", [], 0)], ["k"]);
        long first = state.Tasks["k"].RunId;
        state.ReleaseKeys("c", ["k"]);
        state.UpdateGraph("c", [new TaskSubmission("k", "second", [], 0)], ["k"]);
        SchedulerTask k = state.Tasks["k"];
        Assert.NotEqual(first, k.RunId);
        Assert.Equal("second", k.Spec);

        state.TaskFinished("w1", "k", first, 8, 0.001);
        state.TaskErred("w1", "k", first, new RemoteError("E", "stale", null));
        state.Validate();
        Assert.Equal(TaskStateKind.Processing, k.State);
        Assert.Empty(outbox.Erred);
        Assert.False(outbox.InMemory.ContainsKey("c"));

        state.TaskFinished("w1", "k", k.RunId, 8, 0.001);
        Assert.Equal(TaskStateKind.Memory, k.State);
        Assert.Equal([new Key("k")], outbox.InMemory["c"]);
    }

    [Fact]
    public void AddKeys_CopyOfAKeyInMemory_IsAReplicaFreedWithTheKey()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.AddWorker("w2", 1);
        state.UpdateGraph("c", [new TaskSubmission("x", null, [], 0)], ["x"]);
        Drain(state, outbox, _ => 0);
        string holder = state.Tasks["x"].WhoHas.Single().Address, other = holder == "w1" ? "w2" : "w1";
        state.AddKeys(other, ["x", "unknown"]);
        state.Validate();
        Assert.Equal([holder, other], state.Tasks["x"].WhoHas.Select(w => w.Address));
        Assert.Equal([(other, new Key("unknown"))], outbox.Freed.Select(f => (f.Worker.Address, f.Key)));
        state.ReleaseKeys("c", ["x"]);
        Assert.Equal(["w1", "w2"], outbox.Freed.Where(f => f.Key == new Key("x")).Select(f => f.Worker.Address).Order());
    }

    [Fact]
    public void AddKeys_CopyOfAKeyReleasedMeanwhile_IsFreedAtOnce()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.AddWorker("w2", 1);
        state.UpdateGraph("c", [new TaskSubmission("x", null, [], 0)], ["x"]);
        Drain(state, outbox, _ => 0);
        state.ReleaseKeys("c", ["x"]);
        outbox.Freed.Clear();
        state.AddKeys("w2", ["x"]);
        Assert.Equal([("w2", new Key("x"))], outbox.Freed.Select(f => (f.Worker.Address, f.Key)));
    }

    [Fact]
    public void AddScatteredData_IsInMemoryOnItsWorkers_AndForgottenWhenReleased()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.AddWorker("w2", 1);
        state.AddScatteredData("c", [new ScatteredData("s", ["w1", "w2"], 16)]);
        state.Validate();
        SchedulerTask s = state.Tasks["s"];
        Assert.Equal(TaskStateKind.Memory, s.State);
        Assert.Equal(["w1", "w2"], s.WhoHas.Select(w => w.Address));
        Assert.Contains(new Key("s"), outbox.InMemory["c"]);

        // A task that depends on it runs where the data is.
        state.UpdateGraph("c", [new TaskSubmission("t", null, ["s"], 0)], ["t"]);
        Drain(state, outbox, _ => 0);
        Assert.Contains(new Key("t"), outbox.InMemory["c"]);

        state.ReleaseKeys("c", ["s", "t"]);
        state.Validate();
        Assert.Empty(state.Tasks);
        Assert.Equal(["w1", "w2"], outbox.Freed.Where(f => f.Key == new Key("s")).Select(f => f.Worker.Address).Order());
    }

    [Fact]
    public void AddScatteredData_LostWhileWanted_ErrsWithItsDependents_AndScatteringAgainRestoresIt()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.AddScatteredData("c", [new ScatteredData("s", ["w1"], 16)]);
        state.RemoveWorker("w1");
        state.AddWorker("w2", 1);
        state.UpdateGraph("c", [new TaskSubmission("t", null, ["s"], 0)], ["t"]);
        state.Validate();
        Assert.Contains("scattered", outbox.Erred[new Key("s")].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(new Key("s"), outbox.Erred[new Key("t")].ErredOn!.Key);
        Assert.Empty(outbox.Sent);

        state.AddScatteredData("c", [new ScatteredData("s", ["w2"], 16)]);
        state.Validate();
        Assert.Equal(TaskStateKind.Memory, state.Tasks["s"].State);
        Assert.Contains(new Key("s"), outbox.InMemory["c"]);
        state.ReleaseKeys("c", ["s", "t"]);
        Assert.Empty(state.Tasks);
    }

    [Fact]
    public void AddScatteredData_OnWorkersThatLeft_Errs()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.AddScatteredData("c", [new ScatteredData("s", ["gone"], 16)]);
        state.Validate();
        Assert.Equal(TaskStateKind.Erred, state.Tasks["s"].State);
        Assert.True(outbox.Erred.ContainsKey("s"));
        state.ReleaseKeys("c", ["s"]);
        Assert.Empty(state.Tasks);
    }

    [Fact]
    public void TwoClients_WantingTheSameKey_BothHearAndReleaseIndependently()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("a", Chain("x", 3), [new Key("x", 2)]);
        state.UpdateGraph("b", Chain("x", 3), [new Key("x", 2)]);
        Drain(state, outbox, _ => 0);
        Assert.Contains(new Key("x", 2), outbox.InMemory["a"]);
        Assert.Contains(new Key("x", 2), outbox.InMemory["b"]);
        state.RemoveClient("a");
        Assert.Equal(TaskStateKind.Memory, state.Tasks[new Key("x", 2)].State);
        state.RemoveClient("b");
        Assert.Empty(state.Tasks);
    }

    [Fact]
    public void RandomExecution_WithWorkersLeavingAndJoining_AlwaysCompletesAndForgets()
    {
        Gen.Select(Gen.Int[1, 60], Gen.Int[1, 4], Gen.Int[0, 3], Gen.UInt).Sample((leaves, workers, departures, seed) =>
        {
            var random = new Random((int)seed);
            var outbox = new RecordingOutbox();
            var state = new SchedulerState(outbox, workerSaturation: random.Next(2) == 0 ? 1.1 : double.PositiveInfinity);
            int next = 0;
            for (int i = 0; i < workers; i++)
            {
                state.AddWorker("w" + next++, random.Next(1, 3));
            }

            List<TaskSubmission> graph = Tree("t", leaves);
            Key root = graph[^1].Key;
            state.UpdateGraph("c", graph, [root]);
            state.Validate();
            int left = departures;
            Drain(state, outbox, n => random.Next(n), () =>
            {
                if (left > 0 && random.Next(8) == 0)
                {
                    left--;
                    state.RemoveWorker(state.Workers.Keys.First());
                    state.AddWorker("w" + next++, 1);
                    state.Validate();
                }
            });
            Assert.Contains(root, outbox.InMemory["c"]);
            Assert.Equal(TaskStateKind.Memory, state.Tasks[root].State);
            state.ReleaseKeys("c", [root]);
            state.Validate();
            Assert.Empty(state.Tasks);
        }, iter: 300);
    }
    [Fact]
    public void RandomExecution_WithRestrictionsResubmissionsAndCopies_AlwaysCompletesAndForgets()
    {
        var gpu = new Dictionary<string, double> { ["GPU"] = 1 };
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 3], Gen.Int[0, 3], Gen.UInt).Sample((leaves, workers, events, seed) =>
        {
            var random = new Random((int)seed);
            var outbox = new RecordingOutbox();
            var state = new SchedulerState(outbox);
            int next = 0;
            for (int i = 0; i < workers; i++)
            {
                state.AddWorker("w" + next, 1, "name" + next, random.Next(2) == 0 ? gpu : null);
                next++;
            }

            // Some tasks need a GPU, some a named worker (loosely or not); the rest run anywhere.
            List<TaskSubmission> graph = [.. Tree("t", leaves).Select(t => random.Next(4) switch
            {
                0 => t with { Restrictions = new TaskRestrictions([], false, [new ResourceAmount("GPU", 1)]) },
                1 => t with { Restrictions = new TaskRestrictions(["name" + random.Next(next + 1)], random.Next(2) == 0, []) },
                _ => t,
            })];
            Key root = graph[^1].Key;
            state.UpdateGraph("c", graph, [root]);
            state.Validate();

            // Workers that can run anything join eventually, so every task has a valid worker.
            state.AddWorker("w" + next, 2, "name" + next, gpu);
            next++;
            for (int n = 0; n <= next; n++)
            {
                state.AddWorker("named" + n, 1, "name" + n, gpu);
            }

            state.Validate();
            int left = events;
            Drain(state, outbox, n => random.Next(n), () =>
            {
                if (left > 0 && random.Next(6) == 0)
                {
                    left--;
                    switch (random.Next(3))
                    {
                        case 0:
                            // The client lets go of the root and asks for it again at once.
                            state.ReleaseKeys("c", [root]);
                            state.UpdateGraph("c", graph, [root]);
                            break;
                        case 1:
                            state.RemoveWorker(state.Workers.Keys.First());
                            state.AddWorker("w" + next, 1, "name" + next, gpu);
                            next++;
                            break;
                        default:
                            // A worker reports copies it fetched of whatever is in memory.
                            state.AddKeys(state.Workers.Keys.Last(), [.. state.Tasks.Values.Where(t => t.State == TaskStateKind.Memory).Select(t => t.Key)]);
                            break;
                    }

                    state.Validate();
                }
            });
            Assert.Contains(root, outbox.InMemory["c"]);
            Assert.Equal(TaskStateKind.Memory, state.Tasks[root].State);
            state.ReleaseKeys("c", [root]);
            state.Validate();
            Assert.Empty(state.Tasks);
        }, iter: 300);
    }
    [Fact]
    public void RemoveWorker_DyingMoreThanAllowedWithTheSameTask_FailsItWithKilledWorker_AndOtherWorkGoesOn()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, allowedFailures: 2);
        state.AddWorker("w0", 1);
        state.UpdateGraph("c", [new TaskSubmission("poison", null, [], 0), new TaskSubmission("after", null, ["poison"], 1)], ["after"]);
        for (int death = 1; death <= 3; death++)
        {
            WorkerState on = state.Tasks["poison"].ProcessingOn!;
            Assert.Equal(death - 1, state.Tasks["poison"].Suspicious);
            state.AddWorker("w" + death, 1);
            state.RemoveWorker(on.Address);
            state.Validate();
            if (death < 3)
            {
                Assert.Empty(outbox.Erred);
                Assert.Equal(TaskStateKind.Processing, state.Tasks["poison"].State);
            }
        }

        SchedulerTask after = outbox.Erred["after"];
        Assert.Equal(new Key("poison"), after.ErredOn!.Key);
        Assert.Equal(typeof(KilledWorkerException).FullName, after.Error!.TypeName);
        Assert.Contains("poison", after.Error.Message, StringComparison.Ordinal);
        Assert.Contains("allowed-failures = 2", after.Error.Message, StringComparison.Ordinal);

        // The cluster keeps serving other work.
        outbox.Sent.Clear();
        state.UpdateGraph("c", Chain("ok", 3), [new Key("ok", 2)]);
        Drain(state, outbox, _ => 0);
        Assert.Contains(new Key("ok", 2), outbox.InMemory["c"]);
    }

    [Fact]
    public void RemoveWorker_Graceful_DoesNotCountAgainstItsTasks()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox, allowedFailures: 0);
        state.AddWorker("w0", 1);
        state.UpdateGraph("c", [new TaskSubmission("t", null, [], 0)], ["t"]);
        state.AddWorker("w1", 1);
        state.RemoveWorker(state.Tasks["t"].ProcessingOn!.Address, graceful: true);
        Assert.Equal(0, state.Tasks["t"].Suspicious);
        Assert.Equal(TaskStateKind.Processing, state.Tasks["t"].State);
        state.AddWorker("w2", 1);
        state.RemoveWorker(state.Tasks["t"].ProcessingOn!.Address);
        Assert.Equal(typeof(KilledWorkerException).FullName, outbox.Erred["t"].Error!.TypeName);
    }

    [Fact]
    public void MissingData_InputLostOnItsOnlyHolder_IsRecomputedAndTheTaskRunsAgain()
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        state.AddWorker("w1", 1);
        state.UpdateGraph("c", Chain("x", 2), [new Key("x", 1)]);
        (WorkerState w, SchedulerTask first, long run) = outbox.Sent[0];
        outbox.Sent.Clear();
        state.TaskFinished(w.Address, first.Key, run, 8, 0.001);
        (WorkerState w2, SchedulerTask second, long run2) = outbox.Sent.Single();
        outbox.Sent.Clear();
        state.MissingData(w2.Address, second.Key, run2, "w1");
        state.Validate();
        Assert.Contains(outbox.Freed, f => f.Worker.Address == "w1" && f.Key == new Key("x", 0));
        Assert.Equal(new Key("x", 0), outbox.Sent[^1].Task.Key);
        Assert.Equal(TaskStateKind.Waiting, state.Tasks[new Key("x", 1)].State);

        // A stale report (of the old run) changes nothing.
        state.MissingData(w2.Address, second.Key, run2, "w1");
        Drain(state, outbox, _ => 0);
        Assert.Contains(new Key("x", 1), outbox.InMemory["c"]);
        Assert.Empty(outbox.Erred);
    }

    [Fact]
    public void RandomExecution_WithDeathsAndMissingData_AlwaysCompletesAndForgets()
    {
        Gen.Select(Gen.Int[1, 60], Gen.Int[1, 4], Gen.Int[0, 8], Gen.UInt).Sample((leaves, workers, events, seed) =>
        {
            var random = new Random((int)seed);
            var outbox = new RecordingOutbox();
            var state = new SchedulerState(outbox, allowedFailures: 100);
            int next = 0;
            for (int i = 0; i < workers; i++)
            {
                state.AddWorker("w" + next++, random.Next(1, 3));
            }

            List<TaskSubmission> graph = Tree("t", leaves);
            Key root = graph[^1].Key;
            state.UpdateGraph("c", graph, [root]);
            int left = events;
            Drain(state, outbox, n => random.Next(n), () =>
            {
                if (left > 0 && random.Next(5) == 0)
                {
                    left--;
                    if (random.Next(2) == 0)
                    {
                        state.RemoveWorker(state.Workers.Keys.First(), graceful: random.Next(2) == 0);
                        state.AddWorker("w" + next++, 1);
                    }
                    else if (outbox.Sent.Where(s => s.Task.Dependencies.Length > 0).ToList() is { Count: > 0 } withInputs)
                    {
                        // A worker could not fetch an input from one of its holders (or from a worker that left).
                        (WorkerState w, SchedulerTask t, long run) = withInputs[random.Next(withInputs.Count)];
                        SchedulerTask dep = t.Dependencies[random.Next(t.Dependencies.Length)];
                        string peer = dep.WhoHas.Count > 0 ? dep.WhoHas.ElementAt(random.Next(dep.WhoHas.Count)).Address : "gone";
                        state.MissingData(w.Address, t.Key, run, peer);
                    }

                    state.Validate();
                }
            });
            Assert.Contains(root, outbox.InMemory["c"]);
            Assert.Empty(outbox.Erred);
            state.ReleaseKeys("c", [root]);
            state.Validate();
            Assert.Empty(state.Tasks);
        }, iter: 300);
    }

    // n results of 100 bytes, all on w1 (restricted there), in memory and wanted; w2 and w3 hold nothing.
    private static (SchedulerState State, RecordingOutbox Outbox, WorkerState[] Workers) ResultsOnOneWorker(int n)
    {
        var outbox = new RecordingOutbox();
        var state = new SchedulerState(outbox);
        WorkerState[] workers = [state.AddWorker("w1", 1), state.AddWorker("w2", 1), state.AddWorker("w3", 1)];
        Key[] keys = [.. Enumerable.Range(0, n).Select(i => new Key("r", i))];
        state.UpdateGraph("c", [.. keys.Select((k, i) => new TaskSubmission(k, null, [], i, Restrictions: new TaskRestrictions(["w1"], false, [])))], keys);
        foreach ((WorkerState w, SchedulerTask t, long run) in outbox.Sent.ToArray())
        {
            state.TaskFinished(w.Address, t.Key, run, 100, 0.001);
        }

        outbox.Sent.Clear();
        Assert.Equal(n * 100, workers[0].NBytes);
        return (state, outbox, workers);
    }

    // What the event loop does when the receiving worker confirms a copy.
    private static void Confirm(SchedulerState state, ReplicaMove move)
    {
        state.AddKeys(move.To.Address, [move.Task.Key]);
        if (move.DropFrom is { } from)
        {
            Assert.True(state.DropReplica(move.Task.Key, from.Address));
        }

        state.Validate();
    }

    [Fact]
    public void PlanRebalance_MovesBytesFromTheFullWorkerToTheEmptyOnes_UntilEven()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState[] w) = ResultsOnOneWorker(6);
        IReadOnlyList<ReplicaMove> moves = state.PlanRebalance(null);
        Assert.Equal(4, moves.Count);
        Assert.All(moves, m => Assert.Equal(w[0], m.DropFrom));
        Assert.Equal(2, moves.Count(m => m.To == w[1]));
        foreach (ReplicaMove m in moves)
        {
            Confirm(state, m);
        }

        Assert.Equal([200L, 200L, 200L], w.Select(x => x.NBytes));
        Assert.All(state.Tasks.Values, t => Assert.Single(t.WhoHas));
        Assert.Equal(4, outbox.Freed.Count(f => f.Worker == w[0]));
        Assert.Empty(state.PlanRebalance(null));
    }

    [Fact]
    public void PlanRebalance_ByProcessMemory_SendsFromAboveTheMeanToBelowIt_WithinDasksThresholds()
    {
        // Six results of 100 bytes on w1. By stored bytes, 4 would move (2 to each); by process memory
        // (limit 1,000: half gap 50, recipients below 600), w2 at 620 takes nothing, and w1 sends to w3
        // until it is within 50 of the mean 573.3: 326.7 -> 226.7 -> 126.7 -> 26.7, three moves.
        (SchedulerState state, _, WorkerState[] w) = ResultsOnOneWorker(6);
        state.Rebalance = RebalanceSettings.Default with { Measure = RebalanceMeasure.Process };
        SetMemory(w, 1000, 900, 620, 200);
        IReadOnlyList<ReplicaMove> moves = state.PlanRebalance(null);
        Assert.Equal(3, moves.Count);
        Assert.All(moves, m => Assert.Equal((w[0], w[2]), (m.DropFrom, m.To)));

        // Below sender-min (0.3 of the limit) nothing is sent, however uneven.
        SetMemory(w, 1000, 280, 100, 100);
        Assert.Empty(state.PlanRebalance(null));

        // Close to the mean (within half the gap): nothing moves, though w1 holds every result.
        SetMemory(w, 1000, 500, 450, 400);
        Assert.Empty(state.PlanRebalance(null));

        // A worker sharing its process (or not reported yet): every worker is weighed by stored bytes.
        SetMemory(w, 1000, 900, 620, 200);
        w[1].OwnsProcess = false;
        Assert.Equal(4, state.PlanRebalance(null).Count);

        static void SetMemory(WorkerState[] workers, long limit, params long[] memory)
        {
            for (int i = 0; i < workers.Length; i++)
            {
                (workers[i].MemoryLimit, workers[i].MemoryBytes, workers[i].OwnsProcess) = (limit, memory[i], true);
            }
        }
    }

    [Fact]
    public void PlanReplication_AddsCopiesOnTheEmptiestWorkers_AndDropsExtraCopies()
    {
        (SchedulerState state, _, WorkerState[] w) = ResultsOnOneWorker(3);
        Key[] keys = [.. state.Tasks.Keys];
        IReadOnlyList<ReplicaMove> moves = state.PlanReplication(keys, 2);
        Assert.Equal(3, moves.Count);
        Assert.All(moves, m => Assert.Null(m.DropFrom));
        Assert.Equal([2, 1], moves.GroupBy(m => m.To).Select(g => g.Count()).OrderDescending());
        foreach (ReplicaMove m in moves)
        {
            Confirm(state, m);
        }

        Assert.All(state.Tasks.Values, t => Assert.Equal(2, t.WhoHas.Count));
        Assert.Empty(state.PlanReplication(keys, 1));
        state.Validate();
        Assert.All(state.Tasks.Values, t => Assert.Single(t.WhoHas));
    }

    [Fact]
    public void BeginRetirement_CopiesKeysOnlyItHolds_ReleasesItsTasks_AndGivesItNoMoreWork()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState[] w) = ResultsOnOneWorker(2);
        state.UpdateGraph("c", [new TaskSubmission("slow", null, [], 0, Restrictions: new TaskRestrictions(["w1", "w2"], false, []))], ["slow"]);
        SchedulerTask slow = state.Tasks["slow"];
        if (slow.ProcessingOn != w[0])
        {
            // Put it on w1: the worker that retires.
            state.RemoveWorker("w2", graceful: true);
            state.AddWorker("w2", 1);
        }

        Assert.Equal(w[0], slow.ProcessingOn);
        outbox.Sent.Clear();
        IReadOnlyList<ReplicaMove> moves = state.BeginRetirement([w[0]]);
        state.Validate();
        Assert.Equal(2, moves.Count);
        Assert.DoesNotContain(moves, m => m.To == w[0]);
        Assert.NotEqual(w[0], slow.ProcessingOn);
        Assert.Contains(outbox.Freed, f => f.Worker == w[0] && f.Key == slow.Key);

        // New tasks go elsewhere, and with the copies made, nothing is left to move.
        state.UpdateGraph("c", [new TaskSubmission("new", null, [], 0)], ["new"]);
        Assert.NotEqual(w[0], state.Tasks["new"].ProcessingOn);
        moves.ToList().ForEach(m => Confirm(state, m));
        Assert.Empty(state.PlanRetirement([w[0]]));
    }

    [Fact]
    public void BeginRetirement_OfEveryWorkerHoldingData_Fails_AndLeavesThemWorking()
    {
        (SchedulerState state, _, WorkerState[] w) = ResultsOnOneWorker(1);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => state.BeginRetirement(w));
        Assert.Contains("no other worker", e.Message, StringComparison.Ordinal);
        Assert.All(w, x => Assert.False(x.Retiring));
    }

    [Fact]
    public void DropReplica_KeepsTheCopyThatATaskProcessingThereNeeds()
    {
        (SchedulerState state, RecordingOutbox outbox, WorkerState[] w) = ResultsOnOneWorker(1);
        Key input = state.Tasks.Keys.Single();
        state.AddKeys("w2", [input]);
        outbox.Sent.Clear();
        state.UpdateGraph("c", [new TaskSubmission("use", null, [input], 0, Restrictions: new TaskRestrictions(["w1"], false, []))], ["use"]);
        Assert.Equal(w[0], state.Tasks["use"].ProcessingOn);
        Assert.False(state.DropReplica(input, "w1"));
        Assert.True(state.DropReplica(input, "w2"));
        Assert.False(state.DropReplica(input, "w1"));
        state.Validate();
    }
}
