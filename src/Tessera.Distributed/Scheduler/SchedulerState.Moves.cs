using Tessera.Graphs;

namespace Tessera.Distributed.Scheduler;

/// <summary>
/// A copy of a key in memory that a worker is to fetch: <see cref="To"/> fetches it from the workers
/// that hold it; once it has it, the copy on <see cref="DropFrom"/> is dropped (a move), or none is
/// (null: one more replica).
/// </summary>
internal readonly record struct ReplicaMove(SchedulerTask Task, WorkerState To, WorkerState? DropFrom);

// Moving data between workers (Dask's retire_workers, replicate and rebalance). The state plans the
// copies; the event loop has the receiving workers fetch them and confirms each with AddKeys and
// DropReplica. A worker drops a copy only while another worker holds the key, and never one that a
// task processing on it needs.
internal sealed partial class SchedulerState
{
    /// <summary>A rebalance sends from a worker only above this fraction of its memory limit (Dask's <c>rebalance.sender-min</c>).</summary>
    public const double RebalanceSenderMin = 0.30;

    /// <summary>A rebalance sends to a worker only below this fraction of its memory limit (Dask's <c>rebalance.recipient-max</c>).</summary>
    public const double RebalanceRecipientMax = 0.60;

    /// <summary>
    /// The fraction of a worker's memory limit that its memory must be from the cluster mean, half above or
    /// half below, before a rebalance moves data from or to it (Dask's <c>rebalance.sender-recipient-gap</c>).
    /// </summary>
    public const double RebalanceGap = 0.10;

    /// <summary>
    /// Starts retiring workers: they get no new tasks (and no copies), their processing tasks are released
    /// to run elsewhere, and the copies that keep the keys only they hold are returned (see
    /// <see cref="PlanRetirement"/>). Nothing changes when that plan fails.
    /// </summary>
    /// <exception cref="InvalidOperationException">The workers hold keys that no other worker is left to take.</exception>
    public IReadOnlyList<ReplicaMove> BeginRetirement(IReadOnlyList<WorkerState> workers)
    {
        workers.ToList().ForEach(w => w.Retiring = true);
        IReadOnlyList<ReplicaMove> moves;
        try
        {
            moves = PlanRetirement(workers);
        }
        catch (InvalidOperationException)
        {
            workers.ToList().ForEach(w => w.Retiring = false);
            throw;
        }

        foreach (SchedulerTask t in workers.SelectMany(w => w.Processing).ToArray())
        {
            Recommend(t, TaskStateKind.Released);
        }

        Settle();
        return moves;
    }

    /// <summary>
    /// The copies that keep every key in memory that only retiring workers hold: each goes to the worker
    /// that is not retiring and holds the fewest bytes (counting the copies planned before it), a paused
    /// one only when every other is paused (it fetches nothing until it resumes).
    /// </summary>
    /// <exception cref="InvalidOperationException">No worker that is not retiring is left to take them.</exception>
    public IReadOnlyList<ReplicaMove> PlanRetirement(IReadOnlyList<WorkerState> workers)
    {
        var moves = new List<ReplicaMove>();
        var planned = new HashSet<SchedulerTask>();
        Dictionary<WorkerState, long> bytes = _workerList.Where(w => !w.Retiring).ToDictionary(w => w, w => w.NBytes);
        foreach (SchedulerTask t in workers.SelectMany(w => w.HasWhat))
        {
            if (t.State != TaskStateKind.Memory || !t.WhoHas.TrueForAll(h => h.Retiring) || !planned.Add(t))
            {
                continue;
            }

            if (bytes.Count == 0)
            {
                throw new InvalidOperationException(
                    $"Cannot retire {string.Join(", ", workers)}: they hold {t.Key} (and maybe more) that no other worker holds, and no other worker is left to take it.");
            }

            WorkerState to = bytes.MinBy(b => (b.Key.Paused, b.Value)).Key;
            bytes[to] += Math.Max(0, t.NBytes);
            moves.Add(new ReplicaMove(t, to, null));
        }

        return moves;
    }

    /// <summary>Lets workers that were being retired take work again (the retirement failed).</summary>
    public void CancelRetirement(IReadOnlyList<WorkerState> workers)
    {
        foreach (WorkerState w in workers.Where(w => w.Retiring && !w.Closed))
        {
            w.Retiring = false;
            FillFromQueue(w);
        }
    }

    /// <summary>
    /// The copies that give each of <paramref name="keys"/> in memory <paramref name="copies"/> replicas
    /// (Dask's <c>replicate</c>; 0 or more than the workers: one on every worker that is not retiring),
    /// each to the worker without one that holds the fewest bytes (paused workers last). Replicas beyond that many are dropped
    /// at once, from the workers that hold the most bytes. Keys not in memory are left alone.
    /// </summary>
    public IReadOnlyList<ReplicaMove> PlanReplication(IReadOnlyList<Key> keys, int copies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        Dictionary<WorkerState, long> bytes = _workerList.Where(w => !w.Retiring).ToDictionary(w => w, w => w.NBytes);
        int wanted = copies == 0 ? bytes.Count : Math.Min(copies, bytes.Count);
        var moves = new List<ReplicaMove>();
        foreach (SchedulerTask t in InMemory(keys))
        {
            int missing = wanted - t.WhoHas.Count(h => !h.Retiring);
            foreach (WorkerState to in bytes.Where(b => !t.WhoHas.Contains(b.Key)).OrderBy(b => (b.Key.Paused, b.Value)).Select(b => b.Key).Take(Math.Max(0, missing)).ToArray())
            {
                bytes[to] += Math.Max(0, t.NBytes);
                moves.Add(new ReplicaMove(t, to, null));
            }

            foreach (WorkerState extra in t.WhoHas.OrderByDescending(w => w.NBytes).Take(Math.Max(0, -missing)).ToArray())
            {
                DropReplica(t, extra);
            }
        }

        return moves;
    }

