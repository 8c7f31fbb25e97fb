using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Scheduler;

/// <summary>The scheduler's side of a worker's paused state (Dask's worker status <c>paused</c>).</summary>
public sealed class PausedWorkerTests
{
    private sealed class Outbox : ISchedulerOutbox
    {
        public List<(WorkerState Worker, SchedulerTask Task)> Sent { get; } = [];

        public void ComputeTask(WorkerState worker, SchedulerTask task) => Sent.Add((worker, task));

        public void FreeKey(WorkerState worker, Key key)
        {
        }

        public void KeyInMemory(ClientState client, SchedulerTask task)
        {
        }

        public void KeyErred(ClientState client, SchedulerTask task)
        {
        }

        public List<Key> StealRequests { get; } = [];

        public void StealRequest(WorkerState worker, SchedulerTask task) => StealRequests.Add(task.Key);
    }

    private static TaskSubmission[] Roots(string name, int n) => [.. Enumerable.Range(0, n).Select(i => new TaskSubmission(new Key(name, i), null, [], i))];

    private static Key[] Keys(string name, int n) => [.. Enumerable.Range(0, n).Select(i => new Key(name, i))];

    [Fact]
    public void APausedWorker_GetsNoNewTasks_WhileAnotherRuns_NotEvenTheDependentsOfItsData()
    {
        var outbox = new Outbox();
        var state = new SchedulerState(outbox, workerSaturation: double.PositiveInfinity);
        WorkerState w1 = state.AddWorker("w1", 1), w2 = state.AddWorker("w2", 1);
        state.UpdateGraph("c", [new TaskSubmission(new Key("big"), null, [], 0, Restrictions: new TaskRestrictions(["w1"], false, []))], [new Key("big")]);
        state.TaskFinished("w1", new Key("big"), outbox.Sent[0].Task.RunId, 100_000_000, 0.01);
        outbox.Sent.Clear();

        state.WorkerPaused("w1", paused: true);
        Assert.True(w1.Paused);
        state.UpdateGraph("c", [.. Roots("r", 10), .. Enumerable.Range(0, 5).Select(i => new TaskSubmission(new Key("use", i), null, [new Key("big")], 10 + i))], [.. Keys("r", 10), .. Keys("use", 5)]);
        state.Validate();
        Assert.Equal(15, outbox.Sent.Count);
        Assert.All(outbox.Sent, s => Assert.Equal(w2, s.Worker));

        // Resumed: new work goes to it again.
        state.WorkerPaused("w1", paused: false);
        outbox.Sent.Clear();
        state.UpdateGraph("c", [.. Enumerable.Range(0, 5).Select(i => new TaskSubmission(new Key("more", i), null, [new Key("big")], 20 + i))], Keys("more", 5));
        Assert.Contains(outbox.Sent, s => s.Worker == w1);
    }

    [Fact]
    public void WhenEveryWorkerIsPaused_RootTasksWait_AndGoToTheFirstWorkerThatResumes()
    {
        var outbox = new Outbox();
        var state = new SchedulerState(outbox, workerSaturation: 1.0, defaultDurationSeconds: 1.0);
        state.AddWorker("w1", 2);
        WorkerState w2 = state.AddWorker("w2", 2);
        state.WorkerPaused("w1", paused: true);
        state.WorkerPaused("w2", paused: true);
        state.UpdateGraph("c", Roots("r", 6), Keys("r", 6));
        state.Validate();
        Assert.Empty(outbox.Sent);
        Assert.Equal(6, state.Tasks.Values.Count(t => t.State == TaskStateKind.Queued));

        state.WorkerPaused("w2", paused: false);
        Assert.Equal(2, outbox.Sent.Count);
        Assert.All(outbox.Sent, s => Assert.Equal(w2, s.Worker));

        // A task whose input is in memory still goes somewhere when every worker is paused: it waits on one.
        (WorkerState _, SchedulerTask r0) = outbox.Sent[0];
        state.WorkerPaused("w2", paused: true);
        outbox.Sent.Clear();
        state.TaskFinished("w2", r0.Key, r0.RunId, 8, 0.01);
        state.UpdateGraph("c", [new TaskSubmission(new Key("after"), null, [r0.Key], 10)], [new Key("after")]);
        state.Validate();
        Assert.Equal(new Key("after"), Assert.Single(outbox.Sent).Task.Key);
        Assert.Equal(TaskStateKind.Processing, state.Tasks[new Key("after")].State);
    }

    [Fact]
    public void APausedWorker_DoesNotStealWork_UntilItResumes()
    {
        var outbox = new Outbox();
        var state = new SchedulerState(outbox, workerSaturation: double.PositiveInfinity, workStealing: true);
        WorkerState w1 = state.AddWorker("w1", 1);
        state.UpdateGraph("c", Roots("r", 10), Keys("r", 10));
        Assert.All(outbox.Sent, s => Assert.Equal(w1, s.Worker));

        // The first task took a second: the others are worth moving to an idle worker.
        (WorkerState _, SchedulerTask first) = outbox.Sent[0];
        state.TaskFinished("w1", first.Key, first.RunId, 8, 1.0);
        state.AddWorker("w2", 1);
        state.WorkerPaused("w2", paused: true);
        state.BalanceWork();
        Assert.Empty(outbox.StealRequests);

        state.WorkerPaused("w2", paused: false);
        state.BalanceWork();
        Assert.NotEmpty(outbox.StealRequests);
    }

    [Fact]
    public void DataMoves_GoToAPausedWorkerOnlyWhenNoOtherCanTakeThem()
    {
        var outbox = new Outbox();
        var state = new SchedulerState(outbox, workerSaturation: double.PositiveInfinity);
        WorkerState w1 = state.AddWorker("w1", 1), w2 = state.AddWorker("w2", 1), w3 = state.AddWorker("w3", 1);
        Key[] keys = [.. Enumerable.Range(0, 6).Select(i => new Key("k", i))];
        state.UpdateGraph("c", [.. keys.Select((k, i) => new TaskSubmission(k, null, [], i, Restrictions: new TaskRestrictions([i < 4 ? "w1" : "w3"], false, [])))], keys);
        foreach ((WorkerState w, SchedulerTask t) in outbox.Sent.ToArray())
        {
            state.TaskFinished(w.Address, t.Key, t.RunId, 1_000, 0.01);
        }

        // w2 holds nothing but is paused: w3 takes the retiring worker's keys, and rebalancing sends it none.
        state.WorkerPaused("w2", paused: true);
        Assert.DoesNotContain(state.PlanRebalance(null), m => m.To == w2);
        w1.Retiring = true;
        IReadOnlyList<ReplicaMove> moves = state.PlanRetirement([w1]);
        Assert.Equal(4, moves.Count);
        Assert.All(moves, m => Assert.Equal(w3, m.To));

        // Every other worker paused too: the paused worker with the fewest bytes takes them.
        state.WorkerPaused("w3", paused: true);
        Assert.Equal(w2, state.PlanRetirement([w1])[0].To);
    }
}
