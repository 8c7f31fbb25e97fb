using Tessera.Distributed.Protocol;
using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

// Moving data between workers for clients (Dask's retire_workers, replicate, rebalance, who_has): the
// state plans the copies, the receiving workers fetch them (AcquireReplicas), and each answer
// (ReplicasAcquired) makes the copies replicas and drops the sources of moves. A request is answered
// once every receiving worker answered or left.
internal sealed partial class SchedulerServer
{
    // A retirement copies what only the retiring workers hold, then looks again (a copy may have failed,
    // or a result may have arrived meanwhile), at most this many times before it gives up.
    private const int RetirementRounds = 3;

    private readonly Dictionary<long, PendingMove> _moves = [];
    private long _nextMove;

    /// <summary>
    /// Gets or sets what the scheduler calls, on its event loop, with the address and name of each worker it
    /// retired (told to close): a local cluster stops the worker's process without replacing it.
    /// </summary>
    public Action<string, string?>? WorkerRetired { get; set; }

    private void RetireWorkers(Peer client, RetireWorkers m)
    {
        var workers = m.Count > 0 ? [.. _state.WorkersToRetire(m.Count)] : new List<WorkerState>();
        foreach (string name in m.Workers)
        {
            WorkerState? w = _state.Workers.GetValueOrDefault(name) ?? _state.Workers.Values.FirstOrDefault(x => x.Name == name);
            if (w is null)
            {
                Reply(new RemoteError(typeof(KeyNotFoundException).FullName!, $"RetireWorkers: no worker with the address or name '{name}' is connected to scheduler {Address}.", null));
                return;
            }

            if (!workers.Contains(w))
            {
                workers.Add(w);
            }
        }

        IReadOnlyList<ReplicaMove> moves;
        try
        {
            moves = _state.BeginRetirement(workers);
        }
        catch (InvalidOperationException e)
        {
            Reply(new RemoteError(e.GetType().FullName!, e.Message, null));
            return;
        }

        Log.Add(SchedulerLogLevel.Info, $"Retiring {string.Join(", ", workers)}: copying {moves.Count} keys only they hold to other workers");
        int copies = 0, round = 1;
        StartMoves(moves, Next);

        void Next(int made)
        {
            copies += made;
            List<WorkerState> left = workers.FindAll(w => !w.Closed);
            IReadOnlyList<ReplicaMove> more;
            try
            {
                more = _state.PlanRetirement(left);
            }
            catch (InvalidOperationException e)
            {
                _state.CancelRetirement(left);
                Reply(new RemoteError(e.GetType().FullName!, e.Message, null));
                return;
            }

            if (more.Count > 0 && round++ < RetirementRounds)
            {
                StartMoves(more, Next);
                return;
            }

            if (more.Count > 0)
            {
                _state.CancelRetirement(left);
                Reply(new RemoteError(typeof(InvalidOperationException).FullName!, $"RetireWorkers: {more.Count} keys that only {string.Join(", ", left)} hold could not be copied to other workers in {RetirementRounds} tries (first {more[0].Task.Key}); the workers stay.", null));
                return;
            }

            foreach (WorkerState w in left)
            {
                if (_workers.TryGetValue(w.Address, out Peer? peer))
                {
                    Retire(peer);
                    Send(peer, new Close("retired"));
                    Log.Add(SchedulerLogLevel.Info, $"Worker {w.Address} retired");
                    WorkerRetired?.Invoke(w.Address, w.Name);
                }
            }

            Send(client, new MoveDone(m.RequestId, copies, [.. workers.Select(w => w.Address)], null));
        }

        void Reply(RemoteError error) => Send(client, new MoveDone(m.RequestId, 0, [], error));
    }

    private void ReplicateKeys(Peer client, ReplicateKeys m) =>
        StartMoves(_state.PlanReplication(m.Keys, m.Copies), copies => Send(client, new MoveDone(m.RequestId, copies, [], null)));

    private void RebalanceKeys(Peer client, RebalanceKeys m)
    {
        IReadOnlyList<ReplicaMove> moves = _state.PlanRebalance(m.Keys.Length == 0 ? null : m.Keys);
        Log.Add(SchedulerLogLevel.Info, $"Rebalance by {RebalanceSettings.Name(_state.RebalanceMeasureNow())} memory: moving {moves.Count} keys ({moves.Sum(mv => mv.Task.NBytes)} bytes)");
        StartMoves(moves, copies => Send(client, new MoveDone(m.RequestId, copies, [], null)));
    }

    // Each receiving worker gets one request for all its copies, which it fetches from each holder in
    // messages of at most message-bytes-limit; done gets the number of copies made.
    private void StartMoves(IReadOnlyList<ReplicaMove> moves, Action<int> done)
    {
        long id = ++_nextMove;
        var pending = new PendingMove(done);
        foreach (IGrouping<WorkerState, ReplicaMove> g in moves.GroupBy(mv => mv.To))
        {
            if (!_workers.TryGetValue(g.Key.Address, out Peer? peer))
            {
                continue;
            }

            pending.Waiting.Add(g.Key.Address);
            foreach (ReplicaMove mv in g.Where(mv => mv.DropFrom is not null))
            {
                pending.Drops[(g.Key.Address, mv.Task.Key)] = mv.DropFrom!.Address;
            }

            Send(peer, new AcquireReplicas(
                id,
                [.. g.Select(mv => new DependencyLocation(mv.Task.Key, [.. mv.Task.WhoHas.Select(w => w.Address)], mv.Task.NBytes))],
                [.. g.Select(mv => mv.Task.Session)],
                _state.Rebalance.MessageBytes));
        }

        if (pending.Waiting.Count == 0)
        {
            done(0);
        }
        else
        {
            _moves.Add(id, pending);
        }
    }

    private void ReplicasAcquired(Peer worker, ReplicasAcquired m)
    {
        if (!_moves.TryGetValue(m.MoveId, out PendingMove? pending) || !pending.Waiting.Remove(worker.Id!))
        {
            return;
        }

        // Copies of keys released meanwhile are freed at once; the others are replicas now.
        _state.AddKeys(worker.Id!, m.Keys);
        foreach (Key k in m.Keys)
        {
            if (_state.Tasks.TryGetValue(k, out SchedulerTask? t) && t.WhoHas.Exists(w => w.Address == worker.Id))
            {
                pending.Copies++;
                if (pending.Drops.TryGetValue((worker.Id!, k), out string? from))
                {
                    _state.DropReplica(k, from);
                }
            }
        }

        FinishMoveIfDone(m.MoveId, pending);
    }

    // A worker that left answers no more copy requests.
    private void MoveTargetLeft(string worker)
    {
        foreach ((long id, PendingMove pending) in _moves.ToArray())
        {
            if (pending.Waiting.Remove(worker))
            {
                FinishMoveIfDone(id, pending);
            }
        }
    }

    private void FinishMoveIfDone(long id, PendingMove pending)
    {
        if (pending.Waiting.Count == 0 && _moves.Remove(id))
        {
            pending.Done(pending.Copies);
        }
    }

    /// <summary>Copies that receiving workers still have to confirm, for one request.</summary>
    private sealed class PendingMove(Action<int> done)
    {
        public HashSet<string> Waiting { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets, for moves, the worker whose copy goes once the receiving worker has the key.</summary>
        public Dictionary<(string To, Key Key), string> Drops { get; } = [];

        public int Copies { get; set; }

        public Action<int> Done { get; } = done;
    }
}