    /// <summary>
    /// The moves that even out the workers' memory (Dask's <c>rebalance</c>). Each worker's memory is its
    /// process memory as its last heartbeat reported it, when every worker has its own process and has
    /// reported; otherwise (workers inside one process) the bytes of results it holds. Workers above the mean
    /// by more than half of <see cref="RebalanceGap"/> of their limit, and above <see cref="RebalanceSenderMin"/>
    /// of it, send keys of <paramref name="keys"/> (null: every key in memory), the largest first, to the
    /// workers (not paused) as far below the mean and below <see cref="RebalanceRecipientMax"/> of their
    /// limit, the farthest first; no move takes a sender below the mean or a recipient above it, and each
    /// side stops once it is within half the gap of the mean. A worker without a limit has no thresholds
    /// and no gap. A key a task processing on its sender needs stays there.
    /// </summary>
    public IReadOnlyList<ReplicaMove> PlanRebalance(IReadOnlyList<Key>? keys)
    {
        var moves = new List<ReplicaMove>();
        WorkerState[] workers = [.. _workerList.Where(w => !w.Retiring)];
        if (workers.Length < 2)
        {
            return moves;
        }

        bool byProcess = Array.TrueForAll(workers, w => w.OwnsProcess && w.MemoryBytes > 0);
        double mean = workers.Average(Memory);
        var senders = new List<RebalanceSide>();
        var recipients = new List<RebalanceSide>();
        foreach (WorkerState w in workers)
        {
            // Without a limit (NaN), no threshold holds a worker back and the gap is 0.
            long memory = Memory(w);
            double limit = w.MemoryLimit > 0 ? w.MemoryLimit : double.NaN;
            double halfGap = double.IsNaN(limit) ? 0 : limit * RebalanceGap / 2;
            if (memory > mean + halfGap && !(memory < limit * RebalanceSenderMin) && w.HasWhat.Count > 0)
            {
                senders.Add(new RebalanceSide(w, memory - mean, halfGap));
            }
            else if (memory < mean - halfGap && !(memory >= limit * RebalanceRecipientMax) && !w.Paused)
            {
                recipients.Add(new RebalanceSide(w, mean - memory, halfGap));
            }
        }

        HashSet<SchedulerTask>? movable = keys is null ? null : [.. InMemory(keys)];
        foreach (RebalanceSide sender in senders.OrderByDescending(s => s.Bytes))
        {
            IEnumerable<SchedulerTask> candidates = sender.Worker.HasWhat
                .Where(t => t.State == TaskStateKind.Memory && t.NBytes > 0 && (movable?.Contains(t) ?? true) && !NeededBy(t, sender.Worker))
                .OrderByDescending(t => t.NBytes);
            foreach (SchedulerTask t in candidates.ToArray())
            {
                if (!sender.Wanting || recipients.Count == 0)
                {
                    break;
                }

                RebalanceSide? to = recipients.Where(r => !t.WhoHas.Contains(r.Worker)).MaxBy(r => r.Bytes);
                if (t.NBytes > sender.Bytes || to is null || t.NBytes > to.Bytes)
                {
                    continue;
                }

                moves.Add(new ReplicaMove(t, to.Worker, sender.Worker));
                sender.Bytes -= t.NBytes;
                to.Bytes -= t.NBytes;
                if (!to.Wanting)
                {
                    recipients.Remove(to);
                }
            }
        }

        return moves;

        long Memory(WorkerState w) => byProcess ? w.MemoryBytes : w.NBytes;
    }

    /// <summary>
    /// Drops a worker's copy of a key (the last step of a move) when another worker holds it too and no task
    /// processing on that worker needs it; false when it stays.
    /// </summary>
    public bool DropReplica(Key key, string workerAddress) =>
        _tasks.TryGetValue(key, out SchedulerTask? t) && _workers.TryGetValue(workerAddress, out WorkerState? worker) && DropReplica(t, worker);

    /// <summary>The workers that hold each key now (none for a key that is not in memory).</summary>
    public string[][] WhoHas(IReadOnlyList<Key> keys) =>
        [.. keys.Select(k => _tasks.TryGetValue(k, out SchedulerTask? t) && t.State == TaskStateKind.Memory ? t.WhoHas.Select(w => w.Address).ToArray() : [])];

    private bool DropReplica(SchedulerTask t, WorkerState worker) =>
        t.State == TaskStateKind.Memory && t.WhoHas.Count > 1 && !NeededBy(t, worker) && RemoveReplica(t, worker);

    // Whether a task processing on the worker takes the key as an input (it reads it there when it starts).
    private static bool NeededBy(SchedulerTask t, WorkerState worker) => t.Dependents.Exists(d => d.State == TaskStateKind.Processing && d.ProcessingOn == worker);

    private IEnumerable<SchedulerTask> InMemory(IReadOnlyList<Key> keys) =>
        keys.Distinct().Select(k => _tasks.GetValueOrDefault(k)).OfType<SchedulerTask>().Where(t => t.State == TaskStateKind.Memory);

    // A sender's bytes to lose, or a recipient's to gain, until it is at the mean; it stops wanting once
    // within half the gap of the mean.
    private sealed class RebalanceSide(WorkerState worker, double bytes, double halfGap)
    {
        public WorkerState Worker { get; } = worker;

        public double Bytes { get; set; } = bytes;

        public bool Wanting => Bytes > halfGap;
    }
}
